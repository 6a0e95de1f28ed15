/**
 * Group Sync: make each group exist (remembered target id, then externalId, then displayName; create; rename),
 * resolve members in batches, and apply the membership in chunks: the diff against the target's members, or,
 * for a SCIM Trigger membership event on a group the target is known to hold, just the members it names.
 */
import pLimit from 'p-limit';
import { ProvisioningError } from '../errors';
import type { GroupEntry, Target } from '../targets/target';
import { flattenMembers, type GroupInput, type MemberRef } from './groupInput';
import { resolveMemberRefs } from './groupMembers';
import { type LinkBook, RememberedIds } from './links';
import { applyPlan } from './groupApply';
import { addNestedGroups, ensureGroup, type GroupPlan, type GroupSyncOptions } from './groupPlan';
import { type ItemOutcome, recordFor } from './log';

export type { MembershipMode } from './groupInput';
export type { GroupSyncOptions } from './groupPlan';

/** Finds the batch's existing groups: remembered target id, then externalId, then displayName, each batched. */
async function existingGroups(target: Target, inputs: GroupInput[], links?: LinkBook) {
	const linked = inputs.filter((g) => g.linked);
	const remembered =
		links && linked.length
			? await links.targetIds(
					'Group',
					linked.map((g) => g.linked!),
				)
			: new RememberedIds();
	const idOf = (g: GroupInput) => (g.linked ? remembered.targetId(g.linked) : undefined);
	// A group whose link could not be read is not looked up by name: a renamed one would be created again.
	const unknown = (g: GroupInput) => (g.linked ? remembered.failure(g.linked) : undefined);
	const rest = inputs.filter((g) => !idOf(g) && !unknown(g));
	const byExternal = await target.groups.findGroups('externalId', rest.map((g) => g.externalId ?? '').filter(Boolean));
	const missing = rest.filter((g) => !g.externalId || !byExternal.some((e) => e.externalId === g.externalId));
	const byDisplay = await target.groups.findGroups(
		'displayName',
		missing.map((g) => g.displayName),
	);
	return (input: GroupInput): { found: GroupEntry[]; by: string; known?: boolean; error?: ProvisioningError } => {
		const error = unknown(input);
		if (error) return { found: [], by: 'remembered id', error };
		const id = idOf(input);
		if (id)
			return {
				found: [{ id, displayName: input.displayName, externalId: input.externalId, members: [] }],
				by: 'remembered id',
				known: true,
			};
		const external = input.externalId ? byExternal.filter((e) => e.externalId === input.externalId) : [];
		if (external.length) return { found: external, by: 'externalId' };
		return { found: byDisplay.filter((e) => e.displayName.toLowerCase() === input.displayName.toLowerCase()), by: 'displayName' };
	};
}

export async function syncGroups(
	target: Target,
	inputs: Array<GroupInput | ProvisioningError>,
	options: GroupSyncOptions,
): Promise<ItemOutcome[]> {
	const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 100));
	const dryRun = options.dryRun ?? false;
	const nested = options.nested ?? 'flatten';
	if (nested === 'nest' && !target.groups.supportsNesting) {
		throw new ProvisioningError('Configuration', 'This group schema cannot hold groups (posixGroup); choose "Flatten" for nested groups', {
			field: 'nestedGroups',
		});
	}
	const valid = inputs.filter((i): i is GroupInput => !(i instanceof ProvisioningError));

	// 1. Existing groups, and every member of the batch resolved in one batched pass. A membership delta on a group
	// the target is not known to hold becomes a sync of its whole membership.
	const existing = await existingGroups(target, valid, options.links);
	const effective = new Map(
		valid.map((g) => {
			const delta = g.mode === 'additive' || g.mode === 'removeListed';
			return [g, delta && g.allMembers && !existing(g).known ? { ...g, mode: 'authoritative' as const, members: g.allMembers } : g];
		}),
	);
	const byName = new Map([...effective.values()].map((g) => [g.displayName.toLowerCase(), g]));
	const flat = new Map<GroupInput, { refs: MemberRef[]; cycles: Set<string> }>();
	for (const g of valid) {
		const cycles = new Set<string>();
		const members = effective.get(g)!.members;
		flat.set(g, {
			refs: nested === 'flatten' ? flattenMembers(members, byName, [g.displayName.toLowerCase()], cycles) : members,
			cycles,
		});
	}
	const resolve = await resolveMemberRefs(
		target,
		valid.flatMap((g) =>
			flat
				.get(g)!
				.refs.filter((r) => r.kind === 'user' || r.kind === 'source')
				.map((ref) => ({ ref, store: g.linked?.store })),
		),
		options,
	);

	// 2. A plan per group: which group it is, and the members it should have (or gain, or lose).
	const plans: GroupPlan[] = inputs.map((input) => {
		const log = recordFor(target, dryRun);
		if (input instanceof ProvisioningError)
			return { input: { displayName: '', members: [] }, mode: options.mode, log, desired: [], unresolved: [], cycles: [], error: input };
		const plan: GroupPlan = { input, mode: effective.get(input)!.mode ?? options.mode, log, desired: [], unresolved: [], cycles: [] };
		const { found, by, known, error } = existing(input);
		if (error) {
			plan.error = error;
			return plan;
		}
		if (found.length > 1) {
			plan.error = new ProvisioningError('DuplicateTargetEntries', `${found.length} groups in the target match "${input.displayName}"`, {
				field: by,
			});
			return plan;
		}
		plan.group = found[0];
		plan.known = known;
		const { refs, cycles } = flat.get(input)!;
		plan.cycles = [...cycles];
		const desired = new Map<string, string>();
		for (const ref of refs) {
			if (ref.kind === 'group') continue;
			const { refs: hits, why, error: unknownMember } = resolve(ref);
			// A member whose link could not be read is unknown, not absent: a full sync would remove it.
			if (unknownMember) plan.error ??= unknownMember;
			if (hits.length === 1) desired.set(target.groups.memberKey(hits[0]), hits[0]);
			else plan.unresolved.push(why ?? String(ref));
		}
		plan.desired = [...desired.values()];
		return plan;
	});

	// 3. Create missing groups and rename changed ones; nested-group references once all groups exist.
	const limit = pLimit(Math.max(1, Math.floor(options.concurrency ?? 4)));
	await Promise.all(
		plans.filter((p) => !p.error && !p.input.remove).map((plan) => limit(() => ensureGroup(target, plan, options, chunkSize))),
	);
	if (nested === 'nest') await addNestedGroups(target, plans);

	// 4. Apply in chunks (or delete), then remember where each group landed.
	const outcomes = await Promise.all(plans.map((plan) => limit(() => applyPlan(target, plan, options, chunkSize))));
	if (options.links && !dryRun) await rememberGroups(options.links, plans, outcomes);
	return outcomes;
}

/** Where each group of a trigger store landed; a deleted group is forgotten. */
async function rememberGroups(links: LinkBook, plans: GroupPlan[], outcomes: ItemOutcome[]): Promise<void> {
	const done = plans.map((plan, i) => ({ plan, outcome: outcomes[i] })).filter(({ plan, outcome }) => plan.input.linked && !outcome.error);
	const kept = done.filter(({ plan, outcome }) => !plan.input.remove && outcome.record.targetId);
	await links.remember(
		'Group',
		kept.map(({ plan, outcome }) => ({ ...plan.input.linked!, targetId: outcome.record.targetId! })),
	);
	const gone = done.filter(({ plan, outcome }) => plan.input.remove && outcome.record.action === 'Delete');
	if (gone.length)
		await links.forget(
			'Group',
			gone.map(({ plan }) => plan.input.linked!),
		);
}
