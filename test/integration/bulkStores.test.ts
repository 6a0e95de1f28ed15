/**
 * Issue 20: /Bulk and Entra's bulkUpload through the service provider into both identity stores the SCIM Trigger
 * uses, the file store and a real PostgreSQL (queue mode): the same answers and the same state; upload records kept
 * and read back (by another store object, as another n8n process would), forgotten after UPLOAD_RETENTION.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IdentityStore, UploadRecord } from '../../lib/scim/server/identityStore';
import { ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import { FileIdentityStore } from '../../lib/store/fileIdentityStore';
import { PostgresIdentityStore } from '../../lib/store/postgresIdentityStore';
import { Postgres } from '../servers/postgres';

const BASE = 'https://n8n.example/webhook/x/scim/v2';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../fixtures/bulkUpload', name), 'utf8'));

let pg: Postgres;
let dir: string;
const opened: IdentityStore[] = [];
let run = 0;
beforeAll(async () => {
	pg = await Postgres.start();
	dir = mkdtempSync(join(tmpdir(), 'bulkstores-'));
});
afterAll(async () => {
	await Promise.all(opened.map((s) => s.close()));
	await pg.stop();
	rmSync(dir, { recursive: true, force: true });
});

/** Two store objects over the same data: the second stands for another n8n process (PostgreSQL) or a restart (file). */
const stores: Record<string, () => { store: IdentityStore; reopen: () => Promise<IdentityStore> }> = {
	file: () => {
		const folder = join(dir, `file-${++run}`);
		const store = new FileIdentityStore(folder);
		opened.push(store);
		return {
			store,
			reopen: async () => {
				await store.close();
				opened.splice(opened.indexOf(store), 1);
				const again = new FileIdentityStore(folder);
				opened.push(again);
				return again;
			},
		};
	},
	postgres: () => {
		const key = `bulk-${++run}`;
		const store = new PostgresIdentityStore(pg.config, key);
		opened.push(store);
		return {
			store,
			reopen: async () => {
				const other = new PostgresIdentityStore(pg.config, key);
				opened.push(other);
				return other;
			},
		};
	},
};

describe.each(Object.keys(stores))('the %s store', (kind) => {
	test('a /Bulk with creates, a group naming them by bulkId, updates, a failing operation and deletes', async () => {
		const { store } = stores[kind]();
		const provider = new ScimServiceProvider(store, { baseUrl: BASE });
		const { response, events } = await provider.handle({
			method: 'POST',
			path: '/Bulk',
			query: {},
			headers: {},
			body: {
				schemas: [BULK_REQUEST],
				Operations: [
					{
						method: 'POST',
						path: '/Groups',
						bulkId: 'team',
						data: { displayName: 'Team', members: [{ value: 'bulkId:ann' }, { value: 'bulkId:bob' }] },
					},
					{ method: 'POST', path: '/Users', bulkId: 'ann', data: { userName: 'ann@x', [ENT]: { manager: { value: 'bulkId:bob' } } } },
					{ method: 'POST', path: '/Users', bulkId: 'bob', data: { userName: 'bob@x' } },
					{ method: 'POST', path: '/Users', bulkId: 'dup', data: { userName: 'BOB@x' } },
					{ method: 'PATCH', path: '/Users/bulkId:ann', data: PATCH([{ op: 'replace', path: 'title', value: 'Lead' }]) },
					{ method: 'DELETE', path: '/Users/bulkId:bob' },
				],
			},
		});
		const body = response.body as { Operations: Array<{ bulkId?: string; status: string }> };
		expect(body.Operations.map((o) => o.status)).toEqual(['201', '201', '201', '409', '200', '204']);
		const ann = (await store.findByName('User', 'ann@x'))[0];
		expect(ann.title).toBe('Lead');
		expect(await store.findByName('User', 'bob@x')).toEqual([]);
		expect((await store.findByName('Group', 'Team'))[0].members).toEqual([{ value: ann.id }]);
		expect(events.map((e) => e.event)).toEqual([
			'user.created',
			'user.created',
			'group.created',
			'user.updated',
			'user.deleted',
			'group.membersRemoved',
		]);
	});

	test('a PATCH that changes nothing emits no event (PostgreSQL jsonb reorders object keys: not a change)', async () => {
		const { store } = stores[kind]();
		const provider = new ScimServiceProvider(store, { baseUrl: BASE });
		const call = (method: string, path: string, body: unknown) => provider.handle({ method, path, query: {}, headers: {}, body });
		const data = {
			userName: 'keys@x',
			name: { givenName: 'Kim', familyName: 'Lee', formatted: 'Kim Lee' },
			[ENT]: { employeeNumber: '7', department: 'Ops' },
		};
		const id = ((await call('POST', '/Users', data)).response.body as { id: string }).id;
		const { response, events } = await call('PATCH', `/Users/${id}`, PATCH([{ op: 'replace', value: data }]));
		expect(response.status).toBe(200);
		expect(events).toEqual([]);
	});

	test('bulk uploads: Microsoft’s samples upsert, the outcomes are read back by another store object, old ones are forgotten', async () => {
		const { store, reopen } = stores[kind]();
		const provider = new ScimServiceProvider(store, { baseUrl: BASE });
		const post = async (body: unknown) =>
			(await provider.handle({ method: 'POST', path: '/bulkUpload', query: {}, headers: { 'user-agent': 'replay' }, body })).response;
		const first = await post(fixture('graph-example1-core-enterprise.json'));
		expect(first).toMatchObject({ status: 202, body: { created: 2 } });
		const second = await post(fixture('graph-example2-custom-schema.json'));
		expect(second.body).toMatchObject({ updated: 2 });
		const third = await post(fixture('graph-example2-custom-schema.json'));
		expect(third.body).toMatchObject({ unchanged: 2 });
		const id = (second.body as { id: string }).id;

		const other = await reopen();
		const reader = new ScimServiceProvider(other, { baseUrl: BASE });
		const read = (await reader.handle({ method: 'GET', path: `/bulkUpload/${id}`, query: {}, headers: {} })).response;
		expect(read).toMatchObject({
			status: 200,
			body: {
				id,
				client: 'replay',
				anchor: 'externalId',
				summary: { created: 0, updated: 2, unchanged: 0, failed: 0 },
				records: [
					{ operation: 0, bulkId: '701984', anchorValue: '701984', result: 'updated', status: '200' },
					{ operation: 1, bulkId: '701985', anchorValue: '701985', result: 'updated', status: '200' },
				],
			},
		});
		expect(await other.getUpload('not-a-uuid')).toBeUndefined();
		const old: UploadRecord = {
			id: '00000000-0000-4000-8000-000000000001',
			received: new Date(Date.now() - 8 * 86_400_000).toISOString(),
			client: 'old',
			anchor: 'externalId',
			records: [],
		};
		await other.saveUpload(old);
		await other.saveUpload({ ...old, id: '00000000-0000-4000-8000-000000000002', received: new Date().toISOString() });
		expect(await other.getUpload(old.id)).toBeUndefined();
		expect(await other.getUpload('00000000-0000-4000-8000-000000000002')).toMatchObject({ client: 'old' });
		expect(await other.getUpload(id)).toMatchObject({ id });
	});
});
