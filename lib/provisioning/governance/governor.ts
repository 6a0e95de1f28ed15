/**
 * Governance of one run of one action node against one target: the single place where quarantine, escrow and
 * the persisted provisioning log meet the run. n8n-free: the node adapter (nodes/shared/governance.ts) gives it
 * the store, the log sink and the run's context.
 *
 *   begin(items)  → skip the run (quarantined: one alert, the items kept for later), or the inputs to run:
 *                   kept items first, then this run's items
 *   finish(...)   → quarantine verdict, kept items settled, log rows written; the alerts to emit
 */
import { ProvisioningError, toProvisioningError } from '../../errors';
import type { ItemOutcome, ProvisioningLogRecord } from '../log';
import { type Alert, type AlertContext, droppedAlert, logNotWrittenAlert, quarantineAlert, skippedAlert } from './alerts';
import {
	type ClaimedEntry,
	deferInputs,
	type EscrowSettlement,
	type Keeping,
	planInputs,
	type RetryNote,
	type RunInput,
	settleEscrow,
	succeededAccounts,
} from './escrow';
import { type LogContext, type LogRow, rowFor } from './logRows';
import type { GovernancePolicy } from './policy';
import { type Decision, decide, figuresOf, releaseTrial, type RunFigures, settle } from './quarantine';
import { ESCROW_LEASE_MS, type GovernanceScope, type GovernanceStore } from './store';

/** Where log rows go (an n8n Data Table through n8n's API). */
export interface LogSink {
	/** Checks (and creates) the destination before anything runs: a problem here is a set-up error. */
	prepare(): Promise<unknown>;
	append(rows: LogRow[]): Promise<void>;
}

export interface GovernorOptions<I> {
	policy: GovernancePolicy;
	/** Needed when quarantine or retry is on. */
	store?: GovernanceStore;
	scope: GovernanceScope;
	context: AlertContext;
	log?: LogSink;
	/** Lift a quarantine by hand at the start of this run. */
	reset?: boolean;
	/** Dry runs are previews: they neither wait for nor change quarantine and escrow. */
	dryRun?: boolean;
	/** False: nothing is kept for retry in this run, whatever the policy (reconcile reads the whole source). */
	retry?: boolean;
	/** An input's escrow key, or why it cannot be kept (it holds a secret, it has no key). */
	keep: (input: I) => Keeping;
	now?: () => number;
}

export type Begun<I> =
	| { skip: true; alerts: Alert[]; failures: Array<{ index: number; error: ProvisioningError }> }
	| { skip: false; inputs: RunInput<I | ProvisioningError>[]; alerts: Alert[] };

const BAD_INPUT: Keeping = { notKept: 'its input could not be read' };
const SUPERSEDED = 'a newer run holds newer input for it, or a newer operation on the account succeeded';

export class Governor<I> {
	private decision: Decision = { kind: 'run' };
	/** The store's sequence number of this run: what "newer" means for kept items and successes. */
	private runSeq = 0;
	private readonly now: () => number;

	constructor(private readonly options: GovernorOptions<I>) {
		this.now = options.now ?? Date.now;
	}

	private get quarantineOn(): boolean {
		return this.options.policy.quarantine.enabled && !this.options.dryRun && this.options.store !== undefined;
	}

	private get retryOn(): boolean {
		return this.options.policy.retry.enabled && this.options.retry !== false && this.marksOn;
	}

	/** Successes are recorded whatever the policy, so no node replays a kept item over a newer change. */
	private get marksOn(): boolean {
		return !this.options.dryRun && this.options.store !== undefined;
	}

	private get logContext(): LogContext {
		const { context } = this.options;
		return { runId: context.runId, workflowId: context.workflow.id, workflow: context.workflow.name, node: context.node };
	}

	private keeping(input: I | ProvisioningError): Keeping {
		return input instanceof ProvisioningError ? BAD_INPUT : this.options.keep(input);
	}

	/** Before any item runs: the log destination is checked, the quarantine consulted, kept items claimed. */
	async begin(current: Array<I | ProvisioningError>): Promise<Begun<I>> {
		const { store, scope, policy, context } = this.options;
		await this.options.log?.prepare();
		const alerts: Alert[] = [];
		const nowMs = this.now();
		const now = new Date(nowMs).toISOString();
		if (this.marksOn) this.runSeq = await store!.nextRunSeq();
		if (this.quarantineOn) {
			this.decision = await store!.updateQuarantine(scope, (state) => {
				const { state: next, decision } = decide(state, nowMs, { reset: this.options.reset });
				return { state: next, result: decision };
			});
			if (this.decision.kind === 'run' && this.decision.reset) {
				alerts.push(quarantineAlert({ kind: 'lifted', previous: this.decision.reset, how: 'reset' }, context, policy.quarantine, now));
			}
		}
		const items = current.map((input) => ({ input, keeping: this.keeping(input) }));
		if (this.decision.kind === 'skip') {
			const valid = items.filter((i) => !(i.input instanceof ProvisioningError)) as Array<{ input: I; keeping: Keeping }>;
			let kept = 0;
			if (this.retryOn && valid.length) {
				const claimed = await store!.claimEscrow(scope, context.runId, nowMs, ESCROW_LEASE_MS);
				const deferred = deferInputs(valid, claimed, now, this.runSeq);
				const { discarded } = await store!.settleEscrow(scope, context.runId, { put: deferred.put, remove: [], succeeded: [] });
				kept = deferred.put.length - new Set(discarded).size;
			}
			alerts.push(
				skippedAlert(this.decision.quarantine, this.decision.trialRunning, context, policy.quarantine, now, {
					received: valid.length,
					kept,
				}),
			);
			const failures = current.flatMap((input, index) => (input instanceof ProvisioningError ? [{ index, error: input }] : []));
			return { skip: true, alerts, failures };
		}
		const claimed: ClaimedEntry[] = this.retryOn ? await store!.claimEscrow(scope, context.runId, nowMs, ESCROW_LEASE_MS) : [];
		return { skip: false, inputs: planInputs<I | ProvisioningError>(claimed, items), alerts };
	}

