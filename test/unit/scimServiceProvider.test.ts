/** The SCIM service provider behind the SCIM Trigger, driven with the conversations Entra ID and Okta really have. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScimServiceProvider, type ScimEvent } from '../../lib/scim/server/serviceProvider';
import { FileIdentityStore } from '../../lib/store/fileIdentityStore';
import {
	entraDelete,
	entraGroupConversation,
	entraUserConversation,
	oktaGroupConversation,
	oktaUserConversation,
} from '../harness/scimConversations';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
let dir: string;
let store: FileIdentityStore;
let provider: ScimServiceProvider;
let events: ScimEvent[];
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'scimsp-'));
	store = new FileIdentityStore(dir);
	provider = new ScimServiceProvider(store, { baseUrl: 'https://n8n.example/webhook/x/scim/v2' });
	events = [];
});
afterEach(async () => {
	await store.close();
	rmSync(dir, { recursive: true, force: true });
});

async function call(
	method: string,
	path: string,
	body?: unknown,
	query: Record<string, string> = {},
	headers: Record<string, string> = {},
) {
	const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
	const { response, events: emitted } = await provider.handle({ method, path, query, headers: { 'user-agent': 'test', ...lower }, body });
	events.push(...emitted);
	return response as { status: number; headers: Record<string, string>; body: any };
}
const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

describe('Microsoft Entra ID conversation', () => {
	const probe = { take: () => events.splice(0).map((e) => e.event) };
	test('test connection, lookups, create, every PATCH form, disable, delete', async () => {
		const id = await entraUserConversation(call, probe);
		await entraDelete(call, id, probe);
	});
	test('groups: create without members, lookup without members, idempotent adds, legacy and filtered removal, delete', async () => {
		await entraGroupConversation(call, probe);
	});
	test('events carry the change: before, after and changed attributes', async () => {
		const id = (await call('POST', '/Users', { userName: 'ev@x', title: 'A' })).body.id;
		events.length = 0;
		await call('PATCH', `/Users/${id}`, PATCH([{ op: 'replace', path: 'title', value: 'B' }]));
		expect(events).toHaveLength(1);
		expect(events[0]).toMatchObject({
			event: 'user.updated',
			resourceId: id,
			before: { title: 'A' },
			resource: { title: 'B' },
			changedAttributes: ['title'],
			request: { method: 'PATCH', client: 'test' },
		});
	});
});

describe('Okta conversation', () => {
	test('paged listing, lookup, create with a password never echoed or stored, 409, GET then full PUT, PATCH active=false', async () => {
		await oktaUserConversation(call);
		expect(JSON.stringify(await store.list('User'))).not.toContain('Okta-Pw-123!');
		expect(JSON.stringify(events)).not.toContain('Okta-Pw-123!');
	});
	test('group push: create, rename with the id in the value, add and remove, replace members, delete', async () => {
		await oktaGroupConversation(call);
	});
});

describe('protocol details and bad input', () => {
	test('discovery, 405 on writes to it, bulk supported (an empty body is no BulkRequest), ETags and If-Match', async () => {
		expect((await call('GET', '/ServiceProviderConfig')).body).toMatchObject({
			patch: { supported: true },
			bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 },
			filter: { supported: true },
		});
		expect((await call('GET', '/ResourceTypes')).body.totalResults).toBe(2);
		expect((await call('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User')).body.name).toBe('User');
		expect((await call('POST', '/ServiceProviderConfig', {})).status).toBe(405);
		expect((await call('POST', '/Bulk', {})).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
		const id = (await call('POST', '/Users', { userName: 'etag@x' })).body.id;
		expect((await call('GET', `/Users/${id}`, undefined, {}, { 'if-none-match': 'W/"1"' })).status).toBe(304);
		expect(
			(await call('PATCH', `/Users/${id}`, PATCH([{ op: 'replace', path: 'title', value: 'a' }]), {}, { 'if-match': 'W/"1"' })).status,
		).toBe(200);
		expect(
			(await call('PATCH', `/Users/${id}`, PATCH([{ op: 'replace', path: 'title', value: 'b' }]), {}, { 'if-match': 'W/"1"' })).status,
		).toBe(412);
		expect((await call('POST', '/.search', { filter: 'userName eq "etag@x"', attributes: ['userName'] })).body.Resources).toEqual([
			{ id, userName: 'etag@x', schemas: expect.any(Array), meta: expect.any(Object) },
		]);
	});
	test.each([
		['POST', '/Users', { userName: 'u', favouriteColour: 'blue' }, 400, 'invalidSyntax'],
		['POST', '/Users', { displayName: 'no userName' }, 400, 'invalidValue'],
		['POST', '/Users', 'not an object', 400, 'invalidSyntax'],
		['GET', '/Users?bad', undefined, 404, undefined],
		['POST', '/Groups', { members: [] }, 400, 'invalidValue'],
		['DELETE', '/Users', undefined, 405, undefined],
	])('%s %s → %s', async (method, path, body, status, scimType) => {
		const res = await call(method, path, body);
		expect(res.status).toBe(status);
		expect(res.body).toMatchObject({
			schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
			status: String(status),
			detail: expect.any(String),
			...(scimType ? { scimType } : {}),
		});
	});
	test('invalid filters and paths are 400 and change nothing', async () => {
		const id = (await call('POST', '/Users', { userName: 'safe@x', title: 'T' })).body.id;
		const before = await store.get('User', id);
		expect((await call('GET', '/Users', undefined, { filter: 'userName xx "a"' })).body.scimType).toBe('invalidFilter');
		expect(
			(
				await call(
					'PATCH',
					`/Users/${id}`,
					PATCH([
						{ op: 'replace', path: 'title', value: 'changed' },
						{ op: 'replace', path: '__proto__.x', value: 1 },
					]),
				)
			).body.scimType,
		).toBe('invalidPath');
		expect((await call('PATCH', `/Users/${id}`, PATCH([{ op: 'replace', path: 'favouriteColour', value: 'x' }]))).body.scimType).toBe(
			'invalidPath',
		);
		expect(await store.get('User', id)).toEqual(before);
	});
	test('fuzzing: 10,000 generated filters and PATCH bodies give only 2xx or 4xx', async () => {
		const id = (await call('POST', '/Users', { userName: 'fuzz@x', emails: [{ type: 'work', value: 'f@x' }] })).body.id;
		const gid = (await call('POST', '/Groups', { displayName: 'FuzzGroup' })).body.id;
		let seed = 42;
		const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
		const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
		const attrs = [
			'userName',
			'emails',
			'emails.value',
			'emails[type eq "work"].value',
			'name.givenName',
			'active',
			'meta.created',
			'id',
			'externalId',
			`${ENT}:department`,
			'members',
			'members[value eq "x"]',
			'__proto__',
			'constructor.prototype',
			'',
			'a b',
			'[',
			']',
			'x[y',
			'title',
		];
		const ops = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'EQ', 'xx', 'and', 'or', 'not', '(', ')'];
		const values = [
			'"a"',
			'"\\""',
			'true',
			'false',
			'null',
			'1',
			'-2.5',
			'abc',
			'"2024-01-01T00:00:00Z"',
			'',
			'"' + 'z'.repeat(50) + '"',
			'{',
			'[1]',
		];
		const opNames = ['add', 'Add', 'replace', 'Replace', 'remove', 'Remove', 'move', '', 'copy'];
		const jsonValues = [
			null,
			'',
			'x',
			'False',
			true,
			1,
			[],
			[{ value: 'x' }],
			{ a: 1 },
			{ 'name.givenName': 'x' },
			{ __proto__: { p: 1 } },
			[{ $ref: null, value: 'y' }],
		];
		const statuses = new Set<number>();
		for (let i = 0; i < 10000; i++) {
			let res;
			let input: unknown;
			if (i % 2 === 0) {
				const filter = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => [pick(attrs), pick(ops), pick(values)].join(' ')).join(
					` ${pick(['and', 'or', ''])} `,
				);
				input = filter;
				res = await call('GET', pick(['/Users', '/Groups']), undefined, { filter });
			} else {
				const operations = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => {
					const op: Record<string, unknown> = { op: pick(opNames) };
					if (rand() < 0.8) op.path = pick(attrs);
					if (rand() < 0.8) op.value = pick(jsonValues);
					return op;
				});
				const body = rand() < 0.95 ? PATCH(operations) : pick([null, [], 'x', { Operations: 'x' }]);
				input = body;
				res = await call('PATCH', pick([`/Users/${id}`, `/Groups/${gid}`]), body);
			}
			statuses.add(res.status);
			// The input rides along so a failure shows what broke the server.
			if (res.status >= 500) expect({ status: res.status, input, body: res.body }).toBeUndefined();
		}
		expect([...statuses].every((s) => s < 500)).toBe(true);
		expect(({} as any).p).toBeUndefined();
		expect((await store.get('User', id))!.userName).toBe('fuzz@x');
	});
});

describe('inbound authentication and password forwarding', () => {
	const { isAuthenticated, secretsEqual } = require('../../lib/scim/server/auth') as typeof import('../../lib/scim/server/auth');
	test('bearer tokens, optional basic, and nothing else', () => {
		const auth = { token: 'token-0123456789abcdef' };
		expect(isAuthenticated('Bearer token-0123456789abcdef', auth)).toBe(true);
		expect(isAuthenticated('bearer token-0123456789abcdef', auth)).toBe(true);
		expect(isAuthenticated('Bearer token-0123456789abcdeF', auth)).toBe(false);
		expect(isAuthenticated('Bearer ', auth)).toBe(false);
		expect(isAuthenticated(undefined, auth)).toBe(false);
		const basic = `Basic ${Buffer.from('idp:pw-secret').toString('base64')}`;
		expect(isAuthenticated(basic, auth)).toBe(false);
		expect(isAuthenticated(basic, { ...auth, basicUser: 'idp', basicPassword: 'pw-secret' })).toBe(true);
		expect(
			isAuthenticated(`Basic ${Buffer.from('idp:wrong').toString('base64')}`, { ...auth, basicUser: 'idp', basicPassword: 'pw-secret' }),
		).toBe(false);
		expect(secretsEqual('', '')).toBe(false);
	});
	test('passwords reach events only with Forward Passwords on, and are never stored', async () => {
		const forwarding = new ScimServiceProvider(store, { baseUrl: 'https://x/scim/v2', forwardPasswords: true });
		const { events: withPw } = await forwarding.handle({
			method: 'POST',
			path: '/Users',
			query: {},
			headers: {},
			body: { userName: 'fw@x', password: 'Fw-Pw-1!' },
		});
		expect(withPw[0].resource!.password).toBe('Fw-Pw-1!');
		const { events: without } = await provider.handle({
			method: 'POST',
			path: '/Users',
			query: {},
			headers: {},
			body: { userName: 'nofw@x', password: 'No-Pw-1!' },
		});
		expect(without[0].resource!.password).toBeUndefined();
		expect(JSON.stringify(await store.list('User'))).not.toMatch(/Fw-Pw-1!|No-Pw-1!/);
	});
});

describe('errors at the boundary', () => {
	test('a roles value that looks like JSON but is not is 400 invalidValue, and nothing changes', async () => {
		const created = await call('POST', '/Users', { userName: 'r@example.org', roles: [{ value: 'a' }] });
		const res = await call('PATCH', `/Users/${created.body.id}`, {
			schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
			Operations: [{ op: 'Add', path: 'roles', value: ['{"value": "b", "primary": tru'] }],
		});
		expect(res.status).toBe(400);
		expect(res.body).toMatchObject({
			scimType: 'invalidValue',
			detail: expect.stringMatching(/roles\[0\] looks like JSON but is not valid JSON/),
		});
		expect((await store.get('User', created.body.id))!.roles).toEqual([{ value: 'a' }]);
	});

	test('a well-formed roles JSON text is parsed', async () => {
		const created = await call('POST', '/Users', { userName: 'r2@example.org' });
		const res = await call('PATCH', `/Users/${created.body.id}`, {
			schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
			Operations: [{ op: 'Add', path: 'roles', value: ['{"value": "b", "primary": true}'] }],
		});
		expect(res.status).toBe(200);
		expect(res.body.roles).toEqual([{ value: 'b', primary: true }]);
	});

	test('the store refusing a taken userName is 409 uniqueness', async () => {
		await call('POST', '/Users', { userName: 'dup@example.org' });
		const res = await call('POST', '/Users', { userName: 'DUP@example.org' });
		expect(res.status).toBe(409);
		expect(res.body).toMatchObject({ scimType: 'uniqueness', status: '409' });
	});

	test('an unexpected failure is 500 with a reference the log also gets, and starts no workflow', async () => {
		const seen: Array<{ error: unknown; reference: string }> = [];
		const broken = new ScimServiceProvider(
			{ ...store, create: async () => Promise.reject(new TypeError('disk exploded')) } as unknown as FileIdentityStore,
			{ baseUrl: 'https://n8n.example/webhook/x/scim/v2', onUnexpectedError: (error, reference) => seen.push({ error, reference }) },
		);
		const { response, events: emitted } = await broken.handle({
			method: 'POST',
			path: '/Users',
			query: {},
			headers: {},
			body: { userName: 'x@example.org' },
		});
		expect(response.status).toBe(500);
		expect(emitted).toEqual([]);
		expect(seen).toHaveLength(1);
		expect((seen[0].error as Error).message).toBe('disk exploded');
		expect((response.body as { detail: string }).detail).toContain(`reference ${seen[0].reference}`);
		expect((response.body as { detail: string }).detail).not.toContain('disk exploded');
	});
});

describe('events name users and groups by keys a target knows', () => {
	const user = async (userName: string, externalId: string, extra: object = {}) =>
		(await call('POST', '/Users', { userName, externalId, displayName: userName.split('@')[0], ...extra })).body.id as string;

	test('membership events carry each added or removed member with its userName and externalId', async () => {
		const a = await user('a@x.org', 'EA');
		const b = await user('b@x.org', 'EB');
		const gid = (await call('POST', '/Groups', { displayName: 'Staff', externalId: 'G1', members: [] })).body.id;
		events.length = 0;
		await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'Add', path: 'members', value: [{ value: a }, { value: b }] }]));
		await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'remove', path: `members[value eq "${a}"]` }]));
		expect(events.map((e) => [e.event, e.memberReferences])).toEqual([
			[
				'group.membersAdded',
				[
					{ value: a, type: 'User', userName: 'a@x.org', externalId: 'EA', displayName: 'a' },
					{ value: b, type: 'User', userName: 'b@x.org', externalId: 'EB', displayName: 'b' },
				],
			],
			['group.membersRemoved', [{ value: a, type: 'User', userName: 'a@x.org', externalId: 'EA', displayName: 'a' }]],
		]);
		expect(events[0].members).toEqual([a, b]);
	});

	test('a group created with members lists them with their keys; a nested group by its name', async () => {
		const a = await user('c@x.org', 'EC');
		const inner = (await call('POST', '/Groups', { displayName: 'Inner', externalId: 'GI' })).body.id;
		events.length = 0;
		await call('POST', '/Groups', { displayName: 'Outer', members: [{ value: a, display: 'c' }, { value: inner }, { value: 'gone-id' }] });
		expect(events[0].resource!.members).toEqual([
			{ value: a, display: 'c', type: 'User', userName: 'c@x.org', externalId: 'EC', displayName: 'c' },
			{ value: inner, type: 'Group', externalId: 'GI', displayName: 'Inner' },
			{ value: 'gone-id', type: 'Unknown' },
		]);
		// The store holds the IdP's data only: the keys are added to the event, not stored.
		const stored = (await store.findByName('Group', 'Outer'))[0];
		expect(stored.members).toEqual([{ value: a, display: 'c' }, { value: inner }, { value: 'gone-id' }]);
	});

	test("a user's manager is named by userName and externalId too", async () => {
		const boss = await user('boss@x.org', 'E1');
		events.length = 0;
		const id = await user('emp@x.org', 'E2', { [ENT]: { manager: { value: boss } } });
		expect(events[0].resource![ENT]).toEqual({
			manager: { value: boss, type: 'User', userName: 'boss@x.org', externalId: 'E1', displayName: 'boss' },
		});
		events.length = 0;
		await call('PATCH', `/Users/${id}`, PATCH([{ op: 'Replace', path: 'manager', value: boss }]));
		await call('PATCH', `/Users/${id}`, PATCH([{ op: 'Replace', path: 'title', value: 'Eng' }]));
		expect(events.map((e) => (e.resource![ENT] as any).manager.userName)).toEqual(['boss@x.org']);
		expect((await store.get('User', id))![ENT]).toEqual({ manager: { value: boss } });
	});

	test('deleting a user takes it out of every group, told as membership events that still name it', async () => {
		const a = await user('d@x.org', 'ED');
		const b = await user('e@x.org', 'EE');
		const g1 = (await call('POST', '/Groups', { displayName: 'G-one', members: [{ value: a }, { value: b }] })).body.id;
		const g2 = (await call('POST', '/Groups', { displayName: 'G-two', members: [{ value: a }] })).body.id;
		events.length = 0;
		expect((await call('DELETE', `/Users/${a}`)).status).toBe(204);
		expect(events.map((e) => [e.event, e.resourceId])).toEqual([
			['user.deleted', a],
			['group.membersRemoved', g1],
			['group.membersRemoved', g2],
		]);
		expect(events[1].memberReferences).toEqual([{ value: a, type: 'User', userName: 'd@x.org', externalId: 'ED', displayName: 'd' }]);
		expect((await store.get('Group', g1))!.members).toEqual([{ value: b }]);
		expect((await store.get('Group', g2))!.members).toEqual([]);
	});

	test('events say where the store lives', async () => {
		const located = new ScimServiceProvider(store, { baseUrl: 'https://n8n.example/x', storeLocation: { key: 'wf-node', kind: 'file' } });
		const { events: emitted } = await located.handle({
			method: 'POST',
			path: '/Users',
			query: {},
			headers: {},
			body: { userName: 'loc@x.org' },
		});
		expect(emitted[0].store).toEqual({ key: 'wf-node', kind: 'file' });
	});
});
