/**
 * The governance state stores: n8n's PostgreSQL database (queue mode: two store objects stand for two n8n
 * processes) and the file store (n8n on SQLite). Concurrent executions lose no update, two runs never claim the
 * same kept item, a crashed run's claim runs out; and a governed run in-process keeps its state in PostgreSQL.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import type { EscrowEntry, EscrowPut } from '../../lib/provisioning/governance/escrow';
import { healthyState } from '../../lib/provisioning/governance/quarantine';
import type { GovernanceScope, GovernanceStore } from '../../lib/provisioning/governance/store';
import { FileGovernanceStore } from '../../lib/store/governance/fileGovernanceStore';
import { PostgresGovernanceStore } from '../../lib/store/governance/postgresGovernanceStore';
import { itemsInto, runWorkflow } from '../harness/workflow';
import { Postgres } from '../servers/postgres';
import { ScimTestServer } from '../../dev/scimApp';

let pg: Postgres;
const pools: Pool[] = [];
beforeAll(async () => {
	pg = await Postgres.start();
});
afterAll(async () => {
	await Promise.all(pools.map((p) => p.end()));
	await pg.stop();
});

const pgStore = () => {
	const pool = new Pool({ ...pg.config, max: 4 }).on('error', () => undefined);
	pools.push(pool);
	return new PostgresGovernanceStore(pool);
};
const fileDir = mkdtempSync(join(tmpdir(), 'governance-'));

let n = 0;
const scope = (workflowId = `wf-${++n}`, nodeName = 'Provision User'): GovernanceScope => ({
	key: `${workflowId}|node-1|cred-1|scim:https://app/scim/v2/Users`,
	workflowId,
	nodeId: 'node-1',
	nodeName,
	target: 'scim:https://app/scim/v2/Users',
});
const entry = (key: string, attempts = 1): EscrowEntry => ({
	key,
	input: { attributes: { userName: key }, matchKeys: [{ attribute: 'userName', value: key }] },
	attempts,
	firstFailedAt: new Date(Date.parse('2026-11-30T00:00:00Z') + attempts).toISOString(),
	lastError: { code: 'Timeout', reason: 'timed out' },
	account: `user:${key}`,
	inputSeq: 1,
});
const own = (e: EscrowEntry): EscrowPut => ({ entry: e, retried: false });
const none = { put: [], remove: [], succeeded: [] };

/** Two store objects over the same state: two n8n processes (PostgreSQL), or one process's two executions (files). */
describe.each([
	['PostgreSQL, two processes', () => [pgStore(), pgStore()] as const],
	['files, one process', () => [new FileGovernanceStore(fileDir), new FileGovernanceStore(fileDir)] as const],
])('%s', (_name, open) => {
	let a: GovernanceStore;
	let b: GovernanceStore;
	beforeAll(() => {
		[a, b] = open();
	});

	test('40 executions finishing at once through both lose no update of the quarantine state', async () => {
		const s = scope();
		await Promise.all(
			Array.from({ length: 40 }, (_, i) =>
				(i % 2 ? a : b).updateQuarantine(s, (state) => {
					const current = state ?? healthyState();
					return { state: { ...current, window: { ...current.window, operations: current.window.operations + 1 } }, result: undefined };
				}),
			),
		);
		const [row] = await a.listQuarantine({ workflowId: s.workflowId });
		expect(row.state.window.operations).toBe(40);
		expect(row.scope).toEqual(s);
	});

	test('two runs claiming at once get disjoint items; a settled run frees its claim; a crashed run’s claim runs out', async () => {
		const s = scope();
		const kept = Array.from({ length: 30 }, (_, i) => entry(`u${i}`, (i % 3) + 1));
		await a.settleEscrow(s, 'run-0', { ...none, put: kept.map(own) });
		expect(await a.countEscrow(s)).toBe(30);
		const now = Date.now();
		const [one, two] = await Promise.all([a.claimEscrow(s, 'run-1', now, 60000), b.claimEscrow(s, 'run-2', now, 60000)]);
		expect(one.length + two.length).toBe(30);
		expect(new Set([...one, ...two].map((e) => e.key)).size).toBe(30);
		expect([...one, ...two].find((e) => e.key === 'u4')).toEqual({ ...kept[4], version: 2 });
		// Oldest first.
		expect(one.map((e) => e.firstFailedAt)).toEqual([...one.map((e) => e.firstFailedAt)].sort());
		// Run 1 settles: one retried item succeeded, one failed again; the rest of its claim is freed.
		const winner = one.length ? one : two;
		const winnerRun = one.length ? 'run-1' : 'run-2';
		const { version, ...retried } = winner[1];
		const settled = await (one.length ? a : b).settleEscrow(s, winnerRun, {
			put: [{ entry: { ...retried, attempts: retried.attempts + 1 }, claimed: version, retried: true }],
			remove: [{ key: winner[0].key, version: winner[0].version }],
			succeeded: [],
		});
		expect(settled).toEqual({ discarded: [] });
		// The other run crashed: its claim holds until the lease runs out.
		const again = await b.claimEscrow(s, 'run-3', now + 1000, 60000);
		expect(again.map((e) => e.key).sort()).toEqual(
			winner
				.slice(1)
				.map((e) => e.key)
				.sort(),
		);
		expect(again.find((e) => e.key === winner[1].key)?.attempts).toBe(winner[1].attempts + 1);
		await b.settleEscrow(s, 'run-3', none);
		const afterLease = await a.claimEscrow(s, 'run-4', now + 61000, 60000);
		expect(afterLease).toHaveLength(29);
	});

	test('run sequence numbers from both at once are distinct and grow: the order runs began in, for every process', async () => {
		const first = await a.nextRunSeq();
		const many = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).nextRunSeq()));
		expect(new Set(many).size).toBe(20);
		expect(Math.min(...many)).toBeGreaterThan(first);
		expect(await b.nextRunSeq()).toBeGreaterThan(Math.max(...many));
	});

	test('quarantine states are listed per workflow and cleared by node name', async () => {
		const s1 = scope('wf-list', 'Provision User');
		const s2 = { ...scope('wf-list', 'Group Sync'), key: 'wf-list|node-2|cred|scim:x', nodeId: 'node-2' };
		const quarantined = {
			...healthyState(),
			quarantine: {
				since: 'x',
				reason: 'authentication' as const,
				level: 0,
				nextTrialAt: 'y',
				failedTrials: 0,
				figures: { operations: 1, failures: 1, authFailures: 1, errors: {} },
			},
		};
		for (const s of [s1, s2]) await a.updateQuarantine(s, () => ({ state: quarantined, result: undefined }));
		await a.updateQuarantine(scope('wf-other'), () => ({ state: quarantined, result: undefined }));
		expect((await b.listQuarantine({ workflowId: 'wf-list' })).map((r) => r.scope.nodeName).sort()).toEqual([
			'Group Sync',
			'Provision User',
		]);
		expect(await b.clearQuarantine({ workflowId: 'wf-list', nodeName: 'Group Sync' })).toBe(1);
		expect((await a.listQuarantine({ workflowId: 'wf-list' })).map((r) => r.scope.nodeName)).toEqual(['Provision User']);
		expect((await a.listQuarantine()).length).toBeGreaterThanOrEqual(2);
	});
});

