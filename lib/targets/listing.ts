/**
 * One page of things the editor lists in a picker (tables, columns, OUs, groups, Data Tables): what each target's
 * listing returns, and the node turns into n8n's list-search result. Pages are addressed by an opaque token; for
 * listings without a server-side cursor it is the offset of the page's first entry.
 */

export interface ListEntry {
	/** What the list shows. */
	name: string;
	/** What the parameter gets. */
	value: string;
	description?: string;
}

export interface ListPage {
	results: ListEntry[];
	/** The token of the next page; absent on the last one. */
	next?: string;
}

/** Entries a page shows: n8n's editor asks for the next page as the list is scrolled. */
export const LIST_PAGE_SIZE = 100;

/** The offset a token stands for; anything but a small non-negative integer is the first page. */
export function offsetOf(token: unknown): number {
	const text = typeof token === 'string' || typeof token === 'number' ? String(token) : '';
	if (!/^\d{1,9}$/.test(text)) return 0;
	return Number(text);
}

/** The search text as typed, trimmed; empty for none. Capped: a search box is not a place for megabytes. */
export function searchText(search: unknown, max = 200): string {
	return typeof search === 'string' ? search.trim().slice(0, max) : '';
}

/**
 * A page from `size + 1` rows read at `offset`: the extra row only says that another page follows. The next
 * offset counts rows read, not entries kept, so entries left out (e.g. names the node cannot use) do not shift it.
 */
export function pageFrom<T>(rows: T[], offset: number, size: number, toEntry: (row: T) => ListEntry | undefined): ListPage {
	const more = rows.length > size;
	const kept = rows.slice(0, size);
	const results = kept.map(toEntry).filter((e): e is ListEntry => e !== undefined);
	return more ? { results, next: String(offset + kept.length) } : { results };
}
