/**
 * Searches answered from the store's indexes must answer exactly what a scan of every resource answers (issue 19):
 * the same property run against the file store and PostgreSQL. Filters are `or`s (and `and`s) of equalities on
 * userName/displayName, externalId and id, in every spelling and case, with values that exist, differ only in case,
 * or are absent; each is asked as it is (index lookups) and as `not (not (…))`, which no index serves (a scan), and
 * checked against the filter evaluator from before issue 19 run over the whole listing.
 */
import fc from 'fast-check';
import { ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import { parseScimFilter } from '../../lib/scim/server/filter';
import type { IdentityStore, Resource } from '../../lib/scim/server/identityStore';
import { oldMatchesFilter } from './oldScimFilterMatch';

export const INDEXED_SEARCH_SEED = 190306;

/** Users and groups with shared and missing externalIds, names that differ only in case, numbers as text. */
async function fill(store: IdentityStore): Promise<Resource[]> {
	const created: Resource[] = [];
	for (let i = 0; i < 30; i++) {
		const externalId = i % 7 === 0 ? undefined : i % 5 === 0 ? `E${i % 3}` : i % 4 === 0 ? `e${i}` : `E${i}`;
		created.push(
			await store.create('User', {
				userName: i % 3 === 0 ? `User${i}@Example.org` : `user${i}@example.org`,
				...(externalId === undefined ? {} : { externalId }),
				displayName: `Person ${i % 10}`,
				active: i % 2 === 0,
				...(i % 6 === 0 ? { title: String(i) } : {}),
			}),
		);
	}
	for (let i = 0; i < 6; i++)
		created.push(await store.create('Group', { displayName: i % 2 ? `Team ${i}` : 'Team', ...(i % 3 ? { externalId: `E${i}` } : {}) }));
	return created;
}

const anyCase = (word: string) =>
	fc
		.array(fc.boolean(), { minLength: word.length, maxLength: word.length })
		.map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));

/** Runs the property against a store holding nothing yet. */
export async function indexedSearchMatchesScan(store: IdentityStore, numRuns = 200): Promise<void> {
	const all = await fill(store);
	const provider = new ScimServiceProvider(store, { baseUrl: 'https://n8n.example/scim/v2', maxResults: 100 });
	const attribute = fc.oneof(
		fc.constantFrom('userName', 'displayName', 'externalId', 'id').chain(anyCase),
		fc.constantFrom('urn:ietf:params:scim:schemas:core:2.0:User:userName', 'urn:ietf:params:scim:schemas:core:2.0:Group:displayName'),
	);
	const known = all.flatMap((r) => [r.id, r.userName, r.displayName, r.externalId].filter((v) => v !== undefined).map(String));
	const value = fc.oneof(
		fc.constantFrom(...known).chain((v) => fc.oneof(fc.constant(v), anyCase(v))),
		fc.constantFrom('absent@example.org', '00000000-0000-4000-8000-000000000000', '6'),
	);
	// Mostly an attribute with a value some resource has for it (so `or`s find several, in any order), in any case.
	const held = fc
		.constantFrom(...all)
		.chain((r) =>
			fc
				.constantFrom(...(['userName', 'externalId', 'id', 'displayName'] as const).filter((a) => r[a] !== undefined))
				.chain((a) => fc.tuple(anyCase(a), fc.oneof(fc.constant(String(r[a])), anyCase(String(r[a]))))),
		);
	const term = fc.oneof(
		{ weight: 8, arbitrary: held.map(([a, v]) => `${a} eq ${JSON.stringify(v)}`) },
		{ weight: 3, arbitrary: fc.tuple(attribute, value).map(([a, v]) => `${a} eq ${JSON.stringify(v)}`) },
		{ weight: 1, arbitrary: fc.tuple(attribute, fc.integer({ min: 0, max: 30 })).map(([a, n]) => `${a} eq ${n}`) },
		// Not served by an index: the whole filter falls back to a scan, which must still agree.
		{ weight: 1, arbitrary: fc.constantFrom('title pr', 'active eq true', 'userName co "USER1"') },
	);
	const filter = fc.tuple(
		fc.array(term, { minLength: 1, maxLength: 12 }),
		fc.constantFrom('', ' and active eq true', ' and externalId eq "E1"', ' and not (title pr)'),
	);
	const paging = fc.record({ startIndex: fc.integer({ min: 1, max: 12 }), count: fc.integer({ min: 0, max: 15 }) });
	const path = fc.constantFrom('/Users', '/Groups', '/.search');

	const ask = async (where: string, text: string, page: { startIndex: number; count: number }) => {
		const query = { filter: text, startIndex: String(page.startIndex), count: String(page.count) };
		const request =
			where === '/.search'
				? { method: 'POST', path: where, query: {}, headers: {}, body: query }
				: { method: 'GET', path: where, query, headers: {} };
		const { response } = await provider.handle(request);
		const body = response.body as { totalResults: number; startIndex: number; itemsPerPage: number; Resources: Resource[] };
		return { status: response.status, total: body.totalResults, ids: body.Resources?.map((r) => r.id) };
	};

	await fc.assert(
		fc.asyncProperty(filter, paging, path, async ([terms, tail], page, where) => {
			const text = `(${terms.join(' or ')})${tail}`;
			const indexed = await ask(where, text, page);
			const scanned = await ask(where, `not (not (${text}))`, page);
			expect(indexed).toEqual(scanned);
			// The evaluator from before issue 19 over the whole listing, in the store's order (users first).
			const types = where === '/Users' ? ['User'] : where === '/Groups' ? ['Group'] : ['User', 'Group'];
			const tree = parseScimFilter(text);
			const listed = (await Promise.all(types.map((t) => store.list(t as 'User' | 'Group')))).flat();
			const matching = listed.filter((r) => oldMatchesFilter(tree, r)).map((r) => r.id);
			expect(indexed).toEqual({
				status: 200,
				total: matching.length,
				ids: matching.slice(page.startIndex - 1, page.startIndex - 1 + page.count),
			});
		}),
		{ seed: INDEXED_SEARCH_SEED, numRuns },
	);
}