describe('a governed run in n8n on PostgreSQL keeps its state in n8n’s database', () => {
	let scim: ScimTestServer;
	const saved = { ...process.env };
	beforeAll(async () => {
		scim = await ScimTestServer.start();
		Object.assign(process.env, {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pg.port),
			DB_POSTGRESDB_DATABASE: 'postgres',
			DB_POSTGRESDB_USER: 'postgres',
		});
	});
	afterAll(async () => {
		for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
		Object.assign(process.env, saved);
		await scim.stop();
	});

	test('a refused credential: the quarantine row and the kept item are in provisioning_quarantine and provisioning_escrow', async () => {
		const json = {
			...itemsInto(
				'provisionUser',
				{ target: 'scim', inputMode: 'envelope' },
				[{ attributes: { userName: 'pg@x.org' }, matchKeys: [{ attribute: 'userName', value: 'pg@x.org' }] }],
				{ typeVersion: 2, onError: 'continueErrorOutput' },
			),
			id: 'wf-pg',
		};
		const res = await runWorkflow(json, {
			scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: 'wrong', timeoutMs: 2000 },
		});
		expect(res.output('Node', 1).map((i) => i.json.alert)).toEqual(['QuarantineEntered']);
		const db = new Client(pg.config);
		await db.connect();
		try {
			const q = await db.query(`SELECT node_name, target, state FROM provisioning_quarantine WHERE workflow_id = 'wf-pg'`);
			expect(q.rows).toEqual([
				{
					node_name: 'Node',
					target: `scim:${scim.baseUrl}/Users`,
					state: expect.objectContaining({ quarantine: expect.objectContaining({ reason: 'authentication' }) }),
				},
			]);
			const e = await db.query(`SELECT item_key, attempts, last_error FROM provisioning_escrow WHERE scope_key LIKE 'wf-pg|%'`);
			expect(e.rows).toEqual([
				{ item_key: 'userName=pg@x.org', attempts: 1, last_error: expect.objectContaining({ code: 'AuthenticationFailed' }) },
			]);
		} finally {
			await db.end();
		}
	});
});
