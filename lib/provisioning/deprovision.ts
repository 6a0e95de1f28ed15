/**
 * Deprovisioning: disable (Entra's default), delete, reactivate or remove from all groups, per item or for the
 * leavers reconcile finds, under the accidental-deletion threshold. Dry runs report without writing.
 */
import pLimit from 'p-limit';
import { ProvisioningError } from '../errors';
import { REDACTED } from '../redact';
import type { Target, TargetEntry } from '../targets/target';
import { type ItemOutcome, type LogRecordBuilder, type ProvisioningAction, recordFor } from './log';
import { type LinkBook, linkedSource } from './links';
import { matchEnvelopes } from './match';
import type { ProvisionInput } from './provisionUser';
import { type DeletionThreshold, thresholdExceeded, validateThreshold } from './threshold';

export type DeprovisionAction = 'disable' | 'delete' | 'enable' | 'removeFromGroups' | 'resetPassword';

export interface DeprovisionOptions {
	action: DeprovisionAction;
	dryRun?: boolean;
	concurrency?: number;
	threshold?: DeletionThreshold;
	/** Per item: accounts of users the source deleted (a SCIM Trigger user no longer in its store) are deleted, not disabled. */
	deleteWhenSourceDeleted?: boolean;
	/**
	 * Remembered target ids of items from a SCIM Trigger store, matched first. A deleted account's id stays
	 * remembered: Group Sync still names it to take it out of groups, and a lookup of it just finds nothing.
	 */
	links?: LinkBook;
	/** The time disables are stamped with and delayed deletion counts from; the system clock unless a test sets one. */
	clock?: () => Date;
	/** Reset Password (per item): each input's new password, by input index. Never logged. */
	passwords?: Array<string | undefined>;
	/** Reset Password: the user must change the password at next logon (Active Directory's pwdLastSet 0). */
	mustChangePassword?: boolean;
}

export interface DeprovisionResult {
	outcomes: ItemOutcome[];
	/** True when the threshold held the run back: nothing was written and destructive actions are Staged*. */
	staged: boolean;
	/** Disables and deletes the run wanted to make. */
	destructive: number;
	/** Accounts in the managed scope, when counted. */
	managed?: number;
	alert?: string;
}

/** One planned step for one account: a write to make, or an outcome that is already final. */
export interface Plan {
	log: LogRecordBuilder;
	entry?: TargetEntry;
	write?: DeprovisionAction;
	final?: ItemOutcome;
	/** Reset Password: the new password (only ever sent to the target). */
	password?: string;
}

const STAGED: Partial<Record<DeprovisionAction, ProvisioningAction>> = { disable: 'StagedDisable', delete: 'StagedDelete' };
const DONE: Record<DeprovisionAction, ProvisioningAction> = {
	disable: 'Disable',
	delete: 'Delete',
	enable: 'Enable',
	removeFromGroups: 'Update',
	resetPassword: 'Update',
};
const DONE_TEXT: Record<DeprovisionAction, string> = {
	disable: 'Disabled',
	delete: 'Deleted',
	enable: 'Enabled',
	removeFromGroups: 'Removed from its groups',
	resetPassword: 'Reset the password of',
};
const PLANNED_TEXT: Record<DeprovisionAction, string> = {
	disable: 'disabled',
	delete: 'deleted',
	enable: 'enabled',
	removeFromGroups: 'removed from its groups',
	resetPassword: 'given the new password',
};
const isDestructive = (write?: DeprovisionAction) => write === 'disable' || write === 'delete';

/** Decides what an action means for one found account (already disabled → NoChange, and so on). */
export function planFor(target: Target, entry: TargetEntry, action: DeprovisionAction, log: LogRecordBuilder): Plan {
	if ((action === 'disable' && entry.active === false) || (action === 'enable' && entry.active === true)) {
		log.step('Provision', 'Success', `The account is already ${action === 'disable' ? 'disabled' : 'enabled'}`);
		return { log, entry, final: { record: log.finish('NoChange', 'Success', entry.id) } };
	}
	if (action === 'disable' || action === 'enable') {
		log.changes([
			{ attribute: target.system === 'scim' ? 'active' : 'accountEnabled', oldValue: entry.active ?? null, newValue: action === 'enable' },
		]);
	}
	if (action === 'resetPassword') {
		log.changes([{ attribute: 'unicodePwd', oldValue: null, newValue: REDACTED }]);
	}
	return { log, entry, write: action };
}

async function apply(target: Target, plan: Plan, now: () => Date, mustChangePassword: boolean): Promise<ItemOutcome> {
	const { entry, write, log } = plan as Required<Pick<Plan, 'entry' | 'write'>> & Plan;
	let id = entry.id;
	if (write === 'delete') await target.users.delete(entry.id);
	else if (write === 'resetPassword') await target.users.resetPassword!(entry.id, plan.password ?? '', mustChangePassword);
	else if (write === 'removeFromGroups') {
		const removed = await target.groups.removeFromAllGroups(entry.id);
		log.changes([{ attribute: 'groups', oldValue: removed, newValue: [] }]);
		if (removed.length === 0) {
			log.step('Provision', 'Success', 'The account is in no groups');
			return { record: log.finish('NoChange', 'Success', entry.id) };
		}
	} else id = await target.users.setActive(entry.id, write === 'enable', now());
	const moved = id !== entry.id ? `; moved to ${id}` : '';
	log.step('Provision', 'Success', write === 'removeFromGroups' ? DONE_TEXT[write] : `${DONE_TEXT[write]} ${entry.id}${moved}`);
	return { record: log.finish(DONE[write], 'Success', id) };
}

