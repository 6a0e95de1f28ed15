import pLimit from 'p-limit';
import { ProvisioningError, toProvisioningError } from '../errors';
import type { GroupEntry, GroupTarget } from '../targets/groups';
import type { Target } from '../targets/target';
import { LogRecordBuilder } from './log';
import type { ProvisionOutcome } from './provisionUser';

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

const chunks = <T>(list: T[], size: number): T[][] => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/** Checks a group item and names the field at fault. */
export function parseGroupInput(json: Record<string, unknown>): GroupInput {
	const displayName = typeof json.displayName === 'string' ? json.displayName.trim() : '';
	if (!displayName) throw new ProvisioningError('InvalidInput', 'The group has no name; set "displayName"', { field: 'displayName' });
	const rawMembers = json.members ?? [];
	if (!Array.isArray(rawMembers)) throw new ProvisioningError('InvalidInput', '"members" must be a list', { field: 'members' });
	const members = rawMembers.map((m, i): MemberRef => {
		if (typeof m === 'string' || typeof m === 'number') {
			if (String(m).trim() === '') throw new ProvisioningError('InvalidInput', `members[${i}] is empty`, { field: `members[${i}]` });
			return { kind: 'user', value: String(m).trim() };
		}
		if (typeof m === 'object' && m !== null) {
			const o = m as Record<string, unknown>;
			const pick = (k: string) => (typeof o[k] === 'string' && (o[k] as string).trim() ? (o[k] as string).trim() : undefined);
			if (pick('group')) return { kind: 'group', value: pick('group')! };
			if (pick('id') || pick('ID')) return { kind: 'ref', value: (pick('id') ?? pick('ID'))! };
			if (pick('dn')) return { kind: 'ref', value: pick('dn')! };
			if (pick('user')) return { kind: 'user', value: pick('user')! };
		}
		throw new ProvisioningError(
			'InvalidInput',
			`members[${i}] is not a member reference: use a user identifier string, {"user": …}, {"id": …} / {"dn": …} for a target reference, or {"group": …} for a nested group`,
			{ field: `members[${i}]` },
		);
	});
	const externalId = json.externalId === undefined || json.externalId === null || json.externalId === '' ? undefined : String(json.externalId);
	const extra = typeof json.extra === 'object' && json.extra !== null ? (json.extra as Record<string, string | number>) : undefined;
	return { displayName, externalId, members, extra };
}

interface GroupPlan {
	input: GroupInput;
	log: LogRecordBuilder;
	group?: GroupEntry;
	/** Desired member references (target form). */
	desired: string[];
	unresolved: string[];
	cycles: string[];
	error?: ProvisioningError;
}

/** Expands nested group references into users, detecting cycles instead of looping. */
function flatten(name: string, byName: Map<string, GroupInput>, path: string[], cycles: Set<string>): MemberRef[] {
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
		out.push(...flatten(m.value, byName, [...path, key], cycles));
	}
	return out;
}

/**
 * Group Sync: make each group exist (match by externalId, then displayName; create; rename), resolve
 * members in batches, diff against the target's members, and apply the diff in chunks.
 */
