/** The SCIM service provider behind the SCIM Trigger, driven with the conversations Entra ID and Okta really have. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScimServiceProvider, type ScimEvent } from '../../lib/scim/server/serviceProvider';
import { FileIdentityStore } from '../../lib/store/fileIdentityStore';

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

async function call(method: string, path: string, body?: unknown, query: Record<string, string> = {}, headers: Record<string, string> = {}) {
	const { response, events: emitted } = await provider.handle({ method, path, query, headers: { 'user-agent': 'test', ...headers }, body });
	events.push(...emitted);
	return response as { status: number; headers: Record<string, string>; body: any };
}
const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

describe('Microsoft Entra ID conversation', () => {
	test('test connection, lookups, create, every PATCH form, disable, delete', async () => {
		const probe = await call('GET', '/Users', undefined, { filter: 'userName eq "8b1f6e0b-5b2c-4f0e-9a11-27d2f1c0e6aa"' });
		expect(probe).toMatchObject({ status: 200, body: { totalResults: 0, Resources: [], startIndex: 1, itemsPerPage: 0 } });

		const created = await call('POST', '/Users', {
			schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
			externalId: 'ada',
			userName: 'Ada@contoso.com',
			active: true,
			displayName: 'Ada Lovelace',
			emails: [{ primary: true, type: 'work', value: 'ada@contoso.com' }],
			name: { givenName: 'Ada', familyName: 'Lovelace' },
			[ENT]: { employeeNumber: '7', department: 'R&D' },
		});
		expect(created.status).toBe(201);
		expect(created.headers.Location).toBe(`https://n8n.example/webhook/x/scim/v2/Users/${created.body.id}`);
		expect(created.headers.ETag).toBe('W/"1"');
		const id = created.body.id;
		expect(events.map((e) => e.event)).toEqual(['user.created']);

		for (const filter of ['userName eq "ada@contoso.com"', 'externalId eq "ada"', 'externalId eq ada', 'emails[type eq "work"].value eq "ada@contoso.com"']) {
			expect((await call('GET', '/Users', undefined, { filter })).body.totalResults).toBe(1);
		}
		expect((await call('GET', `/Users/${id}`)).body).toMatchObject({ id, userName: 'Ada@contoso.com', meta: { resourceType: 'User', location: expect.stringContaining(id) } });

		const patches: Array<[unknown[], (u: any) => void]> = [
			[[{ op: 'Replace', path: 'displayName', value: 'Ada King' }], (u) => expect(u.displayName).toBe('Ada King')],
			[[{ op: 'replace', value: { 'name.givenName': 'Augusta', [`${ENT}:department`]: 'Math' } }], (u) => expect([u.name.givenName, u[ENT].department]).toEqual(['Augusta', 'Math'])],
			[[{ op: 'Add', path: 'addresses[type eq "work"].streetAddress', value: '1 Main' }, { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'London' }], (u) => expect(u.addresses).toEqual([{ type: 'work', streetAddress: '1 Main', locality: 'London' }])],
			[[{ op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+44 7700 900000' }], (u) => expect(u.phoneNumbers).toEqual([{ type: 'mobile', value: '+44 7700 900000' }])],
			[[{ op: 'Add', path: `${ENT}:manager`, value: 'boss-1' }], (u) => expect(u[ENT].manager).toEqual({ value: 'boss-1' })],
			[[{ op: 'Replace', path: `${ENT}:manager`, value: 'boss-2' }], (u) => expect(u[ENT].manager.value).toBe('boss-2')],
			[[{ op: 'Replace', path: `${ENT}:manager`, value: '' }], (u) => expect(u[ENT].manager).toBeUndefined()],
			[[{ op: 'Replace', path: 'title', value: 'x' }, { op: 'Replace', path: 'title', value: '' }], (u) => expect(u.title).toBeUndefined()],
		];
		for (const [ops, check] of patches) {
			const res = await call('PATCH', `/Users/${id}`, PATCH(ops));
			expect(res.status).toBe(200);
			check((await call('GET', `/Users/${id}`)).body);
		}
		events.length = 0;
		expect((await call('PATCH', `/Users/${id}`, PATCH([{ op: 'Replace', path: 'active', value: 'False' }]))).status).toBe(200);
		expect((await call('GET', `/Users/${id}`)).body.active).toBe(false);
		expect(events.map((e) => [e.event, e.changedAttributes])).toEqual([['user.deactivated', ['active']]]);
		expect((await call('DELETE', `/Users/${id}`)).status).toBe(204);
		expect((await call('GET', `/Users/${id}`)).status).toBe(404);
		expect(events.map((e) => e.event)).toEqual(['user.deactivated', 'user.deleted']);
	});

	test('groups: create without members, lookup without members, idempotent adds, legacy and filtered removal, delete', async () => {
		const ids: string[] = [];
		for (const n of ['a', 'b', 'c']) ids.push((await call('POST', '/Users', { userName: `${n}@contoso.com` })).body.id);
		const group = await call('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], displayName: 'Staff', externalId: 'g-1', members: [] });
		expect(group.status).toBe(201);
		const gid = group.body.id;
		const lookup = await call('GET', '/Groups', undefined, { excludedAttributes: 'members', filter: 'displayName eq "Staff"' });
		expect(lookup.body.Resources[0].members).toBeUndefined();
		events.length = 0;
		const add = PATCH([{ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) }]);
		expect((await call('PATCH', `/Groups/${gid}`, add)).status).toBe(204);
		expect((await call('PATCH', `/Groups/${gid}`, add)).status).toBe(204); // re-adding is not a 409
		expect((await call('GET', `/Groups/${gid}`)).body.members).toHaveLength(3);
		expect(events.map((e) => [e.event, e.members])).toEqual([['group.membersAdded', ids]]);
		await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'Remove', path: 'members', value: [{ $ref: null, value: ids[0] }] }]));
		await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'remove', path: `members[value eq "${ids[1]}"]` }]));
		expect((await call('GET', `/Groups/${gid}`)).body.members).toEqual([{ value: ids[2] }]);
		expect((await call('DELETE', `/Groups/${gid}`)).status).toBe(204);
		expect(events.map((e) => e.event)).toEqual(['group.membersAdded', 'group.membersRemoved', 'group.membersRemoved', 'group.deleted']);
	});
});

describe('Okta conversation', () => {
	test('paged listing, lookup, create with a password never echoed, 409, GET then full PUT, PATCH active=false', async () => {
		for (let i = 0; i < 150; i++) await call('POST', '/Users', { userName: `user${i}@okta.example` });
		const page1 = await call('GET', '/Users', undefined, { startIndex: '1', count: '100' });
		const page2 = await call('GET', '/Users', undefined, { startindex: '101', COUNT: '100' });
		expect([page1.body.totalResults, page1.body.itemsPerPage, page2.body.itemsPerPage, page2.body.startIndex]).toEqual([150, 100, 50, 101]);
		const all = [...page1.body.Resources, ...page2.body.Resources].map((r: any) => r.id);
		expect(new Set(all).size).toBe(150);
		expect((await call('GET', '/Users', undefined, { filter: 'userName eq "USER7@okta.example"', startIndex: '1', count: '100' })).body.totalResults).toBe(1);

		events.length = 0;
		const created = await call('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'okta.user@example.org', name: { givenName: 'O', familyName: 'K' }, password: 'Okta-Pw-123!', active: true });
		expect(created.status).toBe(201);
		expect(JSON.stringify(created.body)).not.toContain('Okta-Pw-123!');
		expect(JSON.stringify(events)).not.toContain('Okta-Pw-123!');
		expect(JSON.stringify(await store.list('User'))).not.toContain('Okta-Pw-123!');
		expect((await call('POST', '/Users', { userName: 'OKTA.USER@example.org' })).body).toMatchObject({ status: '409', scimType: 'uniqueness', detail: expect.any(String) });

		const current = (await call('GET', `/Users/${created.body.id}`)).body;
		const put = await call('PUT', `/Users/${created.body.id}`, { ...current, groups: [], name: { givenName: 'Okay', familyName: 'K' } });
		expect(put.status).toBe(200);
		expect(put.body).toMatchObject({ id: created.body.id, name: { givenName: 'Okay' } });
		expect((await call('PATCH', `/Users/${created.body.id}`, PATCH([{ op: 'replace', value: { active: false } }]))).body.active).toBe(false);
	});

	test('group push: create, rename with the id in the value, add and remove, replace members, delete', async () => {
		const ids: string[] = [];
		for (const n of ['p', 'q', 'r']) ids.push((await call('POST', '/Users', { userName: `${n}@okta.example` })).body.id);
		const gid = (await call('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Okta Group', members: [] })).body.id;
		await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'replace', value: { id: gid, displayName: 'Okta Group 2' } }]));
		await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'add', path: 'members', value: [{ value: ids[0], display: 'p' }, { value: ids[1], display: 'q' }] }]));
		await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'remove', path: `members[value eq "${ids[0]}"]` }, { op: 'add', path: 'members', value: [{ value: ids[2], display: 'r' }] }]));
		expect((await call('GET', `/Groups/${gid}`)).body).toMatchObject({ displayName: 'Okta Group 2', members: [{ value: ids[1] }, { value: ids[2] }] });
		await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'replace', path: 'members', value: [{ value: ids[0] }] }]));
		expect((await call('GET', `/Groups/${gid}`)).body.members.map((m: any) => m.value)).toEqual([ids[0]]);
		expect((await call('DELETE', `/Groups/${gid}`)).status).toBe(204);
	});
});

describe('protocol details and bad input', () => {
	test('discovery, 405 on writes to it, 501 bulk, ETags and If-Match', async () => {
		expect((await call('GET', '/ServiceProviderConfig')).body).toMatchObject({ patch: { supported: true }, bulk: { supported: false }, filter: { supported: true } });
		expect((await call('GET', '/ResourceTypes')).body.totalResults).toBe(2);
		expect((await call('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User')).body.name).toBe('User');
		expect((await call('POST', '/ServiceProviderConfig', {})).status).toBe(405);
		expect((await call('POST', '/Bulk', {})).status).toBe(501);
		const id = (await call('POST', '/Users', { userName: 'etag@x' })).body.id;
		expect((await call('GET', `/Users/${id}`, undefined, {}, { 'if-none-match': 'W/"1"' })).status).toBe(304);
		expect((await call('PATCH', `/Users/${id}`, PATCH([{ op: 'replace', path: 'title', value: 'a' }]), {}, { 'if-match': 'W/"1"' })).status).toBe(200);
		expect((await call('PATCH', `/Users/${id}`, PATCH([{ op: 'replace', path: 'title', value: 'b' }]), {}, { 'if-match': 'W/"1"' })).status).toBe(412);
		expect((await call('POST', '/.search', { filter: 'userName eq "etag@x"', attributes: ['userName'] })).body.Resources).toEqual([{ id, userName: 'etag@x', schemas: expect.any(Array), meta: expect.any(Object) }]);
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
		expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail: expect.any(String), ...(scimType ? { scimType } : {}) });
	});
	test('invalid filters and paths are 400 and change nothing', async () => {
		const id = (await call('POST', '/Users', { userName: 'safe@x', title: 'T' })).body.id;
		const before = await store.get('User', id);
		expect((await call('GET', '/Users', undefined, { filter: 'userName xx "a"' })).body.scimType).toBe('invalidFilter');
		expect((await call('PATCH', `/Users/${id}`, PATCH([{ op: 'replace', path: 'title', value: 'changed' }, { op: 'replace', path: '__proto__.x', value: 1 }]))).body.scimType).toBe('invalidPath');
		expect((await call('PATCH', `/Users/${id}`, PATCH([{ op: 'replace', path: 'favouriteColour', value: 'x' }]))).body.scimType).toBe('invalidPath');
		expect(await store.get('User', id)).toEqual(before);
	});
	test('fuzzing: 10,000 generated filters and PATCH bodies give only 2xx or 4xx', async () => {
		const id = (await call('POST', '/Users', { userName: 'fuzz@x', emails: [{ type: 'work', value: 'f@x' }] })).body.id;
		const gid = (await call('POST', '/Groups', { displayName: 'FuzzGroup' })).body.id;
		let seed = 42;
		const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
		const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
		const attrs = ['userName', 'emails', 'emails.value', 'emails[type eq "work"].value', 'name.givenName', 'active', 'meta.created', 'id', 'externalId', `${ENT}:department`, 'members', 'members[value eq "x"]', '__proto__', 'constructor.prototype', '', 'a b', '[', ']', 'x[y', 'title'];
		const ops = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'EQ', 'xx', 'and', 'or', 'not', '(', ')'];
		const values = ['"a"', '"\\""', 'true', 'false', 'null', '1', '-2.5', 'abc', '"2024-01-01T00:00:00Z"', '', '"' + 'z'.repeat(50) + '"', '{', '[1]'];
		const opNames = ['add', 'Add', 'replace', 'Replace', 'remove', 'Remove', 'move', '', 'copy'];
		const jsonValues = [null, '', 'x', 'False', true, 1, [], [{ value: 'x' }], { a: 1 }, { 'name.givenName': 'x' }, { __proto__: { p: 1 } }, [{ $ref: null, value: 'y' }]];
		const statuses = new Set<number>();
		for (let i = 0; i < 10000; i++) {
			let res;
			let input: unknown;
			if (i % 2 === 0) {
				const filter = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => [pick(attrs), pick(ops), pick(values)].join(' ')).join(` ${pick(['and', 'or', ''])} `);
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
