/**
 * Reconcile leavers: the input items are the complete in-scope source; every account in the managed scope that
 * no source item matches is deprovisioned, except protected ones. One paged listing and hash lookups, never a
 * search per account.
 */
import { isEmptyValue, type MatchKey, type ScalarValue } from '../envelope';
import { ProvisioningError } from '../errors';
import type { Accounts, Target, TargetEntry } from '../targets/target';
import { asList, unique } from '../util';
import { hasAnchor } from './anchor';
import { type DeprovisionOptions, type DeprovisionResult, executePlans, planFor } from './deprovision';
import { recordFor } from './log';
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
}

/** Source values by attribute, for O(1) membership tests. */
export type SourceIndex = Map<string, Set<string>>;

const identifierOf = (entry: TargetEntry, attribute: string) =>
	['id', 'dn'].includes(attribute.toLowerCase()) ? [entry.id] : asList(entry.attributes[attribute]);

export function buildSourceIndex(accounts: Accounts, keyLists: MatchKey[][]): SourceIndex {
	const index: SourceIndex = new Map();
	for (const keys of keyLists) {
		for (const key of keys) {
			if (isEmptyValue(key.value)) continue;
			const value = String(key.value as ScalarValue);
			const set = index.get(key.attribute) ?? new Set<string>();
			set.add(accounts.caseInsensitiveMatch(key.attribute) ? value.toLowerCase() : value);
			index.set(key.attribute, set);
		}
	}
	return index;
}

/** The diff step: accounts that no source item matches and that are not protected. One pass, hash lookups. */
export function findLeavers(
	accounts: Accounts,
	listed: TargetEntry[],
	index: SourceIndex,
	isProtected: (entry: TargetEntry) => boolean,
): TargetEntry[] {
	const attributes = [...index.entries()].map(([attribute, values]) => ({
		attribute,
		values,
		fold: accounts.caseInsensitiveMatch(attribute),
	}));
	return listed.filter((entry) => {
		for (const { attribute, values, fold } of attributes) {
			for (const v of identifierOf(entry, attribute)) {
				if (v === undefined || v === null) continue;
				const s = String(v);
				if (values.has(fold ? s.toLowerCase() : s)) return false;
			}
		}
		return !isProtected(entry);
	});
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

async function protectionTest(
	accounts: Accounts,
	options: ReconcileOptions,
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
	// Indexed after the listing: a target knows how it compares values (its collations) once it has read.
	const index = buildSourceIndex(accounts, keyLists);
	const isProtected = await protectionTest(accounts, options, listedAttributes);
	const plans = findLeavers(accounts, listed, index, isProtected).map((entry) => {
		const log = recordFor(target, options.dryRun ?? false);
		log.step('Scope', 'Success', `Not in the source: no source user has this account's ${matchAttributes.join(' or ')}`);
		return planFor(target, entry, options.action, log);
	});
	return executePlans(target, plans, options, listed.length);
}
