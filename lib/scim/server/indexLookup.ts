/**
 * Searches the store's indexes can answer (userName or displayName, externalId, id): an equality, an `or` of them (the
 * batched lookups clients send, up to the filter's 200 comparisons), an `and` with one among its terms. Anything else
 * is a scan (serviceProvider.ts). The candidates found are still tested against the whole filter.
 */
import type { IdentityStore, Resource, ResourceType } from './identityStore';
import { equalityKey, type Filter } from './filter';

export type IndexKey = { attribute: string; value: string };

/**
 * The index lookups that together find every resource a filter can match, or undefined when it needs a scan: an
 * equality on an indexed attribute (`indexed` says which), an `or` of such (Provision User's batched lookups), an
 * `and` with one among its terms (its fewest). What they find is still tested against the whole filter.
 */
export function indexKeys(filter: Filter, indexed: (attribute: string) => boolean): IndexKey[] | undefined {
	if (filter.op === 'eq') {
		const key = equalityKey(filter);
		return key && indexed(key.attribute.toLowerCase()) ? [key] : undefined;
	}
	if (filter.op === 'or') {
		const keys: IndexKey[] = [];
		for (const f of filter.filters) {
			const found = indexKeys(f, indexed);
			if (!found) return undefined;
			keys.push(...found);
		}
		return keys;
	}
	if (filter.op === 'and') {
		let fewest: IndexKey[] | undefined;
		for (const f of filter.filters) {
			const found = indexKeys(f, indexed);
			if (found && (!fewest || found.length < fewest.length)) fewest = found;
		}
		return fewest;
	}
	return undefined;
}

/** One index lookup. */
async function lookup(store: IdentityStore, type: ResourceType, { attribute, value }: IndexKey): Promise<Resource[]> {
	if (attribute.toLowerCase() === 'id') {
		const one = await store.get(type, value);
		return one ? [one] : [];
	}
	return attribute.toLowerCase() === 'externalid' ? store.findByExternalId(type, value) : store.findByName(type, value);
}

/** The store's listing order: created, then id. */
const storeOrder = (a: Resource, b: Resource) =>
	a.meta.created < b.meta.created || (a.meta.created === b.meta.created && a.id < b.id) ? -1 : 1;

/**
 * The resources of a type that a filter can match, found through the indexes (every lookup at once), in the store's
 * order; undefined when the filter needs a scan.
 */
export async function indexedCandidates(store: IdentityStore, type: ResourceType, filter: Filter): Promise<Resource[] | undefined> {
	const name = type === 'User' ? 'username' : 'displayname';
	const keys = indexKeys(filter, (attribute) => attribute === name || attribute === 'externalid' || attribute === 'id');
	if (!keys) return undefined;
	const distinct = new Map(keys.map((key) => [`${key.attribute.toLowerCase()}\n${key.value}`, key]));
	const found = new Map<string, Resource>();
	for (const resources of await Promise.all([...distinct.values()].map((key) => lookup(store, type, key))))
		for (const r of resources) found.set(r.id, r);
	return [...found.values()].sort(storeOrder);
}
