/**
 * Quarantine of one target, as pure state transitions (the store persists the state; see store.ts).
 *
 * A target enters quarantine when a refusal of its credential is seen, or when at least `failureShare` of at
 * least `minOperations` operations failed at the target (one run, or consecutive runs added up within a day).
 * While quarantined, runs skip it until the next trial; a trial that succeeds lifts the quarantine, one that
 * fails pushes the next trial further out along the schedule (15 min → 1 h → 6 h → 24 h by default).
 */
import type { ProvisioningErrorCode } from '../../errors';
import type { ItemOutcome } from '../log';
import type { QuarantinePolicy } from './policy';

/** What one run did at the target: operations that reached it, and those it failed. */
export interface RunFigures {
	operations: number;
	failures: number;
	/** Failures because the target refused the credential. */
	authFailures: number;
	/** Failures by error code. */
	errors: Partial<Record<ProvisioningErrorCode, number>>;
}

export type QuarantineReason = 'authentication' | 'failureRate';

export interface Quarantine {
	since: string;
	reason: QuarantineReason;
	/** Index into the schedule of the interval now in force. */
	level: number;
	nextTrialAt: string;
	/** A trial run is under way until then (a lease: a trial that crashed frees it when it runs out). */
	trialUntil?: string;
	/** Trials that failed since entering. */
	failedTrials: number;
	/** The figures that put the target here. */
	figures: RunFigures;
}

export interface QuarantineState {
	/** Operations counted towards the next verdict (they add up over small runs). */
	window: RunFigures & { since: string | null };
	quarantine?: Quarantine;
}

export type Decision =
	| { kind: 'run'; reset?: Quarantine }
	| { kind: 'trial'; quarantine: Quarantine }
	| { kind: 'skip'; quarantine: Quarantine; trialRunning: boolean };

export type QuarantineEvent =
	| { kind: 'entered'; quarantine: Quarantine; run: RunFigures }
	| { kind: 'extended'; quarantine: Quarantine; run: RunFigures }
	| { kind: 'lifted'; previous: Quarantine; run: RunFigures; how: 'trial' }
	| { kind: 'lifted'; previous: Quarantine; how: 'reset' };

/** How long a trial run holds the trial before another run may start one. */
export const TRIAL_LEASE_MS = 30 * 60 * 1000;
/** Operations older than this no longer count towards a verdict. */
export const WINDOW_MS = 24 * 60 * 60 * 1000;

const emptyFigures = (): RunFigures => ({ operations: 0, failures: 0, authFailures: 0, errors: {} });
export const healthyState = (): QuarantineState => ({ window: { ...emptyFigures(), since: null } });

const iso = (ms: number) => new Date(ms).toISOString();

/** The figures of a run's outcomes. Failures of the input (bad data, a mapping) say nothing about the target. */
export function figuresOf(outcomes: ItemOutcome[]): RunFigures {
	const figures = emptyFigures();
	for (const { error } of outcomes) {
		if (error && !error.fromTarget) continue;
		figures.operations++;
		if (!error) continue;
		figures.failures++;
		if (error.code === 'AuthenticationFailed') figures.authFailures++;
		figures.errors[error.code] = (figures.errors[error.code] ?? 0) + 1;
	}
	return figures;
}

export function addFigures(a: RunFigures, b: RunFigures): RunFigures {
	const errors = { ...a.errors };
	for (const [code, n] of Object.entries(b.errors) as Array<[ProvisioningErrorCode, number]>) errors[code] = (errors[code] ?? 0) + n;
	return {
		operations: a.operations + b.operations,
		failures: a.failures + b.failures,
		authFailures: a.authFailures + b.authFailures,
		errors,
	};
}

export const failureRate = (f: RunFigures) => (f.operations ? f.failures / f.operations : 0);

const intervalAt = (policy: QuarantinePolicy, level: number) =>
	policy.scheduleMinutes[Math.min(level, policy.scheduleMinutes.length - 1)] * 60000;

/**
 * At the start of a run: run, try (the trial is claimed, so a concurrent run skips), or skip. With `reset`, a
 * quarantine is lifted by hand first.
 */
