/**
 * Issue 18, defect 1: no SCIM request may change a built-in prototype. Every key at every depth of a body or a
 * PATCH value, and every name in a PATCH path, that a JavaScript object or list inherits is refused with a 400,
 * through the real service provider and a real store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import { FileIdentityStore } from '../../lib/store/fileIdentityStore';
import { type PrototypeSnapshot, prototypeChanges, restorePrototypes, snapshotPrototypes } from '../harness/prototypes';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ACME = 'urn:acme:ext:2.0:User';
const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

let dir: string;
let store: FileIdentityStore;
let provider: ScimServiceProvider;
let pristine: PrototypeSnapshot;
let userId: string;
beforeEach(async () => {
	dir = mkdtempSync(join(tmpdir(), 'scimproto-'));
	store = new FileIdentityStore(dir);
	provider = new ScimServiceProvider(store, { baseUrl: 'https://n8n.example/webhook/x/scim/v2' });
	pristine = snapshotPrototypes();
	userId = (await call('POST', '/Users', { userName: 'victim@x', emails: [{ type: 'work', value: 'victim@x' }], [ACME]: { list: [1] } }))
		.body.id;
});
afterEach(async () => {
	// A polluted prototype is repaired here, so the failure is this test's alone.
	const changes = prototypeChanges(pristine);
	restorePrototypes(pristine);
	await store.close();
	rmSync(dir, { recursive: true, force: true });
	expect(changes).toEqual([]);
});

async function call(method: string, path: string, body?: unknown) {
	const { response } = await provider.handle({ method, path, query: {}, headers: {}, body });
	return response as { status: number; body: any };
}

/** Sends the requests in order; the prototypes must be untouched, the last answer is returned. */
async function attack(...requests: Array<[string, string, unknown]>) {
	let last = { status: 0, body: undefined as any };
	for (const [method, path, body] of requests) last = await call(method, path, body);
	expect(prototypeChanges(pristine)).toEqual([]);
	return last;
}

describe('defect 1: prototype pollution through PATCH', () => {
	test('the filed exploit: {a:1} then {"hasOwnProperty.call":"pwned"} on an unknown extension is refused, prototypes untouched', async () => {
		const answer = await attack(
			['PATCH', `/Users/${userId}`, PATCH([{ op: 'add', path: `${ACME}:foo`, value: { a: 1 } }])],
			['PATCH', `/Users/${userId}`, PATCH([{ op: 'add', path: `${ACME}:foo`, value: { 'hasOwnProperty.call': 'pwned' } }])],
		);
		expect(answer).toMatchObject({ status: 400, body: { scimType: 'invalidPath' } });
		expect(typeof Object.prototype.hasOwnProperty.call).toBe('function');
		expect((await store.get('User', userId))?.[ACME]).toEqual({ list: [1], foo: { a: 1 } });
	});

	test.each([
		['a core path through an inherited method', [{ op: 'replace', path: 'hasOwnProperty.call', value: 'pwned' }]],
		['remove through an inherited method deletes its name', [{ op: 'remove', path: 'toString.name' }]],
		['a path-less replace with a dotted key', [{ op: 'replace', value: { 'valueOf.call': 'pwned' } }]],
		['a path-less replace with a URN key', [{ op: 'replace', value: { [`${ACME}:isPrototypeOf.call`]: 'pwned' } }]],
		['an extension path', [{ op: 'add', path: `${ACME}:propertyIsEnumerable.call`, value: 'pwned' }]],
		['a list method reached through a value key', [{ op: 'add', path: `${ACME}`, value: { 'list.map.call': 'pwned' } }]],
		['a key deep inside a value', [{ op: 'add', path: `${ACME}:deep`, value: JSON.parse('{"a":{"b":[{"__proto__":{"polluted":1}}]}}') }]],
		['__defineGetter__ in a value', [{ op: 'add', path: `${ACME}:x`, value: { '__defineGetter__.call': 'pwned' } }]],
		['__lookupSetter__ as a path', [{ op: 'replace', path: `${ACME}:__lookupSetter__.name`, value: 'x' }]],
		['toLocaleString under the enterprise extension', [{ op: 'replace', path: `${ENT}:toLocaleString.call`, value: 'x' }]],
		['constructor.prototype as a key', [{ op: 'add', path: `${ACME}:x`, value: { 'constructor.prototype.polluted': 1 } }]],
		['a name in a value filter', [{ op: 'add', path: 'emails[hasOwnProperty pr].value', value: 'x' }]],
		['a case variant', [{ op: 'add', path: `${ACME}:x`, value: { 'HasOwnProperty.call': 'x', __PROTO__: 1 } }]],
	])('%s is refused with 400, prototypes untouched', async (_, operations) => {
		const answer = await attack(['PATCH', `/Users/${userId}`, PATCH(operations)]);
		expect(answer.status).toBe(400);
		expect(['invalidPath', 'invalidSyntax']).toContain(answer.body.scimType);
	});

	test.each([
		['POST', { userName: 'p@x', [ACME]: { a: { 'hasOwnProperty.call': 1 } } }],
		['POST', { userName: 'p@x', [ACME]: { nested: [{ toString: 'x' }] } }],
		['PUT', { userName: 'victim@x', name: { valueOf: 'x' } }],
		['PUT', { userName: 'victim@x', [`${ACME}`]: JSON.parse('{"__proto__":{"polluted":1}}') }],
	])('a %s body with an inherited name at any depth is 400 invalidSyntax', async (method, body) => {
		const path = method === 'POST' ? '/Users' : `/Users/${userId}`;
		const answer = await attack([method, path, body]);
		expect(answer).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
	});

	test('a body or PATCH value nested 100,000 levels deep is 400 invalidSyntax, not a stack overflow (500)', async () => {
		const deep = JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
		const deepList = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
		for (const [method, path, body] of [
			['POST', '/Users', { userName: 'deep@x', [ACME]: deep }],
			['PUT', `/Users/${userId}`, { userName: 'victim@x', [ACME]: { list: deepList } }],
			['PATCH', `/Users/${userId}`, PATCH([{ op: 'add', path: `${ACME}:deep`, value: deep }])],
		] as const)
			expect(await attack([method, path, body])).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
	});

	test('an unknown extension is any JSON object without inherited names: kept as sent, readable again', async () => {
		const value = { tags: ['a', 'b'], nested: { deeper: [{ k: 1 }] }, hasOwnPropertyX: true };
		const patched = await attack(['PATCH', `/Users/${userId}`, PATCH([{ op: 'replace', path: `${ACME}:prefs`, value }])]);
		expect(patched.status).toBe(200);
		expect((await call('GET', `/Users/${userId}`)).body[ACME]).toEqual({ list: [1], prefs: value });
		const notAnObject = await attack(['POST', '/Users', { userName: 'q@x', [ACME]: 'text' }]);
		expect(notAnObject).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
	});

	test('a value filter comparing with an inherited name as a quoted value still works', async () => {
		const gid = (await call('POST', '/Groups', { displayName: 'G', members: [{ value: userId }, { value: 'toString' }] })).body.id;
		const answer = await attack(['PATCH', `/Groups/${gid}`, PATCH([{ op: 'remove', path: 'members[value eq "toString"]' }])]);
		expect(answer.status).toBe(204);
		expect((await store.get('Group', gid))?.members).toEqual([{ value: userId }]);
	});
});

