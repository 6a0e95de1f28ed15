/**
 * SQL target benchmarks on a throwaway PostgreSQL (fsync on), every figure against a baseline measured in the same run:
 * - 10,000 new users: Provision User vs n8n's own Postgres node "Insert or Update" (v2.6, auto-mapped, matching on
 *   user_name) on the same items into an identical table (median of 3 alternating rounds);
 * - the unchanged rerun vs the create run;
 * - reconcile (dry run, 1% leavers) of 10,000 and 100,000 rows: time growth and peak RSS.
 */
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { itemsInto, registerNodeType, runWorkflow } from '../test/harness/workflow';
import { Postgres } from '../test/servers/postgres';
import { ensureRuntime, LATEST_N8N_1 } from '../dev/n8n/instance';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
	let peak = process.memoryUsage().rss;
	const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
	try {
		const result = await work();
		return { result, peakMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024) };
	} finally {
		clearInterval(timer);
	}
}

const createTable = (db: Knex, name: string) =>
	db.raw(`create table ${name} (
		id serial primary key, user_name text not null unique, employee_id text unique, email text, given_name text,
		family_name text, title text, department text, active boolean not null default true)`);

function people(n: number, prefix = 'u') {
	return Array.from({ length: n }, (_, i) => ({
		user_name: `${prefix}${i}@example.org`,
		employee_id: `${prefix.toUpperCase()}${100000 + i}`,
		email: `${prefix}${i}@example.org`,
		given_name: 'Bench',
		family_name: `User${i}`,
		title: 'Engineer',
		department: `D${i % 40}`,
		active: true,
	}));
}

export async function benchSqlProvision(n = Number(process.env.BENCH_USERS ?? 10000)): Promise<void> {
	const pg = await Postgres.start();
	const db = knexFactory({ client: 'pg', connection: pg.socketConfig, pool: { min: 0, max: 2 } });
	const credential = { engine: 'postgres', host: '127.0.0.1', port: pg.port, database: 'postgres', user: 'postgres', password: '' };
	try {
		const postgresNode = join(
			(await ensureRuntime(LATEST_N8N_1)).dir,
			'node_modules',
			'n8n-nodes-base',
			'dist',
			'nodes',
			'Postgres',
			'Postgres.node.js',
		);
		// eslint-disable-next-line @typescript-eslint/no-var-requires
		const { Postgres: PostgresNode } = require(postgresNode);
		registerNodeType('n8n-nodes-base.postgres', new PostgresNode());
		// Reconcile first, so its peak RSS is not inflated by the provisioning rounds' heap.
		await benchSqlReconcile(db, credential);
		await createTable(db, 'users_n8n');
		await createTable(db, 'users');

		const upsert = (items: object[]) => ({
			nodes: [
				{
					id: 'a',
					name: 'Items',
					type: 'test.items',
					typeVersion: 1,
					position: [0, 0] as [number, number],
					parameters: { items: JSON.stringify(items) },
				},
				{
					id: 'b',
					name: 'Node',
					type: 'n8n-nodes-base.postgres',
					typeVersion: 2.6,
					position: [200, 0] as [number, number],
					credentials: { postgres: { id: '1', name: 'pg' } },
					parameters: {
						operation: 'upsert',
						schema: { __rl: true, mode: 'list', value: 'public' },
						table: { __rl: true, mode: 'list', value: 'users_n8n' },
						columns: { mappingMode: 'autoMapInputData', matchingColumns: ['user_name'], value: {}, schema: [] },
						options: {},
					},
				},
			],
			connections: { Items: { main: [[{ node: 'Node', type: 'main' as never, index: 0 }]] } },
		});
		const n8nCredentials = {
			postgres: {
				host: '127.0.0.1',
				port: pg.port,
				database: 'postgres',
				user: 'postgres',
				password: '',
				ssl: 'disable',
				maxConnections: 4,
			},
		};
		const provision = (items: object[], table = 'users') =>
			itemsInto(
				'provisionUser',
				{ target: 'sql', inputMode: 'envelope', sqlTable: table, sqlKeyColumn: 'id', options: { concurrency: 4 } },
				items.map((attributes: any) => ({
					attributes,
					matchKeys: [
						{ attribute: 'user_name', value: attributes.user_name },
						{ attribute: 'employee_id', value: attributes.employee_id },
					],
				})),
			);
		const ours = { sqlDatabaseApi: credential };
		const timed = async (
			work: () => Promise<{ output: (n: string) => Array<{ json: any }>; error?: Error }>,
			check: (items: Array<{ json: any }>) => boolean,
		) => {
			const t = performance.now();
			const res = await work();
			const ms = performance.now() - t;
			if (res.error || !check(res.output('Node'))) throw new Error(`benchmark run failed: ${res.error?.message ?? 'unexpected output'}`);
			return ms;
		};

		// Warm-up of both code paths (JIT, first connections), then alternating rounds into emptied tables.
		const warm = people(500, 'w');
		await runWorkflow(upsert(warm), n8nCredentials);
		await runWorkflow(provision(warm), ours);
		const users = people(n);
		const baseline: number[] = [];
		const create: number[] = [];
		const rerun: number[] = [];
		for (let round = 0; round < 3; round++) {
			await db.raw('truncate users_n8n, users restart identity');
			baseline.push(
				await timed(
					() => runWorkflow(upsert(users), n8nCredentials),
					(items) => items.length === n,
				),
			);
			create.push(
				await timed(
					() => runWorkflow(provision(users), ours),
					(items) => items.every((i) => i.json.action === 'Create'),
				),
			);
			rerun.push(
				await timed(
					() => runWorkflow(provision(users), ours),
					(items) => items.every((i) => i.json.action === 'NoChange'),
				),
			);
		}
		const [b, c, r] = [median(baseline), median(create), median(rerun)];
		console.log(`SQL (PostgreSQL 15, fsync on): ${n} users, median of 3 rounds`);
		console.log(`  n8n Postgres node, Insert or Update (baseline)   ${seconds(b)}  (${Math.round(n / (b / 1000))}/s)`);
		console.log(`  Provision User, create                           ${seconds(c)}  (${Math.round(n / (c / 1000))}/s)`);
		console.log(`  Provision User, unchanged rerun                  ${seconds(r)}  (${Math.round(n / (r / 1000))}/s)`);
		console.log(`  ratio create vs n8n Postgres node                ${(b / c).toFixed(2)}x   (goal >= 1x)`);
		console.log(`  ratio unchanged vs create                        ${(c / r).toFixed(2)}x faster   (goal >= 3x)`);
	} finally {
		await db.destroy();
		await pg.stop();
	}
}