export async function syncGroups(target: Target & GroupTarget, inputs: Array<GroupInput | ProvisioningError>, options: GroupSyncOptions): Promise<ProvisionOutcome[]> {
	const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 100));
	const listLimit = options.listLimit ?? 100;
	const dryRun = options.dryRun ?? false;
	const nested = options.nested ?? 'flatten';
	if (nested === 'nest' && !target.supportsNesting) {
		throw new ProvisioningError('Configuration', 'This group schema cannot hold groups (posixGroup); choose "Flatten" for nested groups', { field: 'nestedGroups' });
	}
	const newLog = () => new LogRecordBuilder({ dryRun, targetSystem: target.system, targetEndpoint: target.endpoint });
	const fail = (plan: { log: LogRecordBuilder; details?: Record<string, unknown> }, thrown: unknown): ProvisionOutcome => {
		const error = toProvisioningError(thrown);
		plan.log.record.error = { code: error.code, reason: error.message, ...(error.field ? { field: error.field } : {}) };
		plan.log.step('Provision', 'Failure', error.message);
		if (plan.details) plan.log.record.details = plan.details;
		return { record: plan.log.finish('Failed', 'Failure'), error };
	};

	const valid = inputs.filter((i): i is GroupInput => !(i instanceof ProvisioningError));
	const byName = new Map(valid.map((g) => [g.displayName.toLowerCase(), g]));

	// 1. Find existing groups: externalId first, then displayName, in batches.
	const byExternal = await target.findGroups('externalId', valid.map((g) => g.externalId ?? '').filter(Boolean));
	const missingExternal = valid.filter((g) => !g.externalId || !byExternal.some((e) => e.externalId === g.externalId));
	const byDisplay = await target.findGroups('displayName', missingExternal.map((g) => g.displayName));

	// 2. Resolve every user identifier of the batch in one batched pass (cached for the execution).
	const flatMembers = new Map<GroupInput, { refs: MemberRef[]; cycles: Set<string> }>();
	for (const g of valid) {
		const cycles = new Set<string>();
		const refs = nested === 'flatten' ? flatten(g.displayName, byName, [g.displayName.toLowerCase()], cycles) : g.members;
		flatMembers.set(g, { refs, cycles });
	}
	const identifiers = [...new Set([...flatMembers.values()].flatMap(({ refs }) => refs.filter((r) => r.kind === 'user').map((r) => r.value)))];
	const resolved = identifiers.length ? await target.resolveUsers(options.memberAttribute, identifiers) : new Map<string, string[]>();
	const lookup = (value: string) => resolved.get(value) ?? resolved.get(value.toLowerCase()) ?? [];

	const plans: GroupPlan[] = inputs.map((input) => {
		const log = newLog();
		if (input instanceof ProvisioningError) return { input: { displayName: '', members: [] }, log, desired: [], unresolved: [], cycles: [], error: input };
		const plan: GroupPlan = { input, log, desired: [], unresolved: [], cycles: [] };
		const matches = [
			...(input.externalId ? byExternal.filter((e) => e.externalId === input.externalId) : []),
		];
		const found = matches.length ? matches : byDisplay.filter((e) => e.displayName.toLowerCase() === input.displayName.toLowerCase());
		if (found.length > 1) {
			plan.error = new ProvisioningError('DuplicateTargetEntries', `${found.length} groups in the target match "${input.displayName}"`, { field: matches.length ? 'externalId' : 'displayName' });
			return plan;
		}
		plan.group = found[0];
		const { refs, cycles } = flatMembers.get(input)!;
		plan.cycles = [...cycles];
		const desired = new Map<string, string>();
		for (const ref of refs) {
			if (ref.kind === 'ref') desired.set(target.memberKey(ref.value), ref.value);
			else if (ref.kind === 'user') {
				const hits = lookup(ref.value);
				if (hits.length === 1) desired.set(target.memberKey(hits[0]), hits[0]);
				else plan.unresolved.push(hits.length ? `${ref.value} (${hits.length} accounts match)` : ref.value);
			}
		}
		plan.desired = [...desired.values()];
		return plan;
	});

	// 3. Create missing groups, rename changed ones, then nested-group references once all groups exist.
	const limit = pLimit(Math.max(1, Math.floor(options.concurrency ?? 4)));
	const createdIds = new Map<GroupPlan, boolean>();
	await Promise.all(
		plans.map((plan) =>
			limit(async () => {
				if (plan.error) return;
				const { input, log } = plan;
				log.step('Evaluate', 'Success', `${input.members.length} members listed, ${plan.desired.length} resolved${plan.unresolved.length ? `, ${plan.unresolved.length} unresolved` : ''}`);
				try {
					if (!plan.group) {
						log.step('Match', 'Success', `No group has ${input.externalId ? 'this externalId or ' : ''}displayName "${input.displayName}"`);
						if (dryRun) {
							plan.group = { id: '', displayName: input.displayName, externalId: input.externalId, members: [] };
						} else {
							// Targets that cannot hold an empty group get the first chunk now.
							const first = options.mode === 'removeListed' ? [] : plan.desired.slice(0, chunkSize);
							plan.group = await target.createGroup({ displayName: input.displayName, externalId: input.externalId, extra: input.extra }, first);
						}
						createdIds.set(plan, true);
					} else {
						log.step('Match', 'Success', `Matched ${plan.group.id}`);
						if (plan.group.displayName !== input.displayName) {
							log.changes([{ attribute: 'displayName', oldValue: plan.group.displayName, newValue: input.displayName }]);
							if (!dryRun) plan.group = { ...plan.group, id: await target.renameGroup(plan.group.id, input.displayName), displayName: input.displayName };
						}
					}
				} catch (error) {
					plan.error = toProvisioningError(error);
				}
			}),
		),
	);
	if (nested === 'nest') {
		const idByName = new Map(plans.filter((p) => p.group && !p.error).map((p) => [p.input.displayName.toLowerCase(), p.group!]));
		const outside = [...new Set(valid.flatMap((g) => g.members.filter((m) => m.kind === 'group' && !idByName.has(m.value.toLowerCase())).map((m) => m.value)))];
		for (const g of outside.length ? await target.findGroups('displayName', outside) : []) idByName.set(g.displayName.toLowerCase(), g);
		for (const plan of plans) {
			for (const m of plan.input.members.filter((r) => r.kind === 'group')) {
				const group = idByName.get(m.value.toLowerCase());
				if (group && group.id) plan.desired.push(target.groupMemberRef(group));
				else plan.unresolved.push(`group ${m.value}`);
			}
		}
	}

	// 4. Diff and apply in chunks.
	return Promise.all(
		plans.map((plan) =>
			limit(async (): Promise<ProvisionOutcome> => {
				const details: Record<string, unknown> = { displayName: plan.input.displayName };
				if (plan.error) return fail({ log: plan.log, details }, plan.error);
				const { log } = plan;
				let requests = 0;
				try {
					const created = createdIds.get(plan) === true;
					const current = created || !plan.group!.id ? plan.group!.members : (await target.readGroup(plan.group!.id))?.members ?? [];
					const currentKeys = new Map(current.map((m) => [target.memberKey(m), m]));
					const desiredKeys = new Map(plan.desired.map((m) => [target.memberKey(m), m]));
					let add: string[] = [];
					let remove: string[] = [];
					if (options.mode !== 'removeListed') add = [...desiredKeys].filter(([k]) => !currentKeys.has(k)).map(([, v]) => v);
					if (options.mode === 'authoritative') remove = [...currentKeys].filter(([k]) => !desiredKeys.has(k)).map(([, v]) => v);
					if (options.mode === 'removeListed') remove = [...desiredKeys.keys()].filter((k) => currentKeys.has(k)).map((k) => currentKeys.get(k)!);
					let remaining = current.length;
					if (!dryRun) {
						for (const chunk of chunks(add, chunkSize)) {
							await target.addMembers(plan.group!.id, chunk);
							requests++;
							remaining += chunk.length;
						}
						for (const chunk of chunks(remove, chunkSize)) {
							remaining -= chunk.length;
							await target.removeMembers(plan.group!.id, chunk, remaining);
							requests++;
						}
					}
					// Members that went in with the create (targets that cannot hold an empty group) count as added.
					const addedAll = created ? [...current, ...add] : add;
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
					if (plan.unresolved.length) log.step('Provision', 'Warning', `${plan.unresolved.length} members could not be resolved: ${plan.unresolved.slice(0, 10).join(', ')}`);
					if (plan.cycles.length) log.step('Provision', 'Warning', `Nested group cycle: ${plan.cycles.join('; ')}`);
					const changed = created || add.length > 0 || remove.length > 0 || log.record.modifiedProperties.length > 0;
					log.step('Provision', 'Success', `${dryRun ? 'Dry run: would add' : 'Added'} ${add.length}, ${dryRun ? 'remove' : 'removed'} ${remove.length} members${dryRun ? '' : ` in ${requests} requests`}`);
					const status = plan.unresolved.length || plan.cycles.length ? 'Warning' : 'Success';
					return { record: log.finish(created ? 'Create' : changed ? 'Update' : 'NoChange', status, plan.group!.id || null) };
				} catch (error) {
					Object.assign(details, { chunks: requests });
					return fail({ log, details }, error);
				}
			}),
		),
	);
}