	/**
	 * After the run: the quarantine verdict, the kept items settled, each record told its attempt, the log rows
	 * written. Returns the alerts; a log that cannot be written is one of them, never a failure of the run.
	 */
	async finish(inputs: RunInput<I | ProvisioningError>[], outcomes: ItemOutcome[]): Promise<Alert[]> {
		inputs.forEach((input, i) => {
			const key = input.keeping.label ?? input.keeping.key;
			if (key && outcomes[i]) outcomes[i].record.sourceKey = key;
		});
		const alerts = await this.settleRun(inputs, outcomes, figuresOf(outcomes));
		alerts.push(...(await this.writeLog(outcomes.map((o) => o.record))));
		return alerts;
	}

	/**
	 * The run failed as a whole. At the target (a listing reconcile needs): one failed operation. For another reason
	 * (a bug, a setting): no verdict, and the trial and kept items it held are freed for the next run at once.
	 */
	async finishFailed(error: unknown): Promise<Alert[]> {
		const e = toProvisioningError(error);
		if (!e.fromTarget) {
			await this.release();
			return [];
		}
		const figures: RunFigures = {
			operations: 1,
			failures: 1,
			authFailures: e.code === 'AuthenticationFailed' ? 1 : 0,
			errors: { [e.code]: 1 },
		};
		return this.settleRun([], [], figures);
	}

	/** Log rows for records that did not go through `finish` (reconcile's leavers, records built elsewhere). */
	async writeLog(records: ProvisioningLogRecord[]): Promise<Alert[]> {
		const { log, context } = this.options;
		if (!log || !records.length) return [];
		const rows = records.map((record) => rowFor(record, this.logContext, { attempt: record.retry?.attempt }));
		try {
			await log.append(rows);
			return [];
		} catch (error) {
			return [logNotWrittenAlert(toProvisioningError(error), rows.length, context, new Date(this.now()).toISOString())];
		}
	}

	private async release(): Promise<void> {
		const { store, scope, context } = this.options;
		if (this.retryOn) await store!.settleEscrow(scope, context.runId, { put: [], remove: [], succeeded: [] });
		if (this.quarantineOn && this.decision.kind === 'trial') {
			const decision = this.decision;
			await store!.updateQuarantine(scope, (state) => ({ state: releaseTrial(state, decision), result: undefined }));
		}
	}

	/** Records the run's successes and settles its kept items; notes what each item's record says about it. */
	private async settleKept(inputs: RunInput<I | ProvisioningError>[], outcomes: ItemOutcome[], now: string) {
		const { store, scope, policy, context } = this.options;
		const settlement: EscrowSettlement | undefined = this.retryOn
			? settleEscrow(inputs, outcomes, policy.retry, now, this.runSeq)
			: undefined;
		const succeeded = this.marksOn ? succeededAccounts(inputs, outcomes, this.runSeq) : [];
		if (!settlement && !succeeded.length) return { kept: 0, dropped: [] };
		const change = { put: settlement?.put ?? [], remove: settlement?.remove ?? [], succeeded };
		const discarded = new Set((await store!.settleEscrow(scope, context.runId, change)).discarded);
		settlement?.notes.forEach((note: RetryNote | undefined, i) => {
			const key = inputs[i]?.keeping.key;
			const superseded = note?.kept && key !== undefined && discarded.has(key);
			if (note && outcomes[i]) outcomes[i].record.retry = superseded ? { attempt: note.attempt, notKept: SUPERSEDED } : note;
		});
		return { kept: change.put.filter((p) => !discarded.has(p.entry.key)).length, dropped: settlement?.dropped ?? [] };
	}

	private async settleRun(inputs: RunInput<I | ProvisioningError>[], outcomes: ItemOutcome[], figures: RunFigures): Promise<Alert[]> {
		const { store, scope, policy, context } = this.options;
		const nowMs = this.now();
		const now = new Date(nowMs).toISOString();
		const alerts: Alert[] = [];
		const settled = await this.settleKept(inputs, outcomes, now);
		const kept = settled.kept;
		const dropped: Alert | undefined = settled.dropped.length ? droppedAlert(settled.dropped, context, now) : undefined;
		if (this.quarantineOn) {
			const decision = this.decision;
			const event = await store!.updateQuarantine(scope, (state) => {
				const { state: next, event } = settle(state, figures, decision, nowMs, policy.quarantine);
				return { state: next, result: event };
			});
			if (event) alerts.push(quarantineAlert(event, context, policy.quarantine, now, kept));
		}
		if (dropped) alerts.push(dropped);
		return alerts;
	}
}
