/**
 * The compiled mapping (issue 19: items that yield every row clone their trace and attributes from templates; others
 * are built key by key from the first row that does not) must answer exactly as the compiler it replaced, kept in
 * test/harness/oldMapping.ts: the same envelopes, keys in the same order, the same pending unique values, the same
 * errors, for random rows (every type, create-only, defaults, required, clear when empty, references, Redact,
 * IgnoreFlowIfNullOrEmpty, SelectUniqueValue) over items where values are present, empty, lists or missing.
 */
import fc from 'fast-check';
import { compileMapping, type MappingRow } from '../../lib/mapping/mapping';
import { compileMapping as oldCompileMapping } from '../../test/harness/oldMapping';

const SEED = 190619;

const FIELDS = ['a', 'b', 'c', 'list', 'objectClass'];
const fieldValue = fc.oneof(
	fc.constantFrom('x', 'Zoë', '', ' ', '0'),
	fc.constant(null),
	fc.integer({ min: -2, max: 2 }),
	fc.boolean(),
	fc.constantFrom([], ['one'], ['one', 'two'], ['', 'kept'], [[]]),
);
const item = fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 5 });

const expression = fc.constantFrom(
	'Join(" ", [a], [b])',
	'IgnoreFlowIfNullOrEmpty([a])',
	'Redact([b])',
	'Redact(IgnoreFlowIfNullOrEmpty([c]))',
	'SelectUniqueValue([a], Join(".", [a], [b]))',
	'Redact(SelectUniqueValue([a]))',
	'ToLower([a])',
	'[list]',
	'Coalesce([c], "fallback")',
	'IIF(IsPresent([a]), [a], "")',
);
const row = fc.record(
	{
		type: fc.constantFrom('direct', 'constant', 'expression', 'none'),
		source: fc.constantFrom(...FIELDS, 'missing'),
		constant: fc.constantFrom('k', ''),
		expression,
		defaultValue: fc.constantFrom(undefined, '', 'dflt'),
		apply: fc.constantFrom(undefined, 'always', 'create'),
		matchPrecedence: fc.constantFrom(0, 1, 2),
		required: fc.boolean(),
		optional: fc.boolean(),
		referenceBy: fc.constantFrom(undefined, undefined, 'userName'),
		clearWhenEmpty: fc.boolean(),
	},
	{ requiredKeys: ['type'] },
);
const rows = fc
	.uniqueArray(fc.constantFrom('userName', 'title', 'password', 'objectClass', 'name.givenName', 'manager', 'mail'), {
		minLength: 0,
		maxLength: 7,
	})
	.chain((targets) => fc.tuple(...targets.map((target) => row.map((r) => ({ ...r, target }) as MappingRow))));

/** What a mapping answers for an item, keys in order (JSON), or the error it throws. */
function answer(run: () => unknown): string {
	try {
		return JSON.stringify(run());
	} catch (error) {
		return `throws ${(error as Error).name}: ${(error as Error).message}`;
	}
}

test(`the compiled mapping answers exactly as the compiler it replaced (fast-check, seed ${SEED})`, () => {
	fc.assert(
		fc.property(rows, fc.array(item, { minLength: 1, maxLength: 6 }), fc.boolean(), (mapping, items, missingAsEmpty) => {
			const options = { missingAsEmpty, now: () => new Date('2026-01-02T03:04:05Z') };
			const compiledNew = answer(() => typeof compileMapping(mapping, options));
			const compiledOld = answer(() => typeof oldCompileMapping(mapping as never, options));
			expect(compiledNew).toBe(compiledOld);
			if (compiledOld.startsWith('throws')) return;
			const map = compileMapping(mapping, options);
			const oldMap = oldCompileMapping(mapping as never, options);
			// One compiled mapping for every item in turn, as a node runs it.
			expect(items.map((i) => answer(() => map(i)))).toEqual(items.map((i) => answer(() => oldMap(i))));
			// With the envelope's source given to the mapping (as the node does): the key the old node added last.
			const source = { id: 'E1' };
			const withSource = (i: Record<string, unknown>) => {
				const mapped = oldMap(i);
				mapped.envelope.source = source;
				return mapped;
			};
			expect(items.map((i) => answer(() => map(i, source)))).toEqual(items.map((i) => answer(() => withSource(i))));
		}),
		{ seed: SEED, numRuns: 3000 },
	);
});
