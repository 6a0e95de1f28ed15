/**
 * One comparison for matching and reconcile. The accounts a target holds for a value are what its own lookup returns;
 * batched lookups and reconcile's listing are read with the target's match keys (Accounts.matchKeys), and where those
 * cannot settle it (values that only may be equal: a case or space variant on a target whose rules the client cannot
 * know), the target's own lookup decides. So an account Provision User finds is never one reconcile calls a leaver,
 * and the other way round.
 */
import pLimit from 'p-limit';
import type { ScalarValue } from '../envelope';
import { ProvisioningError, toProvisioningError } from '../errors';
import type { Accounts, MatchKeys, TargetEntry } from '../targets/target';
import { asList, unique } from '../util';

const isIdentifier = (attribute: string) => ['dn', 'id'].includes(attribute.toLowerCase());

/** The values an account holds for an attribute ("dn" and "id" are its identifier). */
function valuesOf(entry: TargetEntry, attribute: string): ScalarValue[] {
	if (isIdentifier(attribute)) return [entry.id];
	return asList(entry.attributes[attribute]).filter((v): v is ScalarValue => v !== null && v !== undefined && typeof v !== 'object');
}

/** A failed batch that one value may have caused (the target refused it): each value is then looked up alone. */
const refusedValue = (error: ProvisioningError) => !error.transient && ['TargetRejected', 'InvalidInput', 'InvalidDn'].includes(error.code);

type Found = TargetEntry[] | ProvisioningError;

/**
 * Provision User's lookup of many values of one attribute: per value, the accounts the target finds equal to it (or
 * the error that stopped that value). In batches where the keys can tell which value an account answers; the rest
 * (values that only share a loose key) one by one with `find`, the lookup whose answer it must equal.
 */
export async function lookupEach(accounts: Accounts, attribute: string, values: ScalarValue[], wanted: string[]): Promise<Found[]> {
	const out: Found[] = new Array(values.length);
	const limit = pLimit(4);
	const alone = (indices: number[]) =>
		Promise.all(
			indices.map((i) =>
				limit(async () => {
					out[i] = await accounts.find({ attribute, value: values[i] }, wanted).catch(toProvisioningError);
				}),
			),
		);
	if (isIdentifier(attribute)) {
		await alone(values.map((_, i) => i));
		return out;
	}
	let mine: MatchKeys;
	try {
		mine = await accounts.matchKeys(attribute, values);
	} catch (error) {
		return values.map(() => toProvisioningError(error));
	}
	// Values by their sure form (identical values get one answer); a value that matches nothing is not asked for.
	const groups = new Map<string, number[]>();
	values.forEach((_, i) => {
		const key = mine.keys[i];
		if (key === undefined) out[i] = [];
		else groups.set(mine.sure[i] ?? `#${i}`, [...(groups.get(mine.sure[i] ?? `#${i}`) ?? []), i]);
	});
	const keyOf = (sure: string) => mine.keys[groups.get(sure)![0]]!;
	// Unless keys are exact, a batch holds one value per key, so an account it returns answers exactly one of them.
	const rounds: string[][] = [];
	const depth = new Map<string, number>();
	for (const sure of groups.keys()) {
		const round = mine.exact ? 0 : (depth.get(keyOf(sure)) ?? 0);
		depth.set(keyOf(sure), round + 1);
		(rounds[round] ??= []).push(sure);
	}
	const undecided: number[] = [];
	for (const round of rounds) {
		const answered = await batchRound(accounts, attribute, round, keyOf, (sure) => values[groups.get(sure)![0]], wanted, mine.exact);
		if (answered instanceof ProvisioningError) {
			if (refusedValue(answered) && round.length > 1) undecided.push(...round.flatMap((sure) => groups.get(sure)!));
			else for (const sure of round) for (const i of groups.get(sure)!) out[i] = answered;
			continue;
		}
		for (const sure of round) {
			const found = answered.get(sure);
			for (const i of groups.get(sure)!) {
				if (found) out[i] = found;
				else undecided.push(i);
			}
		}
	}
	await alone(undecided);
	return out;
}

