/**
 * Issue 18, defect 2: an item's `store` reference (a SCIM Trigger event's, an envelope's `source.store`) is data an
 * item can carry from anywhere — an HR webhook body, an API response. Through the real nodes in in-process
 * workflows, against the real file store (in a temporary user folder), real PostgreSQL and a real SCIM app: a
 * reference with a path in its key writes nothing outside the stores folder, and a reference an item made up reaches
 * no trigger's store, so it cannot read another workflow's users nor act on the account another store links.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLinksAt, openStoreAt, type StoreLocation } from '../../lib/store/openStore';
import { StoreRefSigner } from '../../lib/store/storeRef';
import { chain, runWorkflow, type WorkflowJson } from '../harness/workflow';
import { Postgres } from '../servers/postgres';
import { ScimTestServer } from '../../dev/scimApp';

let root: string;
let userFolder: string;
let app: ScimTestServer;
beforeAll(async () => {
	root = mkdtempSync(join(tmpdir(), 'store-refs-'));
	userFolder = join(root, 'user');
	mkdirSync(userFolder);
	process.env.N8N_USER_FOLDER = userFolder;
	app = await ScimTestServer.start();
});
afterAll(async () => {
	await app.stop();
	rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
	app.store.users.clear();
	app.store.groups.clear();
	app.resetLog();
});

const credentials = () => ({ scimTargetApi: { baseUrl: app.baseUrl, authentication: 'bearer', token: app.token, timeoutMs: 10000 } });
const inWorkflow = (id: string, json: WorkflowJson): WorkflowJson => ({ ...json, id });
const appUsers = () => [...app.store.users.values()] as Array<Record<string, any>>;
const appGroups = () => [...app.store.groups.values()] as Array<Record<string, any>>;

async function appAccount(userName: string, extra: object = {}): Promise<string> {
	const res = await fetch(`${app.baseUrl}/Users`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${app.token}`, 'Content-Type': 'application/scim+json' },
		body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true, ...extra }),
	});
	return ((await res.json()) as { id: string }).id;
}

const mapUsers = {
	name: 'Map',
	type: 'mapAttributes',
	parameters: { preset: 'scimPassthrough', options: { sourcePath: 'resource' } },
};
const provision = { name: 'Provision', type: 'provisionUser', parameters: { target: 'scim', inputMode: 'envelope' } };
const deleteDeleted = {
	name: 'Deprovision',
	type: 'deprovisionUser',
	parameters: { target: 'scim', mode: 'perItem', operation: 'disable', inputMode: 'envelope', options: { whenSourceDeleted: 'delete' } },
};
const groupSync = { name: 'Groups', type: 'groupSync', parameters: { target: 'scim', groupsFrom: 'events' } };

describe('a store key with a path in it', () => {
	// <user folder>/.n8n/n8n-nodes-provisioning/scim-trigger/ + this = <root>/outside/<name>
	const store = (name: string) => ({ kind: 'file', key: `../../../../outside/${name}` });
	const outside = () => join(root, 'outside');
	beforeEach(() => rmSync(outside(), { recursive: true, force: true }));

	test('Map Attributes → Provision User: nothing is written outside the stores folder', async () => {
		const event = {
			event: 'user.created',
			resourceType: 'User',
			resourceId: 'u-1',
			resource: { userName: 'trav@x.org', active: true },
			store: store('map'),
		};
		const run = await runWorkflow(inWorkflow('wf-trav', chain([event], [mapUsers, provision])), credentials());
		expect(run.error).toBeUndefined();
		expect(existsSync(outside())).toBe(false);
	});

	test('an envelope into Provision User, and a group event into Group Sync: nothing is written outside either', async () => {
		const envelope = {
			attributes: { userName: 'trav2@x.org' },
			matchKeys: [{ attribute: 'userName', value: 'trav2@x.org' }],
			source: { id: 'u-2', store: store('envelope') },
		};
		await runWorkflow(inWorkflow('wf-trav', chain([envelope], [provision])), credentials());
		expect(existsSync(outside())).toBe(false);
		const group = {
			event: 'group.created',
			resourceType: 'Group',
			resourceId: 'g-1',
			resource: { displayName: 'Trav', members: [] },
			store: store('group'),
		};
		await runWorkflow(inWorkflow('wf-trav', chain([group], [groupSync])), credentials());
		expect(existsSync(outside())).toBe(false);
	});
});

describe("an item that names another workflow's trigger store (file)", () => {
	// Workflow A's SCIM Trigger (node "trigger") and what it holds: a user, their group, and where the user landed in the app.
	const A: StoreLocation = { kind: 'file', key: 'wf-a-trigger' };
	let victim: string;
	let victimAccount: string;
	let secretGroup: string;
	beforeAll(async () => {
		const store = openStoreAt(A, userFolder, process.env);
		victim = (await store.create('User', { userName: 'victim@x.org', title: 'Secret Title', active: true })).id;
		secretGroup = (await store.create('Group', { displayName: 'Secret Group', members: [{ value: victim }] })).id;
	});
	beforeEach(async () => {
		victimAccount = await appAccount('victim@x.org', { title: 'Secret Title' });
		await openLinksAt(A, userFolder, process.env).put(`scim:${app.baseUrl}/Users`, 'User', [{ sourceId: victim, targetId: victimAccount }]);
	});

	test("Map Attributes maps the item as sent, never the other store's user", async () => {
		// What an HR webhook body can say.
		const forged = {
			event: 'user.updated',
			resourceType: 'User',
			resourceId: victim,
			resource: { userName: 'mallory@x.org', active: true },
			store: A,
		};
		const run = await runWorkflow(inWorkflow('wf-b', chain([forged], [mapUsers])), credentials());
		expect(run.error).toBeUndefined();
		const [envelope] = run.output('Map');
		expect(envelope.json.attributes).toMatchObject({ userName: 'mallory@x.org' });
		expect(JSON.stringify(envelope.json)).not.toMatch(/victim|Secret Title/);
		expect((envelope.json.source as Record<string, unknown>).store).toBeUndefined();
	});

	test('Provision User does not match through the link another store remembers: the victim’s account is untouched', async () => {
		const forged = {
			attributes: { userName: 'mallory@x.org', title: 'pwned' },
			matchKeys: [{ attribute: 'userName', value: 'mallory@x.org' }],
			source: { id: victim, store: A },
		};
		const run = await runWorkflow(inWorkflow('wf-b', chain([forged], [provision])), credentials());
		expect(run.error).toBeUndefined();
		expect(run.output('Provision').map((i) => i.json.action)).toEqual(['Create']);
		expect(app.store.users.get(victimAccount)).toMatchObject({ userName: 'victim@x.org', title: 'Secret Title' });
	});

	test('Deprovision User does not delete the account another store links to a "deleted" source id', async () => {
		const forged = { attributes: {}, matchKeys: [], source: { id: victim, store: A, deleted: true } };
		await runWorkflow(inWorkflow('wf-b', chain([forged], [deleteDeleted])), credentials());
		expect(app.store.users.get(victimAccount)).toMatchObject({ userName: 'victim@x.org', active: true });
	});

	test("Group Sync does not read the other store's group (its name and members)", async () => {
		const forged = {
			event: 'group.updated',
			resourceType: 'Group',
			resourceId: secretGroup,
			resource: { displayName: 'Decoy', members: [] },
			store: A,
		};
		await runWorkflow(inWorkflow('wf-b', chain([forged], [groupSync])), credentials());
		expect(appGroups().map((g) => g.displayName)).not.toContain('Secret Group');
		expect(appUsers().map((u) => u.userName)).toEqual(['victim@x.org']);
	});
	test('a reference the trigger signed for workflow A is used in A (current state, remembered id), and not when copied into B', async () => {
		const signed = StoreRefSigner.of(process.env)!.sign(A, 'wf-a');
		const event = { event: 'user.updated', resourceType: 'User', resourceId: victim, resource: { userName: 'stale@x.org' }, store: signed };
		const inA = await runWorkflow(inWorkflow('wf-a', chain([event], [mapUsers])), credentials());
		expect(inA.output('Map')[0].json).toMatchObject({ attributes: { userName: 'victim@x.org' }, source: { id: victim, store: signed } });
		const inB = await runWorkflow(inWorkflow('wf-b', chain([event], [mapUsers])), credentials());
		expect(inB.output('Map')[0].json.attributes).toMatchObject({ userName: 'stale@x.org' });

		const envelope = (userName: string) => ({
			attributes: { userName },
			matchKeys: [{ attribute: 'userName', value: userName }],
			source: { id: victim, store: signed },
		});
		const copied = await runWorkflow(inWorkflow('wf-b', chain([envelope('copy@x.org')], [provision])), credentials());
		expect(copied.output('Provision').map((i) => i.json.action)).toEqual(['Create']);
		expect(app.store.users.get(victimAccount)).toMatchObject({ userName: 'victim@x.org' });
		const own = await runWorkflow(inWorkflow('wf-a', chain([envelope('renamed@x.org')], [provision])), credentials());
		expect(own.output('Provision').map((i) => [i.json.action, (i.json.matchedBy as any)?.attribute])).toEqual([['Update', 'id']]);
		expect(app.store.users.get(victimAccount)).toMatchObject({ userName: 'renamed@x.org' });
	});
});

describe("an item that names another workflow's trigger store (PostgreSQL)", () => {
	let pg: Postgres;
	const saved = { ...process.env };
	const A: StoreLocation = { kind: 'postgres', key: 'wf-a-trigger' };
	let victim: string;
	beforeAll(async () => {
		pg = await Postgres.start();
		Object.assign(process.env, {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pg.port),
			DB_POSTGRESDB_DATABASE: 'postgres',
			DB_POSTGRESDB_USER: 'postgres',
		});
		victim = (await openStoreAt(A, userFolder, process.env).create('User', { userName: 'pg-victim@x.org', title: 'PG Secret' })).id;
	});
	afterAll(async () => {
		for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
		Object.assign(process.env, saved);
		await pg.stop();
	});

	test('a made-up store_key reads nothing from n8n’s database', async () => {
		const forged = { event: 'user.updated', resourceType: 'User', resourceId: victim, resource: { userName: 'mallory@x.org' }, store: A };
		const run = await runWorkflow(inWorkflow('wf-b', chain([forged], [mapUsers])), credentials());
		expect(run.error).toBeUndefined();
		const [envelope] = run.output('Map');
		expect(envelope.json.attributes).toMatchObject({ userName: 'mallory@x.org' });
		expect(JSON.stringify(envelope.json)).not.toMatch(/pg-victim|PG Secret/);
	});
});
