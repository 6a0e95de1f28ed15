/**
 * Group Sync: make each group exist (remembered target id, then externalId, then displayName; create; rename),
 * resolve members in batches, and apply the membership in chunks: the diff against the target's members, or,
 * for a SCIM Trigger membership event on a group the target is known to hold, just the members it names.
 */
import pLimit from 'p-limit';
import { ProvisioningError, toProvisioningError } from '../errors';
import type { GroupEntry, Target } from '../targets/target';
import { chunks, unique } from '../util';
import { flattenMembers, type GroupInput, type MemberRef, type MembershipMode } from './groupInput';
import { resolveMemberRefs } from './groupMembers';
import { LinkBook } from './links';
import { type ItemOutcome, type LogRecordBuilder, recordFor } from './log';

export type { MembershipMode } from './groupInput';

export interface GroupSyncOptions {
	mode: MembershipMode;
	/** Target attribute that source user identifiers are looked up by (userName, mail, uid…). */
	memberAttribute: string;
	/** Which key of a SCIM Trigger member is looked up by that attribute (default userName). */
	memberKey?: 'userName' | 'externalId';
	/** Members per request (default 100; AWS allows 100, Miro 8,000). */
	chunkSize?: number;
	/** Nested groups: expand into their users, or sync them as group members. */
	nested?: 'flatten' | 'nest';
	dryRun?: boolean;
	concurrency?: number;
	/** Longest member list shown in a record before it is truncated. */
	listLimit?: number;
	/** Remembered target ids of users and groups from SCIM Trigger stores. */
	links?: LinkBook;
}

interface GroupPlan {
	input: GroupInput;
	mode: MembershipMode;
	log: LogRecordBuilder;
	group?: GroupEntry;
	created?: boolean;
	/** The target is known to hold this group (a remembered id): a membership delta needs no read. */
	known?: boolean;
	/** Desired member references (target form). */
	desired: string[];
	unresolved: string[];
	cycles: string[];
	error?: ProvisioningError;
}

