/**
 * A stand-in for one n8n worker process in the governance acceptance test: its own PostgreSQL pool and store, and
 * governed runs (test/harness/governanceRuns.ts) that begin and finish when the parent test says, over IPC, so the
 * test chooses the interleaving of two processes. Started with fork() and ts-node; the PostgreSQL settings come
 * in GOVERNANCE_PG (JSON).
 */
import { Pool } from 'pg';
import { PostgresGovernanceStore } from '../../lib/store/governance/postgresGovernanceStore';
import { raceScope, type Result, SteppedRun } from './governanceRuns';

export type WorkerCommand =
	| { op: 'begin'; runId: string; workflowId: string; node: string; items: Array<[string, string]>; now: number }
	| { op: 'finish'; runId: string; results: Record<string, Result> }
	| { op: 'finishFailed'; runId: string }
	| { op: 'close' };

const pool = new Pool({ ...JSON.parse(process.env.GOVERNANCE_PG ?? '{}'), max: 2 }).on('error', () => undefined);
const store = new PostgresGovernanceStore(pool);
const runs = new Map<string, SteppedRun>();

async function handle(command: WorkerCommand): Promise<unknown> {
	switch (command.op) {
		case 'begin': {
			const run = new SteppedRun(store, raceScope(command.workflowId, command.node), command.runId, () => command.now);
			runs.set(command.runId, run);
			return run.begin(command.items);
		}
		case 'finish':
			return runs.get(command.runId)!.finish(command.results);
		case 'finishFailed':
			return runs.get(command.runId)!.finishFailed(new TypeError('a bug'));
		case 'close':
			await pool.end();
			setImmediate(() => process.exit(0));
			return undefined;
	}
}

process.on('message', (message: { id: number; command: WorkerCommand }) => {
	handle(message.command).then(
		(value) => process.send!({ id: message.id, value: value ?? null }),
		(error: Error) => process.send!({ id: message.id, error: error.stack ?? error.message }),
	);
});
