import pLimit from 'p-limit';
import { isEmptyValue, type MatchKey, type ProvisioningEnvelope, type ScalarValue } from '../envelope';
import { ProvisioningError, toProvisioningError } from '../errors';
import type { Target, TargetEntry } from '../targets/target';
import { LogRecordBuilder, type ProvisioningAction } from './log';
import { matchBatch, type MatchResult } from './match';
import type { ProvisionInput, ProvisionOutcome } from './provisionUser';

export type DeprovisionAction = 'disable' | 'delete' | 'enable' | 'removeFromGroups';

/** Entra's accidental-deletion prevention: disables and deletes are counted together. */
export interface DeletionThreshold {
	/** Most disables + deletes one run may make. */
	maxCount?: number;
	/** Most disables + deletes as a percentage of the managed accounts. */
	maxPercent?: number;
	/** An admin approved this run: the threshold does not hold it back. */
	approved?: boolean;
}

export interface DeprovisionOptions {
	action: DeprovisionAction;
	dryRun?: boolean;
	concurrency?: number;
	threshold?: DeletionThreshold;
}

export interface DeprovisionResult {
	outcomes: ProvisionOutcome[];
	/** True when the threshold held the run back: nothing was written and destructive actions are Staged*. */
	staged: boolean;
	/** Disables and deletes the run wanted to make. */
	destructive: number;
	/** Accounts in the managed scope, when counted. */
	managed?: number;
	alert?: string;
}

/** Checks a threshold for nonsense before anything runs. */
export function validateThreshold(threshold: DeletionThreshold | undefined): void {
	if (!threshold) return;
	const { maxCount, maxPercent } = threshold;
	if (maxCount !== undefined && (!Number.isInteger(maxCount) || maxCount < 0)) {
		throw new ProvisioningError('Configuration', `The deletion threshold count must be a whole number of 0 or more, not ${maxCount}`, { field: 'thresholdCount' });
	}
	if (maxPercent !== undefined && (!Number.isFinite(maxPercent) || maxPercent <= 0 || maxPercent > 100)) {
		throw new ProvisioningError('Configuration', `The deletion threshold percentage must be above 0 and at most 100, not ${maxPercent}`, { field: 'thresholdPercent' });
	}
}

function exceeds(threshold: DeletionThreshold | undefined, destructive: number, managed: number | undefined): string | undefined {
	if (!threshold || threshold.approved || destructive === 0) return undefined;
	if (threshold.maxCount !== undefined && destructive > threshold.maxCount) {
		return `${destructive} disables/deletes exceed the threshold of ${threshold.maxCount}`;
	}
	if (threshold.maxPercent !== undefined && managed !== undefined && managed > 0 && (destructive / managed) * 100 > threshold.maxPercent) {
		return `${destructive} disables/deletes are ${((destructive / managed) * 100).toFixed(1)}% of ${managed} managed accounts, above the threshold of ${threshold.maxPercent}%`;
	}
	return undefined;
}

/** One planned step for one account. */
interface Plan {
	log: LogRecordBuilder;
	entry?: TargetEntry;
	/** What will be written; undefined when the outcome is already final. */
	write?: 'disable' | 'delete' | 'enable' | 'removeFromGroups';
	final?: ProvisionOutcome;
}

const STAGED: Record<string, ProvisioningAction> = { disable: 'StagedDisable', delete: 'StagedDelete' };
const DONE: Record<string, ProvisioningAction> = { disable: 'Disable', delete: 'Delete', enable: 'Enable', removeFromGroups: 'Update' };

function failure(log: LogRecordBuilder, thrown: unknown): ProvisionOutcome {
	const error = toProvisioningError(thrown);
	log.record.error = { code: error.code, reason: error.message, ...(error.field ? { field: error.field } : {}) };
	log.step('Provision', 'Failure', error.message);
	return { record: log.finish('Failed', 'Failure'), error };
}

/** Decides what an action means for one found account (already disabled → NoChange, and so on). */
function planFor(target: Target, entry: TargetEntry, action: DeprovisionAction, log: LogRecordBuilder): Plan {
	if (action === 'disable' && entry.active === false) {
		log.step('Provision', 'Success', 'The account is already disabled');
		return { log, entry, final: { record: log.finish('NoChange', 'Success', entry.id) } };
	}
	if (action === 'enable' && entry.active === true) {
		log.step('Provision', 'Success', 'The account is already enabled');
		return { log, entry, final: { record: log.finish('NoChange', 'Success', entry.id) } };
	}
	if (action === 'disable' || action === 'enable') {
		log.changes([{ attribute: target.system === 'scim' ? 'active' : 'accountEnabled', oldValue: entry.active ?? null, newValue: action === 'enable' }]);
	}
	return { log, entry, write: action };
}

