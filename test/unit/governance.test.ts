/**
 * Quarantine, escrow and the log rows as pure logic: the transitions, the schedule, which items are kept and
 * retried, and what a log row holds (never a secret).
 */
import { ProvisioningError } from '../../lib/errors';
import { droppedAlert, quarantineAlert, skippedAlert, thresholdAlert } from '../../lib/provisioning/governance/alerts';
import { deferInputs, isRetryable, planInputs, settleEscrow, succeededAccounts } from '../../lib/provisioning/governance/escrow';
import { envelopeKeeping, groupKeeping } from '../../lib/provisioning/governance/keys';
import { changesText, LOG_COLUMNS, recordInItem, rowFor } from '../../lib/provisioning/governance/logRows';
import { DEFAULT_POLICY, formatMinutes, parseSchedule, validatePolicy } from '../../lib/provisioning/governance/policy';
import {
	decide,
	figuresOf,
	healthyState,
	type QuarantineState,
	releaseTrial,
	settle,
	TRIAL_LEASE_MS,
} from '../../lib/provisioning/governance/quarantine';
import { type ItemOutcome, recordFor } from '../../lib/provisioning/log';

const target = { system: 'scim' as const, endpoint: 'https://app.example/scim/v2/Users' };
const policy = DEFAULT_POLICY.quarantine;
const T0 = Date.parse('2026-11-30T08:00:00.000Z');
const min = 60000;

const ok = (): ItemOutcome => ({ record: recordFor(target, false).finish('Create', 'Success', 'id-1') });
const failed = (code: ProvisioningError['code'], transient = false): ItemOutcome =>
	recordFor(target, false).fail(new ProvisioningError(code, `failed with ${code}`, { transient }));
const times = <T>(n: number, make: () => T) => Array.from({ length: n }, make);

describe('the quarantine schedule and settings', () => {
	test('intervals in minutes, hours and days', () => {
		expect(parseSchedule('15m, 1h, 6h, 24h')).toEqual([15, 60, 360, 1440]);
		expect(parseSchedule('30 2h 1d')).toEqual([30, 120, 1440]);
		expect(formatMinutes(15)).toBe('15 min');
		expect(formatMinutes(360)).toBe('6 h');
		expect(formatMinutes(1440 + 360)).toBe('1 d 6 h');
	});

	test('nonsense stops the node before anything runs, naming the setting', () => {
		expect(() => parseSchedule('soon')).toThrow(expect.objectContaining({ code: 'Configuration', field: 'quarantineSchedule' }));
		expect(() => parseSchedule('')).toThrow(/not a list of intervals/);
		expect(() => validatePolicy({ ...DEFAULT_POLICY, quarantine: { ...policy, failureShare: 0 } })).toThrow(/above 0 and at most 100/);
		expect(() => validatePolicy({ ...DEFAULT_POLICY, retry: { enabled: true, maxAttempts: 0 } })).toThrow(
			expect.objectContaining({ field: 'maxAttempts' }),
		);
	});
});

