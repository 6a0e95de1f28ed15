/**
 * Issue 18, class hunt: property-based tests of the SCIM service provider through its public API and a real file
 * store. Each case creates a user and a group, sends 1–4 random requests (PATCH in RFC, Entra and Okta forms, PUT,
 * filtered lists and searches, reads, deletes) and checks after every request:
 * - the built-in prototypes (Object, Function, Array and the functions they hold) are unchanged;
 * - no 5xx; every 4xx is an RFC 7644 error body; a refused write changed nothing;
 * - every stored resource passes the server's own validation unchanged, and holds no key outside the schemas;
 * - every 2xx answer is re-readable with GET as the same resource (a listing's resources too).
 * SCIM_PROPERTY_SEED and SCIM_PROPERTY_RUNS override the fixed seed and the 10,000 runs, to explore.
 * The store lives on tmpfs (/dev/shm) when there is one: the same code, whose fdatasync then costs microseconds
 * instead of milliseconds, so 10,000 cases fit in the unit suite.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { GROUP_SCHEMA, USER_SCHEMA } from '../../lib/scim/server/schemas';
import { ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import { validateResource } from '../../lib/scim/server/validation';
import { FileIdentityStore } from '../../lib/store/fileIdentityStore';
import type { Resource, ResourceType } from '../../lib/scim/server/identityStore';
import { ACME, ACME_GROUP, CORE_USER, CUSTOM, ENT, scimCase, type Step } from '../harness/scimArbitraries';
import { type PrototypeSnapshot, prototypeChanges, restorePrototypes, snapshotPrototypes } from '../harness/prototypes';

const SEED = Number(process.env.SCIM_PROPERTY_SEED ?? 18_2024);
const RUNS = Number(process.env.SCIM_PROPERTY_RUNS ?? 10_000);
const BASE = 'https://n8n.example/webhook/x/scim/v2';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
/**
 * The keys a stored resource may have: the schemas' attributes, the server's, and extension URNs (an unknown URN is
 * a schema name to the server); but not an attribute path of a schema the server knows
 * (`urn:…:enterprise:2.0:User:department`), a cut-off URN (`urn:…:enterprise:2.0`, what scim-patch makes of a
 * whole-extension path) or an extension of the other resource type.
 */
const KEYS: Record<ResourceType, Set<string>> = {
	// password is never stored, groups never kept (read-only).
	User: new Set([
		'id',
		'meta',
		'schemas',
		'externalId',
		...USER_SCHEMA.attributes.map((a) => a.name).filter((n) => n !== 'password' && n !== 'groups'),
		ENT,
	]),
	Group: new Set(['id', 'meta', 'schemas', 'externalId', ...GROUP_SCHEMA.attributes.map((a) => a.name)]),
};
const SERVER_URNS = [CORE_USER, GROUP_SCHEMA.id, ENT].map((u) => u.toLowerCase());
const CASE_URNS = [...SERVER_URNS, ACME, ACME_GROUP, CUSTOM].map((u) => u.toLowerCase());
const allowedKey = (type: ResourceType, key: string) =>
	KEYS[type].has(key) ||
	(/^urn:/i.test(key) &&
		!SERVER_URNS.some((urn) => key.toLowerCase().startsWith(`${urn}:`)) &&
		!CASE_URNS.some((urn) => urn.startsWith(`${key.toLowerCase()}:`)) &&
		!key.toLowerCase().endsWith(type === 'User' ? ':group' : ':user'));

interface Answer {
	status: number;
	headers: Record<string, string>;
	body?: any;
}

let dir: string;
let store: FileIdentityStore;
let provider: ScimServiceProvider;
let pristine: PrototypeSnapshot;
let counter = 0;
beforeAll(() => {
	dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'scimprops-'));
	store = new FileIdentityStore(dir);
	provider = new ScimServiceProvider(store, { baseUrl: BASE });
	pristine = snapshotPrototypes();
});
afterAll(async () => {
	await store.close();
	rmSync(dir, { recursive: true, force: true });
});

/** The ids of the case, put in place of the generators' placeholders. */
interface Ids {
	user?: string;
	group?: string;
	userName: string;
}
const fill = (value: unknown, ids: Ids): unknown =>
	value === undefined
		? undefined
		: JSON.parse(
				JSON.stringify(value)
					.replaceAll('$USERNAME', ids.userName)
					.replaceAll('$USER', ids.user ?? 'no-user')
					.replaceAll('$GROUP', ids.group ?? 'no-group'),
			);

function assertPrototypesUnchanged(what: () => string): void {
	const changes = prototypeChanges(pristine);
	if (changes.length) {
		restorePrototypes(pristine);
		assert.fail(`${what()} changed built-in prototypes: ${changes.join(', ')}`);
	}
}

/**
 * One request through the public API, with the invariants every answer must hold. The re-reads the checks make
 * skip the prototype check (the case's last request checks it anyway). Plain node:assert: jest's expect builds an
 * error for every call, which is most of the time of 10,000 cases.
 */
