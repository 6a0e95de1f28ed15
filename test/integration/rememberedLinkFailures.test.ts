/**
 * A remembered target id that cannot be read is unknown, not missing: the item fails as retryable instead of being
 * matched by its other keys, which for a renamed user (or an Okta group, which has no externalId) finds nothing
 * and creates a duplicate. In process, through the real nodes, against the real SCIM server and a real PostgreSQL
 * trigger store (queue mode) that goes down between the trigger and the action node.
 */
import type { INodeExecutionData } from 'n8n-workflow';
import { ScimServiceProvider, type ScimEvent } from '../../lib/scim/server/serviceProvider';
import { openStoreAt, registerWebhook, type StoreLocation } from '../../lib/store/openStore';
import { StoreRefSigner } from '../../lib/store/storeRef';
import { chain, errorOf, itemsInto, runWorkflow } from '../harness/workflow';
import { Postgres } from '../servers/postgres';
import { ScimTestServer } from '../../dev/scimApp';

const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
const onError = { onError: 'continueErrorOutput' };
const MAP = {
	name: 'Map',
	type: 'mapAttributes',
	parameters: { preset: 'scimPassthrough', options: { sourcePath: 'resource' } },
};

let app: ScimTestServer;
let pg: Postgres;
const savedEnv = { ...process.env };
beforeAll(async () => {
	[app, pg] = await Promise.all([ScimTestServer.start(), Postgres.start()]);
	// n8n on PostgreSQL (queue mode): the trigger's store and its links live in n8n's database.
	Object.assign(process.env, {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pg.port),
		DB_POSTGRESDB_USER: 'postgres',
		DB_POSTGRESDB_DATABASE: 'postgres',
	});
});
afterAll(async () => {
	for (const name of Object.keys(process.env)) if (name.startsWith('DB_') && !(name in savedEnv)) delete process.env[name];
	await app.stop();
	await pg.stop();
});

let provider: ScimServiceProvider;
let location: StoreLocation;
let run = 0;
const open = (kind: StoreLocation['kind']) => {
	location = { key: `link-failures-${kind}-${++run}`, kind };
	provider = new ScimServiceProvider(openStoreAt(location, process.env.N8N_USER_FOLDER!, process.env), {
		baseUrl: 'https://n8n.example/webhook/w/scim/v2',
		// Signed for the workflow the items run in (the harness's default id), as the trigger signs its events.
		storeLocation: StoreRefSigner.of(process.env)!.sign(location, 'test-workflow'),
	});
};
beforeEach(() => {
	app.store.users.clear();
	app.store.groups.clear();
	app.faults.length = 0;
});

const credentials = () => ({ scimTargetApi: { baseUrl: app.baseUrl, authentication: 'bearer', token: app.token, timeoutMs: 10000 } });
async function push(method: string, path: string, body?: unknown): Promise<{ id: string; events: ScimEvent[] }> {
	const { response, events } = await provider.handle({ method, path, query: {}, headers: {}, body });
	return { id: (response as { body: { id: string } }).body?.id, events };
}
const provision = (events: object[]) =>
	runWorkflow(
		chain(events, [
			MAP,
			{ name: 'Provision', type: 'provisionUser', parameters: { target: 'scim', inputMode: 'envelope' }, settings: onError },
		]),
		credentials(),
	);
const groupSync = (items: unknown[]) =>
	runWorkflow(itemsInto('groupSync', { target: 'scim', groupsFrom: 'events' }, items as object[], onError), credentials());
const failureOf = (items: INodeExecutionData[]) => items.map((i) => errorOf(i)).map((e) => ({ code: e.code, reason: e.reason }));

