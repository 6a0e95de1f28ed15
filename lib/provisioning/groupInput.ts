/** Group items as the source names them: a display name, an external id, and members by identifier or reference. */
import { ProvisioningError } from '../errors';
import { isObject } from '../util';
import type { Linked, StoreRef } from './links';

/** A member as the source names it. */
export type MemberRef =
	/** A user, by a source identifier (userName, mail, employee id) resolved through the member attribute. */
	| { kind: 'user'; value: string }
	/** A user or group already known by its target id or DN. */
	| { kind: 'ref'; value: string }
	/** Another group of this batch, by display name (nested group). */
	| { kind: 'group'; value: string }
	/** A user or group as a SCIM Trigger event names it: its id in the trigger's store, and its keys. */
	| { kind: 'source'; ref: SourceReference };

/** A member as SCIM Trigger events name it (see lib/scim/server/events.ts, Reference). */
export interface SourceReference {
	value: string;
	type: 'User' | 'Group' | 'Unknown';
	userName?: string;
	externalId?: string;
	displayName?: string;
}

export type MembershipMode = 'authoritative' | 'additive' | 'removeListed';

export interface GroupInput {
	displayName: string;
	externalId?: string;
	members: MemberRef[];
	/** Attributes for a new group (gidNumber for posixGroup, description…). */
	extra?: Record<string, string | number>;
	/** How this item's members apply, when it says so itself (SCIM Trigger events); else the run's mode. */
	mode?: MembershipMode;
	/** Delete the group (a SCIM Trigger group.deleted event). */
	remove?: boolean;
	/** The group's id in a SCIM Trigger store: its remembered target id is used first, and recorded. */
	linked?: Linked;
	/**
	 * For a membership delta: the group's whole membership. Used instead of the delta when the target is not known to
	 * hold the group yet, so a group first seen through a membership event gets all its members.
	 */
	allMembers?: MemberRef[];
	/** Nothing to do for this item, and why (a group the IdP deleted since its event). */
	skip?: string;
}

const EVENT_MODES: Record<string, { mode?: MembershipMode; remove?: boolean }> = {
	'group.created': { mode: 'authoritative' },
	'group.updated': { mode: 'authoritative' },
	'group.sync': { mode: 'authoritative' },
	'group.membersAdded': { mode: 'additive' },
	'group.membersRemoved': { mode: 'removeListed' },
	'group.deleted': { remove: true },
};

const sourceReference = (m: unknown): SourceReference | undefined =>
	isObject(m) && typeof m.value === 'string' && m.value ? ({ type: 'Unknown', ...m, value: m.value } as SourceReference) : undefined;

/**
 * A SCIM Trigger group event (or a SCIM Store group item) as Group Sync input: created, updated and synced
 * groups carry all their members (authoritative); membership events only the members added or removed.
 */
export function groupInputFromEvent(json: Record<string, unknown>, store?: StoreRef): GroupInput {
	const event = String(json.event ?? '');
	const how = EVENT_MODES[event];
	if (!how || json.resourceType !== 'Group') {
		throw new ProvisioningError('InvalidInput', `"${event || 'no event'}" is not a SCIM Trigger group event`, { field: 'event' });
	}
	const resource = (isObject(json.resource) ? json.resource : isObject(json.before) ? json.before : {}) as Record<string, unknown>;
	const listed = how.mode === 'authoritative' ? resource.members : json.memberReferences;
	const members = (Array.isArray(listed) ? listed : []).map((m, i) => {
		const ref = sourceReference(m);
		if (!ref) throw new ProvisioningError('InvalidInput', `members[${i}] has no value`, { field: `members[${i}]` });
		return { kind: 'source' as const, ref };
	});
	const input = parseGroupInput({ displayName: resource.displayName, externalId: resource.externalId, members: [] });
	return {
		...input,
		members,
		...how,
		...(store && typeof json.resourceId === 'string' ? { linked: { store, id: json.resourceId } } : {}),
	};
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

/** Expands nested group references (other groups of the batch, by name) into users, reporting cycles (A → B → A) instead of looping. */
export function flattenMembers(members: MemberRef[], byName: Map<string, GroupInput>, path: string[], cycles: Set<string>): MemberRef[] {
	const out: MemberRef[] = [];
	for (const m of members) {
		if (m.kind !== 'group') {
			out.push(m);
			continue;
		}
		const key = m.value.toLowerCase();
		if (path.includes(key)) {
			cycles.add([...path, key].map((k) => byName.get(k)?.displayName ?? k).join(' → '));
			continue;
		}
		const nested = byName.get(key);
		if (nested) out.push(...flattenMembers(nested.members, byName, [...path, key], cycles));
	}
	return out;
}

/** A trigger store's current version of a group: the resource, gone (undefined), or unreadable (error). */
export interface CurrentGroup {
	resource?: Record<string, unknown>;
	error?: Error;
}

const memberRefs = (resource: Record<string, unknown>): MemberRef[] =>
	(Array.isArray(resource.members) ? resource.members : [])
		.map(sourceReference)
		.filter((ref): ref is SourceReference => ref !== undefined)
		.map((ref) => ({ kind: 'source' as const, ref }));

/**
 * A group event read against the store's current state, so that executions running out of order converge:
 * a created or changed group gets its current members; a membership event applies only what still holds
 * (an added member that is still a member, a removed one that still is not), with the whole current
 * membership for a target that does not hold the group yet. Without a readable store, the event as sent.
 */
export function groupInputNow(json: Record<string, unknown>, now?: CurrentGroup, store?: StoreRef): GroupInput {
	const input = groupInputFromEvent(json, store);
	if (!now || now.error || input.remove) return input;
	if (!now.resource) return { ...input, skip: "The group is no longer in the SCIM Trigger's store: the IdP deleted it since this event" };
	const current = parseGroupInput({ displayName: now.resource.displayName, externalId: now.resource.externalId, members: [] });
	const members = memberRefs(now.resource);
	if (input.mode === 'authoritative') return { ...input, ...current, members };
	const holds = new Set(members.map((m) => (m.kind === 'source' ? m.ref.value : '')));
	const wanted = input.mode === 'additive';
	const delta = input.members.filter((m) => m.kind === 'source' && holds.has(m.ref.value) === wanted);
	return { ...input, ...current, members: delta, allMembers: members };
}
