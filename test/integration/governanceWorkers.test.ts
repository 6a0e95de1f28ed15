/**
 * Acceptance test of issue 18, defect 6: two worker processes (child processes, each with its own PostgreSQL pool)
 * racing on the same scope of the real PostgreSQL. The parent chooses the order of their steps where an order is
 * the point, and sends steps to both at once where the race is the point; either way the outcome is fixed, so the
 * test is deterministic: no entry is lost, none is overwritten with older input, and a disable kept by Deprovision
 * User is not replayed after Provision User reactivated the user.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { Planned } from '../harness/governanceRuns';
import type { WorkerCommand } from '../harness/governanceWorker';
import { Postgres } from '../servers/postgres';

class Worker {
	private next = 0;
	private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

	constructor(private readonly child: ChildProcess) {
		child.on('message', (m: { id: number; value?: unknown; error?: string }) => {
			const w = this.waiting.get(m.id)!;
			this.waiting.delete(m.id);
			if (m.error) w.reject(new Error(m.error));
			else w.resolve(m.value);
		});
	}

	static start(config: object): Worker {
		const child = fork(join(__dirname, '..', 'harness', 'governanceWorker.ts'), [], {
			cwd: join(__dirname, '..', '..'),
			execArgv: ['-r', 'ts-node/register/transpile-only'],
			env: { ...process.env, GOVERNANCE_PG: JSON.stringify(config) },
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		return new Worker(child);
	}

	send<T = unknown>(command: WorkerCommand): Promise<T> {
		const id = ++this.next;
		return new Promise<T>((resolve, reject) => {
			this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
			this.child.send({ id, command });
		});
	}

	async stop(): Promise<void> {
		const exited = new Promise((r) => this.child.once('exit', r));
		await this.send({ op: 'close' });
		await exited;
	}
}

const T0 = Date.parse('2026-12-01T08:00:00.000Z');
const LATER = T0 + 24 * 60 * 60000;
let pg: Postgres;
let one: Worker;
let two: Worker;
beforeAll(async () => {
	pg = await Postgres.start();
	[one, two] = [Worker.start(pg.config), Worker.start(pg.config)];
});
afterAll(async () => {
	await Promise.all([one?.stop(), two?.stop()]);
	await pg.stop();
});

let counter = 0;
const fresh = (name: string) => `${name}-${++counter}`;
type Begun = { skipped: boolean; planned: Planned[] };
const begin = (w: Worker, workflowId: string, node: string, items: Array<[string, string]> = [], now = T0) =>
	w.send<Begun>({ op: 'begin', runId: fresh('run'), workflowId, node, items, now }).then((b) => b);
/** Begins a run and returns a handle to finish it. */
async function run(w: Worker, workflowId: string, node: string, items: Array<[string, string]> = [], now = T0) {
	const runId = fresh('run');
	const begun = await w.send<Begun>({ op: 'begin', runId, workflowId, node, items, now });
	return { begun, finish: (results: Record<string, 'ok' | 'fail'>) => w.send({ op: 'finish', runId, results }) };
}
/** What the next run of a node retries, seen well after every lease ran out. */
const kept = async (workflowId: string, node: string) =>
	(await begin(one, workflowId, node, [], LATER)).planned.sort((a, b) => a.key.localeCompare(b.key));

test('worker one’s retry ends after worker two stored newer input for the key: the newer entry is neither removed nor overwritten', async () => {
	for (const ending of ['ok', 'fail'] as const) {
		const wf = fresh('wf');
		const seed = await run(one, wf, 'provision', [['k', 'v0']]);
		await seed.finish({ k: 'fail' });
		const retry = await run(one, wf, 'provision');
		expect(retry.begun.planned).toEqual([{ key: 'k', tag: 'v0', retried: true, attempts: 1 }]);
		const newer = await run(two, wf, 'provision', [['k', 'v2']]);
		await newer.finish({ k: 'fail' });
		await retry.finish({ k: ending });
		expect({ ending, kept: await kept(wf, 'provision') }).toEqual({
			ending,
			kept: [{ key: 'k', tag: 'v2', retried: true, attempts: 1 }],
		});
	}
});

test('Deprovision User’s kept disable is not replayed after Provision User on the other worker reactivated the user', async () => {
	const leavers = fresh('wf-leavers');
	const joiners = fresh('wf-joiners');
	const disable = await run(one, leavers, 'deprovision', [['ada', 'disable']]);
	await disable.finish({ ada: 'fail' });
	const reactivate = await run(two, joiners, 'provision', [['ada', 'reactivate']]);
	await reactivate.finish({ ada: 'ok' });
	expect(await kept(leavers, 'deprovision')).toEqual([]);
});

test('both workers settle at the same moment, 20 times: the input of the run that began later is the one kept', async () => {
	const tags: string[] = [];
	for (let i = 0; i < 20; i++) {
		const wf = fresh('wf');
		const first = await run(one, wf, 'provision', [['k', 'older']]);
		const second = await run(two, wf, 'provision', [['k', 'newer']]);
		await Promise.all([first.finish({ k: 'fail' }), second.finish({ k: 'fail' })]);
		tags.push(...(await kept(wf, 'provision')).map((p) => p.tag));
	}
	expect(tags).toEqual(Array(20).fill('newer'));
});

test('a failed disable and a newer successful reactivation settle at the same moment, 20 times: the disable is never kept', async () => {
	const replayed: Planned[] = [];
	for (let i = 0; i < 20; i++) {
		const leavers = fresh('wf-leavers');
		const disable = await run(one, leavers, 'deprovision', [['ada', 'disable']]);
		const reactivate = await run(two, fresh('wf-joiners'), 'provision', [['ada', 'reactivate']]);
		await Promise.all([disable.finish({ ada: 'fail' }), reactivate.finish({ ada: 'ok' })]);
		replayed.push(...(await kept(leavers, 'deprovision')));
	}
	expect(replayed).toEqual([]);
});

test('two workers claiming the same scope at the same moment retry disjoint items', async () => {
	const wf = fresh('wf');
	const seed = await run(
		one,
		wf,
		'provision',
		Array.from({ length: 30 }, (_, i): [string, string] => [`u${i}`, 'v0']),
	);
	await seed.finish(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`u${i}`, 'fail'])));
	const [a, b] = await Promise.all([begin(one, wf, 'provision'), begin(two, wf, 'provision')]);
	const claimed = [...a.planned, ...b.planned].map((p) => p.key);
	expect(claimed).toHaveLength(30);
	expect(new Set(claimed).size).toBe(30);
});