async function benchSqlReconcile(
	db: Knex,
	credential: object,
	sizes = (process.env.BENCH_RECONCILE_SIZES ?? '10000,100000').split(',').map(Number),
) {
	const results: Array<{ n: number; ms: number; peakMb: number }> = [];
	for (const n of sizes) {
		const table = `rec${n}`;
		await createTable(db, table);
		for (let start = 0; start < n; start += 5000) {
			await db(table).insert(
				people(Math.min(5000, n - start)).map((p, i) => ({ ...p, user_name: `r${start + i}`, employee_id: `R${start + i}` })),
			);
		}
		const leavers = Math.round(n / 100);
		// The source as Map Attributes hands it over (envelopes): n8n's own {{ }} expressions per item would cost more
		// than the reconcile itself (about 3 s per 10,000 items here), and they are the same for every target.
		const source = Array.from({ length: n }, (_, i) => ({
			attributes: {},
			matchKeys: [{ attribute: 'user_name', value: i < n - leavers ? `r${i}` : `new${i}` }],
		}));
		const workflow = itemsInto(
			'deprovisionUser',
			{
				target: 'sql',
				mode: 'reconcile',
				operation: 'disable',
				inputMode: 'envelope',
				sqlTable: table,
				sqlAccountState: { activeColumn: 'active' },
				options: { dryRun: true },
			},
			source,
		);
		const t = performance.now();
		const { result, peakMb } = await peakRss(() => runWorkflow(workflow, { sqlDatabaseApi: credential as never }));
		const ms = performance.now() - t;
		const planned = result.output('Node').length;
		if (planned !== leavers) throw new Error(`expected ${leavers} leavers, got ${planned}: ${result.error?.message ?? ''}`);
		results.push({ n, ms, peakMb });
		console.log(`Reconcile ${n} source vs ${n} rows (${leavers} leavers, dry run): whole node ${seconds(ms)}, peak RSS ${peakMb} MB`);
	}
	if (results.length >= 2) {
		const [small, large] = [results[0], results[results.length - 1]];
		console.log(
			`  growth ${small.n} → ${large.n} (${large.n / small.n}x the rows): ${(large.ms / small.ms).toFixed(1)}x the time (linear would be ${large.n / small.n}x)`,
		);
	}
}
