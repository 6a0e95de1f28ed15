/**
 * Group Sync: make each group exist (match by externalId, then displayName; create; rename), resolve members
 * in batches, diff against the target's members, and apply the diff in chunks.
 */
import pLimit from 'p-limit';
import { ProvisioningError, toProvisioningError } from '../errors';
import { type GroupEntry, indexBy, type Target } from '../targets/target';
import { chunks, unique } from '../util';
import { flattenMembers, type GroupInput, type MemberRef } from './groupInput';
import { type ItemOutcome, type LogRecordBuilder, recordFor } from './log';

export type MembershipMode = 'authoritative' | 'additive' | 'removeListed';

export interface GroupSyncOptions {
	mode: MembershipMode;
	/** Target attribute that source user identifiers are looked up by (userName, mail, uid…). */
	memberAttribute: string;
	/** Members per request (default 100; AWS allows 100, Miro 8,000). */
	chunkSize?: number;
	/** Nested groups: expand into their users, or sync them as group members. */
	nested?: 'flatten' | 'nest';
	dryRun?: boolean;
	concurrency?: number;
	/** Longest member list shown in a record before it is truncated. */
	listLimit?: number;
}

interface GroupPlan {
	input: GroupInput;
	log: LogRecordBuilder;
	group?: GroupEntry;
	created?: boolean;
	/** Desired member references (target form). */
	desired: string[];
	unresolved: string[];
	cycles: string[];
	error?: ProvisioningError;
}

/**
 * Users by source identifier, in batches: identifier (folded where the target matches without case) → the
 * member references of the accounts holding it.
 */
export async function resolveMembers(target: Target, attribute: string, identifiers: string[]): Promise<(value: string) => string[]> {
	if (identifiers.length === 0) return () => [];
	const entries = await target.users.findMany(attribute, identifiers, unique([attribute, ...target.groups.memberRefAttributes]));
	const fold = target.users.caseInsensitiveMatch(attribute);
	const index = indexBy(entries, attribute, fold);
	return (value) =>
		(index.get(fold ? value.toLowerCase() : value) ?? []).map((e) => target.groups.memberRef(e)).filter((r): r is string => !!r);
}

/** Finds the batch's existing groups: by externalId first, then by displayName, each in batched lookups. */
async function existingGroups(
	target: Target,
	inputs: GroupInput[],
): Promise<(input: GroupInput) => { found: GroupEntry[]; by: 'externalId' | 'displayName' }> {
	const byExternal = await target.groups.findGroups('externalId', inputs.map((g) => g.externalId ?? '').filter(Boolean));
	const missing = inputs.filter((g) => !g.externalId || !byExternal.some((e) => e.externalId === g.externalId));
	const byDisplay = await target.groups.findGroups(
		'displayName',
		missing.map((g) => g.displayName),
	);
	return (input) => {
		const external = input.externalId ? byExternal.filter((e) => e.externalId === input.externalId) : [];
		if (external.length) return { found: external, by: 'externalId' };
		return { found: byDisplay.filter((e) => e.displayName.toLowerCase() === input.displayName.toLowerCase()), by: 'displayName' };
	};
}

/** The membership diff for one group under the mode. */
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
	const listLimit = options.listLimit ?? 100;
	const dryRun = options.dryRun ?? false;
	const nested = options.nested ?? 'flatten';
	if (nested === 'nest' && !target.groups.supportsNesting) {
		throw new ProvisioningError('Configuration', 'This group schema cannot hold groups (posixGroup); choose "Flatten" for nested groups', {
			field: 'nestedGroups',
		});
	}
	const valid = inputs.filter((i): i is GroupInput => !(i instanceof ProvisioningError));
	const byName = new Map(valid.map((g) => [g.displayName.toLowerCase(), g]));

	// 1. Existing groups, and every user identifier of the batch resolved in one batched pass.
	const existing = await existingGroups(target, valid);
	const flat = new Map<GroupInput, { refs: MemberRef[]; cycles: Set<string> }>();
	for (const g of valid) {
		const cycles = new Set<string>();
		flat.set(g, {
			refs: nested === 'flatten' ? flattenMembers(g.displayName, byName, [g.displayName.toLowerCase()], cycles) : g.members,
			cycles,
		});
	}
	const identifiers = unique([...flat.values()].flatMap(({ refs }) => refs.filter((r) => r.kind === 'user').map((r) => r.value)));
	const lookup = await resolveMembers(target, options.memberAttribute, identifiers);

	// 2. A plan per group: which group it is, and the members it should have.
	const plans: GroupPlan[] = inputs.map((input) => {
		const log = recordFor(target, dryRun);
		if (input instanceof ProvisioningError)
			return { input: { displayName: '', members: [] }, log, desired: [], unresolved: [], cycles: [], error: input };
		const plan: GroupPlan = { input, log, desired: [], unresolved: [], cycles: [] };
		const { found, by } = existing(input);
		if (found.length > 1) {
			plan.error = new ProvisioningError('DuplicateTargetEntries', `${found.length} groups in the target match "${input.displayName}"`, {
				field: by,
			});
			return plan;
		}
		plan.group = found[0];
		const { refs, cycles } = flat.get(input)!;
		plan.cycles = [...cycles];
		const desired = new Map<string, string>();
		for (const ref of refs) {
			if (ref.kind === 'ref') desired.set(target.groups.memberKey(ref.value), ref.value);
			if (ref.kind !== 'user') continue;
			const hits = lookup(ref.value);
			if (hits.length === 1) desired.set(target.groups.memberKey(hits[0]), hits[0]);
			else plan.unresolved.push(hits.length ? `${ref.value} (${hits.length} accounts match)` : ref.value);
		}
		plan.desired = [...desired.values()];
		return plan;
	});

	// 3. Create missing groups and rename changed ones; nested-group references once all groups exist.
	const limit = pLimit(Math.max(1, Math.floor(options.concurrency ?? 4)));
	await Promise.all(plans.filter((p) => !p.error).map((plan) => limit(() => ensureGroup(target, plan, options, chunkSize))));
	if (nested === 'nest') await addNestedGroups(target, plans);

	// 4. Diff and apply in chunks.
	return Promise.all(
		plans.map((plan) =>
			limit(async (): Promise<ItemOutcome> => {
				const details: Record<string, unknown> = { displayName: plan.input.displayName };
				if (plan.error) return plan.log.fail(plan.error, details);
				const { log } = plan;
				const group = plan.group!;
				let requests = 0;
				try {
					const current = plan.created || !group.id ? group.members : ((await target.groups.readGroup(group.id))?.members ?? []);
					const { add, remove } = membershipDiff(target, current, plan.desired, options.mode);
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
			}),
		),
	);
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
			const first = options.mode === 'removeListed' ? [] : plan.desired.slice(0, chunkSize);
			plan.group = await target.groups.createGroup(
				{ displayName: input.displayName, externalId: input.externalId, extra: input.extra },
				first,
			);
			return;
		}
		log.step('Match', 'Success', `Matched ${plan.group.id}`);
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
