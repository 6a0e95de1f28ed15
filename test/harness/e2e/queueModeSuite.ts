/**
 * n8n in queue mode, for real: PostgreSQL as n8n's database, Redis, a main process, a worker and a webhook
 * processor. The SCIM Trigger then keeps its store in PostgreSQL, so any process answers from the same data,
 * and executions run on the worker. The same cluster then shows governance across processes (issue 12): the
 * quarantine one worker recorded makes another worker (another process) skip the target.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import {
	ensureRuntime,
	importAndActivate,
	type N8nOptions,
	type N8nRuntime,
	ROOT,
	type RunningN8n,
	startN8n,
} from '../../../dev/n8n/instance';
import { userFolderWithPackage } from './run';
import { postJson, postWhenReady } from './webhooks';
import { eventually } from '../eventually';
import { createApiKey, finishedExecutions, nodeOutput, type PublicApi, publicApi } from '../n8nApi';
import { freePort } from '../../../dev/ports';
import { Postgres } from '../../servers/postgres';
import { ScimTestServer } from '../../../dev/scimApp';

const TOKEN = 'queue-mode-scim-token-0123456789';
const example = JSON.parse(readFileSync(join(ROOT, 'examples', 'scim-trigger-to-scim-app.json'), 'utf8'));

/** The suite of one n8n version (test/e2e/queueMode.n8n1 and .n8n2 run it per version, in separate workers). */
export function queueModeSuite(VERSION: string): void {
	let pg: Postgres;
	let redis: ChildProcess;
	let scim: ScimTestServer;
	let runtime: N8nRuntime;
	let mainOptions: N8nOptions;
	let api: PublicApi;
	let worker: RunningN8n | undefined;
	const processes: RunningN8n[] = [];
	let mainBase = '';
	let mainUrl = '';
	let webhookUrl = '';
	const quarantineWorkflow = {
		id: 'GovQueue1',
		name: 'e2e: quarantine shared by workers',
		nodes: [
			{
				id: 'w1',
				name: 'HR Batch',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'f0e1d2c3-0000-4000-8000-000000000004',
				parameters: { httpMethod: 'POST', path: 'queue-batch', responseMode: 'onReceived', options: {} },
			},
			{
				id: 'w2',
				name: 'Split',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [200, 0],
				parameters: { fieldToSplitOut: 'body.users', options: {} },
			},
			{
				id: 'w3',
				name: 'Provision User',
				type: 'n8n-nodes-provisioning.provisionUser',
				typeVersion: 2,
				position: [400, 0],
				onError: 'continueErrorOutput',
				parameters: { target: 'scim', inputMode: 'envelope', governance: {}, options: {} },
				credentials: { scimTargetApi: { id: 'DemoScimTarget1', name: 'Demo SCIM app' } },
			},
		],
		connections: {
			'HR Batch': { main: [[{ node: 'Split', type: 'main', index: 0 }]] },
			Split: { main: [[{ node: 'Provision User', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
	const batch = (prefix: string, n: number) => ({
		users: Array.from({ length: n }, (_, i) => ({
			attributes: { userName: `${prefix}${i}@x.org` },
			matchKeys: [{ attribute: 'userName', value: `${prefix}${i}@x.org` }],
		})),
	});

	const startWorker = async () =>
		startN8n(runtime, { ...mainOptions, port: await freePort(), brokerPort: await freePort() }, false, 'worker');

	beforeAll(async () => {
		if (!existsSync('/usr/bin/redis-server'))
			throw new Error('redis-server is missing: install it with "apt-get install -y redis-server". Queue mode needs a real Redis.');
		runtime = await ensureRuntime(VERSION);
		pg = await Postgres.start();
		const redisPort = await freePort();
		redis = spawn('/usr/bin/redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
			stdio: 'ignore',
		});
		scim = await ScimTestServer.start();
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
		mainOptions = {
			userFolder: userFolderWithPackage(`queue-${VERSION}`),
			port: mainPort,
			brokerPort: await freePort(),
			extraEnv: queueEnv,
		};
		await importAndActivate(
			runtime,
			mainOptions,
			[
				{
					id: 'DemoScimTarget1',
					name: 'Demo SCIM app',
					type: 'scimTargetApi',
					data: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, timeoutMs: 5000 },
				},
				{ id: 'ScimTriggerAuth1', name: 'SCIM Trigger token', type: 'scimTriggerAuthApi', data: { token: TOKEN } },
			],
			[example, quarantineWorkflow],
		);
		const main = await startN8n(runtime, mainOptions);
		processes.push(main);
		worker = await startWorker();
		const hookPort = await freePort();
		processes.push(await startN8n(runtime, { ...mainOptions, port: hookPort, brokerPort: await freePort() }, false, 'webhook'));
		mainBase = main.url;
		mainUrl = `${main.url}/webhook/${example.nodes[0].webhookId}/scim/v2`;
		webhookUrl = `http://127.0.0.1:${hookPort}/webhook/${example.nodes[0].webhookId}/scim/v2`;
		api = publicApi(main.url, await createApiKey(main.url));
	}, 900000);

	afterAll(async () => {
		await worker?.stop();
		for (const p of processes.reverse()) await p.stop();
		redis?.kill();
		await scim?.stop();
		await pg?.stop();
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
		await eventually(
			() => [...scim.store.users.values()].some((u) => u.userName === 'queue.user@example.org'),
			'the worker provisioned it',
		);
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

	test('worker A quarantines the target; worker B, another process started afterwards, skips it without a request', async () => {
		// Worker A is the worker of the tests above.
		scim.faults.push({ status: 503, times: 100000 });
		expect((await postWhenReady(`${mainBase}/webhook/queue-batch`, batch('a', 20))).status).toBe(200);
		const [first] = await finishedExecutions(api, quarantineWorkflow.id, 1);
		expect(nodeOutput(first, 'Provision User', 1)).toEqual([expect.objectContaining({ alert: 'QuarantineEntered' })]);
		expect(nodeOutput(first, 'Provision User', 2)).toHaveLength(20);
		await worker?.stop();

		const db = new Client(pg.config);
		await db.connect();
		try {
			const { rows } = await db.query(`SELECT state FROM provisioning_quarantine WHERE workflow_id = $1`, [quarantineWorkflow.id]);
			expect(rows).toEqual([{ state: expect.objectContaining({ quarantine: expect.objectContaining({ reason: 'failureRate' }) }) }]);
		} finally {
			await db.end();
		}

		worker = await startWorker();
		scim.resetLog();
		expect((await postJson(`${mainBase}/webhook/queue-batch`, batch('b', 3))).status).toBe(200);
		const [, second] = await finishedExecutions(api, quarantineWorkflow.id, 2);
		expect(nodeOutput(second, 'Provision User', 1)).toEqual([
			expect.objectContaining({ alert: 'QuarantineSkipped', figures: { received: 3, kept: 3 } }),
		]);
		expect(nodeOutput(second, 'Provision User', 2)).toEqual([]);
		expect(scim.requests).toEqual([]);
	});
}