describe('paths naming a whole extension schema, or a core schema in another case, keep typed validation', () => {
	const keys = async () => Object.keys((await store.get('User', userId))!).sort();
	const patch = (operations: unknown[]) => call('PATCH', `/Users/${userId}`, PATCH(operations));
	test('add with the enterprise URN as path merges into the enterprise extension, typed, with no truncated-URN key', async () => {
		expect((await patch([{ op: 'add', path: ENT, value: { employeeNumber: '5' } }])).status).toBe(200);
		expect((await patch([{ op: 'replace', path: ENT, value: { department: 'D' } }])).status).toBe(200);
		expect((await store.get('User', userId))?.[ENT]).toEqual({ employeeNumber: '5', department: 'D' });
		expect(await keys()).toEqual([ACME, ENT, 'emails', 'id', 'meta', 'schemas', 'userName'].sort());
		expect(await patch([{ op: 'add', path: ENT, value: { employeeNumber: 5 } }])).toMatchObject({
			status: 400,
			body: { scimType: 'invalidValue' },
		});
		expect(await patch([{ op: 'add', path: ENT, value: 'text' }])).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
	});
	test('a path-less replace with the enterprise URN as key is typed the same way', async () => {
		expect((await patch([{ op: 'replace', value: { [ENT]: { department: 'X' } } }])).status).toBe(200);
		expect((await store.get('User', userId))?.[ENT]).toEqual({ department: 'X' });
		expect(await keys()).toEqual([ACME, ENT, 'emails', 'id', 'meta', 'schemas', 'userName'].sort());
	});
	test('remove with an extension URN as path removes that extension', async () => {
		await patch([{ op: 'add', path: `${ENT}:department`, value: 'D' }]);
		expect((await patch([{ op: 'remove', path: ENT }])).status).toBe(200);
		expect((await patch([{ op: 'remove', path: ACME }])).status).toBe(200);
		expect(await keys()).toEqual(['emails', 'id', 'meta', 'schemas', 'userName'].sort());
	});
	test('a core schema prefix in another case is the core attribute, typed', async () => {
		const upper = 'URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER';
		expect((await patch([{ op: 'replace', path: `${upper}:title`, value: 'T' }])).status).toBe(200);
		expect((await store.get('User', userId))?.title).toBe('T');
		expect(await keys()).toEqual([ACME, 'emails', 'id', 'meta', 'schemas', 'title', 'userName'].sort());
		expect(await patch([{ op: 'replace', path: `${upper}:name`, value: { givenName: 5 } }])).toMatchObject({
			status: 400,
			body: { scimType: 'invalidValue' },
		});
		expect(await call('POST', '/Users', { userName: 'c@x', [upper]: { title: 5 } })).toMatchObject({
			status: 400,
			body: { scimType: 'invalidSyntax' },
		});
	});
});

describe('found by the property tests (scimServiceProviderProperties.test.ts)', () => {
	test('the enterprise extension on a Group is refused, in a body and as a PATCH path (no cut-off URN key stored)', async () => {
		expect(await call('POST', '/Groups', { displayName: 'G1', [ENT]: { department: 'D' } })).toMatchObject({
			status: 400,
			body: { scimType: 'invalidSyntax' },
		});
		const gid = (await call('POST', '/Groups', { displayName: 'G2' })).body.id;
		const before = await store.get('Group', gid);
		expect(await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'add', path: ENT, value: { department: 'D' } }]))).toMatchObject({
			status: 400,
			body: { scimType: 'invalidPath' },
		});
		expect(await store.get('Group', gid)).toEqual(before);
	});
	test('a body key that is an attribute path of a known schema is refused, not stored as an untyped extension', async () => {
		for (const key of [`${ENT}:department`, `${ENT}:manager`, 'urn:ietf:params:scim:schemas:core:2.0:User:title'])
			expect(await call('POST', '/Users', { userName: 'k@x', [key]: { value: 5 } })).toMatchObject({
				status: 400,
				body: { scimType: 'invalidSyntax' },
			});
		expect(await store.findByName('User', 'k@x')).toEqual([]);
	});
});