/** Applies the plans, or stages the destructive ones when the threshold is exceeded. */
export async function executePlans(
	target: Target,
	plans: Plan[],
	options: DeprovisionOptions,
	managed: number | undefined,
): Promise<DeprovisionResult> {
	const destructive = plans.filter((p) => isDestructive(p.write)).length;
	const alert = thresholdExceeded(options.threshold, destructive, managed);
	const limit = pLimit(Math.max(1, Math.floor(options.concurrency ?? 4)));
	const outcomes = await Promise.all(
		plans.map((plan) =>
			limit(async (): Promise<ItemOutcome> => {
				const { log, entry, write } = plan;
				if (plan.final || !entry || !write) return plan.final!;
				if (alert && isDestructive(write)) {
					log.step('Provision', 'Warning', `Staged, not applied: ${alert}. Approve the run to apply it.`);
					return { record: log.finish(STAGED[write]!, 'Warning', entry.id) };
				}
				if (options.dryRun) {
					log.step('Provision', 'Success', `Dry run: the account would be ${PLANNED_TEXT[write]}`);
					return { record: log.finish(DONE[write], 'Success', entry.id) };
				}
				try {
					return await apply(target, plan, options.clock ?? (() => new Date()), options.mustChangePassword === true);
				} catch (thrown) {
					return log.fail(thrown);
				}
			}),
		),
	);
	return { outcomes, staged: !!alert, destructive, managed, alert };
}

/** Counts the accounts in the managed scope (for percentage thresholds). */
export async function countManaged(target: Target, scopeFilter?: string): Promise<number> {
	let count = 0;
	for await (const account of target.users.listAll({ attributes: [], filter: scopeFilter })) if (account) count++;
	return count;
}

/**
 * Per-item deprovisioning: each item is matched with Provision User's rules, then disabled, deleted,
 * enabled or removed from its groups. Not found is Skipped; already in the wanted state is NoChange.
 */
export async function deprovisionItems(target: Target, inputs: ProvisionInput[], options: DeprovisionOptions): Promise<DeprovisionResult> {
	validateThreshold(options.threshold);
	if (options.action === 'resetPassword' && !target.users.resetPassword) {
		throw new ProvisioningError('Configuration', 'Reset Password is for Active Directory (LDAP targets)', { field: 'operation' });
	}
	const dryRun = options.dryRun ?? false;
	const envelopes = inputs.filter((i) => !(i instanceof ProvisioningError)) as Exclude<ProvisionInput, ProvisioningError>[];
	const matches = await matchEnvelopes(target, envelopes, [], options.links);
	const matchOf = new Map(envelopes.map((e, i) => [e, matches[i]]));
	const plans = inputs.map((input, index): Plan => {
		if (input instanceof ProvisioningError) {
			const log = recordFor(target, dryRun);
			return { log, final: log.fail(input) };
		}
		const log = recordFor(target, dryRun, input);
		log.step('Evaluate', 'Success', `${input.matchKeys.length} match keys`);
		const match = matchOf.get(input)!;
		if (
			match instanceof ProvisioningError &&
			match.code === 'MissingRequiredValue' &&
			input.source?.deleted &&
			input.matchKeys.length === 0
		) {
			// A deleted user known only by its remembered id, whose account is gone too: nothing left to do, and the id
			// can be forgotten (below), so the next resync does not ask again.
			log.step('Match', 'Skipped', 'The account it was provisioned to no longer exists');
			return { log, final: { record: log.finish('Skipped', 'Skipped') } };
		}
		if (match instanceof ProvisioningError) return { log, final: log.fail(match) };
		if (!match.entry) {
			const verb = options.action === 'removeFromGroups' ? 'remove' : options.action;
			log.step('Match', 'Skipped', `No account has ${match.tried.join(', then ')}; nothing to ${verb}`);
			return { log, final: { record: log.finish('Skipped', 'Skipped') } };
		}
		log.matched(match.key!).step('Match', 'Success', `Matched ${match.entry.id} by ${match.key!.attribute}`);
		const deleted = options.deleteWhenSourceDeleted && input.source?.deleted === true && options.action === 'disable';
		if (deleted) log.step('Scope', 'Success', 'The source deleted this user: the account is deleted');
		const plan = planFor(target, match.entry, deleted ? 'delete' : options.action, log);
		return options.action === 'resetPassword' ? { ...plan, password: options.passwords?.[index] ?? '' } : plan;
	});
	const needsTotal =
		options.threshold?.maxPercent !== undefined && !options.threshold.approved && plans.some((p) => isDestructive(p.write));
	const managed = needsTotal ? await countManaged(target) : undefined;
	const result = await executePlans(target, plans, options, managed);
	const gone = inputs.flatMap((input, i) => {
		const linked = input instanceof ProvisioningError || !input.source?.deleted ? undefined : linkedSource(input.source);
		return linked && result.outcomes[i].record.action === 'Skipped' ? [linked] : [];
	});
	if (options.links && gone.length && !options.dryRun) await options.links.forget('User', gone);
	return result;
}
