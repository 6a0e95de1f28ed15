/**
 * Kept items under runs that overlap (issue 18, defect 6), in a fixed interleaving of the steps of two or three
 * runs, on n8n's PostgreSQL store (one store object per n8n process) and on the file store: a run never removes
 * or overwrites an entry a newer run stored, a kept item is not replayed once a newer operation on the same account
 * has succeeded in any node, and a run that fails for a reason other than the target frees what it held.
 */
import { DEFAULT_POLICY } from '../../lib/provisioning/governance/policy';
import type { GovernanceStore } from '../../lib/provisioning/governance/store';
import { FileGovernanceStore } from '../../lib/store/governance/fileGovernanceStore';
import { keptIn, raceScope, SteppedRun } from '../harness/governanceRuns';
import { governanceStores } from '../harness/governanceStores';

const { pgStore, fileDir } = governanceStores('governance-races', 3);

const MIN = 60000;
const T0 = Date.parse('2026-12-01T08:00:00.000Z');
const LATER = T0 + 24 * 60 * MIN;
let counter = 0;
const fresh = (name: string) => `${name}-${++counter}`;

describe.each([
	['PostgreSQL, two processes', () => [pgStore(), pgStore()]],
	['files, one process', () => [new FileGovernanceStore(fileDir), new FileGovernanceStore(fileDir)]],
])('%s', (_name, open) => {
	let a: GovernanceStore;
	let b: GovernanceStore;
	beforeAll(() => {
		[a, b] = open();
	});
	const clock = () => T0;

	/** Run 0 keeps K with its input "v0"; run A claims it; run B, with K in its own input, fails it again. */
	async function bStoresKWhileAHoldsIt(wf: string) {
		const scope = raceScope(wf, 'provision');
		const run0 = new SteppedRun(a, scope, fresh('run0'), clock);
		await run0.begin([['k', 'v0']]);
		await run0.finish({ k: 'fail' });
		const runA = new SteppedRun(a, scope, fresh('runA'), clock);
		expect((await runA.begin()).planned).toEqual([{ key: 'k', tag: 'v0', retried: true, attempts: 1 }]);
		const runB = new SteppedRun(b, scope, fresh('runB'), clock);
		expect((await runB.begin([['k', 'vB']])).planned).toEqual([{ key: 'k', tag: 'vB', retried: false, attempts: 0 }]);
		await runB.finish({ k: 'fail' });
		return { scope, runA };
	}

	test('run A’s retry succeeds after run B stored newer input for the same key: B’s entry stays', async () => {
		const { scope, runA } = await bStoresKWhileAHoldsIt(fresh('wf-remove'));
		await runA.finish({ k: 'ok' });
		expect(await keptIn(b, scope, fresh('probe'), LATER)).toEqual([{ key: 'k', tag: 'vB', retried: true, attempts: 1 }]);
	});

	test('run A’s retry fails again after run B stored newer input: A does not overwrite it with the older input', async () => {
		const { scope, runA } = await bStoresKWhileAHoldsIt(fresh('wf-overwrite'));
		await runA.finish({ k: 'fail' });
		expect(await keptIn(b, scope, fresh('probe'), LATER)).toEqual([{ key: 'k', tag: 'vB', retried: true, attempts: 1 }]);
	});

	test('a disable kept by Deprovision User is not replayed after Provision User (another workflow) reactivated the user', async () => {
		const deprovision = raceScope(fresh('wf-leavers'), 'deprovision');
		const provision = raceScope(fresh('wf-joiners'), 'provision');
		const d1 = new SteppedRun(a, deprovision, fresh('d1'), clock);
		await d1.begin([['ada', 'disable']]);
		await d1.finish({ ada: 'fail' });
		const p1 = new SteppedRun(b, provision, fresh('p1'), clock);
		await p1.begin([['ada', 'reactivate']]);
		await p1.finish({ ada: 'ok' });
		expect(await keptIn(a, deprovision, fresh('d2'), LATER)).toEqual([]);
	});

	test('a disable that fails after a newer Provision User run succeeded is not kept for a replay either', async () => {
		const deprovision = raceScope(fresh('wf-leavers'), 'deprovision');
		const provision = raceScope(fresh('wf-joiners'), 'provision');
		const d1 = new SteppedRun(a, deprovision, fresh('d1'), clock);
		await d1.begin([['ada', 'disable']]);
		const p1 = new SteppedRun(b, provision, fresh('p1'), clock);
		await p1.begin([['ada', 'reactivate']]);
		await p1.finish({ ada: 'ok' });
		await d1.finish({ ada: 'fail' });
		expect(await keptIn(a, deprovision, fresh('d2'), LATER)).toEqual([]);
	});

	test('a disable read after the Provision User run began is the newer intent: it is kept and retried', async () => {
		const deprovision = raceScope(fresh('wf-leavers'), 'deprovision');
		const provision = raceScope(fresh('wf-joiners'), 'provision');
		const p1 = new SteppedRun(b, provision, fresh('p1'), clock);
		await p1.begin([['ada', 'reactivate']]);
		const d1 = new SteppedRun(a, deprovision, fresh('d1'), clock);
		await d1.begin([['ada', 'disable']]);
		await p1.finish({ ada: 'ok' });
		await d1.finish({ ada: 'fail' });
		expect(await keptIn(a, deprovision, fresh('d2'), LATER)).toEqual([{ key: 'ada', tag: 'disable', retried: true, attempts: 1 }]);
	});

	test('a run that fails for a reason other than the target frees its trial and its claims: the next run tries at once', async () => {
		const scope = raceScope(fresh('wf-trial'), 'provision');
		const policy = { ...DEFAULT_POLICY, quarantine: { ...DEFAULT_POLICY.quarantine, minOperations: 1 } };
		let now = T0;
		const entering = new SteppedRun(a, scope, fresh('enter'), () => now, policy);
		await entering.begin([['k', 'v0']]);
		await entering.finish({ k: 'fail' });
		now += 16 * MIN;
		const trial = new SteppedRun(b, scope, fresh('trial'), () => now, policy);
		expect(await trial.begin()).toEqual({ skipped: false, planned: [{ key: 'k', tag: 'v0', retried: true, attempts: 1 }] });
		await trial.finishFailed(new TypeError('a bug in a mapping'));
		now += MIN;
		const next = new SteppedRun(a, scope, fresh('next'), () => now, policy);
		expect(await next.begin()).toEqual({ skipped: false, planned: [{ key: 'k', tag: 'v0', retried: true, attempts: 1 }] });
	});
});
