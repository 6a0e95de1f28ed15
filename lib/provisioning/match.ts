import { isEmptyValue, type MatchKey, type ProvisioningEnvelope, type ScalarValue } from '../envelope';
import { ProvisioningError, toProvisioningError } from '../errors';
import type { Accounts, Target, TargetEntry } from '../targets/target';
import { lookupEach } from './keyMatch';
import { ID_ATTRIBUTE, type LinkBook, linkedSource, RememberedIds } from './links';

export interface MatchResult {
	entry: TargetEntry | null;
	/** The key that found the entry. */
	key: MatchKey | null;
	/** Human-readable list of the keys tried, for the log. */
	tried: string[];
}

/**
 * Entra's matching: keys are tried one at a time in precedence order, the first hit wins,
 * and two or more hits for one key is DuplicateTargetEntries.
 */
export async function matchInTarget(accounts: Accounts, keys: MatchKey[], attributes: string[]): Promise<MatchResult> {
	const usable = keys.filter((k) => !isEmptyValue(k.value));
	if (usable.length === 0) throw noUsableKey(keys);
	const tried: string[] = [];
	for (const key of usable) {
		tried.push(key.attribute);
		const entries = await accounts.find(key, attributes);
		if (entries.length > 1) throw duplicates(key);
		if (entries.length === 1) return { entry: entries[0], key, tried };
	}
	return { entry: null, key: null, tried };
}

function noUsableKey(keys: MatchKey[]): ProvisioningError {
	const names = keys.map((k) => k.attribute).join(', ') || 'none configured';
	return new ProvisioningError(
		'MissingRequiredValue',
		`No match key has a value (match keys: ${names}). Without one the account cannot be matched, and creating it would duplicate it on the next run.`,
		{ field: keys[0]?.attribute ?? 'matchKeys' },
	);
}

function duplicates(key: MatchKey): ProvisioningError {
	return new ProvisioningError(
		'DuplicateTargetEntries',
		`More than one account in the target has ${key.attribute} = "${String(key.value)}"; resolve the duplicates or match on a unique attribute`,
		{ field: key.attribute },
	);
}

/**
 * Entra's matching for a whole batch: one round of batched lookups per precedence level, instead of
 * one search per item. Each item still gets exactly what `matchInTarget` would give it.
 */
export async function matchBatch(
	accounts: Accounts,
	keyLists: MatchKey[][],
	attributes: string[],
): Promise<Array<MatchResult | ProvisioningError>> {
	const results: Array<MatchResult | ProvisioningError | undefined> = new Array(keyLists.length);
	const usable = keyLists.map((keys) => keys.filter((k) => !isEmptyValue(k.value)));
	const tried: string[][] = keyLists.map(() => []);
	let pending: number[] = [];
	usable.forEach((keys, i) => (keys.length ? pending.push(i) : (results[i] = noUsableKey(keyLists[i]))));
	const wanted = [...new Set([...attributes, ...usable.flat().map((k) => k.attribute)])];

	for (let level = 0; pending.length > 0; level++) {
		const byAttribute = new Map<string, number[]>();
		for (const i of pending) {
			const key = usable[i][level];
			if (!key) {
				results[i] = { entry: null, key: null, tried: tried[i] };
				continue;
			}
			tried[i].push(key.attribute);
			byAttribute.set(key.attribute, [...(byAttribute.get(key.attribute) ?? []), i]);
		}
		const next: number[] = [];
		for (const [attribute, items] of byAttribute) {
			const found = await lookupEach(
				accounts,
				attribute,
				items.map((i) => usable[i][level].value as ScalarValue),
				wanted,
			);
			items.forEach((i, n) => {
				const hits = found[n];
				const key = usable[i][level];
				if (hits instanceof ProvisioningError) results[i] = hits;
				else if (hits.length > 1) results[i] = duplicates(key);
				else if (hits.length === 1) results[i] = { entry: hits[0], key, tried: tried[i] };
				else next.push(i);
			});
		}
		pending = next;
	}
	return results as Array<MatchResult | ProvisioningError>;
}

/**
 * Matching with remembered links (Entra's anchor): the batched key match first, then, for an item whose link
 * names a different account or whose keys found nothing, the linked account when it still exists. So a user
 * whose every match key changed (a name change) is still updated, not duplicated; a target read is spent only
 * where keys and link disagree.
 */
export async function matchWithLinks(
	accounts: Accounts,
	keyLists: MatchKey[][],
	attributes: string[],
	linked: Array<{ attribute: string; targetId: string } | undefined>,
): Promise<Array<MatchResult | ProvisioningError>> {
	const results = await matchBatch(accounts, keyLists, attributes);
	if (!linked.some((l) => l !== undefined)) return results;
	const wanted = [...new Set([...attributes, ...keyLists.flat().map((k) => k.attribute)])];
	await Promise.all(
		results.map(async (result, i) => {
			const link = linked[i];
			if (!link) return;
			if (!(result instanceof ProvisioningError) && result.entry?.id.toLowerCase() === link.targetId.toLowerCase()) return;
			let entry: TargetEntry | null;
			try {
				entry = await accounts.get(link.targetId, wanted);
			} catch (error) {
				// Unknown is not missing: what the keys found (or did not) may be another account, or lead to a duplicate.
				results[i] = toProvisioningError(error);
				return;
			}
			if (!entry) return; // The remembered account is gone: the keys decide.
			const tried = result instanceof ProvisioningError ? [] : result.tried;
			results[i] = { entry, key: { attribute: link.attribute, value: link.targetId }, tried: [...tried, 'remembered target id'] };
		}),
	);
	return results;
}

/** Matches envelopes: the batched key match, plus remembered target ids for items from a SCIM Trigger store. */
export async function matchEnvelopes(
	target: Target,
	envelopes: ProvisioningEnvelope[],
	attributes: string[],
	links?: LinkBook,
): Promise<Array<MatchResult | ProvisioningError>> {
	const sources = envelopes.map((e) => linkedSource(e.source));
	const known = links
		? await links.targetIds(
				'User',
				sources.filter((s) => s !== undefined),
			)
		: new RememberedIds();
	const unknown = sources.map((s) => s && known.failure(s));
	const linked = sources.map((s) => {
		const targetId = s && known.targetId(s);
		return targetId ? { attribute: ID_ATTRIBUTE[target.system], targetId } : undefined;
	});
	const results = await matchWithLinks(
		target.users,
		envelopes.map((e, i) => (unknown[i] ? [] : e.matchKeys)),
		attributes,
		linked,
	);
	// An item whose link could not be read is not matched by its other keys: that could create a duplicate.
	return results.map((result, i) => unknown[i] ?? result);
}
