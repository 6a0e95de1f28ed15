/**
 * The editor's SCIM group picker: `/Groups` by `displayName sw "…"` (the value quoted as a JSON string, RFC 7644
 * §3.4.2.2), one page at a time with startIndex/count. An app that refuses the filter (400) is listed unfiltered,
 * each page narrowed here, so the picker still works where only `eq` is implemented.
 */
import { ProvisioningError } from '../../errors';
import type { ScimClient } from '../../scim/client';
import { scimFilterValue } from '../../scim/path';
import { type ListPage, LIST_PAGE_SIZE, offsetOf, searchText } from '../listing';

interface Paging {
	search?: string;
	token?: string;
	pageSize?: number;
}

/** `displayName sw "…"`, or nothing for an empty search. */
export function groupSearchFilter(search = ''): string | undefined {
	const value = searchText(search);
	return value ? `displayName sw ${scimFilterValue(value)}` : undefined;
}

async function groupsPage(client: ScimClient, offset: number, size: number, filter: string | undefined) {
	const params: Record<string, string | number> = { startIndex: offset + 1, count: size, attributes: 'displayName' };
	if (filter) params.filter = filter;
	const res = await client.request({ method: 'GET', path: '/Groups', params, idempotent: true });
	const resources: Array<Record<string, unknown>> = Array.isArray(res.data?.Resources) ? res.data.Resources : [];
	const total = Number(res.data?.totalResults ?? 0);
	// Apps may send fewer than asked (their own cap): the next page starts after what came.
	const next = resources.length > 0 && offset + resources.length < total ? String(offset + resources.length) : undefined;
	return { resources, next };
}

/** Unfiltered pages read at most for one answer when the app refuses the filter and the page is narrowed here. */
const NARROWED_PAGES = 10;

const entryOf = (g: Record<string, unknown>) => ({
	name: String(g.displayName ?? ''),
	value: String(g.displayName ?? ''),
	description: `ID ${String(g.id ?? '')}`,
});

/** One page of the app's groups whose displayName starts with the search text, by displayName with the id beside it. */
export async function listScimGroups(client: ScimClient, options: Paging = {}): Promise<ListPage> {
	const search = searchText(options.search);
	const offset = offsetOf(options.token);
	const size = options.pageSize ?? LIST_PAGE_SIZE;
	try {
		const page = await groupsPage(client, offset, size, groupSearchFilter(search));
		const results = page.resources.map(entryOf).filter((g) => g.name !== '');
		return page.next ? { results, next: page.next } : { results };
	} catch (error) {
		if (!(search && error instanceof ProvisioningError && error.targetStatus === 400)) throw error;
	}
	// Unfiltered pages, narrowed here, until some match or a few pages were read (an empty page would end the list).
	const wanted = search.toLowerCase();
	const results: ListPage['results'] = [];
	let next: string | undefined = String(offset);
	for (let read = 0; next !== undefined && read < NARROWED_PAGES && results.length === 0; read++) {
		const page = await groupsPage(client, offsetOf(next), size, undefined);
		results.push(...page.resources.map(entryOf).filter((g) => g.name !== '' && g.name.toLowerCase().startsWith(wanted)));
		next = page.next;
	}
	return next ? { results, next } : { results };
}
