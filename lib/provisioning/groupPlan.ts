/** One group of a Group Sync run: which group it is, what it should hold, and how it is made to exist. */
import { type ProvisioningError, toProvisioningError } from '../errors';
import type { GroupEntry, Target } from '../targets/target';
import { unique } from '../util';
import type { GroupInput, MembershipMode } from './groupInput';
import type { LinkBook } from './links';
import type { LogRecordBuilder } from './log';

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

export interface GroupPlan {
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

/** Creates the group when missing (targets that cannot hold an empty group get the first chunk), or renames it. */
export async function ensureGroup(target: Target, plan: GroupPlan, options: GroupSyncOptions, chunkSize: number): Promise<void> {
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
export async function addNestedGroups(target: Target, plans: GroupPlan[]): Promise<void> {
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
