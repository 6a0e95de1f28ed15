/**
 * The differential check of matching against reconcile: for each source value, the accounts Provision User's
 * lookups find (the batched one, and the one-key lookup it repeats) must be exactly the accounts reconcile counts
 * as matched by that value. Values are random (fixed seed, printed with every mismatch): case variants, leading
 * zeros, spaces at the ends and inside, unicode, numbers and booleans as text and as JSON, dates, long values.
 */
import fc from 'fast-check';
import type { ScalarValue } from '../../lib/envelope';
import { ProvisioningError } from '../../lib/errors';
import { normaliseDn } from '../../lib/ldap/escape';
import { matchBatch } from '../../lib/provisioning/match';
import { matchedAccounts } from '../../lib/provisioning/reconcile';
import type { Accounts, TargetEntry } from '../../lib/targets/target';

export const SEED = 1804;

const letters = fc.constantFrom(
	'a',
	'b',
	'Z',
	'x',
	'é',
	'É',
	'ß',
	'ss',
	'İ',
	'ı',
	'ﬁ',
	'Ａ',
	'Ω',
	'Ω',
	'K',
	'ñ',
	'ñ',
	'ς',
	'Σ',
	'-',
	'.',
	'_',
);
const word = fc
	.array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom('a', 'b', 'c', 'X', 'Y', '1') }, letters), { minLength: 1, maxLength: 6 })
	.map((a) => a.join(''));
const spaced = fc
	.tuple(
		fc.constantFrom('', ' ', '  ', '\u00a0', '\t'),
		word,
		fc.constantFrom('', ' ', '  ', '\u200b'),
		word,
		fc.constantFrom('', ' ', '  '),
	)
	.map((parts) => parts.join(''));
const digits = fc
	.tuple(fc.nat({ max: 3 }), fc.integer({ min: -999, max: 99999 }))
	.map(([zeros, n]) => `${n < 0 ? '-' : ''}${'0'.repeat(zeros)}${Math.abs(n)}`);
const decimal = fc
	.tuple(fc.integer({ min: -999, max: 9999 }), fc.nat({ max: 99 }), fc.nat({ max: 2 }))
	.map(([i, f, zeros]) => `${i}.${String(f).padStart(2, '0')}${'0'.repeat(zeros)}`);
const big = fc.bigInt({ min: 2n ** 53n - 10n, max: 2n ** 63n - 1n }).map(String);
const bool = fc.constantFrom('true', 'TRUE', 'false', 'False', '1', '0', 'yes', 'no');
const date = fc
	.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true })
	.chain((d) =>
		fc.constantFrom(
			d.toISOString(),
			d.toISOString().slice(0, 10),
			d.toISOString().replace('T', ' ').slice(0, 19),
			d.toISOString().replace('Z', '+00:00'),
			`${d.toISOString().slice(0, 19)}+02:00`,
		),
	);
const long = fc.string({ minLength: 60, maxLength: 150 });
const anything = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 });

/** A stored or source value of one of the kinds the issue lists. */
export const rawValue = fc.oneof(word, spaced, digits, decimal, big, bool, date, long, anything);

/** A source value derived from a stored one, the way another system spells the same thing differently (or not). */
export function variants(value: string): fc.Arbitrary<ScalarValue> {
	const number = Number(value.trim());
	const options: ScalarValue[] = [
		value,
		value.toUpperCase(),
		value.toLowerCase(),
		value.trim(),
		` ${value}`,
		`${value} `,
		value.replace(/ /g, '  '),
		value.replace(/\s+/g, ' '),
		value.normalize('NFD'),
		value.normalize('NFKC'),
		`0${value}`,
		value.replace(/^(-?)0+(?=\d)/, '$1'),
	];
	if (value.trim() !== '' && Number.isFinite(number)) options.push(number);
	if (/^(true|false)$/i.test(value)) options.push(value.toLowerCase() === 'true');
	return fc.constantFrom(...options);
}

