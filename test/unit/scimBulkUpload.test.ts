/**
 * Issue 20, item 2: Entra's API-driven inbound provisioning (`POST …/bulkUpload`) on the SCIM Trigger. Each record is
 * an upsert matched on the anchor attribute (default externalId): create, update (merge), disable, enable, unchanged
 * (no event), ambiguous (409), no anchor (400). 202 with a Location to `GET …/bulkUpload/<id>`, which reads the
 * per-record outcomes back from the store. Microsoft's documented request samples are replayed from fixtures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScimServiceProvider, type ScimEvent } from '../../lib/scim/server/serviceProvider';
import { FileIdentityStore } from '../../lib/store/fileIdentityStore';
import { type PrototypeSnapshot, prototypeChanges, restorePrototypes, snapshotPrototypes } from '../harness/prototypes';

const BASE = 'https://n8n.example/webhook/x/scim/v2';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CSV = 'urn:ietf:params:scim:schemas:extension:csv:1.0:User';
const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../fixtures/bulkUpload', name), 'utf8'));

let dir: string;
let store: FileIdentityStore;
let pristine: PrototypeSnapshot;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'scimupload-'));
	store = new FileIdentityStore(dir);
	pristine = snapshotPrototypes();
});
afterEach(async () => {
	const changes = prototypeChanges(pristine);
	restorePrototypes(pristine);
	await store.close();
	rmSync(dir, { recursive: true, force: true });
	expect(changes).toEqual([]);
});

const providerWith = (upload: { maxOperations?: number; anchor?: string } = {}) =>
	new ScimServiceProvider(store, { baseUrl: BASE, upload });

async function upload(body: unknown, provider = providerWith()) {
	const { response, events } = await provider.handle({
		method: 'POST',
		path: '/bulkUpload',
		query: {},
		headers: { 'user-agent': 'CSV2SCIM' },
		body,
	});
	return { status: response.status, headers: response.headers, body: response.body as any, events };
}
const records = (...data: Array<Record<string, unknown>>) => ({
	schemas: [BULK_REQUEST],
	Operations: data.map((d, i) => ({ method: 'POST', bulkId: `r${i}`, path: '/Users', data: { schemas: [CORE, ENT], ...d } })),
	failOnErrors: null,
});
async function status(id: string, provider = providerWith()) {
	const { response } = await provider.handle({ method: 'GET', path: `/bulkUpload/${id}`, query: {}, headers: {} });
	return response as { status: number; body: any };
}
const kinds = (events: ScimEvent[]) => events.map((e) => e.event);

describe('upsert on the anchor (externalId by default)', () => {
	test('not found: created; 202 at once with a Location to the status, which lists each record', async () => {
		const { status: code, headers, body, events } = await upload(records({ externalId: 'E1', userName: 'e1@x', title: 'Guide' }));
		expect(code).toBe(202);
		expect(headers.Location).toBe(`${BASE}/bulkUpload/${body.id}`);
		expect(body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), created: 1, updated: 0, unchanged: 0, failed: 0 });
		expect(kinds(events)).toEqual(['user.created']);
		expect(events[0].request).toMatchObject({
			method: 'POST',
			path: '/Users',
			client: 'CSV2SCIM',
			bulk: { operation: 0, bulkId: 'r0', uploadId: body.id },
		});
		const read = await status(body.id);
		expect(read.status).toBe(200);
		expect(read.body).toMatchObject({
			id: body.id,
			received: expect.any(String),
			anchor: 'externalId',
			summary: { created: 1, updated: 0, unchanged: 0, failed: 0 },
			records: [{ operation: 0, bulkId: 'r0', anchorValue: 'E1', resourceId: events[0].resourceId, result: 'created', status: '201' }],
		});
	});

	test('found once: updated by merging what the record sends (a partial HR record keeps the rest); unchanged emits nothing', async () => {
		await upload(records({ externalId: 'E2', userName: 'e2@x', title: 'Guide', [ENT]: { employeeNumber: '42', department: 'Tours' } }));
		const partial = await upload(records({ externalId: 'E2', [ENT]: { department: 'Tour Ops' } }));
		expect(kinds(partial.events)).toEqual(['user.updated']);
		expect(partial.events[0].changedAttributes).toEqual([ENT]);
		const [user] = await store.findByExternalId('User', 'E2');
		expect(user).toMatchObject({ userName: 'e2@x', title: 'Guide', [ENT]: { employeeNumber: '42', department: 'Tour Ops' } });
		const again = await upload(records({ externalId: 'E2', [ENT]: { department: 'Tour Ops' } }));
		expect(again.events).toEqual([]);
		expect(again.body).toMatchObject({ unchanged: 1 });
		expect((await status(again.body.id)).body.records[0]).toMatchObject({ result: 'unchanged', resourceId: user.id, status: '200' });
	});

	test('empty values mean no value, as in an update: the same upload again changes nothing (no event)', async () => {
		const csvRecord = {
			externalId: 'E1',
			userName: 'e1@x',
			title: '',
			[ENT]: { employeeNumber: 'E1', manager: '' },
			[CSV]: { WorkerID: 'E1', ManagerID: '', LastDayOfWork: '' },
		};
		const first = await upload(records(csvRecord));
		expect(kinds(first.events)).toEqual(['user.created']);
		const [stored] = await store.findByExternalId('User', 'E1');
		expect(stored.title).toBeUndefined();
		expect(stored[CSV]).toEqual({ WorkerID: 'E1' });
		const again = await upload(records(csvRecord));
		expect(kinds(again.events)).toEqual([]);
		expect((await status(again.body.id)).body.records.map((r: any) => r.result)).toEqual(['unchanged']);
	});

	test('leavers and returners: active false disables, active true enables, as the existing events say', async () => {
		await upload(records({ externalId: 'E3', userName: 'e3@x', active: true }));
		expect(kinds((await upload(records({ externalId: 'E3', active: false }))).events)).toEqual(['user.deactivated']);
		expect(kinds((await upload(records({ externalId: 'E3', active: 'True' }))).events)).toEqual(['user.reactivated']);
	});

	test('found more than once: that record fails with 409 uniqueness naming the anchor; the others go on', async () => {
		const provider = providerWith();
		for (const userName of ['twin1@x', 'twin2@x'])
			await provider.handle({ method: 'POST', path: '/Users', query: {}, headers: {}, body: { userName, externalId: 'TWIN' } });
		const { body, events } = await upload(records({ externalId: 'TWIN', title: 'x' }, { externalId: 'E4', userName: 'e4@x' }), provider);
		expect(body).toMatchObject({ created: 1, failed: 1 });
		expect(kinds(events)).toEqual(['user.created']);
		expect((await status(body.id)).body.records[0]).toMatchObject({
			result: 'failed',
			status: '409',
			anchorValue: 'TWIN',
			error: { scimType: 'uniqueness', detail: expect.stringMatching(/externalId "TWIN"/) },
		});
	});

	test('a record without the anchor, or a create the store refuses, fails clearly', async () => {
		const { body } = await upload(
			records({ userName: 'noanchor@x' }, { externalId: 'E5' }, { externalId: 'E6', userName: 'e6@x', shoeSize: 9 }),
		);
		const read = (await status(body.id)).body.records;
		expect(read[0]).toMatchObject({ result: 'failed', status: '400', error: { detail: expect.stringMatching(/no externalId/) } });
		expect(read[1]).toMatchObject({ result: 'failed', status: '400', error: { detail: expect.stringMatching(/userName/) } });
		expect(read[2]).toMatchObject({ result: 'failed', status: '400', error: { detail: expect.stringMatching(/shoeSize/) } });
		expect(await store.count('User')).toBe(0);
	});

	test('the anchor can be userName or an enterprise attribute such as employeeNumber', async () => {
		const byNumber = providerWith({ anchor: 'employeeNumber' });
		await upload(records({ userName: 'n1@x', [ENT]: { employeeNumber: '1001' } }), byNumber);
		const renamed = await upload(records({ userName: 'n1.renamed@x', [ENT]: { employeeNumber: '1001' } }), byNumber);
		expect(kinds(renamed.events)).toEqual(['user.updated']);
		expect((await store.list('User')).map((u) => u.userName)).toEqual(['n1.renamed@x']);
		const byName = providerWith({ anchor: 'userName' });
		const same = await upload(records({ userName: 'N1.RENAMED@x', title: 'Boss' }), byName);
		expect(kinds(same.events)).toEqual(['user.updated']);
		expect(await store.count('User')).toBe(1);
	});

	test('a manager given by its anchor value is stored as the manager’s id, whatever the order of the records', async () => {
		const { events } = await upload(
			records(
				{ externalId: 'M2', userName: 'report@x', [ENT]: { manager: { value: 'M1', displayName: 'Boss' } } },
				{ externalId: 'M1', userName: 'boss@x' },
				{ externalId: 'M3', userName: 'orphan@x', [ENT]: { manager: { value: 'NOBODY' } } },
			),
		);
		const boss = (await store.findByExternalId('User', 'M1'))[0];
		const report = (await store.findByExternalId('User', 'M2'))[0];
		expect((report[ENT] as any).manager).toEqual({ value: boss.id, displayName: 'Boss' });
		expect(((await store.findByExternalId('User', 'M3'))[0][ENT] as any).manager).toEqual({ value: 'NOBODY' });
		// Managers go first: each worker is one event, the report's already naming its manager's id.
		expect(events.map((e) => [e.event, (e.resource as any).externalId])).toEqual([
			['user.created', 'M1'],
			['user.created', 'M2'],
			['user.created', 'M3'],
		]);
		expect((events[1].resource as any)[ENT].manager).toMatchObject({ value: boss.id, userName: 'boss@x', externalId: 'M1' });
	});

	test('a chain of managers listed bottom-up is created top-down; the status keeps the request order', async () => {
		const chain = ['C4', 'C3', 'C2', 'C1'].map((id, i, all) => ({
			externalId: id,
			userName: `${id}@x`,
			...(i < all.length - 1 ? { [ENT]: { manager: { value: all[i + 1] } } } : {}),
		}));
		const { body, events } = await upload(records(...chain));
		expect(events.map((e) => (e.resource as any).externalId)).toEqual(['C1', 'C2', 'C3', 'C4']);
		expect(kinds(events)).toEqual(Array(4).fill('user.created'));
		const { body: kept } = await status(body.id);
		expect(kept.records.map((r: any) => [r.operation, r.anchorValue, r.result])).toEqual([
			[0, 'C4', 'created'],
			[1, 'C3', 'created'],
			[2, 'C2', 'created'],
			[3, 'C1', 'created'],
		]);
		for (const [report, manager] of [
			['C4', 'C3'],
			['C3', 'C2'],
			['C2', 'C1'],
		]) {
			const [r] = await store.findByExternalId('User', report);
			const [m] = await store.findByExternalId('User', manager);
			expect((r[ENT] as any).manager.value).toBe(m.id);
		}
	});

	test('two workers who manage each other: both created, the first one’s manager filled in after the upload', async () => {
		const { events } = await upload(
			records(
				{ externalId: 'A', userName: 'a@x', [ENT]: { manager: { value: 'B' } } },
				{ externalId: 'B', userName: 'b@x', [ENT]: { manager: { value: 'A' } } },
			),
		);
		const [a] = await store.findByExternalId('User', 'A');
		const [b] = await store.findByExternalId('User', 'B');
		expect((a[ENT] as any).manager.value).toBe(b.id);
		expect((b[ENT] as any).manager.value).toBe(a.id);
		expect(kinds(events)).toEqual(['user.created', 'user.created', 'user.updated']);
	});
});

describe('the request', () => {
	test('more than maxOperations (50 by default) → 413 naming maxOperations; nothing written', async () => {
		const many = records(...Array.from({ length: 51 }, (_, i) => ({ externalId: `X${i}`, userName: `x${i}@x` })));
		const { status: code, body } = await upload(many);
		expect(code).toBe(413);
		expect(body.detail).toMatch(/maxOperations \(50\)/);
		expect(await store.count('User')).toBe(0);
		expect((await upload(records({ externalId: 'Y', userName: 'y@x' }), providerWith({ maxOperations: 1 }))).status).toBe(202);
	});
	test('only POST to /Users: anything else is that record’s failure', async () => {
		const body = {
			schemas: [BULK_REQUEST],
			Operations: [
				{ method: 'DELETE', bulkId: 'd', path: '/Users/x' },
				{ method: 'POST', bulkId: 'g', path: '/Groups', data: { displayName: 'G', externalId: 'G' } },
				{ method: 'POST', bulkId: 'n', path: '/Users', data: 'not an object' },
			],
		};
		const { body: answer } = await upload(body);
		expect(answer).toMatchObject({ failed: 3 });
		expect((await status(answer.id)).body.records.map((r: any) => r.status)).toEqual(['400', '404', '400']);
	});
	test('not a BulkRequest → 400 invalidSyntax; inherited names anywhere → 400; a hostile bulkId is only a name', async () => {
		expect((await upload({ Operations: [] })).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
		const poisoned = JSON.parse(
			`{"schemas":["${BULK_REQUEST}"],"Operations":[{"method":"POST","bulkId":"p","path":"/Users","data":{"externalId":"P","userName":"p@x","${CSV}":{"__proto__":{"x":1}}}}]}`,
		);
		expect((await upload(poisoned)).status).toBe(400);
		const { body } = await upload({
			schemas: [BULK_REQUEST],
			Operations: [{ method: 'POST', bulkId: '__proto__', path: '/Users', data: { externalId: '__proto__', userName: 'proto@x' } }],
		});
		expect((await status(body.id)).body.records[0]).toMatchObject({ bulkId: '__proto__', anchorValue: '__proto__', result: 'created' });
	});
	test('the status of an unknown or malformed upload id is 404; GET only', async () => {
		expect((await status('00000000-0000-4000-8000-000000000000')).status).toBe(404);
		expect((await status('..%2F..%2Fjournal.jsonl')).status).toBe(404);
		expect((await status('not-a-uuid')).status).toBe(404);
		const { response } = await providerWith().handle({
			method: 'DELETE',
			path: '/bulkUpload/00000000-0000-4000-8000-000000000000',
			query: {},
			headers: {},
		});
		expect(response.status).toBe(405);
	});
});

describe('replays of Microsoft’s documented requests', () => {
	test('Graph example 1 (core + enterprise, manager by externalId), then example 2 (custom namespace) updates both', async () => {
		const first = await upload(fixture('graph-example1-core-enterprise.json'));
		expect(first.body).toMatchObject({ created: 2, failed: 0 });
		const barbara = (await store.findByExternalId('User', '701984'))[0];
		const kathy = (await store.findByExternalId('User', '701985'))[0];
		expect((kathy[ENT] as any).manager).toEqual({ value: barbara.id, displayName: 'Barbara Jensen' });
		// John Smith (89607) was never uploaded: kept as sent.
		expect((barbara[ENT] as any).manager).toEqual({ value: '89607', displayName: 'John Smith' });
		const second = await upload(fixture('graph-example2-custom-schema.json'));
		expect(second.body).toMatchObject({ updated: 2, failed: 0 });
		expect(kinds(second.events)).toEqual(['user.updated', 'user.updated']);
		expect((await store.findByExternalId('User', '701985'))[0]).toMatchObject({
			schemas: expect.arrayContaining(['urn:contoso:employee']),
			'urn:contoso:employee': { HireDate: '2022-07-15T00:00:00-05:00', JobCode: 'AB-1003' },
		});
		expect(kinds((await upload(fixture('graph-example2-custom-schema.json'))).events)).toEqual([]);
	});
	test('Graph example 3 (a partial record that disables a user) against a user the HR feed created before', async () => {
		await upload(records({ externalId: '7172023', userName: 'leaver@x', [ENT]: { department: 'Tours', employeeNumber: '7172023' } }));
		const { body, events } = await upload(fixture('graph-example3-update.json'));
		expect(body).toMatchObject({ updated: 1 });
		expect(kinds(events)).toEqual(['user.deactivated']);
		expect((await store.findByExternalId('User', '7172023'))[0]).toMatchObject({
			userName: 'leaver@x',
			active: false,
			[ENT]: { department: 'Tour Ops', employeeNumber: '7172023' },
		});
		// With no such user, the same record cannot be a create (no userName): a clear failure, not a crash.
		const { body: again } = await upload(fixture('graph-example3-update.json'), providerWith({ anchor: 'userName' }));
		expect((await status(again.id)).body.records[0]).toMatchObject({
			result: 'failed',
			status: '400',
			error: { detail: expect.stringMatching(/no userName/) },
		});
	});
	test('CSV2SCIM output: /users, username, the csv extension, resourceType in data, a repeated bulkId', async () => {
		const { body, events } = await upload(fixture('csv2scim-sample.json'));
		expect(body).toMatchObject({ created: 3, failed: 0 });
		expect(events.map((e) => [e.event, e.request.bulk?.bulkId])).toEqual([
			['user.created', '897401c2-2de4-4b87-a97f-c02de3bcfc61'],
			['user.created', 'a6861ef2-c94b-4c96-85e0-27c59c0537eb'],
			['user.created', 'a6861ef2-c94b-4c96-85e0-27c59c0537eb'],
		]);
		const barbara = (await store.findByExternalId('User', '701984'))[0];
		expect(barbara).toMatchObject({ userName: 'bjensen', [CSV]: { WorkerID: '123456', ManagerID: '80607', IsTerminated: 'False' } });
		expect(barbara).not.toHaveProperty('resourceType');
		expect(kinds((await upload(fixture('csv2scim-sample.json'))).events)).toEqual([]);
	});
});
