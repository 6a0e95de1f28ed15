/**
 * n8n in queue mode, for real: PostgreSQL as n8n's database, Redis, a main process, a worker and a webhook
 * processor. The SCIM Trigger then keeps its store in PostgreSQL, so any process answers from the same data,
 * and executions run on the worker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
	ensureRuntime,
	importAndActivate,
	installPackage,
	packPackage,
	ROOT,
	type RunningN8n,
	startN8n,
} from '../../scripts/lib/n8nInstance';
import { E2E_N8N_VERSIONS, prepareRuntimes, RUNTIME_INSTALL_TIMEOUT } from '../harness/runtimes';
import { freePort } from '../servers/ports';
import { Postgres } from '../servers/postgres';
import { ScimTestServer } from '../servers/scimServer';

const VERSIONS = E2E_N8N_VERSIONS;
const TOKEN = 'queue-mode-scim-token-0123456789';
const example = JSON.parse(readFileSync(join(ROOT, 'examples', 'scim-trigger-to-scim-app.json'), 'utf8'));

beforeAll(() => prepareRuntimes(), RUNTIME_INSTALL_TIMEOUT);

describe.each(VERSIONS)('queue mode on n8n %s', (VERSION) => {
	let pg: Postgres;
	let redis: ChildProcess;
	let scim: ScimTestServer;
	let work: string;
	const processes: RunningN8n[] = [];
	let mainUrl = '';
	let webhookUrl = '';

	beforeAll(async () => {
		if (!existsSync('/usr/bin/redis-server'))
			throw new Error('redis-server is missing: install it with "apt-get install -y redis-server". Queue mode needs a real Redis.');
		const runtime = await ensureRuntime(VERSION);
		pg = await Postgres.start();
		const redisPort = await freePort();
		redis = spawn('/usr/bin/redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
			stdio: 'ignore',
		});
		scim = await ScimTestServer.start();
		work = mkdtempSync(join(tmpdir(), 'queue-'));
		const userFolder = join(work, 'home');
		installPackage(userFolder, packPackage(join(work, 'pack')));
		const queueEnv = {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pg.port),
			DB_POSTGRESDB_DATABASE: 'postgres',
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
		};
		const mainPort = await freePort();
		const main = { userFolder, port: mainPort, brokerPort: await freePort(), extraEnv: queueEnv };
		importAndActivate(
			runtime,
			main,
			[
				{
					id: 'DemoScimTarget1',
					name: 'Demo SCIM app',
					type: 'scimTargetApi',
					data: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token },
				},
				{ id: 'ScimTriggerAuth1', name: 'SCIM Trigger token', type: 'scimTriggerAuthApi', data: { token: TOKEN } },
			],
			[example],
		);
		processes.push(await startN8n(runtime, main));
		processes.push(await startN8n(runtime, { ...main, port: await freePort(), brokerPort: await freePort() }, false, 'worker'));
		const hookPort = await freePort();
		processes.push(await startN8n(runtime, { ...main, port: hookPort, brokerPort: await freePort() }, false, 'webhook'));
		mainUrl = `http://127.0.0.1:${mainPort}/webhook/${example.nodes[0].webhookId}/scim/v2`;
		webhookUrl = `http://127.0.0.1:${hookPort}/webhook/${example.nodes[0].webhookId}/scim/v2`;
	}, 900000);

	afterAll(async () => {
		for (const p of processes.reverse()) await p.stop();
		redis?.kill();
		await scim?.stop();
		await pg?.stop();
		if (work) rmSync(work, { recursive: true, force: true });
	});

	const call = async (base: string, method: string, path: string, body?: unknown) => {
		const res = await fetch(`${base}${path}`, {
			method,
			headers: { Authorization: `Bearer ${TOKEN}`, ...(body ? { 'Content-Type': 'application/scim+json' } : {}) },
			body: body ? JSON.stringify(body) : undefined,
		});
		const text = await res.text();
		return { status: res.status, body: text ? JSON.parse(text) : undefined };
	};

	test('a user pushed to the webhook processor is visible from the main process, stored in PostgreSQL, and provisioned by the worker', async () => {
		const created = await call(webhookUrl, 'POST', '/Users', {
			userName: 'queue.user@example.org',
			externalId: 'Q1',
			active: true,
			name: { givenName: 'Queue', familyName: 'User' },
		});
		expect(created.status).toBe(201);
		const fromMain = await call(mainUrl, 'GET', `/Users/${created.body.id}`);
		expect(fromMain).toMatchObject({ status: 200, body: { userName: 'queue.user@example.org' } });
		expect((await call(mainUrl, 'GET', '/Users?filter=userName%20eq%20%22QUEUE.USER@example.org%22')).body.totalResults).toBe(1);
		// A duplicate sent to the other process is still a duplicate: the unique index is shared.
		expect((await call(mainUrl, 'POST', '/Users', { userName: 'Queue.User@example.org' })).status).toBe(409);

		const db = new Client(pg.config);
		await db.connect();
		try {
			const { rows } = await db.query('SELECT count(*)::int AS n FROM provisioning_scim_resource WHERE name_lower = $1', [
				'queue.user@example.org',
			]);
			expect(rows[0].n).toBe(1);
		} finally {
			await db.end();
		}
		for (let i = 0; i < 150 && ![...scim.store.users.values()].some((u) => u.userName === 'queue.user@example.org'); i++)
			await new Promise((r) => setTimeout(r, 100));
		expect([...scim.store.users.values()].find((u) => u.userName === 'queue.user@example.org')).toMatchObject({ externalId: 'Q1' });
	});

	test('PATCHes through both processes at once lose no update', async () => {
		const gid = (await call(webhookUrl, 'POST', '/Groups', { displayName: 'Queue Group' })).body.id;
		const ids = await Promise.all(
			Array.from(
				{ length: 20 },
				async (_, i) => (await call(i % 2 ? mainUrl : webhookUrl, 'POST', '/Users', { userName: `q${i}@example.org` })).body.id,
			),
		);
		await Promise.all(
			ids.map((id, i) =>
				call(i % 2 ? mainUrl : webhookUrl, 'PATCH', `/Groups/${gid}`, {
					schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
					Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
				}),
			),
		);
		expect((await call(mainUrl, 'GET', `/Groups/${gid}`)).body.members).toHaveLength(20);
	});
});
