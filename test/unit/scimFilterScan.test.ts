/**
 * The SCIM Trigger's filtered searches at the filter caps (issue 19, the denial of service found in issue 18): an `or`
 * of equalities on indexed attributes is answered from the store's indexes, and what still needs a scan runs a
 * filter compiled once per request. Both must answer exactly as before: the compiled evaluator against the
 * interpreter it replaced (test/harness/oldScimFilterMatch.ts), index lookups against a scan.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { compileFilter, parseScimFilter } from '../../lib/scim/server/filter';
import { ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import { FileIdentityStore } from '../../lib/store/fileIdentityStore';
import type { IdentityStore, PageRequest, ResourceType } from '../../lib/scim/server/identityStore';
import { INDEXED_SEARCH_SEED, indexedSearchMatchesScan } from '../harness/indexedSearch';
import { oldMatchesFilter } from '../harness/oldScimFilterMatch';

const SEED = 190319;
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Resources as stores may hold them, legacy shapes included: keys differing only in case, nested lists, odd values. */
const resources: Array<Record<string, unknown>> = [
	{
		id: 'u1',
		externalId: 'Ext-1',
		userName: 'Ada@Example.org',
		displayName: 'Ada',
		active: true,
		title: 'Countess',
		name: { givenName: 'Ada', familyName: 'Lovelace' },
		emails: [
			{ type: 'work', value: 'ada@work.example', primary: true },
			{ type: 'home', value: 'ADA@home.example' },
		],
		[ENT]: { department: 'R-D', employeeNumber: '7', manager: { value: 'u2' } },
		meta: { created: '2024-01-01T00:00:00Z', version: 'W/"3"' },
	},
	{ id: 'u2', UserName: 'Bob', username: 'bobby', Active: 'true', emails: [[{ value: 'bob@x.org' }], { type: 'work' }], title: 7 },
	{
		id: 'g1',
		displayName: 'Sales',
		members: [{ value: 'u1' }, { value: 'U2' }, null],
		'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER': { department: 'x' },
	},
	{ id: '42', userName: '42', externalId: 42, title: '', emails: [], name: null, active: false, members: 'u1' },
	{ id: 'o', emails: { value: 'one@x.org', Type: 'WORK' }, title: { value: 'Boss' }, name: { GivenName: 'Olga', givenName: 'olga' } },
];

const anyCase = (word: string) =>
	fc
		.array(fc.boolean(), { minLength: word.length, maxLength: word.length })
		.map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
const attr = fc.oneof(
	fc
		.constantFrom(
			'userName',
			'displayName',
			'externalId',
			'id',
			'title',
			'active',
			'name.givenName',
			'emails',
			'emails.value',
			'emails.type',
		)
		.chain(anyCase),
	fc.constantFrom(
		'members.value',
		'members',
		'meta.created',
		'meta.version',
		`${ENT}:department`,
		`${ENT}:manager.value`,
		'absent',
		'urn:ietf:params:scim:schemas:core:2.0:User:userName',
	),
);
const value = fc.oneof(
	fc.constantFrom(
		'"ada@example.org"',
		'"Ada"',
		'"bob"',
		'"BOBBY"',
		'"u1"',
		'"U2"',
		'"42"',
		'"work"',
		'"7"',
		'""',
		'"boss"',
		'"olga"',
		'"2024"',
		'"true"',
		'"False"',
	),
	fc.constantFrom('true', 'false', 'null', '42', '7', '0'),
	fc.stringMatching(/^[a-z0-9@.]{1,6}$/).map((w) => JSON.stringify(w)),
);
const op = fc.constantFrom('eq', 'eq', 'eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');
const comparison = fc.oneof(
	fc.tuple(attr, op, value).map(([a, o, v]) => `${a} ${o} ${v}`),
	attr.map((a) => `${a} pr`),
	// Runs of equalities on one attribute: what the compiled `or` answers with one set lookup.
	fc.tuple(attr, fc.array(value, { minLength: 2, maxLength: 6 })).map(([a, vs]) => vs.map((v) => `${a} eq ${v}`).join(' or ')),
	fc.tuple(fc.constantFrom('type', 'value', 'primary'), op, value).map(([a, o, v]) => `emails[${a} ${o} ${v}]`),
	fc.tuple(fc.constantFrom('members', 'emails'), value).map(([a, v]) => `${a}[value eq ${v}]`),
);
const { filter } = fc.letrec((tie) => ({
	filter: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		comparison,
		fc.tuple(tie('filter'), fc.constantFrom('and', 'or'), tie('filter')).map(([a, o, b]) => `${a} ${o} ${b}`),
		tie('filter').map((f) => `not (${f})`),
	),
}));

