/** The SCIM Trigger's store for queue mode, against a real PostgreSQL: shared by processes, locked per row. */
import { PostgresIdentityStore } from '../../lib/store/postgresIdentityStore';
import { ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import { entraGroupConversation, entraUserConversation, oktaUserConversation } from '../harness/scimConversations';
import { Postgres } from '../servers/postgres';
import { pagingContract } from '../harness/storePaging';

let pg: Postgres;
const stores: PostgresIdentityStore[] = [];
const open = (key = 'trigger-a') => {
	const store = new PostgresIdentityStore(pg.config, key);
	stores.push(store);
	return store;
};
beforeAll(async () => {
	pg = await Postgres.start();
});
afterAll(async () => {
	await Promise.all(stores.map((s) => s.close()));
	await pg.stop();
});

test('the same resources from two store objects (two n8n processes), separated per trigger node', async () => {
	const a = open('node-1');
	const b = open('node-1');
	const other = open('node-2');
	const created = await a.create('User', { userName: 'Shared@Example.org', externalId: 'S1' });
	expect((await b.get('User', created.id))!.userName).toBe('Shared@Example.org');
	expect((await b.findByName('User', 'shared@example.org')).map((r) => r.id)).toEqual([created.id]);
	expect((await b.findByExternalId('User', 'S1')).map((r) => r.id)).toEqual([created.id]);
	expect(await other.count('User')).toBe(0);
	await expect(b.create('User', { userName: 'SHARED@example.org' })).rejects.toMatchObject({ name: 'StoreError', kind: 'conflict' });
	expect(await other.create('User', { userName: 'shared@example.org' })).toMatchObject({ userName: 'shared@example.org' });
	await expect(b.update('User', created.id, (r) => r, 'W/"9"')).rejects.toMatchObject({ kind: 'versionMismatch' });
	expect((await b.delete('User', created.id))!.id).toBe(created.id);
	expect(await a.get('User', created.id)).toBeUndefined();
});

test('50 concurrent writers through two store objects lose no update, and only one of two racing creates wins', async () => {
	const a = open('node-3');
	const b = open('node-3');
	const user = await a.create('User', { userName: 'counter@x', counter: 0 });
	await Promise.all(
		Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).update('User', user.id, (r) => ({ ...r, counter: Number(r.counter) + 1 }))),
	);
	expect((await a.get('User', user.id))!.counter).toBe(50);
	const race = await Promise.allSettled([a.create('User', { userName: 'race@x' }), b.create('User', { userName: 'RACE@x' })]);
	expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
});

test('the Entra and Okta conversations pass with the PostgreSQL store behind the service provider', async () => {
	const provider = new ScimServiceProvider(open('node-4'), { baseUrl: 'https://n8n.example/webhook/x/scim/v2' });
	const call = async (
		method: string,
		path: string,
		body?: unknown,
		query: Record<string, string> = {},
		headers: Record<string, string> = {},
	) =>
		(
			await provider.handle({
				method,
				path,
				query,
				headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
				body,
			})
		).response as any;
	await entraUserConversation(call);
	await entraGroupConversation(call);
	await oktaUserConversation(call);
});

test('pages in a stable (created, id) order, read in the database; filtered pages too', async () => {
	await pagingContract(
		() => open('node-paging'),
		async () => open('node-paging'),
	);
});

test('counts kept by every create and delete across processes; a page after another process deleted is the OFFSET answer; an older store is counted once', async () => {
	const a = open('node-counts');
	const b = open('node-counts');
	const ids = (await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).create('User', { userName: `c${i}@x` })))).map(
		(r) => r.id,
	);
	await Promise.allSettled([a.create('User', { userName: 'C1@x' }), b.create('User', { userName: 'c1@X' })]); // both taken: no count change
	expect([await a.count('User'), await b.count('User')]).toEqual([60, 60]);
	// a reads page 1 (so it holds a keyset hint for offset 20), then b deletes a user inside page 1.
	const first = await a.page('User', { offset: 0, limit: 20 });
	await b.delete('User', first.resources[5].id);
	await b.delete('User', 'ffffffff-ffff-4fff-8fff-ffffffffffff'); // absent: no count change
	const second = await a.page('User', { offset: 20, limit: 20 });
	const byOffset = (await b.list('User')).slice(20, 40).map((r) => r.id);
	expect(second.total).toBe(59);
	expect(second.resources.map((r) => r.id)).toEqual(byOffset);
	expect(ids.length).toBe(60);

	// A store written before counts were kept: its counts row is missing until a process opens it.
	const pool = new (require('pg').Pool)(pg.config);
	await pool.query(`DELETE FROM provisioning_scim_count WHERE store_key = 'node-counts'`);
	await pool.end();
	const fresh = open('node-counts');
	expect(await fresh.count('User')).toBe(59);
	await fresh.create('User', { userName: 'after@x' });
	expect(await fresh.count('User')).toBe(60);
	expect((await fresh.page('User', { offset: 55, limit: 10 })).resources).toHaveLength(5);
});
