/**
 * The file store's in-memory view: resources by id, indexes by name (userName or displayName, case-insensitive) and
 * by externalId, and the listing order kept up to date by every create and delete.
 */
import type { Resource, ResourceType } from '../scim/server/identityStore';

const nameOf = (type: ResourceType, r: Record<string, unknown>) =>
	String((type === 'User' ? r.userName : r.displayName) ?? '').toLowerCase();
const externalOf = (r: Record<string, unknown>) => (r.externalId === undefined || r.externalId === null ? '' : String(r.externalId));

/** The listing order: created, then id. Neither changes after a create, so an update never moves a resource. */
const before = (a: Resource, b: Resource) => a.meta.created < b.meta.created || (a.meta.created === b.meta.created && a.id < b.id);

/** The ids under one index key: most keys have one, kept as a string; a Set only where ids share a key. */
type Ids = string | Set<string>;
function addId(map: Map<string, Ids>, key: string, id: string): void {
	if (!key) return;
	const ids = map.get(key);
	if (ids === undefined || ids === id) map.set(key, id);
	else if (typeof ids === 'string') map.set(key, new Set([ids, id]));
	else ids.add(id);
}
function removeId(map: Map<string, Ids>, key: string, id: string): void {
	const ids = map.get(key);
	if (ids === id) map.delete(key);
	else if (typeof ids === 'object') {
		ids.delete(id);
		if (ids.size === 0) map.delete(key);
	}
}
const idsOf = (ids: Ids | undefined): string[] => (ids === undefined ? [] : typeof ids === 'string' ? [ids] : [...ids]);

export class IdentityIndex {
	readonly resources: Record<ResourceType, Map<string, Resource>> = { User: new Map(), Group: new Map() };
	private readonly byName: Record<ResourceType, Map<string, Ids>> = { User: new Map(), Group: new Map() };
	private readonly byExternalId: Record<ResourceType, Map<string, Ids>> = { User: new Map(), Group: new Map() };
	/** Ids in listing order, built on first use (after loading) and then kept up to date by every create and delete. */
	private readonly order: Record<ResourceType, string[] | undefined> = { User: undefined, Group: undefined };
	/** The latest meta.created of any resource (ms): creates take a later millisecond, so the listing order is the creation order. */
	lastCreated = 0;

	get size(): number {
		return this.resources.User.size + this.resources.Group.size;
	}

	put(type: ResourceType, r: Resource): void {
		const created = Date.parse(r.meta.created);
		if (created > this.lastCreated) this.lastCreated = created;
		const old = this.resources[type].get(r.id);
		if (old) {
			removeId(this.byName[type], nameOf(type, old), r.id);
			removeId(this.byExternalId[type], externalOf(old), r.id);
		}
		this.resources[type].set(r.id, r);
		if (!old && this.order[type]) this.order[type]!.splice(this.position(type, r), 0, r.id);
		addId(this.byName[type], nameOf(type, r), r.id);
		addId(this.byExternalId[type], externalOf(r), r.id);
	}

	remove(type: ResourceType, id: string): void {
		const old = this.resources[type].get(id);
		if (!old) return;
		const order = this.order[type];
		if (order) {
			const at = this.position(type, old);
			if (order[at] === id) order.splice(at, 1);
			else this.order[type] = undefined; // cannot happen; rebuilt on next use rather than trusted
		}
		this.resources[type].delete(id);
		removeId(this.byName[type], nameOf(type, old), id);
		removeId(this.byExternalId[type], externalOf(old), id);
	}

	/** Where `r` is or belongs in the listing order: the first position not before it (binary search; a create is usually last). */
	private position(type: ResourceType, r: Resource): number {
		const order = this.order[type]!;
		const map = this.resources[type];
		const at = (i: number) => map.get(order[i])!;
		if (order.length === 0 || before(at(order.length - 1), r)) return order.length;
		let low = 0;
		let high = order.length;
		while (low < high) {
			const mid = (low + high) >>> 1;
			if (before(at(mid), r)) low = mid + 1;
			else high = mid;
		}
		return low;
	}

	/** Ids in listing order. */
	ordered(type: ResourceType): string[] {
		let order = this.order[type];
		if (!order) {
			const all = [...this.resources[type].values()];
			all.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
			order = this.order[type] = all.map((r) => r.id);
		}
		return order;
	}

	/** The resources under one index key, in listing order (not copies). */
	private lookup(type: ResourceType, ids: Ids | undefined): Resource[] {
		const found = idsOf(ids)
			.map((id) => this.resources[type].get(id))
			.filter((r): r is Resource => !!r);
		if (found.length > 1) found.sort((a, b) => (before(a, b) ? -1 : 1));
		return found;
	}

	byNameOf(type: ResourceType, name: string): Resource[] {
		return this.lookup(type, this.byName[type].get(name.toLowerCase()));
	}

	byExternalIdOf(type: ResourceType, externalId: string): Resource[] {
		return this.lookup(type, this.byExternalId[type].get(externalId));
	}

	/** The resource's index name (lower-cased userName or displayName; '' when it has none). */
	nameOf(type: ResourceType, data: Record<string, unknown>): string {
		return nameOf(type, data);
	}

	/** Whether a resource other than `id` has this index name. */
	nameTaken(type: ResourceType, name: string, id?: string): boolean {
		return idsOf(this.byName[type].get(name)).some((other) => other !== id);
	}
}
