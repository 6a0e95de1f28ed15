/**
 * Which source values match which listed accounts, by one attribute: reconcile's comparison (keyMatch.ts), kept as
 * pairs instead of a yes/no per account, so discovery can tell one owner from several. Values that are the same (or
 * equal keys where the target's keys are exact) pair at once; values that only may be equal are settled by the
 * target's own lookup, as Provision User's lookup would. O(accounts + values) besides those lookups.
 */
import type { ScalarValue } from '../envelope';
import { ProvisioningError } from '../errors';
import type { Accounts, TargetEntry } from '../targets/target';
import { asList, unique } from '../util';
import { lookupEach } from './keyMatch';

const isIdentifier = (attribute: string) => ['dn', 'id'].includes(attribute.toLowerCase());

/** The values an account holds for an attribute ("dn" and "id" are its identifier). */
export function valuesOf(entry: TargetEntry, attribute: string): ScalarValue[] {
	if (isIdentifier(attribute)) return [entry.id];
	return asList(entry.attributes[attribute]).filter((v): v is ScalarValue => v !== null && v !== undefined && typeof v !== 'object');
}

/** A lookup the target refused for one value (not a transient failure): that value's accounts are unknown. */
const refused = (error: ProvisioningError) => !error.transient && ['TargetRejected', 'InvalidInput', 'InvalidDn'].includes(error.code);

/**
 * Per listed account (same order), the indices of the values that match it. A value the target refuses to look up
 * pairs with every account it may match (unknown is not "nobody", as in reconcile); a transient failure throws.
 */
export async function matchPairs(accounts: Accounts, listed: TargetEntry[], attribute: string, values: ScalarValue[]): Promise<number[][]> {
	const out: number[][] = listed.map(() => []);
	if (values.length === 0 || listed.length === 0) return out;
	const mine = await accounts.matchKeys(attribute, values);
	const byKey = new Map<string, number[]>();
	mine.keys.forEach((key, i) => {
		if (key === undefined) return;
		const list = byKey.get(key);
		if (list) list.push(i);
		else byKey.set(key, [i]);
	});
	const flat: ScalarValue[] = [];
	const held = listed.map((entry) => valuesOf(entry, attribute).map((v) => flat.push(v) - 1));
	const theirs = await accounts.matchKeys(attribute, flat);
	const doubtful = new Map<number, number[]>();
	listed.forEach((_, j) => {
		// Arrays, not sets: an account almost always pairs with one value or none.
		const hits: number[] = [];
		let maybe: number[] | undefined;
		for (const n of held[j]) {
			const key = theirs.keys[n];
			if (key === undefined) continue;
			for (const i of byKey.get(key) ?? []) {
				if (mine.exact || (theirs.sure[n] !== undefined && theirs.sure[n] === mine.sure[i])) {
					if (!hits.includes(i)) hits.push(i);
				} else (maybe ??= []).push(i);
			}
		}
		out[j] = hits;
		const open = maybe ? unique(maybe.filter((i) => !hits.includes(i))) : [];
		if (open.length) doubtful.set(j, open);
	});
	if (!doubtful.size) return out;
	const asked = unique([...doubtful.values()].flat());
	const answers = await lookupEach(
		accounts,
		attribute,
		asked.map((i) => values[i]),
		[],
	);
	const transient = answers.find((a): a is ProvisioningError => a instanceof ProvisioningError && !refused(a));
	if (transient) throw transient;
	const answerOf = new Map(asked.map((i, n) => [i, answers[n]]));
	for (const [j, candidates] of doubtful) {
		const entry = listed[j];
		const same = (found: TargetEntry) => found.id === entry.id || (accounts.sameId?.(found.id, entry.id) ?? false);
		for (const i of candidates) {
			const answer = answerOf.get(i)!;
			if (answer instanceof ProvisioningError || answer.some(same)) out[j].push(i);
		}
	}
	return out;
}
