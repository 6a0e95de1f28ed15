/**
 * Issue 20, item 1: RFC 7644 §3.7 /Bulk on the SCIM Trigger's service provider. Every operation is a sub-request
 * through the same code as a single request; bulkId references are resolved in any order, cycles refused with 409;
 * failOnErrors, maxOperations and maxPayloadSize as the RFC says; one handle call returns every event in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerScimHttp } from '../../lib/scim/server/http';
import { ScimServiceProvider, type ScimEvent } from '../../lib/scim/server/serviceProvider';
import { FileIdentityStore } from '../../lib/store/fileIdentityStore';
import { type PrototypeSnapshot, prototypeChanges, restorePrototypes, snapshotPrototypes } from '../harness/prototypes';

const BASE = 'https://n8n.example/webhook/x/scim/v2';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

let dir: string;
let store: FileIdentityStore;
let provider: ScimServiceProvider;
let pristine: PrototypeSnapshot;
const unexpected: string[] = [];
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'scimbulk-'));
	store = new FileIdentityStore(dir);
	provider = new ScimServiceProvider(store, {
		baseUrl: BASE,
		bulk: { maxOperations: 10, maxPayloadSize: 4096 },
		onUnexpectedError: (_e, reference) => unexpected.push(reference),
	});
	pristine = snapshotPrototypes();
});
afterEach(async () => {
	const changes = prototypeChanges(pristine);
	restorePrototypes(pristine);
	await store.close();
	rmSync(dir, { recursive: true, force: true });
	expect(changes).toEqual([]);
});

async function bulk(Operations: unknown[], extra: Record<string, unknown> = {}) {
	const { response, events } = await provider.handle({
		method: 'POST',
		path: '/Bulk',
		query: {},
		headers: { 'user-agent': 'bulk-test' },
		body: { schemas: [BULK_REQUEST], Operations, ...extra },
	});
	return { status: response.status, body: response.body as any, events };
}
const single = async (method: string, path: string, body?: unknown) =>
	(await provider.handle({ method, path, query: {}, headers: {}, body })).response as { status: number; body: any };
const user = (userName: string, more: Record<string, unknown> = {}) => ({
	schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
	userName,
	...more,
});
const group = (displayName: string, members: unknown[] = []) => ({
	schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
	displayName,
	members,
});
const kinds = (events: ScimEvent[]) => events.map((e) => `${e.event} ${e.resourceType}`);

describe('a BulkResponse per operation', () => {
	test('creates, replace, patch and delete: status, location, version and bulkId as the RFC examples give them', async () => {
		const existing = (await single('POST', '/Users', user('old@x'))).body.id;
		const { status, body, events } = await bulk([
			{ method: 'POST', path: '/Users', bulkId: 'qwerty', data: user('alice@x') },
			{ method: 'PUT', path: `/Users/${existing}`, data: user('old@x', { title: 'T' }) },
			{ method: 'PATCH', path: `/Users/${existing}`, data: PATCH([{ op: 'replace', path: 'active', value: false }]) },
			{ method: 'DELETE', path: `/Users/${existing}`, version: 'W/"3"' },
		]);
		expect(status).toBe(200);
		expect(body.schemas).toEqual([BULK_RESPONSE]);
		const alice = (await store.findByName('User', 'alice@x'))[0];
		expect(body.Operations).toEqual([
			{ method: 'POST', bulkId: 'qwerty', location: `${BASE}/Users/${alice.id}`, version: 'W/"1"', status: '201' },
			{ method: 'PUT', location: `${BASE}/Users/${existing}`, version: 'W/"2"', status: '200' },
			{ method: 'PATCH', location: `${BASE}/Users/${existing}`, version: 'W/"3"', status: '200' },
			{ method: 'DELETE', location: `${BASE}/Users/${existing}`, status: '204' },
		]);
		expect(kinds(events)).toEqual(['user.created User', 'user.updated User', 'user.deactivated User', 'user.deleted User']);
	});

	test('a failing operation gets its RFC error as response and status; the others go on', async () => {
		const { status, body } = await bulk([
			{ method: 'POST', path: '/Users', bulkId: 'a', data: user('dup@x') },
			{ method: 'POST', path: '/Users', bulkId: 'b', data: user('dup@x') },
			{ method: 'PATCH', path: '/Users/00000000-0000-4000-8000-000000000000', data: PATCH([{ op: 'replace', path: 'title', value: 'x' }]) },
			{ method: 'POST', path: '/Users', bulkId: 'c', data: user('c@x', { favouriteColour: 'blue' }) },
			{ method: 'POST', path: '/Users', bulkId: 'd', data: user('d@x') },
		]);
		expect(status).toBe(200);
		expect(body.Operations.map((o: any) => o.status)).toEqual(['201', '409', '404', '400', '201']);
		expect(body.Operations[1]).toEqual({
			method: 'POST',
			bulkId: 'b',
			status: '409',
			response: { schemas: [ERROR], status: '409', scimType: 'uniqueness', detail: expect.stringContaining('dup@x') },
		});
		expect(body.Operations[3].response).toMatchObject({ scimType: 'invalidSyntax', detail: expect.stringContaining('favouriteColour') });
	});

	test('a stale version is that operation’s 412', async () => {
		const id = (await single('POST', '/Users', user('v@x'))).body.id;
		const { body } = await bulk([{ method: 'PUT', path: `/Users/${id}`, version: 'W/"7"', data: user('v@x') }]);
		expect(body.Operations[0]).toMatchObject({ status: '412', response: { status: '412' } });
	});

	test('only /Users and /Groups: anything else is that operation’s 400 or 404, and GET is not a bulk method', async () => {
		const { body } = await bulk([
			{ method: 'POST', path: '/Bulk', bulkId: 'x', data: { schemas: [BULK_REQUEST], Operations: [] } },
			{ method: 'POST', path: '/ServiceProviderConfig', bulkId: 'y', data: {} },
			{ method: 'POST', path: '/Users/.search', bulkId: 'z', data: { startIndex: 1 } },
			{ method: 'GET', path: '/Users' },
			{ method: 'POST', path: '/Elsewhere', bulkId: 'w', data: {} },
			{ method: 'POST', path: 'Users', bulkId: 'v', data: user('nope@x') },
		]);
		expect(body).toMatchObject({ Operations: expect.any(Array) });
		const statuses = body.Operations.map((o: any) => o.status);
		expect(statuses.slice(0, 4)).toEqual(['404', '404', '404', '400']);
		expect(statuses[4]).toBe('404');
		expect(statuses[5]).toBe('201');
		for (const op of body.Operations.slice(0, 5)) expect(op.response).toMatchObject({ schemas: [ERROR], detail: expect.any(String) });
	});

	test('a POST without a bulkId is refused (the RFC requires it)', async () => {
		const { body } = await bulk([{ method: 'POST', path: '/Users', data: user('nobulk@x') }]);
		expect(body.Operations[0]).toMatchObject({
			status: '400',
			response: { scimType: 'invalidValue', detail: expect.stringMatching(/bulkId/) },
		});
		expect(await store.count('User')).toBe(0);
	});
});

describe('bulkId references', () => {
	test('backward: a group names users created before it, in members; the RFC path form /Groups/bulkId:x works', async () => {
		const { body, events } = await bulk([
			{ method: 'POST', path: '/Users', bulkId: 'u1', data: user('u1@x') },
			{ method: 'POST', path: '/Users', bulkId: 'u2', data: user('u2@x') },
			{ method: 'POST', path: '/Groups', bulkId: 'g', data: group('G', [{ type: 'User', value: 'bulkId:u1' }]) },
			{ method: 'PATCH', path: '/Groups/bulkId:g', data: PATCH([{ op: 'add', path: 'members', value: [{ value: 'bulkId:u2' }] }]) },
		]);
		expect(body.Operations.map((o: any) => o.status)).toEqual(['201', '201', '201', '204']);
		const [u1, u2] = [(await store.findByName('User', 'u1@x'))[0].id, (await store.findByName('User', 'u2@x'))[0].id];
		const g = (await store.findByName('Group', 'G'))[0];
		expect(g.members).toEqual([{ type: 'User', value: u1 }, { value: u2 }]);
		expect(body.Operations[3].location).toBe(`${BASE}/Groups/${g.id}`);
		expect(kinds(events)).toEqual(['user.created User', 'user.created User', 'group.created Group', 'group.membersAdded Group']);
		expect(events[3].memberReferences).toEqual([{ value: u2, type: 'User', userName: 'u2@x' }]);
	});

	test('forward: the RFC §3.7.2 example, a group before the user it names, is deferred until the user exists', async () => {
		const { body, events } = await bulk([
			{ method: 'POST', path: '/Groups', bulkId: 'ytrewq', data: group('Tour Guides', [{ type: 'User', value: 'bulkId:qwerty' }]) },
			{ method: 'POST', path: '/Users', bulkId: 'qwerty', data: user('Alice') },
		]);
		const alice = (await store.findByName('User', 'Alice'))[0];
		expect(body.Operations.map((o: any) => [o.bulkId, o.status])).toEqual([
			['ytrewq', '201'],
			['qwerty', '201'],
		]);
		expect((await store.findByName('Group', 'Tour Guides'))[0].members).toEqual([{ type: 'User', value: alice.id }]);
		// Processing order: the user first, then the group naming it.
		expect(kinds(events)).toEqual(['user.created User', 'group.created Group']);
	});

	test('a waiting operation runs right after the create it names, before any later operation (request order kept otherwise)', async () => {
		const { body, events } = await bulk([
			{ method: 'POST', path: '/Groups', bulkId: 'team', data: group('Team', [{ value: 'bulkId:bob' }]) },
			{ method: 'POST', path: '/Users', bulkId: 'bob', data: user('bob@x') },
			{ method: 'DELETE', path: '/Users/bulkId:bob' },
		]);
		expect(body.Operations.map((o: any) => o.status)).toEqual(['201', '201', '204']);
		expect(kinds(events)).toEqual(['user.created User', 'group.created Group', 'user.deleted User', 'group.membersRemoved Group']);
		expect((await store.findByName('Group', 'Team'))[0].members).toEqual([]);
	});

	test('nested: a manager reference and a group in a group, by bulkId', async () => {
		const { body } = await bulk([
			{ method: 'POST', path: '/Users', bulkId: 'report', data: user('report@x', { [ENT]: { manager: { value: 'bulkId:boss' } } }) },
			{ method: 'POST', path: '/Groups', bulkId: 'outer', data: group('Outer', [{ value: 'bulkId:inner', type: 'Group' }]) },
			{ method: 'POST', path: '/Groups', bulkId: 'inner', data: group('Inner', [{ value: 'bulkId:report' }, { value: 'bulkId:boss' }]) },
			{ method: 'POST', path: '/Users', bulkId: 'boss', data: user('boss@x') },
		]);
		expect(body.Operations.every((o: any) => o.status === '201')).toBe(true);
		const boss = (await store.findByName('User', 'boss@x'))[0].id;
		const report = (await store.findByName('User', 'report@x'))[0];
		const inner = (await store.findByName('Group', 'Inner'))[0];
		expect((report[ENT] as any).manager.value).toBe(boss);
		expect(inner.members).toEqual([{ value: report.id }, { value: boss }]);
		expect((await store.findByName('Group', 'Outer'))[0].members).toEqual([{ value: inner.id, type: 'Group' }]);
	});

	test('circular references are refused with 409 for the operations in the circle; the rest is done', async () => {
		const { body } = await bulk([
			{ method: 'POST', path: '/Groups', bulkId: 'a', data: group('A', [{ value: 'bulkId:b' }]) },
			{ method: 'POST', path: '/Groups', bulkId: 'b', data: group('B', [{ value: 'bulkId:a' }]) },
			{ method: 'POST', path: '/Groups', bulkId: 'self', data: group('Self', [{ value: 'bulkId:self' }]) },
			{ method: 'POST', path: '/Users', bulkId: 'fine', data: user('fine@x') },
		]);
		expect(body.Operations.map((o: any) => [o.bulkId, o.status])).toEqual([
			['a', '409'],
			['b', '409'],
			['self', '409'],
			['fine', '201'],
		]);
		expect(body.Operations[0].response.detail).toMatch(/circular/i);
		expect(await store.count('Group')).toBe(0);
	});

	test('a reference to an unknown bulkId, or to a create that failed, fails that operation naming the bulkId', async () => {
		const { body } = await bulk([
			{ method: 'POST', path: '/Users', bulkId: 'bad', data: { userName: '' } },
			{ method: 'POST', path: '/Groups', bulkId: 'g1', data: group('G1', [{ value: 'bulkId:bad' }]) },
			{ method: 'POST', path: '/Groups', bulkId: 'g2', data: group('G2', [{ value: 'bulkId:ghost' }]) },
			{ method: 'DELETE', path: '/Users/bulkId:ghost' },
		]);
		expect(body.Operations.map((o: any) => o.status)).toEqual(['400', '409', '400', '400']);
		expect(body.Operations[1].response.detail).toContain('"bad"');
		expect(body.Operations[2].response).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('"ghost"') });
		expect(body.Operations[3].response.detail).toContain('"ghost"');
		expect(await store.count('Group')).toBe(0);
	});

	test('duplicate bulkIds refuse the whole request with 400 invalidValue, before anything is written', async () => {
		const { status, body } = await bulk([
			{ method: 'POST', path: '/Users', bulkId: 'same', data: user('one@x') },
			{ method: 'POST', path: '/Users', bulkId: 'same', data: user('two@x') },
		]);
		expect(status).toBe(400);
		expect(body).toMatchObject({ schemas: [ERROR], scimType: 'invalidValue', detail: expect.stringContaining('"same"') });
		expect(await store.count('User')).toBe(0);
	});
});

describe('failOnErrors', () => {
	test('stops after that many errors and answers what was done', async () => {
		const ops = [
			{ method: 'POST', path: '/Users', bulkId: '1', data: user('f1@x') },
			{ method: 'POST', path: '/Users', bulkId: '2', data: user('f1@x') },
			{ method: 'POST', path: '/Users', bulkId: '3', data: user('f3@x') },
			{ method: 'DELETE', path: '/Users/00000000-0000-4000-8000-000000000000' },
			{ method: 'POST', path: '/Users', bulkId: '5', data: user('f5@x') },
		];
		const { body } = await bulk(ops, { failOnErrors: 2 });
		expect(body.Operations.map((o: any) => o.status)).toEqual(['201', '409', '201', '404']);
		expect(await store.findByName('User', 'f5@x')).toEqual([]);
	});
	test('1 stops at the first error; null or absent means never (Microsoft sends null)', async () => {
		const ops = [
			{ method: 'DELETE', path: '/Users/00000000-0000-4000-8000-000000000000' },
			{ method: 'POST', path: '/Users', bulkId: 'n', data: user('n@x') },
		];
		expect((await bulk(ops, { failOnErrors: 1 })).body.Operations).toHaveLength(1);
		expect((await bulk(ops, { failOnErrors: null })).body.Operations).toHaveLength(2);
	});
	test.each([0, -1, 1.5, 'two'])('failOnErrors %p is a 400 invalidSyntax', async (failOnErrors) => {
		expect(await bulk([], { failOnErrors })).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
	});
});

describe('the request itself', () => {
	test.each([
		['no schemas', { Operations: [] }],
		['another message', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [] }],
		['no Operations', { schemas: [BULK_REQUEST] }],
		['Operations not a list', { schemas: [BULK_REQUEST], Operations: {} }],
		['an operation not an object', { schemas: [BULK_REQUEST], Operations: ['POST /Users'] }],
		['not an object', 'bulk'],
	])('%s → 400 invalidSyntax', async (_name, body) => {
		const { response } = await provider.handle({ method: 'POST', path: '/Bulk', query: {}, headers: {}, body });
		expect(response).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
	});
	test('GET /Bulk is 405', async () => {
		expect((await single('GET', '/Bulk')).status).toBe(405);
	});
	test('more operations than maxOperations → 413 naming maxOperations, nothing written', async () => {
		const ops = Array.from({ length: 11 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: user(`m${i}@x`) }));
		const { status, body } = await bulk(ops);
		expect(status).toBe(413);
		expect(body).toEqual({ schemas: [ERROR], status: '413', detail: expect.stringMatching(/maxOperations \(10\)/) });
		expect(await store.count('User')).toBe(0);
	});
	test('a body over maxPayloadSize (the trigger’s body cap) → 413 naming maxPayloadSize', async () => {
		const ops = [{ method: 'POST', path: '/Users', bulkId: 'big', data: user('big@x', { title: 'x'.repeat(5000) }) }];
		const text = JSON.stringify({ schemas: [BULK_REQUEST], Operations: ops });
		const { response } = await answerScimHttp(
			{
				method: 'POST',
				path: '/webhook/x/scim/v2/Bulk',
				headers: { authorization: 'Bearer t0k', 'content-type': 'application/scim+json' },
				query: {},
				rawBody: Buffer.from(text),
			},
			{ auth: { token: 't0k' }, maxBodyBytes: 4096, base: 'scim/v2', serve: (r) => provider.handle(r) },
		);
		expect(response.status).toBe(413);
		expect(response.body).toMatchObject({ status: '413', detail: expect.stringMatching(/maxPayloadSize \(4096\)/) });
	});
	test('discovery says bulk is supported, with both limits', async () => {
		expect((await single('GET', '/ServiceProviderConfig')).body.bulk).toEqual({ supported: true, maxOperations: 10, maxPayloadSize: 4096 });
	});
	test('inherited names at any depth of the bulk refuse it; a hostile bulkId is just a name', async () => {
		const poisoned = JSON.parse(
			`{"schemas":["${BULK_REQUEST}"],"Operations":[{"method":"POST","path":"/Users","bulkId":"p","data":{"userName":"p@x","name":{"__proto__":{"polluted":1}}}}]}`,
		);
		const { response } = await provider.handle({ method: 'POST', path: '/Bulk', query: {}, headers: {}, body: poisoned });
		expect(response).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
		const { body } = await bulk([
			{ method: 'POST', path: '/Users', bulkId: '__proto__', data: user('proto@x') },
			{ method: 'POST', path: '/Users', bulkId: 'constructor', data: user('ctor@x') },
			{
				method: 'POST',
				path: '/Groups',
				bulkId: 'hasOwnProperty',
				data: group('P', [{ value: 'bulkId:__proto__' }, { value: 'bulkId:constructor' }]),
			},
			{ method: 'POST', path: '/Groups', bulkId: 'toString', data: group('Q', [{ value: 'bulkId:valueOf' }]) },
		]);
		expect(body.Operations.map((o: any) => o.status)).toEqual(['201', '201', '201', '400']);
		expect((await store.findByName('Group', 'P'))[0].members).toHaveLength(2);
		expect(({} as any).polluted).toBeUndefined();
	});
	test('an unexpected failure in one operation is its 500 with a reference; the bulk goes on', async () => {
		const original = store.create.bind(store);
		let calls = 0;
		store.create = async (type, data) => {
			if (++calls === 1) throw new Error('disk on fire');
			return original(type, data);
		};
		const { body } = await bulk([
			{ method: 'POST', path: '/Users', bulkId: 'x', data: user('x@x') },
			{ method: 'POST', path: '/Users', bulkId: 'y', data: user('y@x') },
		]);
		expect(body.Operations.map((o: any) => o.status)).toEqual(['500', '201']);
		expect(body.Operations[0].response.detail).toContain(unexpected[unexpected.length - 1]);
		expect(body.Operations[0].response.detail).not.toContain('disk on fire');
	});
});

describe('events', () => {
	test('one handle call returns every operation’s events, in processing order, each with its bulk context', async () => {
		const { events } = await bulk([
			{ method: 'POST', path: '/Users', bulkId: 'e1', data: user('e1@x') },
			{ method: 'POST', path: '/Groups', bulkId: 'eg', data: group('EG', [{ value: 'bulkId:e1' }]) },
			{ method: 'PATCH', path: '/Users/bulkId:e1', data: PATCH([{ op: 'replace', path: 'active', value: false }]) },
			{ method: 'DELETE', path: '/Users/bulkId:e1' },
		]);
		const id = events[0].resourceId;
		expect(kinds(events)).toEqual([
			'user.created User',
			'group.created Group',
			'user.deactivated User',
			'user.deleted User',
			'group.membersRemoved Group',
		]);
		expect(events.map((e) => e.request)).toEqual([
			expect.objectContaining({ method: 'POST', path: '/Users', client: 'bulk-test', bulk: { operation: 0, bulkId: 'e1' } }),
			expect.objectContaining({ method: 'POST', path: '/Groups', bulk: { operation: 1, bulkId: 'eg' } }),
			expect.objectContaining({ method: 'PATCH', path: `/Users/${id}`, bulk: { operation: 2 } }),
			expect.objectContaining({ method: 'DELETE', path: `/Users/${id}`, bulk: { operation: 3 } }),
			expect.objectContaining({ method: 'DELETE', path: `/Users/${id}`, bulk: { operation: 3 } }),
		]);
		// Member references resolved as for single requests: the deleted user is still known by what it was.
		expect(events[4].memberReferences).toEqual([{ value: id, type: 'User', userName: 'e1@x' }]);
	});
});