/** One batched lookup: each value's accounts, by key; a value left out is one the keys cannot settle. */
async function batchRound(
	accounts: Accounts,
	attribute: string,
	round: string[],
	keyOf: (sure: string) => string,
	valueOf: (sure: string) => ScalarValue,
	wanted: string[],
	exact: boolean,
): Promise<Map<string, TargetEntry[]> | ProvisioningError> {
	let entries: TargetEntry[];
	let theirs: MatchKeys;
	const held = new Map<TargetEntry, number[]>();
	try {
		entries = await accounts.findMany(attribute, round.map(valueOf), unique([...wanted, attribute]));
		const flat: ScalarValue[] = [];
		for (const entry of entries)
			held.set(
				entry,
				valuesOf(entry, attribute).map((v) => flat.push(v) - 1),
			);
		theirs = await accounts.matchKeys(attribute, flat);
	} catch (error) {
		return toProvisioningError(error);
	}
	const byKey = new Map<string, string[]>();
	for (const sure of round) byKey.set(keyOf(sure), [...(byKey.get(keyOf(sure)) ?? []), sure]);
	const found = new Map<string, Map<string, TargetEntry>>(round.map((sure) => [sure, new Map()]));
	const unsettled = new Set<string>();
	for (const entry of entries) {
		const positions = held.get(entry)!;
		const candidates = unique(positions.flatMap((n) => byKey.get(theirs.keys[n] ?? '') ?? []));
		const sureForms = new Set(positions.map((n) => theirs.sure[n]));
		for (const sure of candidates) {
			// Exact keys decide; so does a single candidate (the account answered some value of this batch, so this one).
			if (exact || candidates.length === 1 || sureForms.has(sure)) found.get(sure)!.set(entry.id, entry);
			else unsettled.add(sure);
		}
	}
	return new Map([...found].filter(([sure]) => !unsettled.has(sure)).map(([sure, hits]) => [sure, [...hits.values()]]));
}

/**
 * Reconcile's side: the listed accounts that some source value matches, by the same keys; where keys only say
 * "maybe", the target's lookup of those source values decides. A source value the target refuses to look up keeps
 * the accounts it may match (unknown is not a leaver); a transient failure stops the run.
 */
export async function matchedBySource(
	accounts: Accounts,
	listed: TargetEntry[],
	sources: Map<string, ScalarValue[]>,
): Promise<Set<TargetEntry>> {
	const matched = new Set<TargetEntry>();
	for (const [attribute, values] of sources) {
		const mine = await accounts.matchKeys(attribute, values);
		const sure = new Set(mine.sure.filter((s) => s !== undefined));
		const byKey = new Map<string, number[]>();
		mine.keys.forEach((key, i) => key !== undefined && byKey.set(key, [...(byKey.get(key) ?? []), i]));
		const flat: ScalarValue[] = [];
		const held = listed.map((entry) => valuesOf(entry, attribute).map((v) => flat.push(v) - 1));
		const theirs = await accounts.matchKeys(attribute, flat);
		const doubtful = new Map<TargetEntry, number[]>();
		listed.forEach((entry, j) => {
			if (matched.has(entry)) return;
			const candidates = held[j].flatMap((n) => byKey.get(theirs.keys[n] ?? '') ?? []);
			if (held[j].some((n) => theirs.sure[n] !== undefined && sure.has(theirs.sure[n]!)) || (mine.exact && candidates.length))
				matched.add(entry);
			else if (candidates.length) doubtful.set(entry, candidates);
		});
		if (!doubtful.size) continue;
		const asked = unique([...doubtful.values()].flat());
		const answers = await lookupEach(
			accounts,
			attribute,
			asked.map((i) => values[i]),
			[],
		);
		const answerOf = new Map(asked.map((i, n) => [i, answers[n]]));
		const transient = answers.find((a): a is ProvisioningError => a instanceof ProvisioningError && !refusedValue(a));
		if (transient) throw transient;
		for (const [entry, candidates] of doubtful) {
			const same = (found: TargetEntry) => found.id === entry.id || (accounts.sameId?.(found.id, entry.id) ?? false);
			if (
				candidates.some((i) => {
					const a = answerOf.get(i);
					return a instanceof ProvisioningError || a!.some(same);
				})
			)
				matched.add(entry);
		}
	}
	return matched;
}