/** Finds the batch's existing groups: remembered target id, then externalId, then displayName, each batched. */
async function existingGroups(target: Target, inputs: GroupInput[], links?: LinkBook) {
	const linked = inputs.filter((g) => g.linked);
	const remembered =
		links && linked.length
			? await links.targetIds(
					'Group',
					linked.map((g) => g.linked!),
				)
			: new Map<string, string>();
	const idOf = (g: GroupInput) => (g.linked ? remembered.get(LinkBook.keyOf(g.linked)) : undefined);
	const rest = inputs.filter((g) => !idOf(g));
	const byExternal = await target.groups.findGroups('externalId', rest.map((g) => g.externalId ?? '').filter(Boolean));
	const missing = rest.filter((g) => !g.externalId || !byExternal.some((e) => e.externalId === g.externalId));
	const byDisplay = await target.groups.findGroups(
		'displayName',
		missing.map((g) => g.displayName),
	);
	return (input: GroupInput): { found: GroupEntry[]; by: string; known?: boolean } => {
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

/** The membership change for one group under its mode. */
function membershipDiff(target: Target, current: string[], desired: string[], mode: MembershipMode): { add: string[]; remove: string[] } {
	const key = (m: string) => target.groups.memberKey(m);
	const currentKeys = new Map(current.map((m) => [key(m), m]));
	const desiredKeys = new Map(desired.map((m) => [key(m), m]));
	if (mode === 'removeListed')
		return { add: [], remove: [...desiredKeys.keys()].filter((k) => currentKeys.has(k)).map((k) => currentKeys.get(k)!) };
	const add = [...desiredKeys].filter(([k]) => !currentKeys.has(k)).map(([, v]) => v);
	const remove = mode === 'authoritative' ? [...currentKeys].filter(([k]) => !desiredKeys.has(k)).map(([, v]) => v) : [];
	return { add, remove };
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
			refs: nested === 'flatten' ? flattenMembers(g.displayName, byName, [g.displayName.toLowerCase()], cycles) : members,
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
		const { found, by, known } = existing(input);
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
			const { refs: hits, why } = resolve(ref);
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

async function applyPlan(target: Target, plan: GroupPlan, options: GroupSyncOptions, chunkSize: number): Promise<ItemOutcome> {
	const dryRun = options.dryRun ?? false;
	const listLimit = options.listLimit ?? 100;
	const details: Record<string, unknown> = { displayName: plan.input.displayName };
	if (plan.error) return plan.log.fail(plan.error, details);
	const { log } = plan;
	if (plan.input.skip) {
		log.step('Evaluate', 'Skipped', plan.input.skip);
		return { record: log.finish('Skipped', 'Skipped') };
	}
	if (plan.input.remove) return deleteGroup(target, plan, dryRun, details);
	const group = plan.group!;
	let requests = 0;
	try {
		// A membership event on a group the target is known to hold adds just the members it names: the target
		// treats re-adding a member as no change (RFC 7644 §3.5.2.1; LDAP's permissive modify). Everything else diffs.
		const trustAdds = plan.known && plan.mode === 'additive';
		const current = plan.created || !group.id || trustAdds ? group.members : ((await target.groups.readGroup(group.id))?.members ?? []);
		const { add, remove } = membershipDiff(target, current, plan.desired, plan.mode);
		let remaining = current.length;
		if (!dryRun) {
			for (const chunk of chunks(add, chunkSize)) {
				await target.groups.addMembers(group.id, chunk);
				requests++;
				remaining += chunk.length;
			}
			for (const chunk of chunks(remove, chunkSize)) {
				remaining -= chunk.length;
				await target.groups.removeMembers(group.id, chunk, remaining);
				requests++;
			}
		}
		// Members that went in with the create (targets that cannot hold an empty group) count as added.
		const addedAll = plan.created ? [...current, ...add] : add;
		Object.assign(details, {
			membersAdded: addedAll.length,
			membersRemoved: remove.length,
			added: addedAll.slice(0, listLimit),
			removed: remove.slice(0, listLimit),
			truncated: addedAll.length > listLimit || remove.length > listLimit,
			unresolved: plan.unresolved,
			cycles: plan.cycles,
			chunks: dryRun ? chunks(add, chunkSize).length + chunks(remove, chunkSize).length : requests,
			chunkSize,
		});
		log.record.details = details;
		if (plan.unresolved.length)
			log.step(
				'Provision',
				'Warning',
				`${plan.unresolved.length} members could not be resolved: ${plan.unresolved.slice(0, 10).join(', ')}`,
			);
		if (plan.cycles.length) log.step('Provision', 'Warning', `Nested group cycle: ${plan.cycles.join('; ')}`);
		const changed = plan.created || add.length > 0 || remove.length > 0 || log.record.modifiedProperties.length > 0;
		const verb = dryRun ? 'Dry run: would add' : 'Added';
		log.step(
			'Provision',
			'Success',
			`${verb} ${add.length}, ${dryRun ? 'remove' : 'removed'} ${remove.length} members${dryRun ? '' : ` in ${requests} requests`}`,
		);
		const status = plan.unresolved.length || plan.cycles.length ? 'Warning' : 'Success';
		return { record: log.finish(plan.created ? 'Create' : changed ? 'Update' : 'NoChange', status, group.id || null) };
	} catch (error) {
		return log.fail(error, { ...details, chunks: requests });
	}
}

async function deleteGroup(target: Target, plan: GroupPlan, dryRun: boolean, details: Record<string, unknown>): Promise<ItemOutcome> {
	const { log, group } = plan;
	log.record.details = details;
	if (!group) {
		log.step(
			'Match',
			'Skipped',
			`No group has ${plan.input.externalId ? 'this externalId or ' : ''}displayName "${plan.input.displayName}"; nothing to delete`,
		);
		return { record: log.finish('Skipped', 'Skipped') };
	}
	log.step('Match', 'Success', `Matched ${group.id}`);
	if (dryRun) {
		log.step('Provision', 'Success', 'Dry run: the group would be deleted');
		return { record: log.finish('Delete', 'Success', group.id) };
	}
	try {
		await target.groups.deleteGroup(group.id);
		log.step('Provision', 'Success', `Deleted ${group.id}`);
		return { record: log.finish('Delete', 'Success', group.id) };
	} catch (error) {
		return log.fail(error, details);
	}
}

/** Creates the group when missing (targets that cannot hold an empty group get the first chunk), or renames it. */
async function ensureGroup(target: Target, plan: GroupPlan, options: GroupSyncOptions, chunkSize: number): Promise<void> {
	const { input, log } = plan;
	const dryRun = options.dryRun ?? false;
	log.step(
		'Evaluate',
		'Success',
		`${input.members.length} members listed, ${plan.desired.length} resolved${plan.unresolved.length ? `, ${plan.unresolved.length} unresolved` : ''}`,
	);
	try {
		if (!plan.group) {
			log.step('Match', 'Success', `No group has ${input.externalId ? 'this externalId or ' : ''}displayName "${input.displayName}"`);
			plan.created = true;
			if (dryRun) {
				plan.group = { id: '', displayName: input.displayName, externalId: input.externalId, members: [] };
				return;
			}
			const first = plan.mode === 'removeListed' ? [] : plan.desired.slice(0, chunkSize);
			plan.group = await createOrAdopt(target, plan, first);
			return;
		}
		log.step('Match', 'Success', `Matched ${plan.group.id}${plan.known ? ' (remembered target id)' : ''}`);
		// A remembered group is read once when its whole membership is synced, which also shows a rename.
		if (plan.known && plan.mode === 'authoritative') {
			const read = await target.groups.readGroup(plan.group.id);
			if (read) plan.group = { ...read, externalId: read.externalId ?? plan.group.externalId };
			else {
				plan.known = false;
				plan.group = undefined;
				return ensureGroup(target, plan, options, chunkSize);
			}
		}
		if (plan.group.displayName !== input.displayName) {
			log.changes([{ attribute: 'displayName', oldValue: plan.group.displayName, newValue: input.displayName }]);
			if (!dryRun)
				plan.group = {
					...plan.group,
					id: await target.groups.renameGroup(plan.group.id, input.displayName),
					displayName: input.displayName,
				};
		}
	} catch (error) {
		plan.error = toProvisioningError(error);
	}
}

/** Creates a group; when another execution created it meanwhile (409), that group is matched instead. */
async function createOrAdopt(target: Target, plan: GroupPlan, first: string[]): Promise<GroupEntry> {
	const { input } = plan;
	try {
		return await target.groups.createGroup({ displayName: input.displayName, externalId: input.externalId, extra: input.extra }, first);
	} catch (thrown) {
		const error = toProvisioningError(thrown);
		if (error.code !== 'Uniqueness') throw error;
		const [found] = [
			...(input.externalId ? await target.groups.findGroups('externalId', [input.externalId]) : []),
			...(await target.groups.findGroups('displayName', [input.displayName])),
		];
		if (!found) throw error;
		plan.created = false;
		plan.log.step('Match', 'Success', `The group appeared meanwhile (conflict on create); matched ${found.id}`);
		return (await target.groups.readGroup(found.id)) ?? found;
	}
}

/** Sync as nested groups: a group named as a member becomes a member by its id or DN (batch groups first, then the target's). */
async function addNestedGroups(target: Target, plans: GroupPlan[]): Promise<void> {
	const idByName = new Map(plans.filter((p) => p.group && !p.error).map((p) => [p.input.displayName.toLowerCase(), p.group!]));
	const named = plans.flatMap((p) => p.input.members.filter((m) => m.kind === 'group').map((m) => m.value));
	const outside = unique(named.filter((name) => !idByName.has(name.toLowerCase())));
	for (const g of outside.length ? await target.groups.findGroups('displayName', outside) : [])
		idByName.set(g.displayName.toLowerCase(), g);
	for (const plan of plans) {
		for (const m of plan.input.members.filter((r) => r.kind === 'group')) {
			const group = idByName.get(m.value.toLowerCase());
			if (group && group.id) plan.desired.push(target.groups.groupMemberRef(group));
			else plan.unresolved.push(`group ${m.value}`);
		}
	}
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