/** Random stored values (already filtered to what the target can hold) and source values: variants of them, and fresh ones. */
export function sampleSources(stored: string[], count: number, seed: number): ScalarValue[] {
	const fromStored = stored.length ? fc.constantFrom(...stored).chain(variants) : rawValue;
	const extra: ScalarValue[] = [true, false, 0, 42, -7, 1.5];
	return [...fc.sample(fc.oneof({ weight: 3, arbitrary: fromStored }, rawValue), { seed, numRuns: count }), ...extra].filter(
		(v) => v !== '',
	);
}

/** Stored values of one kind (or any), as many as asked for that pass `keep`. */
export const sampleStored = (count: number, seed: number, keep: (v: string) => boolean, kind: fc.Arbitrary<string> = rawValue) =>
	fc
		.sample(kind, { seed, numRuns: count * 4 })
		.filter(keep)
		.slice(0, count);

/** Value kinds, for stored values of typed columns. */
export const kinds = { word, spaced, digits, decimal, big, bool, date, long, anything };

const idKey = (id: string) => (/=/.test(id) ? normaliseDn(id) : id);
const ids = (entries: TargetEntry[]) => [...new Set(entries.map((e) => idKey(e.id)))].sort();

/**
 * Every mismatch between Provision User's lookups and reconcile for these source values of one attribute, as text
 * naming the seed, the value and the three answers.
 */
export async function mismatches(accounts: Accounts, attribute: string, sources: ScalarValue[], seed: number): Promise<string[]> {
	const listed: TargetEntry[] = [];
	for await (const entry of accounts.listAll({ attributes: [attribute] })) listed.push(entry);
	const keyLists = sources.map((value) => [{ attribute, value }]);
	const batch = await matchBatch(accounts, keyLists, [attribute]);
	const out: string[] = [];
	const refused: ScalarValue[] = [];
	for (const [i, value] of sources.entries()) {
		const reconciled = ids(await matchedAccounts(accounts, listed, [keyLists[i]]));
		const found = await accounts.find({ attribute, value }, [attribute]).then(ids, (error: Error) => `error: ${error.message}`);
		const result = batch[i];
		// A value the target refuses to look up (a filter its parser rejects, text that is no DN) fails its item in
		// Provision User, alone and never as "not found"; reconcile then keeps the accounts it may match.
		if (typeof found === 'string' && result instanceof ProvisioningError && !result.transient && result.code !== 'DuplicateTargetEntries') {
			refused.push(value);
			continue;
		}
		const batched =
			result instanceof ProvisioningError
				? result.code === 'DuplicateTargetEntries'
					? 'duplicates'
					: `error: ${result.message}`
				: result.entry
					? [idKey(result.entry.id)]
					: [];
		// A one-key lookup stops at two accounts (enough to know the key is ambiguous).
		const foundAgrees =
			Array.isArray(found) &&
			(reconciled.length >= 2 ? found.length >= 2 && found.every((id) => reconciled.includes(id)) : String(found) === String(reconciled));
		const batchAgrees = reconciled.length >= 2 ? batched === 'duplicates' : String(batched) === String(reconciled);
		if (!foundAgrees || !batchAgrees) {
			const held = (id: string) => JSON.stringify(listed.find((e) => idKey(e.id) === id)?.attributes[attribute] ?? id);
			out.push(
				`seed ${seed}, ${attribute} = ${JSON.stringify(value)}: reconcile matched [${reconciled.map(held)}], ` +
					`the one-key lookup found ${Array.isArray(found) ? `[${found.map(held)}]` : found}, ` +
					`the batched lookup ${Array.isArray(batched) ? `[${batched.map(held)}]` : batched}`,
			);
		}
	}
	if (refused.length > sources.length / 2) out.push(`seed ${seed}: the target refused ${refused.length} of ${sources.length} values`);
	return out;
}