describe('Provision User', () => {
	test('the remembered account cannot be read (the app answers 503): the renamed user fails as retryable, no duplicate', async () => {
		open('file');
		const created = await push('POST', '/Users', { userName: 'old.name@x.org', active: true });
		expect((await provision(created.events)).output('Provision')[0].json.action).toBe('Create');
		const [appId] = app.store.users.keys();

		const renamed = await push('PATCH', `/Users/${created.id}`, PATCH([{ op: 'replace', path: 'userName', value: 'new.name@x.org' }]));
		app.faults.push({ method: 'GET', pathIncludes: `/Users/${appId}`, status: 503, times: 1000 });
		const result = await provision(renamed.events);
		expect(result.output('Provision')).toEqual([]);
		expect(failureOf(result.output('Provision', 1))).toEqual([{ code: 'TargetUnavailable', reason: expect.any(String) }]);
		expect([...app.store.users.values()].map((u) => u.userName)).toEqual(['old.name@x.org']);

		app.faults.length = 0;
		const retried = await provision(renamed.events);
		expect(retried.output('Provision').map((i) => i.json.action)).toEqual(['Update']);
		expect([...app.store.users.values()].map((u) => u.userName)).toEqual(['new.name@x.org']);
	});

	test("n8n's database is down when the links are read: the renamed user fails as retryable, no duplicate", async () => {
		open('postgres');
		const created = await push('POST', '/Users', { userName: 'pg.old@x.org', active: true });
		expect((await provision(created.events)).output('Provision')[0].json.action).toBe('Create');
		const renamed = await push('PATCH', `/Users/${created.id}`, PATCH([{ op: 'replace', path: 'userName', value: 'pg.new@x.org' }]));
		// Map Attributes read the current state; then the database goes away before Provision User reads the links.
		const mapped = (await runWorkflow(chain(renamed.events, [MAP]), credentials())).output('Map').map((i) => i.json);
		await pg.crash();
		try {
			const result = await runWorkflow(
				itemsInto('provisionUser', { target: 'scim', inputMode: 'envelope' }, mapped, onError),
				credentials(),
			);
			expect(result.output('Node')).toEqual([]);
			const [failure] = failureOf(result.output('Node', 1));
			expect(failure.code).toBe('StoreUnavailable');
			expect(failure.reason).toMatch(/remembered target id/);
			expect([...app.store.users.values()].map((u) => u.userName)).toEqual(['pg.old@x.org']);
		} finally {
			await pg.resume();
		}
		const retried = await runWorkflow(
			itemsInto('provisionUser', { target: 'scim', inputMode: 'envelope' }, mapped, onError),
			credentials(),
		);
		expect(retried.output('Node').map((i) => i.json.action)).toEqual(['Update']);
		expect([...app.store.users.values()].map((u) => u.userName)).toEqual(['pg.new@x.org']);
	});
});

describe('Deprovision User', () => {
	test('a user the IdP deleted, known only by its remembered id: the app answering 503 fails it as retryable, and the id is kept', async () => {
		open('file');
		const webhook = `link-failures-deleted-${run}`;
		await registerWebhook(webhook, location, process.env.N8N_USER_FOLDER!, process.env);
		const created = await push('POST', '/Users', { userName: 'leaver@x.org', active: true });
		await provision(created.events);
		const [appId] = app.store.users.keys();
		await push('DELETE', `/Users/${created.id}`); // not delivered: the resync finds it
		const resync = () =>
			runWorkflow(
				chain(
					[{}],
					[
						{
							name: 'Deleted',
							type: 'scimStore',
							parameters: { tenantUrl: `https://n8n.example/webhook/${webhook}/scim/v2`, operation: 'deletedUsers' },
						},
						{
							name: 'Delete',
							type: 'deprovisionUser',
							parameters: {
								target: 'scim',
								mode: 'perItem',
								operation: 'disable',
								inputMode: 'envelope',
								options: { whenSourceDeleted: 'delete' },
							},
							settings: onError,
						},
					],
				),
				credentials(),
			);
		app.faults.push({ method: 'GET', pathIncludes: `/Users/${appId}`, status: 503, times: 1000 });
		const failed = await resync();
		expect(failed.output('Delete')).toEqual([]);
		expect(failureOf(failed.output('Delete', 2)).map((f) => f.code)).toEqual(['TargetUnavailable']); // outputs: Done, To Approve, error

		app.faults.length = 0;
		const retried = await resync();
		expect(retried.output('Delete').map((i) => i.json.action)).toEqual(['Delete']);
		expect(app.store.users.size).toBe(0);
	});
});

describe('Group Sync', () => {
	test("n8n's database is down when the links are read: a renamed Okta group (no externalId) fails as retryable, no duplicate", async () => {
		open('postgres');
		const tenant = `https://n8n.example/webhook/link-failures-${run}/scim/v2`;
		await registerWebhook(`link-failures-${run}`, location, process.env.N8N_USER_FOLDER!, process.env);
		const user = await push('POST', '/Users', { userName: 'member@x.org', active: true });
		await provision(user.events);
		const group = await push('POST', '/Groups', { displayName: 'Eng', members: [{ value: user.id }] });
		expect((await groupSync(group.events)).output('Node')[0].json.action).toBe('Create');
		await push('PATCH', `/Groups/${group.id}`, PATCH([{ op: 'replace', value: { id: group.id, displayName: 'Engineering' } }]));
		// The SCIM Store node reads the groups (a resync); then the database goes away before Group Sync reads the links.
		const stored = await runWorkflow(
			chain([{}], [{ name: 'Store', type: 'scimStore', parameters: { tenantUrl: tenant, operation: 'groups' } }]),
			credentials(),
		);
		const items = stored.output('Store').map((i) => i.json);
		expect(items).toHaveLength(1);
		await pg.crash();
		try {
			const result = await groupSync(items);
			expect(result.output('Node')).toEqual([]);
			expect(failureOf(result.output('Node', 1)).map((f) => f.code)).toEqual(['StoreUnavailable']);
			expect([...app.store.groups.values()].map((g) => g.displayName)).toEqual(['Eng']);
		} finally {
			await pg.resume();
		}
		const retried = await groupSync(items);
		expect(retried.output('Node').map((i) => i.json.action)).toEqual(['Update']);
		expect([...app.store.groups.values()].map((g) => g.displayName)).toEqual(['Engineering']);
	});
});
