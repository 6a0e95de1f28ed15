/**
 * Differential test of the SCIM filter parser (issue 18, defect 3): on random well-formed filters in RFC, Entra and Okta
 * forms, the parser must give the same tree, and so the same answers, as the pipeline it replaced (regex rewriting of
 * Entra's forms and unquoted values, then scim2-parse-filter), wherever that pipeline could parse the filter at all.
 * The old pipeline (test/harness/oldScimFilter.ts) is the oracle; scim2-parse-filter is a devDependency for it only.
 */
import fc from 'fast-check';
import { matchesFilter, parseScimFilter } from '../../lib/scim/server/filter';
import { oldParseFilter as oldParse } from '../harness/oldScimFilter';

const SEED = 180318;
const OPS = 'eq|ne|co|sw|ew|gt|ge|lt|le';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const resources: Array<Record<string, unknown>> = [
	{
		id: 'u1',
		externalId: 'Ext-1',
		userName: 'Ada.Lovelace@Example.org',
		displayName: 'Ada',
		active: true,
		title: 'Countess',
		name: { givenName: 'Ada', familyName: 'Lovelace' },
		emails: [
			{ type: 'work', value: 'ada@work.example', primary: true },
			{ type: 'home', value: 'ada@home.example' },
		],
		[ENT]: { department: 'R-D', employeeNumber: '7' },
		meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', lastModified: '2024-03-02T00:00:00Z' },
	},
	{ id: 'u2', userName: 'bob', active: false, emails: [{ type: 'work', value: 'bob@x.org' }], meta: { created: '2023-05-05T00:00:00Z' } },
	{ id: 'g1', displayName: 'Sales', members: [{ value: 'u1' }, { value: 'u2' }] },
	{ id: '42', userName: '42', externalId: 42, title: '', emails: [] },
];

const anyCase = (word: string) =>
	fc
		.array(fc.boolean(), { minLength: word.length, maxLength: word.length })
		.map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
const space = fc.constantFrom(' ', '  ', '\t', ' \n ');
const attr = fc.constantFrom(
	'userName',
	'username',
	'displayName',
	'externalId',
	'id',
	'title',
	'active',
	'name.givenName',
	'name.familyName',
	'emails',
	'emails.value',
	'emails.type',
	'members.value',
	'meta.created',
	'meta.lastModified',
	`${ENT}:department`,
	`${ENT}:employeeNumber`,
	'urn:ietf:params:scim:schemas:core:2.0:User:userName',
);
const word = fc.stringMatching(/^[A-Za-z0-9@._-]{1,12}$/);
const value = fc.oneof(
	word.map((w) => JSON.stringify(w)), // quoted
	word, // unquoted (Microsoft's examples)
	fc.constantFrom('true', 'false', 'null', '"True"', '"2024-02-01T00:00:00Z"', '"ada"', '"Ada.Lovelace@Example.org"', '"u1"', '"work"'),
	fc.integer({ min: -1000, max: 1000 }).map(String),
	fc.double({ min: -100, max: 100, noNaN: true }).map((d) => String(Math.round(d * 100) / 100)),
);
const compareOp = fc.constantFrom(...OPS.split('|')).chain(anyCase);
const comparison = fc.oneof(
	fc.tuple(attr, space, compareOp, space, value).map((parts) => parts.join('')),
	fc.tuple(attr, space, anyCase('pr')).map((parts) => parts.join('')),
);
const elementFilter = fc.oneof(
	fc.tuple(fc.constantFrom('type', 'value', 'primary'), compareOp, value).map(([a, op, v]) => `${a} ${op} ${v}`),
	fc
		.tuple(fc.constantFrom('type', 'value'), compareOp, value, fc.constantFrom('value', 'primary'), compareOp, value)
		.map(([a, op, v, b, op2, w]) => `${a} ${op} ${v} and ${b} ${op2} ${w}`),
);
const valuePath = fc.oneof(
	elementFilter.map((inner) => `emails[${inner}]`),
	fc.tuple(elementFilter, fc.constantFrom('value', 'type', 'primary'), compareOp, value).map(
		([inner, sub, op, v]) => `emails[${inner}].${sub} ${op} ${v}`, // Entra's form
	),
);
const { filter } = fc.letrec((tie) => ({
	filter: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		comparison,
		valuePath,
		fc.tuple(tie('filter'), space, anyCase('and'), space, tie('filter')).map((p) => p.join('')),
		fc.tuple(tie('filter'), space, anyCase('or'), space, tie('filter')).map((p) => p.join('')),
		tie('filter').map((f) => `(${f})`),
		fc.tuple(anyCase('not'), fc.constantFrom(' ', ''), tie('filter')).map(([not, s, f]) => `${not}${s}(${f})`),
	),
}));

/** What a filter answers for each resource: true, false, or the error it throws. */
const answers = (tree: ReturnType<typeof parseScimFilter>) =>
	resources.map((r) => {
		try {
			return matchesFilter(tree, r);
		} catch (error) {
			return (error as Error).message;
		}
	});

test(`the parser agrees with the old pipeline on every filter the old one parsed (fast-check, seed ${SEED})`, () => {
	let compared = 0;
	fc.assert(
		fc.property(filter, (text) => {
			let old;
			try {
				old = oldParse(text);
			} catch {
				return; // the old pipeline refused it (e.g. unquoted True, 007): nothing to compare
			}
			compared++;
			const parsed = parseScimFilter(text);
			expect(parsed).toEqual(old);
			expect(answers(parsed)).toEqual(answers(old));
		}),
		{ seed: SEED, numRuns: 5000 },
	);
	expect(compared).toBeGreaterThan(4000);
});

test('where the parser knowingly differs from the old pipeline', () => {
	// An `or` inside an Entra element filter: the rewrite produced `type eq "a" or type eq "b" and value eq "x"`.
	expect(parseScimFilter('emails[type eq "a" or type eq "b"].value eq "x"')).toEqual({
		op: '[]',
		attrPath: 'emails',
		valFilter: {
			op: 'and',
			filters: [
				{
					op: 'or',
					filters: [
						{ op: 'eq', attrPath: 'type', compValue: 'a' },
						{ op: 'eq', attrPath: 'type', compValue: 'b' },
					],
				},
				{ op: 'eq', attrPath: 'value', compValue: 'x' },
			],
		},
	});
	// Operator words inside a quoted value were rewritten by the unquoted-value regex.
	expect(parseScimFilter('title eq "a eq b"')).toEqual({ op: 'eq', attrPath: 'title', compValue: 'a eq b' });
	// JSON escapes (RFC 7644 compValue is a JSON string): `\\` is one backslash.
	expect(parseScimFilter('userName eq "dom\\\\ada"')).toEqual({ op: 'eq', attrPath: 'userName', compValue: 'dom\\ada' });
	// ABNF literals ignore case; leading zeros are not a JSON number, so the value stays text.
	expect(parseScimFilter('active eq True')).toEqual({ op: 'eq', attrPath: 'active', compValue: true });
	expect(parseScimFilter('externalId eq 0042')).toEqual({ op: 'eq', attrPath: 'externalId', compValue: '0042' });
});
