/**
 * Model-based test of kept items (issue 18, defect 6): random interleavings of runs of two nodes on one target —
 * begin (claim), finish (settle, items succeeding or failing), a failure that is not the target's, a crash, time
 * passing beyond the lease — through the Governor on n8n's PostgreSQL store (two store objects: two processes)
 * and on the file store, against the plain reference model of test/harness/escrowModel.ts. After every begin the
 * run retries exactly what the model says; no run ever retries an input older than one that succeeded on the
 * same account. The seed is fixed and printed (fast-check reports it with the shrunk counterexample).
 */
import fc from 'fast-check';
import type { GovernanceStore } from '../../lib/provisioning/governance/store';
import { FileGovernanceStore } from '../../lib/store/governance/fileGovernanceStore';
import { EscrowModel, LEASE_MS } from '../harness/escrowModel';
import { type Planned, raceScope, RACE_TARGET, type Result, RETRY_ONLY, SteppedRun } from '../harness/governanceRuns';
import { governanceStores } from '../harness/governanceStores';

const SEED = 18_0006;
const KEYS = ['a', 'b'];
const NODES = ['provision', 'deprovision'];
const MAX_ATTEMPTS = 3;
const policy = { ...RETRY_ONLY, retry: { enabled: true, maxAttempts: MAX_ATTEMPTS } };

type Step =
	| { kind: 'begin'; node: number; items: string[]; process: number }
	| { kind: 'finish'; pick: number; results: Result[] }
	| { kind: 'failed'; pick: number }
	| { kind: 'crash'; pick: number }
	| { kind: 'tick'; minutes: number };

const result = fc.constantFrom<Result>('ok', 'fail', 'fail', 'reject');
const step: fc.Arbitrary<Step> = fc.oneof(
	{
		weight: 4,
		arbitrary: fc.record({ kind: fc.constant('begin' as const), node: fc.nat(1), items: fc.subarray(KEYS), process: fc.nat(1) }),
	},
	{
		weight: 4,
		arbitrary: fc.record({
			kind: fc.constant('finish' as const),
			pick: fc.nat(),
			results: fc.array(result, { minLength: 2, maxLength: 2 }),
		}),
	},
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('failed' as const), pick: fc.nat() }) },
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), pick: fc.nat() }) },
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), minutes: fc.integer({ min: 1, max: 60 }) }) },
);

const byKey = (planned: Planned[]) => [...planned].sort((a, b) => a.key.localeCompare(b.key));

const { pgStore, fileDir } = governanceStores('escrow-model', 2);

let cases = 0;

/** Runs the steps against the model and the stores; throws at the first difference. */
async function check(stores: GovernanceStore[], steps: Step[]): Promise<void> {
	const id = ++cases;
	// A target of its own per case: successes are kept per target, across workflows.
	const target = { ...RACE_TARGET, endpoint: `${RACE_TARGET.endpoint}/case-${id}` };
	const scopes = NODES.map((node) => raceScope(`wf-${node}-${id}`, node, target));
	const model = new EscrowModel(MAX_ATTEMPTS);
	const real = new Map<string, SteppedRun>();
	const seqOf = new Map<string, number>();
	let runs = 0;
	const begin = async (node: number, items: string[], process: number) => {
		const runId = `case-${id}-run-${++runs}`;
		seqOf.set(runId, runs);
		const run = new SteppedRun(stores[process], scopes[node], runId, () => model.clock, policy);
		real.set(runId, run);
		const tagged = items.map((key): [string, string] => [key, runId]);
		const expected = model.begin(runId, NODES[node], tagged);
		const { planned } = await run.begin(tagged);
		for (const item of planned.filter((p) => p.retried)) {
			// No stale replay: a retried input is never older than an input that succeeded on the same account.
			const readBy = seqOf.get(item.tag)!;
			if (model.newestSuccess(item.key) > readBy) throw new Error(`Stale replay of ${JSON.stringify(item)} (read by run ${readBy})`);
		}
		expect({ step: runs, planned: byKey(planned) }).toEqual({ step: runs, planned: byKey(expected) });
	};
	for (const s of steps) {
		if (s.kind === 'begin') await begin(s.node, s.items, s.process);
		else if (s.kind === 'tick') model.clock += s.minutes * 60000;
		else {
			const open = model.open;
			if (!open.length) continue;
			const runId = open[s.pick % open.length];
			const run = real.get(runId)!;
			if (s.kind === 'finish') {
				const results = Object.fromEntries(KEYS.map((key, i) => [key, s.results[i]]));
				model.finish(runId, results);
				await run.finish(results);
			} else if (s.kind === 'failed') {
				model.failed(runId);
				await run.finishFailed(new TypeError('a bug'));
			} else model.crashed(runId);
		}
	}
	// Every lease has run out: a last run in each node retries exactly what the model keeps.
	model.clock += 2 * LEASE_MS;
	for (const node of [0, 1]) await begin(node, [], node);
}

describe.each([
	['PostgreSQL, two processes', () => [pgStore(), pgStore()], 100],
	['files, one process', () => [new FileGovernanceStore(fileDir), new FileGovernanceStore(fileDir)], 200],
])('%s', (_name, open, numRuns) => {
	test(`random interleavings of two nodes’ runs agree with the reference model (seed ${SEED})`, async () => {
		const stores = open();
		await fc.assert(
			fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 40, size: 'max' }), (steps) => check(stores, steps)),
			{ seed: SEED, numRuns },
		);
	});
});