export function decide(
	current: QuarantineState | undefined,
	now: number,
	options: { reset?: boolean } = {},
): { state: QuarantineState; decision: Decision } {
	const state = current ?? healthyState();
	const quarantine = state.quarantine;
	if (!quarantine) return { state, decision: { kind: 'run' } };
	if (options.reset) return { state: healthyState(), decision: { kind: 'run', reset: quarantine } };
	if (quarantine.trialUntil && Date.parse(quarantine.trialUntil) > now) {
		return { state, decision: { kind: 'skip', quarantine, trialRunning: true } };
	}
	if (now < Date.parse(quarantine.nextTrialAt)) return { state, decision: { kind: 'skip', quarantine, trialRunning: false } };
	const claimed = { ...quarantine, trialUntil: iso(now + TRIAL_LEASE_MS) };
	return { state: { ...state, quarantine: claimed }, decision: { kind: 'trial', quarantine: claimed } };
}

/**
 * A trial that ended without a verdict (its run failed for a reason other than the target): the trial is freed,
 * so the next run is the trial, at once. Only this run's own trial (another may have claimed one since).
 */
export function releaseTrial(current: QuarantineState | undefined, decision: Decision): QuarantineState {
	const state = current ?? healthyState();
	const quarantine = state.quarantine;
	if (!quarantine || decision.kind !== 'trial' || quarantine.trialUntil !== decision.quarantine.trialUntil) return state;
	return { ...state, quarantine: { ...quarantine, trialUntil: undefined } };
}

function enter(reason: QuarantineReason, figures: RunFigures, run: RunFigures, now: number, policy: QuarantinePolicy) {
	const quarantine: Quarantine = {
		since: iso(now),
		reason,
		level: 0,
		nextTrialAt: iso(now + intervalAt(policy, 0)),
		failedTrials: 0,
		figures,
	};
	return { state: { ...healthyState(), quarantine }, event: { kind: 'entered', quarantine, run } as QuarantineEvent };
}

/** At the end of a run that was not skipped: the new state, and what changed. */
export function settle(
	current: QuarantineState | undefined,
	run: RunFigures,
	decision: Decision,
	now: number,
	policy: QuarantinePolicy,
): { state: QuarantineState; event?: QuarantineEvent } {
	const state = current ?? healthyState();
	const quarantine = state.quarantine;
	if (quarantine) {
		// A run that started before another one put the target in quarantine adds nothing: the verdict is in.
		if (decision.kind !== 'trial') return { state };
		if (run.operations === 0) {
			// Nothing reached the target (every item failed on its own data): no verdict, try again at the same pace.
			const next = { ...quarantine, trialUntil: undefined, nextTrialAt: iso(now + intervalAt(policy, quarantine.level)) };
			return { state: { ...state, quarantine: next } };
		}
		if (run.authFailures === 0 && failureRate(run) < policy.failureShare) {
			return { state: healthyState(), event: { kind: 'lifted', previous: quarantine, run, how: 'trial' } };
		}
		const level = Math.min(quarantine.level + 1, policy.scheduleMinutes.length - 1);
		const next: Quarantine = {
			...quarantine,
			level,
			trialUntil: undefined,
			nextTrialAt: iso(now + intervalAt(policy, level)),
			failedTrials: quarantine.failedTrials + 1,
		};
		return { state: { ...state, quarantine: next }, event: { kind: 'extended', quarantine: next, run } };
	}
	if (run.authFailures > 0) return enter('authentication', run, run, now, policy);
	const stale = state.window.since !== null && now - Date.parse(state.window.since) > WINDOW_MS;
	const base = stale || state.window.since === null ? { ...emptyFigures(), since: iso(now) } : state.window;
	if (run.operations === 0) return { state };
	const window = { ...addFigures(base, run), since: base.since ?? iso(now) };
	if (window.operations < policy.minOperations) return { state: { ...state, window } };
	const { operations, failures, authFailures, errors } = window;
	const figures: RunFigures = { operations, failures, authFailures, errors };
	if (failureRate(window) >= policy.failureShare) return enter('failureRate', figures, run, now, policy);
	return { state: healthyState() };
}
