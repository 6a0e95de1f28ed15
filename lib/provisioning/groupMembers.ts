/**
 * Members as the source names them, turned into the target's member references in batches: remembered target
 * ids first (no request), then one batched lookup per key for users, and group lookups for nested groups.
 */
import { ProvisioningError } from '../errors';
import type { Target } from '../targets/target';
import { unique } from '../util';
import type { MemberRef, SourceReference } from './groupInput';
import { lookupEach } from './keyMatch';
import type { LinkBook, StoreRef } from './links';

export interface MemberResolutionOptions {
	/** Target attribute that source user identifiers are looked up by (userName, mail, uid…). */
	memberAttribute: string;
	/** Which key of a SCIM Trigger member is looked up by that attribute. */
	memberKey?: 'userName' | 'externalId';
	links?: LinkBook;
}

/** What a member reference resolved to: the target references (one when unambiguous), or why none; `error` when unknown. */
export type Resolved = { refs: string[]; why?: string; error?: ProvisioningError };

const sourceKey = (ref: SourceReference) => `source:${ref.value}`;

/** Resolves every 'user' and 'source' member of the batch; returns a lookup per member. */
export async function resolveMemberRefs(
	target: Target,
	members: Array<{ ref: MemberRef; store?: StoreRef }>,
	options: MemberResolutionOptions,
): Promise<(member: MemberRef) => Resolved> {
	const results = new Map<string, Resolved>();
	const memberKey = options.memberKey ?? 'userName';
	const byLink = target.groups.memberRefAttributes.length === 0; // posixGroup names members by uid, which a link does not give.

	// 1. SCIM Trigger members with remembered target ids: no request.
	const sources = members.filter((m): m is { ref: Extract<MemberRef, { kind: 'source' }>; store?: StoreRef } => m.ref.kind === 'source');
	for (const type of ['User', 'Group'] as const) {
		const linked = sources.filter((m) => m.store && m.ref.ref.type === type && (type === 'Group' || byLink));
		if (!options.links || !linked.length) continue;
		const known = await options.links.targetIds(
			type,
			linked.map((m) => ({ store: m.store!, id: m.ref.ref.value })),
		);
		for (const m of linked) {
			const item = { store: m.store!, id: m.ref.ref.value };
			const error = known.failure(item);
			if (error) results.set(sourceKey(m.ref.ref), { refs: [], why: m.ref.ref.userName ?? m.ref.ref.value, error });
			const targetId = known.targetId(item);
			if (!targetId) continue;
			const ref = type === 'User' ? targetId : target.groups.groupMemberRef({ id: targetId, displayName: '', members: [] });
			results.set(sourceKey(m.ref.ref), { refs: [ref] });
		}
	}

	// 2. Users by a key, in one batched lookup: plain identifiers, and trigger members not remembered.
	const identifiers = new Map<string, string>(); // result key → identifier value
	for (const { ref } of members) {
		if (ref.kind === 'user') identifiers.set(`user:${ref.value}`, ref.value);
		if (ref.kind === 'source' && ref.ref.type === 'User' && !results.has(sourceKey(ref.ref))) {
			const value = ref.ref[memberKey];
			if (value) identifiers.set(sourceKey(ref.ref), value);
			else results.set(sourceKey(ref.ref), { refs: [], why: `${ref.ref.value} has no ${memberKey}` });
		}
	}
	if (identifiers.size) {
		const wanted = unique(identifiers.values());
		const found = await lookupEach(
			target.users,
			options.memberAttribute,
			wanted,
			unique([options.memberAttribute, ...target.groups.memberRefAttributes]),
		);
		const byValue = new Map(wanted.map((value, n) => [value, found[n]]));
		for (const [key, value] of identifiers) {
			const hits = byValue.get(value)!;
			// A member whose lookup failed is unknown, not absent: the group fails rather than lose it.
			if (hits instanceof ProvisioningError) {
				results.set(key, { refs: [], why: value, error: hits });
				continue;
			}
			const refs = hits.map((e) => target.groups.memberRef(e)).filter((r): r is string => !!r);
			results.set(key, { refs, ...(refs.length === 1 ? {} : { why: refs.length ? `${value} (${refs.length} accounts match)` : value }) });
		}
	}

	// 3. Nested groups named by a trigger event and not remembered: by display name.
	const groups = sources.filter((m) => m.ref.ref.type === 'Group' && !results.has(sourceKey(m.ref.ref)));
	const names = unique(groups.map((m) => m.ref.ref.displayName ?? '').filter(Boolean));
	const found = names.length ? await target.groups.findGroups('displayName', names) : [];
	for (const { ref } of groups) {
		const hits = found.filter((g) => g.displayName.toLowerCase() === (ref.ref.displayName ?? '').toLowerCase());
		results.set(
			sourceKey(ref.ref),
			hits.length === 1
				? { refs: [target.groups.groupMemberRef(hits[0])] }
				: { refs: [], why: `group ${ref.ref.displayName ?? ref.ref.value}` },
		);
	}

	return (member) => {
		if (member.kind === 'user') return results.get(`user:${member.value}`) ?? { refs: [], why: member.value };
		if (member.kind === 'source') {
			if (member.ref.type === 'Unknown') return { refs: [], why: `${member.ref.value} (not in the SCIM Trigger's store)` };
			return results.get(sourceKey(member.ref)) ?? { refs: [], why: member.ref.userName ?? member.ref.value };
		}
		return { refs: [member.value] };
	};
}
