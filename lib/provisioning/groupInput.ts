/** Group items as the source names them: a display name, an external id, and members by identifier or reference. */
import { ProvisioningError } from '../errors';
import { isObject } from '../util';

/** A member as the source names it. */
export type MemberRef =
	/** A user, by a source identifier (userName, mail, employee id) resolved through the member attribute. */
	| { kind: 'user'; value: string }
	/** A user or group already known by its target id or DN. */
	| { kind: 'ref'; value: string }
	/** Another group of this batch, by display name (nested group). */
	| { kind: 'group'; value: string };

export interface GroupInput {
	displayName: string;
	externalId?: string;
	members: MemberRef[];
	/** Attributes for a new group (gidNumber for posixGroup, description…). */
	extra?: Record<string, string | number>;
}

const text = (o: Record<string, unknown>, key: string) =>
	typeof o[key] === 'string' && (o[key] as string).trim() ? (o[key] as string).trim() : undefined;

function memberRef(m: unknown, i: number): MemberRef {
	if (typeof m === 'string' || typeof m === 'number') {
		if (String(m).trim() === '') throw new ProvisioningError('InvalidInput', `members[${i}] is empty`, { field: `members[${i}]` });
		return { kind: 'user', value: String(m).trim() };
	}
	if (isObject(m)) {
		const group = text(m, 'group');
		const ref = text(m, 'id') ?? text(m, 'ID') ?? text(m, 'dn');
		const user = text(m, 'user');
		if (group) return { kind: 'group', value: group };
		if (ref) return { kind: 'ref', value: ref };
		if (user) return { kind: 'user', value: user };
	}
	throw new ProvisioningError(
		'InvalidInput',
		`members[${i}] is not a member reference: use a user identifier string, {"user": …}, {"id": …} / {"dn": …} for a target reference, or {"group": …} for a nested group`,
		{ field: `members[${i}]` },
	);
}

/** Checks a group item and names the field at fault. */
export function parseGroupInput(json: Record<string, unknown>): GroupInput {
	const displayName = typeof json.displayName === 'string' ? json.displayName.trim() : '';
	if (!displayName) throw new ProvisioningError('InvalidInput', 'The group has no name; set "displayName"', { field: 'displayName' });
	const rawMembers = json.members ?? [];
	if (!Array.isArray(rawMembers)) throw new ProvisioningError('InvalidInput', '"members" must be a list', { field: 'members' });
	const externalId =
		json.externalId === undefined || json.externalId === null || json.externalId === '' ? undefined : String(json.externalId);
	const extra = isObject(json.extra) ? (json.extra as Record<string, string | number>) : undefined;
	return { displayName, externalId, members: rawMembers.map(memberRef), extra };
}

/** Expands nested group references into users, reporting cycles (A → B → A) instead of looping. */
export function flattenMembers(name: string, byName: Map<string, GroupInput>, path: string[], cycles: Set<string>): MemberRef[] {
	const group = byName.get(name.toLowerCase());
	if (!group) return [];
	const out: MemberRef[] = [];
	for (const m of group.members) {
		if (m.kind !== 'group') {
			out.push(m);
			continue;
		}
		const key = m.value.toLowerCase();
		if (path.includes(key)) {
			cycles.add([...path, key].map((k) => byName.get(k)?.displayName ?? k).join(' → '));
			continue;
		}
		out.push(...flattenMembers(m.value, byName, [...path, key], cycles));
	}
	return out;
}
