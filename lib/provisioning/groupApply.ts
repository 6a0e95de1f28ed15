/** Applying a Group Sync plan: the membership diff (or a trusted delta) in chunks, or the group's deletion. */
import type { Target } from '../targets/target';
import { chunks } from '../util';
import type { MembershipMode } from './groupInput';
import type { GroupPlan, GroupSyncOptions } from './groupPlan';
import type { ItemOutcome } from './log';

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

export async function applyPlan(target: Target, plan: GroupPlan, options: GroupSyncOptions, chunkSize: number): Promise<ItemOutcome> {
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