const answer = (evaluate: () => boolean) => {
	try {
		return evaluate();
	} catch (error) {
		return (error as Error).message;
	}
};

test(`the compiled filter answers as the interpreter it replaced, errors included (fast-check, seed ${SEED})`, () => {
	fc.assert(
		fc.property(filter, (text) => {
			const tree = parseScimFilter(text);
			const test = compileFilter(tree);
			// One compiled test for every resource in turn, as a scan runs it.
			expect(resources.map((r) => answer(() => test(r)))).toEqual(resources.map((r) => answer(() => oldMatchesFilter(tree, r))));
		}),
		{ seed: SEED, numRuns: 4000 },
	);
});

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'filter-scan-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The store, counting the pages it is asked for that must examine every resource (a `match`). */
function countingScans(store: IdentityStore): { store: IdentityStore; scans: ResourceType[] } {
	const scans: ResourceType[] = [];
	const page = store.page.bind(store);
	return {
		scans,
		store: Object.assign(Object.create(store) as IdentityStore, {
			page: (type: ResourceType, request: PageRequest) => {
				if (request.match) scans.push(type);
				return page(type, request);
			},
		}),
	};
}

test('an `or` of up to 200 equalities on userName, externalId or id (a batched lookup) is answered from the indexes, never by a scan', async () => {
	const file = new FileIdentityStore(dir);
	try {
		const ids: string[] = [];
		for (let i = 0; i < 50; i++) ids.push((await file.create('User', { userName: `user${i}@example.org`, externalId: `E${i}` })).id);
		const { store, scans } = countingScans(file);
		const provider = new ScimServiceProvider(store, { baseUrl: 'https://n8n.example/scim/v2', maxResults: 500 });
		const search = async (filter: string) => {
			const { response } = await provider.handle({ method: 'GET', path: '/Users', query: { filter }, headers: {} });
			expect(response.status).toBe(200);
			return (response.body as { totalResults: number }).totalResults;
		};
		const or = (n: number, term: (i: number) => string) => Array.from({ length: n }, (_, i) => term(i)).join(' or ');
		expect(await search(or(200, (i) => `userName eq "USER${i}@example.org"`))).toBe(50);
		expect(await search(or(200, (i) => `externalId eq "E${i}"`))).toBe(50);
		expect(await search(or(200, (i) => (i < 50 ? `id eq "${ids[i]}"` : `id eq "missing-${i}"`)))).toBe(50);
		expect(await search(or(100, (i) => `(userName eq "user${i}@example.org" and externalId eq "E${i}")`))).toBe(50);
		expect(await search(`(${or(100, (i) => `externalId eq "E${i}"`)}) and active pr`)).toBe(0);
		expect(scans).toEqual([]);
		// One term no index serves: a scan, as before.
		expect(await search(`userName eq "user1@example.org" or title pr`)).toBe(1);
		expect(scans).toEqual(['User']);
	} finally {
		await file.close();
	}
});

test(`file store: searches answered from the indexes answer exactly as a scan (fast-check, seed ${INDEXED_SEARCH_SEED})`, async () => {
	const store = new FileIdentityStore(dir);
	try {
		await indexedSearchMatchesScan(store);
	} finally {
		await store.close();
	}
});