/** Applies the plans, or stages them when the threshold is exceeded. Dry runs report without writing. */
async function execute(target: Target, plans: Plan[], options: DeprovisionOptions, managed: number | undefined): Promise<DeprovisionResult> {
	const destructive = plans.filter((p) => p.write === 'disable' || p.write === 'delete').length;
	const alert = exceeds(options.threshold, destructive, managed);
	const limit = pLimit(Math.max(1, Math.floor(options.concurrency ?? 4)));
	const outcomes = await Promise.all(
		plans.map((plan) =>
			limit(async (): Promise<ProvisionOutcome> => {
				if (plan.final) return plan.final;
				const { log, entry, write } = plan;
				if (!entry || !write) return plan.final!;
				if (alert && (write === 'disable' || write === 'delete')) {
					log.step('Provision', 'Warning', `Staged, not applied: ${alert}. Approve the run to apply it.`);
					return { record: log.finish(STAGED[write], 'Warning', entry.id) };
				}
				if (options.dryRun) {
					log.step('Provision', 'Success', `Dry run: the account would be ${write === 'removeFromGroups' ? 'removed from its groups' : `${write}d`}`);
					return { record: log.finish(DONE[write], 'Success', entry.id) };
				}
				try {
					if (write === 'delete') await target.delete(entry.id);
					else if (write === 'removeFromGroups') {
						const removed = await target.removeFromAllGroups(entry.id);
						log.changes([{ attribute: 'groups', oldValue: removed, newValue: [] }]);
						if (removed.length === 0) {
							log.step('Provision', 'Success', 'The account is in no groups');
							return { record: log.finish('NoChange', 'Success', entry.id) };
						}
					}
					const id = write === 'disable' || write === 'enable' ? await target.setActive(entry.id, write === 'enable') : entry.id;
					const moved = id !== entry.id ? `; moved to ${id}` : '';
					log.step('Provision', 'Success', write === 'removeFromGroups' ? 'Removed from its groups' : `${write === 'delete' ? 'Deleted' : write === 'enable' ? 'Enabled' : 'Disabled'} ${entry.id}${moved}`);
					return { record: log.finish(DONE[write], 'Success', id) };
				} catch (thrown) {
					return failure(log, thrown);
				}
			}),
		),
	);
	return { outcomes, staged: !!alert, destructive, managed, alert };
}

function newLog(target: Target, dryRun: boolean, envelope?: ProvisioningEnvelope): LogRecordBuilder {
	return new LogRecordBuilder(
		{ dryRun, targetSystem: target.system, targetEndpoint: target.endpoint, source: envelope?.source },
		new Set(envelope?.redact ?? []),
	);
}

/** Counts the accounts in the managed scope (for percentage thresholds). */
export async function countManaged(target: Target, scopeFilter?: string): Promise<number> {
	let count = 0;
	for await (const _ of target.listAll({ attributes: [], filter: scopeFilter })) count++;
	return count;
}

/**
 * Per-item deprovisioning: each item is matched with Provision User's rules, then disabled, deleted,
 * enabled or removed from its groups. Not found is Skipped; already in the wanted state is NoChange.
 */
export async function deprovisionItems(
	target: Target,
	inputs: ProvisionInput[],
	options: DeprovisionOptions & { managedCount?: () => Promise<number> },
): Promise<DeprovisionResult> {
	validateThreshold(options.threshold);
	const envelopes = inputs.filter((i): i is ProvisioningEnvelope => !(i instanceof ProvisioningError));
	const matches = await matchBatch(target, envelopes.map((e) => e.matchKeys), []);
	const matchOf = new Map<ProvisioningEnvelope, MatchResult | ProvisioningError>(envelopes.map((e, i) => [e, matches[i]]));
	const plans = inputs.map((input): Plan => {
		const envelope = input instanceof ProvisioningError ? undefined : input;
		const log = newLog(target, options.dryRun ?? false, envelope);
		if (!envelope) return { log, final: failure(log, input) };
		log.step('Evaluate', 'Success', `${envelope.matchKeys.length} match keys`);
		const match = matchOf.get(envelope)!;
		if (match instanceof ProvisioningError) return { log, final: failure(log, match) };
		if (!match.entry) {
			log.step('Match', 'Skipped', `No account has ${match.tried.join(', then ')}; nothing to ${options.action === 'removeFromGroups' ? 'remove' : options.action}`);
			return { log, final: { record: log.finish('Skipped', 'Skipped') } };
		}
		log.matched(match.key!).step('Match', 'Success', `Matched ${match.entry.id} by ${match.key!.attribute}`);
		return planFor(target, match.entry, options.action, log);
	});
	const needsTotal = options.threshold?.maxPercent !== undefined && !options.threshold.approved;
	const managed = needsTotal && options.managedCount ? await options.managedCount() : undefined;
	return execute(target, plans, options, managed);
}