describe('quarantine transitions', () => {
	test('figures count what reached the target; bad input is not the target’s fault', () => {
		const f = figuresOf([ok(), failed('TargetUnavailable', true), failed('InvalidInput'), failed('AuthenticationFailed')]);
		expect(f).toEqual({ operations: 3, failures: 2, authFailures: 1, errors: { TargetUnavailable: 1, AuthenticationFailed: 1 } });
	});

	test('at least 40% of at least 20 operations failing enters quarantine, with the first trial 15 minutes later', () => {
		const run = figuresOf([...times(12, ok), ...times(8, () => failed('TargetUnavailable', true))]);
		const { state, event } = settle(undefined, run, { kind: 'run' }, T0, policy);
		expect(event).toMatchObject({ kind: 'entered', quarantine: { reason: 'failureRate', level: 0 } });
		expect(state.quarantine?.nextTrialAt).toBe(new Date(T0 + 15 * min).toISOString());
		expect(state.quarantine?.figures).toMatchObject({ operations: 20, failures: 8 });
	});

	test('39% of 20, or 100% of 19, is no verdict', () => {
		const below = figuresOf([...times(13, ok), ...times(7, () => failed('Timeout', true))]);
		expect(settle(undefined, below, { kind: 'run' }, T0, policy).event).toBeUndefined();
		const few = figuresOf(times(19, () => failed('Timeout', true)));
		const { state, event } = settle(undefined, few, { kind: 'run' }, T0, policy);
		expect(event).toBeUndefined();
		expect(state.window).toMatchObject({ operations: 19, failures: 19 });
	});

	test('small runs add up to a verdict within a day; older operations are forgotten', () => {
		let state: QuarantineState | undefined;
		for (let i = 0; i < 19; i++) state = settle(state, figuresOf([failed('Timeout', true)]), { kind: 'run' }, T0 + i * min, policy).state;
		const twentieth = settle(state, figuresOf([failed('Timeout', true)]), { kind: 'run' }, T0 + 20 * min, policy);
		expect(twentieth.event?.kind).toBe('entered');
		const nextDay = settle(state, figuresOf([failed('Timeout', true)]), { kind: 'run' }, T0 + 25 * 60 * min, policy);
		expect(nextDay.event).toBeUndefined();
		expect(nextDay.state.window.operations).toBe(1);
	});

	test('a refused credential quarantines at once, whatever the count', () => {
		const { event } = settle(undefined, figuresOf([failed('AuthenticationFailed')]), { kind: 'run' }, T0, policy);
		expect(event).toMatchObject({ kind: 'entered', quarantine: { reason: 'authentication' } });
	});

	test('quarantined: runs skip until the trial, one run claims the trial, and the trial lifts or extends along the schedule', () => {
		let state = settle(undefined, figuresOf(times(20, () => failed('TargetUnavailable', true))), { kind: 'run' }, T0, policy).state;
		expect(decide(state, T0 + 14 * min).decision).toMatchObject({ kind: 'skip', trialRunning: false });
		const trial = decide(state, T0 + 15 * min);
		expect(trial.decision.kind).toBe('trial');
		// A run starting during the trial skips.
		expect(decide(trial.state, T0 + 16 * min).decision).toMatchObject({ kind: 'skip', trialRunning: true });
		// The trial fails: next trial one hour later, then six hours, then a day, and a day again.
		const waits: number[] = [];
		let now = T0 + 15 * min;
		state = trial.state;
		for (let i = 0; i < 4; i++) {
			const { state: next, event } = settle(
				state,
				figuresOf([failed('TargetUnavailable', true)]),
				{ kind: 'trial', quarantine: state.quarantine! },
				now,
				policy,
			);
			expect(event?.kind).toBe('extended');
			waits.push((Date.parse(next.quarantine!.nextTrialAt) - now) / min);
			now = Date.parse(next.quarantine!.nextTrialAt);
			const claimed = decide(next, now);
			expect(claimed.decision.kind).toBe('trial');
			state = claimed.state;
		}
		expect(waits).toEqual([60, 360, 1440, 1440]);
		const lifted = settle(state, figuresOf([ok()]), { kind: 'trial', quarantine: state.quarantine! }, now, policy);
		expect(lifted.event).toMatchObject({ kind: 'lifted', how: 'trial', previous: { failedTrials: 4 } });
		expect(lifted.state).toEqual(healthyState());
	});

	test('a trial that crashed frees the trial when its lease runs out', () => {
		const state = settle(undefined, figuresOf([failed('AuthenticationFailed')]), { kind: 'run' }, T0, policy).state;
		const claimed = decide(state, T0 + 15 * min).state;
		expect(decide(claimed, T0 + 15 * min + TRIAL_LEASE_MS - 1).decision.kind).toBe('skip');
		expect(decide(claimed, T0 + 15 * min + TRIAL_LEASE_MS + 1).decision.kind).toBe('trial');
	});

	test('a trial whose run failed for a reason other than the target frees the trial at once, unless another run holds it now', () => {
		const state = settle(undefined, figuresOf([failed('AuthenticationFailed')]), { kind: 'run' }, T0, policy).state;
		const { state: claimed, decision } = decide(state, T0 + 15 * min);
		const released = releaseTrial(claimed, decision);
		expect(released.quarantine?.trialUntil).toBeUndefined();
		expect(decide(released, T0 + 16 * min).decision.kind).toBe('trial');
		// This run's lease ran out and another run claimed the trial: that one is left alone.
		const other = decide(released, T0 + 60 * min).state;
		expect(releaseTrial(other, decision)).toEqual(other);
	});

	test('a trial where nothing reached the target is no verdict; a reset lifts at once', () => {
		const state = decide(
			settle(undefined, figuresOf([failed('AuthenticationFailed')]), { kind: 'run' }, T0, policy).state,
			T0 + 15 * min,
		).state;
		const none = settle(
			state,
			figuresOf([failed('InvalidInput')]),
			{ kind: 'trial', quarantine: state.quarantine! },
			T0 + 16 * min,
			policy,
		);
		expect(none.event).toBeUndefined();
		expect(none.state.quarantine).toMatchObject({ level: 0, nextTrialAt: new Date(T0 + 31 * min).toISOString() });
		const reset = decide(none.state, T0 + 17 * min, { reset: true });
		expect(reset.decision).toMatchObject({ kind: 'run', reset: { reason: 'authentication' } });
		expect(reset.state.quarantine).toBeUndefined();
	});

	test('a run that started before another put the target in quarantine adds nothing', () => {
		const state = settle(undefined, figuresOf([failed('AuthenticationFailed')]), { kind: 'run' }, T0, policy).state;
		const late = settle(state, figuresOf(times(30, () => failed('TargetUnavailable', true))), { kind: 'run' }, T0 + min, policy);
		expect(late.event).toBeUndefined();
		expect(late.state).toEqual(state);
	});
});

