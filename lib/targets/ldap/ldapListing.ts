/**
 * The editor's LDAP pickers: containers (OUs, AD containers, the domain itself) for search bases and target OUs,
 * and groups by name. Read with Simple Paged Results so a directory of any size is listed in bounded memory; a
 * paged-results cookie lives only as long as its connection and the editor opens one per page, so a page token is
 * the offset in the directory's own order, skipped over on the next request. The search text is escaped into the
 * filter (RFC 4515), so it is matched as text.
 */
import { ProvisioningError } from '../../errors';
import { escapeFilterValue } from '../../ldap/escape';
import { type ListPage, LIST_PAGE_SIZE, offsetOf, searchText } from '../listing';
import type { LdapConnection, LdapEntry } from './connection';

/** Object classes that hold entries: OUs, AD's containers, and the domain or organisation at the top. */
export const CONTAINER_CLASSES = ['organizationalUnit', 'container', 'domain', 'organization'];

/** Attributes that name a container in its RDN. */
const CONTAINER_NAMES = ['ou', 'cn', 'dc', 'o'];

/** LDAP result code 4 (RFC 4511): the search reached the server's size limit. */
const SIZE_LIMIT_EXCEEDED = 4;

/** Entries the server sends per paged-results page. */
const SERVER_PAGE = 500;

interface Paging {
	search?: string;
	token?: string;
	pageSize?: number;
}

/** `ou=People` typed into the search box searches for People: a DN-like search is cut to its value. */
function searchValue(search: string): string {
	const rdn = /^\s*(ou|cn|dc|o)\s*=\s*([^,]*)/i.exec(search);
	return (rdn ? rdn[2] : search).trim();
}

/** The filter for containers whose naming attribute contains the search text. */
export function containerFilter(search = ''): string {
	const classes = `(|${CONTAINER_CLASSES.map((c) => `(objectClass=${c})`).join('')})`;
	const value = searchValue(searchText(search));
	if (!value) return classes;
	const escaped = escapeFilterValue(value);
	return `(&${classes}(|${CONTAINER_NAMES.map((a) => `(${a}=*${escaped}*)`).join('')}))`;
}

/** The filter for groups of one object class whose cn contains the search text. */
export function groupFilter(objectClass: string, search = ''): string {
	const value = searchText(search);
	const cls = `(objectClass=${escapeFilterValue(objectClass)})`;
	return value ? `(&${cls}(cn=*${escapeFilterValue(value)}*))` : cls;
}

/** One page of a paged search: skips `offset` entries, keeps `size`, and reads one more to know if a page follows. */
async function pageOfSearch(
	connection: LdapConnection,
	what: string,
	base: string,
	filter: string,
	attributes: string[],
	options: Paging,
	toEntry: (entry: LdapEntry) => ListPage['results'][number],
): Promise<ListPage> {
	const offset = offsetOf(options.token);
	const size = options.pageSize ?? LIST_PAGE_SIZE;
	const kept: LdapEntry[] = [];
	let seen = 0;
	let more = false;
	const pages = connection.searchPaged(what, base, { scope: 'sub', filter, attributes }, Math.min(SERVER_PAGE, offset + size + 1));
	try {
		for await (const entry of pages) {
			seen++;
			if (seen <= offset) continue;
			if (kept.length === size) {
				more = true;
				break;
			}
			kept.push(entry);
		}
	} catch (error) {
		// The directory's size limit for this bind DN (slapd's default is 500, paged or not) ends the list here.
		if (!(error instanceof ProvisioningError && error.targetStatus === SIZE_LIMIT_EXCEEDED)) throw error;
		if (kept.length === 0) {
			throw new ProvisioningError(
				'Configuration',
				`The directory returns at most ${seen} entries to this bind DN (its size limit): type in the search box to narrow the list, or enter the DN`,
				{ targetStatus: SIZE_LIMIT_EXCEEDED },
			);
		}
		more = false;
	}
	const results = kept.map(toEntry);
	return more ? { results, next: String(offset + size) } : { results };
}

/** Containers under the base DN (the base included when it is one), as DNs; `1.1` asks for no attributes. */
export function listContainers(connection: LdapConnection, baseDn: string, options: Paging = {}): Promise<ListPage> {
	return pageOfSearch(connection, 'container search', baseDn, containerFilter(options.search), ['1.1'], options, (entry) => ({
		name: entry.dn,
		value: entry.dn,
	}));
}

/** Groups of an object class under a base, by name (cn), with their DN beside it. */
export function listGroups(connection: LdapConnection, base: string, objectClass: string, options: Paging = {}): Promise<ListPage> {
	return pageOfSearch(connection, 'group search', base, groupFilter(objectClass, options.search), ['cn'], options, (entry) => {
		const cn = entry.cn;
		const name = String(Array.isArray(cn) ? (cn[0] ?? '') : (cn ?? ''));
		return { name, value: name, description: entry.dn };
	});
}
