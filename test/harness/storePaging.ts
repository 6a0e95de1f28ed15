/** What every IdentityStore promises about listing order and pages, run against the file store and PostgreSQL alike. */
import type { IdentityStore, Resource } from '../../lib/scim/server/identityStore';

const ids = (rs: Resource[]) => rs.map((r) => r.id);
const sorted = (rs: Resource[]) =>
	[...rs].sort((a, b) => (a.meta.created < b.meta.created ? -1 : a.meta.created > b.meta.created ? 1 : a.id < b.id ? -1 : 1));

async function pageThrough(
	store: IdentityStore,
	size: number,
	match?: (r: Resource) => boolean,
): Promise<{ total: number; all: string[] }> {
	const all: string[] = [];
	let total = -1;
	for (let offset = 0; ; offset += size) {
		const page = await store.page('User', { offset, limit: size, match });
		if (total === -1) total = page.total;
		expect(page.total).toBe(total);
		all.push(...ids(page.resources));
		if (page.resources.length < size) break;
	}
	return { total, all };
}

/** `reopen` (optional) closes and opens the same store again, returning the new object. */
export async function pagingContract(open: () => IdentityStore, reopen?: (store: IdentityStore) => Promise<IdentityStore>): Promise<void> {
	let store = open();
	for (let i = 0; i < 250; i++) await store.create('User', { userName: `page${i}@x`, n: i });
	await store.create('Group', { displayName: 'not a user' });
	let list = await store.list('User');
	expect(ids(list)).toEqual(ids(sorted(list)));
	expect(await pageThrough(store, 7)).toEqual({ total: 250, all: ids(list) });

	// Updates (even of the indexed userName) do not move anything; deletes take resources out of the order.
	const order = ids(list);
	for (let i = 0; i < 250; i += 13) await store.update('User', order[i], (r) => ({ ...r, userName: `renamed${i}@x`, title: 'moved?' }));
	const gone = order.filter((_, i) => i % 25 === 3);
	for (const id of gone) await store.delete('User', id);
	const kept = order.filter((id) => !gone.includes(id));
	expect(await pageThrough(store, 10)).toEqual({ total: kept.length, all: kept });

	// New resources sort in by (created, id).
	for (let i = 0; i < 5; i++) await store.create('User', { userName: `late${i}@x`, n: 1000 + i });
	list = await store.list('User');
	expect(ids(list)).toEqual(ids(sorted(list)));
	expect(ids(list).slice(0, kept.length)).toEqual(kept);

	// Filtered pages: `match` first, then the window, with the matching total.
	const match = (r: Resource) => Number(r.n) % 3 === 0;
	const expected = ids(list.filter(match));
	expect(await pageThrough(store, 6, match)).toEqual({ total: expected.length, all: expected });

	// Edges: past the end, and a count of 0.
	expect(await store.page('User', { offset: 10000, limit: 10 })).toEqual({ total: list.length, resources: [] });
	expect(await store.page('User', { offset: 0, limit: 0 })).toEqual({ total: list.length, resources: [] });
	// A page is a copy: changing it changes nothing stored.
	const [first] = (await store.page('User', { offset: 0, limit: 1 })).resources;
	first.userName = 'changed';
	expect((await store.get('User', first.id))!.userName).not.toBe('changed');

	if (reopen) {
		store = await reopen(store);
		expect(ids(await store.list('User'))).toEqual(ids(list));
		expect((await pageThrough(store, 50)).all).toEqual(ids(list));
		const more = await store.create('User', { userName: 'after-reopen@x' });
		const { resources } = await store.page('User', { offset: list.length, limit: 5 });
		expect(ids(resources)).toEqual([more.id]);
	}
}