describe('escrow', () => {
	const env = (userName: string) => ({ attributes: { userName }, matchKeys: [{ attribute: 'userName', value: userName }] });

	test('retryable: the target was down, slow, throttling, or refused the credential; not: the item’s own data', () => {
		expect(
			['TargetUnavailable', 'Timeout', 'TooManyRequests', 'AuthenticationFailed'].map((c) =>
				isRetryable(new ProvisioningError(c as never, '')),
			),
		).toEqual([true, true, true, true]);
		expect(
			['Uniqueness', 'TargetRejected', 'InvalidInput', 'DuplicateTargetEntries'].map((c) =>
				isRetryable(new ProvisioningError(c as never, '')),
			),
		).toEqual([false, false, false, false]);
	});

	test('keys: the first match key with a value; never an item holding a secret', () => {
		expect(envelopeKeeping(env('ada@x.org'))).toEqual({ key: 'userName=ada@x.org', account: 'user:userName=ada@x.org' });
		// Not kept, but still the account it acts on: its success makes older kept items for the account stale.
		expect(envelopeKeeping({ ...env('ada@x.org'), createOnly: { password: 'Initial-1!' } })).toEqual({
			key: 'userName=ada@x.org',
			account: 'user:userName=ada@x.org',
			notKept: expect.stringMatching(/secret/),
		});
		expect(
			envelopeKeeping({ attributes: { employeeId: '7' }, matchKeys: [{ attribute: 'employeeId', value: '7' }], redact: ['employeeId'] }),
		).toEqual({ label: 'employeeId=[Redact]', notKept: expect.stringMatching(/match key is a secret/) });
		expect(envelopeKeeping({ attributes: { a: 1 }, matchKeys: [{ attribute: 'userName', value: null }] })).toEqual({
			notKept: expect.any(String),
		});
	});

	test('group keys: a whole membership supersedes; distinct deltas are kept apart', () => {
		const g = { displayName: 'Eng', externalId: 'G1', members: [{ kind: 'user' as const, value: 'a' }] };
		expect(groupKeeping(g)).toEqual({ key: 'externalId=G1', label: 'externalId=G1', account: 'group:externalId=G1' });
		const add = groupKeeping({ ...g, mode: 'additive' });
		expect(add).toMatchObject({ account: 'group:externalId=G1', partial: true });
		expect(groupKeeping({ ...g, remove: true })).not.toHaveProperty('partial');
		const add2 = groupKeeping({ ...g, mode: 'additive', members: [{ kind: 'user', value: 'b' }] });
		expect(add.key).toMatch(/^externalId=G1\|additive\|/);
		expect(add.key).not.toBe(add2.key);
	});

	test('kept items run first; an item of this run with the same key supersedes its kept entry and its count of attempts', () => {
		const claimed = [
			{ key: 'userName=a', input: env('a'), attempts: 1, firstFailedAt: '2026-11-29T00:00:00.000Z', inputSeq: 1, version: 2 },
			{ key: 'userName=b', input: env('b'), attempts: 2, firstFailedAt: '2026-11-29T00:00:00.000Z', inputSeq: 1, version: 2 },
		];
		const planned = planInputs(claimed, [
			{ input: env('b2'), keeping: { key: 'userName=b' } },
			{ input: env('c'), keeping: { key: 'userName=c' } },
		]);
		expect(planned.map((p) => [p.keeping.key, p.retried, p.prior?.attempts])).toEqual([
			['userName=a', true, 1],
			['userName=b', false, 2],
			['userName=c', false, undefined],
		]);
	});

	test('after a run: retryable failures are kept with one more attempt, the rest forgotten, the last attempt dropped', () => {
		const prior = (attempts: number) => ({
			key: 'k',
			input: {},
			attempts,
			firstFailedAt: '2026-11-29T00:00:00.000Z',
			inputSeq: 3,
			version: 7,
		});
		const inputs = [
			{ input: env('a'), keeping: { key: 'userName=a', account: 'user:userName=a' }, retried: false },
			{ input: env('b'), keeping: { key: 'userName=b' }, prior: { ...prior(1), key: 'userName=b' }, retried: true },
			{ input: env('c'), keeping: { key: 'userName=c' }, retried: false },
			{ input: env('d'), keeping: { key: 'userName=d' }, prior: { ...prior(4), key: 'userName=d' }, retried: true },
			{ input: env('e'), keeping: { key: 'userName=e', notKept: 'it holds a secret value' }, retried: false },
		];
		const outcomes = [failed('Timeout', true), ok(), failed('Uniqueness'), failed('TargetUnavailable', true), failed('Timeout', true)];
		const s = settleEscrow(inputs, outcomes, { enabled: true, maxAttempts: 5 }, '2026-11-30T00:00:00.000Z', 9);
		expect(s.put).toEqual([
			{
				entry: {
					key: 'userName=a',
					input: env('a'),
					attempts: 1,
					firstFailedAt: '2026-11-30T00:00:00.000Z',
					lastError: { code: 'Timeout', reason: 'failed with Timeout' },
					account: 'user:userName=a',
					inputSeq: 9,
				},
				claimed: undefined,
				retried: false,
			},
		]);
		// Claimed entries are removed only at the version claimed (compare-and-set in the store).
		expect(s.remove).toEqual([
			{ key: 'userName=b', version: 7 },
			{ key: 'userName=d', version: 7 },
		]);
		expect(s.dropped).toEqual([
			expect.objectContaining({
				key: 'userName=d',
				attempts: 5,
				firstFailedAt: '2026-11-29T00:00:00.000Z',
				lastError: expect.objectContaining({ code: 'TargetUnavailable' }),
			}),
		]);
		expect(s.notes).toEqual([
			{ attempt: 1, kept: true },
			{ attempt: 2 },
			undefined,
			{ attempt: 5, dropped: true },
			{ attempt: 1, notKept: 'it holds a secret value' },
		]);
	});

	test('successes: the accounts changed, each with its input’s sequence number; not a failure, a skip or a member delta', () => {
		const prior = { key: 'userName=r', input: {}, attempts: 1, firstFailedAt: '2026-11-29T00:00:00.000Z', inputSeq: 2, version: 5 };
		const skipped = (): ItemOutcome => ({ record: recordFor(target, false).finish('Skipped', 'Skipped') });
		const inputs = [
			{ input: env('a'), keeping: { key: 'userName=a', account: 'user:userName=a' }, retried: false },
			{ input: env('r'), keeping: { key: 'userName=r', account: 'user:userName=r' }, prior, retried: true },
			{ input: env('f'), keeping: { key: 'userName=f', account: 'user:userName=f' }, retried: false },
			{ input: env('s'), keeping: { key: 'userName=s', account: 'user:userName=s' }, retried: false },
			{ input: {}, keeping: { key: 'G|additive|x', account: 'group:G', partial: true }, retried: false },
			{ input: env('p'), keeping: { key: 'userName=p', account: 'user:userName=p', notKept: 'secret' }, retried: false },
		];
		const outcomes = [ok(), ok(), failed('Timeout', true), skipped(), ok(), ok()];
		expect(succeededAccounts(inputs, outcomes, 9)).toEqual([
			{ account: 'user:userName=a', inputSeq: 9 },
			{ account: 'user:userName=r', inputSeq: 2 },
			{ account: 'user:userName=p', inputSeq: 9 },
		]);
	});

	test('a quarantined run puts its items aside untried: attempts do not grow, an item of the same key replaces the older', () => {
		const claimed = [
			{ key: 'userName=a', input: env('a-old'), attempts: 2, firstFailedAt: '2026-11-29T00:00:00.000Z', inputSeq: 1, version: 4 },
		];
		const { put, notKept } = deferInputs(
			[
				{ input: env('a-new'), keeping: { key: 'userName=a' } },
				{ input: env('b'), keeping: { key: 'userName=b' } },
				{ input: env('s'), keeping: { notKept: 'secret' } },
			],
			claimed,
			'2026-11-30T00:00:00.000Z',
			5,
		);
		expect(put).toEqual([
			{
				entry: { key: 'userName=a', input: env('a-new'), attempts: 2, firstFailedAt: '2026-11-29T00:00:00.000Z', inputSeq: 5 },
				claimed: 4,
				retried: false,
			},
			{
				entry: { key: 'userName=b', input: env('b'), attempts: 0, firstFailedAt: '2026-11-30T00:00:00.000Z', inputSeq: 5 },
				claimed: undefined,
				retried: false,
			},
		]);
		expect(notKept).toBe(1);
	});
});