export interface ReconcileOptions extends DeprovisionOptions {
	/** Target-native filter for the managed scope (SCIM filter, or LDAP filter within the search base). */
	scopeFilter?: string;
	/** Identifiers never touched: ids/DNs or values of the match and identity attributes (break-glass, service accounts). */
	protectedValues?: string[];
	/** Target-native filter selecting protected accounts. */
	protectedFilter?: string;
}

/** Source values by attribute, for O(1) membership tests. */
export type SourceIndex = Map<string, Set<string>>;

export function buildSourceIndex(target: Target, keyLists: MatchKey[][]): SourceIndex {
	const index: SourceIndex = new Map();
	for (const keys of keyLists) {
		for (const key of keys) {
			if (isEmptyValue(key.value)) continue;
			const value = String(key.value as ScalarValue);
			const set = index.get(key.attribute) ?? new Set<string>();
			set.add(target.caseInsensitiveMatch(key.attribute) ? value.toLowerCase() : value);
			index.set(key.attribute, set);
		}
	}
	return index;
}

/** The diff step: accounts that no source item matches and that are not protected. One pass, hash lookups. */
export function findLeavers(target: Target, accounts: TargetEntry[], index: SourceIndex, isProtected: (entry: TargetEntry) => boolean): TargetEntry[] {
	const attributes = [...index.entries()].map(([attribute, values]) => ({ attribute, values, fold: target.caseInsensitiveMatch(attribute) }));
	return accounts.filter((entry) => {
		for (const { attribute, values, fold } of attributes) {
			const raw = attribute.toLowerCase() === 'id' || attribute.toLowerCase() === 'dn' ? entry.id : entry.attributes[attribute];
			if (raw === undefined || raw === null) continue;
			for (const v of Array.isArray(raw) ? raw : [raw]) {
				const s = String(v);
				if (values.has(fold ? s.toLowerCase() : s)) return false;
			}
		}
		return !isProtected(entry);
	});
}

/**
 * Reconcile: the items are the complete in-scope source. Every account in the managed scope that no
 * source item matches is deprovisioned, except protected ones. One paged listing, hash lookups.
 */
export async function reconcileLeavers(target: Target, keyLists: MatchKey[][], options: ReconcileOptions): Promise<DeprovisionResult> {
	validateThreshold(options.threshold);
	if (keyLists.length === 0) {
		throw new ProvisioningError(
			'InvalidInput',
			'Reconcile received no source users. An empty source would mean "everyone left", so nothing was changed; check the source step.',
			{ field: 'items' },
		);
	}
	const unidentified = keyLists.findIndex((keys) => keys.every((k) => isEmptyValue(k.value)));
	if (unidentified !== -1) {
		throw new ProvisioningError(
			'InvalidInput',
			`Source item ${unidentified} has no value for any match key, so its account would look like a leaver. Reconcile needs every source user identified; nothing was changed.`,
			{ field: keyLists[unidentified][0]?.attribute ?? 'matchKeys' },
		);
	}
	const index = buildSourceIndex(target, keyLists);
	const attributes = [...index.keys()];
	const listed = [...new Set([...attributes, ...target.identityAttributes])];
	const accounts: TargetEntry[] = [];
	for await (const entry of target.listAll({ attributes: listed, filter: options.scopeFilter })) accounts.push(entry);

	// Lower-cased, and DNs without spaces after commas, so "uid=a, ou=People" protects "uid=a,ou=People".
	const canonical = (value: string) => value.trim().toLowerCase().replace(/,\s+/g, ',');
	const protectedIds = new Set((options.protectedValues ?? []).map(canonical).filter(Boolean));
	const isProtectedId = (id: string) => protectedIds.has(canonical(id));
	if (options.protectedFilter) {
		for await (const entry of target.listAll({ attributes: [], filter: options.protectedFilter })) protectedIds.add(canonical(entry.id));
	}
	const isProtected = (entry: TargetEntry) =>
		isProtectedId(entry.id) ||
		listed.some((a) => {
			const raw = entry.attributes[a];
			return (Array.isArray(raw) ? raw : [raw]).some((v) => v !== undefined && v !== null && protectedIds.has(canonical(String(v))));
		});

	const leavers = findLeavers(target, accounts, index, isProtected);
	const plans = leavers.map((entry) => {
		const log = newLog(target, options.dryRun ?? false);
		log.step('Scope', 'Success', `Not in the source: no source user has this account's ${attributes.join(' or ')}`);
		return planFor(target, entry, options.action, log);
	});
	return execute(target, plans, options, accounts.length);
}
