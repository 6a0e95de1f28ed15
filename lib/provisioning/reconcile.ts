/**
 * Reconcile leavers: the input items are the complete in-scope source; every account in the managed scope that
 * no source item matches is deprovisioned, except protected ones. One paged listing compared with the target's match
 * keys (Provision User's comparison); only values that may compare equal without being the same are looked up.
 */
import { isEmptyValue, type MatchKey, type ScalarValue } from '../envelope';
import { ProvisioningError } from '../errors';
import type { Accounts, Target, TargetEntry } from '../targets/target';
import { asList, unique } from '../util';
import { hasAnchor } from './anchor';
import { matchedBySource } from './keyMatch';
import { type DeprovisionOptions, type DeprovisionResult, executePlans, type Plan, planFor } from './deprovision';
import { type LogRecordBuilder, recordFor } from './log';
import { validateThreshold } from './threshold';

export interface ReconcileOptions extends DeprovisionOptions {
	/** Target-native filter for the managed scope (SCIM filter, or LDAP filter within the search base). */
	scopeFilter?: string;
	/** Identifiers never touched: ids/DNs or values of the match and identity attributes (break-glass, service accounts). */
	protectedValues?: string[];
	/** Target-native filter selecting protected accounts. */
	protectedFilter?: string;
	/** Anchor attribute: only accounts carrying it are in scope (the ones the package provisioned), unless includeUnanchored. */
	anchor?: string;
	includeUnanchored?: boolean;
	/**
	 * Delayed deletion (Entra's soft delete, then a hard delete later): with the Disable operation, a leaver that has
	 * been disabled for more than this many days is deleted. The deletes count toward the threshold like any other.
	 */
	deleteDisabledAfterDays?: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

function validateDelay(days: number | undefined, action: DeprovisionOptions['action']): void {
	if (days === undefined) return;
	if (!Number.isFinite(days) || days < 0) {
		throw new ProvisioningError('Configuration', `"Delete Disabled Accounts After (Days)" must be 0 or more, not ${days}`, {
			field: 'deleteDisabledAfterDays',
		});
	}
	if (action !== 'disable') {
		throw new ProvisioningError(
			'Configuration',
			'Delayed deletion works with the Disable operation: leavers are disabled first, deleted later',
			{
				field: 'deleteDisabledAfterDays',
			},
		);
	}
}

/** A disabled leaver under delayed deletion: deleted once disabled longer than the delay, otherwise left as it is. */
export function planDelayedDeletion(target: Target, entry: TargetEntry, days: number, now: Date, log: LogRecordBuilder): Plan {
	if (!entry.disabledAt) {
		log.step('Provision', 'Warning', 'The account is already disabled, with no recorded time of disabling: it is not deleted');
		return { log, entry, final: { record: log.finish('NoChange', 'Warning', entry.id) } };
	}
	const since = entry.disabledAt.toISOString();
	const age = now.getTime() - entry.disabledAt.getTime();
	if (age > days * DAY_MS) {
		log.step('Scope', 'Success', `Disabled since ${since}, more than ${days} days: the account is deleted`);
		return planFor(target, entry, 'delete', log);
	}
	const due = new Date(entry.disabledAt.getTime() + days * DAY_MS).toISOString();
	log.step('Provision', 'Success', `The account is already disabled (since ${since}); it is deleted after ${due}`);
	return { log, entry, final: { record: log.finish('NoChange', 'Success', entry.id) } };
}

/** The source's values by attribute (identical ones once). */
function sourceValues(keyLists: MatchKey[][]): Map<string, ScalarValue[]> {
	const out = new Map<string, ScalarValue[]>();
	const seen = new Set<string>();
	for (const keys of keyLists) {
		for (const key of keys) {
			if (isEmptyValue(key.value)) continue;
			const value = key.value as ScalarValue;
			const id = `${key.attribute}\u0000${typeof value}\u0000${String(value)}`;
			if (seen.has(id)) continue;
			seen.add(id);
			out.set(key.attribute, [...(out.get(key.attribute) ?? []), value]);
		}
	}
	return out;
}

/**
 * The listed accounts the source matches: the ones reconcile leaves alone. Compared as Provision User's lookup
 * compares (the target's match keys, and its own lookup where those only say "maybe").
 */
export async function matchedAccounts(accounts: Accounts, listed: TargetEntry[], keyLists: MatchKey[][]): Promise<TargetEntry[]> {
	const matched = await matchedBySource(accounts, listed, sourceValues(keyLists));
	return listed.filter((entry) => matched.has(entry));
}

/** Refuses a source that would make everyone look like a leaver: empty, or with an unidentified user. */
function checkSource(keyLists: MatchKey[][]): void {
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
}

/** Lower-cased, and DNs without spaces after commas, so "uid=a, ou=People" protects "uid=a,ou=People". */
const canonical = (value: string) => value.trim().toLowerCase().replace(/,\s+/g, ',');

export async function protectionTest(
	accounts: Accounts,
	options: Pick<ReconcileOptions, 'protectedValues' | 'protectedFilter'>,
	attributes: string[],
): Promise<(entry: TargetEntry) => boolean> {
	const protectedIds = new Set((options.protectedValues ?? []).map(canonical).filter(Boolean));
	if (options.protectedFilter) {
		for await (const entry of accounts.listAll({ attributes: [], filter: options.protectedFilter })) protectedIds.add(canonical(entry.id));
	}
	return (entry) =>
		protectedIds.has(canonical(entry.id)) ||
		attributes.some((a) =>
			asList(entry.attributes[a]).some((v) => v !== undefined && v !== null && protectedIds.has(canonical(String(v)))),
		);
}

export async function reconcileLeavers(target: Target, keyLists: MatchKey[][], options: ReconcileOptions): Promise<DeprovisionResult> {
	validateThreshold(options.threshold);
	validateDelay(options.deleteDisabledAfterDays, options.action);
	if (options.action === 'resetPassword') {
		throw new ProvisioningError('Configuration', 'Reset Password works per item, not on reconciled leavers', { field: 'mode' });
	}
	checkSource(keyLists);
	const accounts = target.users;
	const matchAttributes = unique(keyLists.flatMap((keys) => keys.filter((k) => !isEmptyValue(k.value)).map((k) => k.attribute)));
	const listedAttributes = unique([...matchAttributes, ...accounts.identityAttributes, ...(options.anchor ? [options.anchor] : [])]);
	const anchoredOnly = options.anchor && !options.includeUnanchored ? options.anchor : undefined;
	const listed: TargetEntry[] = [];
	for await (const entry of accounts.listAll({ attributes: listedAttributes, filter: options.scopeFilter })) {
		// An account without the anchor was not provisioned by the package: left alone unless the user opts in.
		if (!anchoredOnly || hasAnchor(entry, anchoredOnly)) listed.push(entry);
	}
	const matched = await matchedBySource(accounts, listed, sourceValues(keyLists));
	const isProtected = await protectionTest(accounts, options, listedAttributes);
	const now = (options.clock ?? (() => new Date()))();
	const delay = options.deleteDisabledAfterDays;
	const leavers = listed.filter((entry) => !matched.has(entry) && !isProtected(entry));
	const plans = leavers.map((entry) => {
		const log = recordFor(target, options.dryRun ?? false);
		log.step('Scope', 'Success', `Not in the source: no source user has this account's ${matchAttributes.join(' or ')}`);
		if (delay !== undefined && entry.active === false) return planDelayedDeletion(target, entry, delay, now, log);
		return planFor(target, entry, options.action, log);
	});
	return executePlans(target, plans, options, listed.length);
}