describe('log rows', () => {
	const context = { runId: '42', workflowId: 'wf1', workflow: 'HR sync', node: 'Provision User' };

	test('one flat row per record, with the run, workflow and node; changes as old → new', () => {
		const log = recordFor(target, false, { attributes: {}, matchKeys: [], source: { system: 'workday', id: 'E42' } });
		log.changes([
			{ attribute: 'title', oldValue: 'Analyst', newValue: 'Lead Analyst' },
			{ attribute: 'active', oldValue: undefined, newValue: true },
		]);
		const row = rowFor(log.finish('Update', 'Success', 'id-7'), context, { key: 'userName=ada@x.org', attempt: 2 });
		expect(row).toMatchObject({
			run_id: '42',
			workflow_id: 'wf1',
			workflow: 'HR sync',
			node: 'Provision User',
			target_system: 'scim',
			target: target.endpoint,
			action: 'Update',
			status: 'Success',
			source_key: 'userName=ada@x.org',
			target_id: 'id-7',
			changes: 'title: "Analyst" → "Lead Analyst"; active: (none) → true',
			error_code: null,
			dry_run: false,
			attempt: 2,
		});
		expect(JSON.parse(row.details!)).toEqual({ source: { system: 'workday', id: 'E42' } });
		expect(Object.keys(row).sort()).toEqual(LOG_COLUMNS.map((c) => c.name).sort());
	});

	test('secret attributes never reach a row, even from a record that was not redacted', () => {
		const record = recordFor(target, false).finish('Update', 'Success', 'x');
		record.modifiedProperties = [{ name: 'password', oldValue: 'Old-Secret-1', newValue: 'New-Secret-2' }];
		const row = rowFor(record, context);
		expect(JSON.stringify(row)).not.toMatch(/Secret-/);
		expect(row.changes).toBe('password: "[Redact]" → "[Redact]"');
	});

	test('failures: error code and message; long text is cut', () => {
		const outcome = recordFor(target, false).fail(new ProvisioningError('TargetRejected', 'x'.repeat(5000)));
		const row = rowFor(outcome.record, context);
		expect(row).toMatchObject({ action: 'Failed', status: 'Failure', error_code: 'TargetRejected' });
		expect(row.error_message).toHaveLength(4000);
	});

	test('records are found in both error-item shapes', () => {
		const record = recordFor(target, false).finish('Create', 'Success', 'a');
		expect(recordInItem(record)).toBe(record);
		expect(recordInItem({ message: 'm', error: { code: 'Timeout', provisioningLog: record } })).toBe(record);
		expect(recordInItem({ error: 'm' }, { provisioningLog: record })).toBe(record);
		expect(recordInItem({ userName: 'a' })).toBeUndefined();
		expect(changesText([])).toBeNull();
	});
});

