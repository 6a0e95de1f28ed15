/** Listing and searching the trigger's store: filter, paging, and the SearchRequest body of POST …/.search. */
import { isObject } from '../../util';
import { matchesFilter, parseScimFilter } from './filter';
import type { IdentityStore, Resource, ResourceType } from './identityStore';
import { indexedCandidates } from './indexLookup';
import { ScimError } from './scimError';

export type Query = Record<string, string | undefined>;

export const lowerKeys = (q: Query) => Object.fromEntries(Object.entries(q).map(([k, v]) => [k.toLowerCase(), v]));

/** A SearchRequest body (POST …/.search) as the query parameters of a GET list. */
export function searchQuery(body: unknown): Query {
	if (!isObject(body)) throw new ScimError(400, 'A search needs a SearchRequest body', 'invalidSyntax');
	const text = (v: unknown) => (Array.isArray(v) ? v.join(',') : v === undefined ? undefined : String(v));
	return lowerKeys({
		filter: text(body.filter),
		startIndex: text(body.startIndex),
		count: text(body.count),
		attributes: text(body.attributes),
		excludedAttributes: text(body.excludedAttributes),
	});
}

/**
 * Lists with filter and paging, in the store's stable order (created, then id; across types, users first). An
 * equality on an indexed attribute (or an `or` of them) reads only its candidates; anything else is paged by the
 * store, which copies only the page (a full pass through 100,000 users, 100 at a time, is linear).
 */
export async function searchStore(
	store: IdentityStore,
	types: ResourceType[],
	query: Query,
	maxResults: number,
): Promise<{ page: Resource[]; total: number; startIndex: number }> {
	const startIndex = Math.max(1, Number.parseInt(query.startindex ?? '1', 10) || 1);
	const rawCount = query.count === undefined ? maxResults : Number.parseInt(query.count, 10);
	const count = Math.min(Math.max(0, Number.isNaN(rawCount) ? 0 : rawCount), maxResults);
	const filter = query.filter ? parseScimFilter(query.filter) : undefined;
	const match = filter ? (r: Resource) => matchesFilter(filter, r) : undefined;
	let offset = startIndex - 1;
	let total = 0;
	const page: Resource[] = [];
	for (const type of types) {
		const candidates = filter && (await indexedCandidates(store, type, filter));
		let found: { total: number; resources: Resource[] };
		if (candidates) {
			const matching = candidates.filter(match!);
			found = { total: matching.length, resources: matching.slice(offset, offset + count - page.length) };
		} else found = await store.page(type, { offset, limit: count - page.length, match });
		total += found.total;
		page.push(...found.resources);
		offset = Math.max(0, offset - found.total);
	}
	return { page, total, startIndex };
}