async function send(method: string, path: string, body?: unknown, query: Record<string, string | undefined> = {}, reread = false) {
	const { response } = await provider.handle({ method, path, query, headers: { 'user-agent': 'property-test' }, body });
	const what = () => `${method} ${path} ${JSON.stringify(query)} ${JSON.stringify(body)}`;
	if (!reread) assertPrototypesUnchanged(what);
	if (response.status >= 500) assert.fail(`${what()} answered ${response.status}: ${JSON.stringify(response.body)}`);
	if (response.status >= 400) {
		const error = response.body as Record<string, unknown>;
		assert.deepEqual(error.schemas, [ERROR_SCHEMA]);
		assert.equal(error.status, String(response.status));
		assert.ok(typeof error.detail === 'string' && error.detail.length > 0, `${what()}: an error without detail`);
	}
	return response as Answer;
}

const pathOf = (type: ResourceType, id: string) => `/${type}s/${encodeURIComponent(id)}`;

/** Stored data passes the server's own validation as it is, and has no key outside the schemas. */
async function assertStoredValid(): Promise<void> {
	for (const type of ['User', 'Group'] as const)
		for (const resource of await store.list(type)) {
			assert.deepStrictEqual(validateResource(type, resource, { mode: 'request' }), resource);
			const strange = Object.keys(resource).filter((key) => !allowedKey(type, key));
			if (strange.length) assert.fail(`${type} ${resource.id} was stored with ${strange.join(', ')}: ${JSON.stringify(resource)}`);
		}
}

/** A 2xx write answered with a resource (or an ETag only) is what GET reads back. */
async function assertReadable(type: ResourceType, id: string, answer: Answer): Promise<void> {
	const read = await send('GET', pathOf(type, id), undefined, {}, true);
	assert.equal(read.status, 200);
	assert.equal(read.body.password, undefined);
	if (answer.body !== undefined) assert.deepStrictEqual(read.body, answer.body);
	assert.equal(read.headers.ETag, answer.headers.ETag);
}

async function run(step: Step, ids: Ids): Promise<void> {
	const id = step.target === 'User' ? ids.user : step.target === 'Group' ? ids.group : undefined;
	if (step.kind === 'list') {
		const query = { filter: fill(step.filter, ids) as string, attributes: step.attributes };
		const answer = step.target.endsWith('.search')
			? await send('POST', `/${step.target}`, { ...query, schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] })
			: await send('GET', `/${step.target}`, undefined, query);
		if (answer.status !== 200) return assert.equal(answer.body.scimType, 'invalidFilter');
		assert.ok(Number.isInteger(answer.body.totalResults));
		for (const listed of answer.body.Resources) {
			const read = await send('GET', pathOf(listed.meta.resourceType, listed.id), undefined, { attributes: step.attributes }, true);
			assert.deepStrictEqual(read.body, listed);
		}
		return;
	}
	if (id === undefined) return;
	const type = step.target as ResourceType;
	if (step.kind === 'read') {
		const answer = await send('GET', pathOf(type, id), undefined, { attributes: step.attributes });
		assert.equal(answer.status, 200);
		return;
	}
	if (step.kind === 'delete') {
		assert.equal((await send('DELETE', pathOf(type, id))).status, 204);
		assert.equal((await send('GET', pathOf(type, id), undefined, {}, true)).status, 404);
		if (type === 'User') ids.user = undefined;
		else ids.group = undefined;
		return;
	}
	const before = await store.get(type, id);
	const answer = await send(step.kind === 'patch' ? 'PATCH' : 'PUT', pathOf(type, id), fill(step.body, ids));
	if (answer.status < 300) await assertReadable(type, id, answer);
	else assert.deepStrictEqual(await store.get(type, id), before, 'a refused write changed the resource');
}

async function runCase(input: typeof scimCase extends fc.Arbitrary<infer T> ? T : never): Promise<void> {
	const ids: Ids = { userName: `user${++counter}@example.com` };
	try {
		const user = await send('POST', '/Users', fill(input.user, ids));
		if (user.status === 201) {
			ids.user = user.body.id;
			await assertReadable('User', ids.user!, user);
		}
		const group = await send('POST', '/Groups', fill(input.group, ids));
		if (group.status === 201) {
			ids.group = group.body.id;
			await assertReadable('Group', ids.group!, group);
		}
		await assertStoredValid();
		for (const step of input.steps) {
			await run(step, ids);
			await assertStoredValid();
		}
		assertPrototypesUnchanged(() => 'the case');
	} finally {
		// Each case starts from an empty store (and from clean prototypes, should an assertion have thrown first).
		if (prototypeChanges(pristine).length) restorePrototypes(pristine);
		for (const type of ['User', 'Group'] as const) for (const r of await store.list(type)) await store.delete(type, (r as Resource).id);
	}
}

test(`${RUNS} random cases keep the prototypes, answer no 5xx, store only valid data and are re-readable (seed ${SEED})`, async () => {
	await fc.assert(
		fc.asyncProperty(scimCase, (input) => runCase(input)),
		{ seed: SEED, numRuns: RUNS },
	);
});