describe('alerts say what happened, the figures, and what to do', () => {
	const context = { workflow: { id: 'wf1', name: 'HR sync' }, node: 'Provision User', runId: '7', target };
	const now = new Date(T0).toISOString();

	test('entering quarantine', () => {
		const run = figuresOf(times(20, () => failed('TargetUnavailable', true)));
		const { event } = settle(undefined, run, { kind: 'run' }, T0, policy);
		const alert = quarantineAlert(event!, context, policy, now, 20);
		expect(alert).toMatchObject({
			alert: 'QuarantineEntered',
			severity: 'critical',
			figures: { operations: 20, failures: 20, failureRate: 1, limit: 0.4, minOperations: 20 },
			quarantine: { reason: 'failureRate', interval: '15 min' },
			workflow: { id: 'wf1' },
			runId: '7',
		});
		expect(alert.message).toMatch(
			/put the SCIM app at https:\/\/app\.example\/scim\/v2\/Users in quarantine: 20 of 20 operations failed \(100%/,
		);
		expect(alert.message).toMatch(/20 item\(s\) are kept/);
		expect(alert.remedy).toMatch(/check that it is up/);
		expect(alert.remedy).toMatch(/Reset Quarantine/);
	});

	test('a skipped run, a lifted quarantine, dropped items, the deletion threshold', () => {
		const q = settle(undefined, figuresOf([failed('AuthenticationFailed')]), { kind: 'run' }, T0, policy).state.quarantine!;
		const skipped = skippedAlert(q, false, context, policy, now, { received: 3, kept: 2 });
		expect(skipped).toMatchObject({ alert: 'QuarantineSkipped', severity: 'info', figures: { received: 3, kept: 2 } });
		expect(skipped.message).toMatch(/did not contact .*2 item\(s\) are kept.*1 could not be kept/);
		expect(skipped.remedy).toMatch(/refused the credential/);
		// A run whose items were all invalid (already failures) had nothing to keep, and changed nothing.
		const empty = skippedAlert(q, true, context, policy, now, { received: 0, kept: 0 });
		expect(empty.message).toMatch(/a trial run is under way; nothing was changed\.$/);
		expect(empty.figures).toEqual({ received: 0, kept: 0 });
		const lifted = quarantineAlert({ kind: 'lifted', previous: q, how: 'reset' }, context, policy, now);
		expect(lifted).toMatchObject({ alert: 'QuarantineLifted', severity: 'resolved' });
		const dropped = droppedAlert(
			[{ key: 'userName=a', attempts: 5, firstFailedAt: now, lastError: { code: 'Timeout', reason: 'timed out' } }],
			context,
			now,
		);
		expect(dropped).toMatchObject({ alert: 'RetriesExhausted', figures: { dropped: 1 }, items: [{ key: 'userName=a' }] });
		const held = thresholdAlert('12 disables/deletes exceed the threshold of 10', { staged: 12, managed: 100 }, context, now);
		expect(held).toMatchObject({ alert: 'DeletionThresholdExceeded', severity: 'critical', figures: { staged: 12, managed: 100 } });
		expect(held.remedy).toMatch(/Approve This Run/);
	});
});
