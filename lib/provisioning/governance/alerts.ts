/**
 * Alert items: one per event that needs a person (a target entering or leaving quarantine, a run skipped
 * because of it, items dropped after their last attempt, the accidental-deletion threshold). Each says what
 * happened, with the figures, and what to do.
 */
import { ProvisioningError, type ProvisioningErrorCode, remedyFor } from '../../errors';
import type { TargetSystem } from '../../targets/target';
import { formatMinutes, type QuarantinePolicy } from './policy';
import { failureRate, type Quarantine, type QuarantineEvent, type RunFigures } from './quarantine';

export type AlertKind =
	| 'QuarantineEntered'
	| 'QuarantineExtended'
	| 'QuarantineSkipped'
	| 'QuarantineLifted'
	| 'RetriesExhausted'
	| 'DeletionThresholdExceeded'
	| 'LogNotWritten';

/** critical: act now; warning: look at it; info: for the record; resolved: a problem went away. */
export type AlertSeverity = 'critical' | 'warning' | 'info' | 'resolved';

/** Where an alert comes from. */
export interface AlertContext {
	workflow: { id: string; name: string };
	node: string;
	runId: string;
	target: { system: TargetSystem; endpoint: string };
}

export interface Alert extends AlertContext {
	alert: AlertKind;
	severity: AlertSeverity;
	/** What happened, in one sentence. */
	message: string;
	/** What to do about it. */
	remedy: string;
	figures: Record<string, unknown>;
	time: string;
	quarantine?: { since: string; reason: string; nextTrialAt: string; interval: string; failedTrials: number };
	/** Items concerned (dropped after their last attempt), at most 100 listed. */
	items?: unknown[];
	itemsTruncated?: boolean;
}

const SYSTEM_NAMES: Record<TargetSystem, string> = { scim: 'SCIM app', ldap: 'LDAP directory', sql: 'SQL database' };

export const targetLabel = (target: AlertContext['target']) => `the ${SYSTEM_NAMES[target.system]} at ${target.endpoint}`;

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

function figuresOut(f: RunFigures) {
	return { operations: f.operations, failures: f.failures, failureRate: Math.round(failureRate(f) * 1000) / 1000, errors: f.errors };
}

function quarantineOut(q: Quarantine, policy: QuarantinePolicy) {
	const minutes = policy.scheduleMinutes[Math.min(q.level, policy.scheduleMinutes.length - 1)];
	return { since: q.since, reason: q.reason, nextTrialAt: q.nextTrialAt, interval: formatMinutes(minutes), failedTrials: q.failedTrials };
}

/** The most frequent error code of a set of figures. */
function dominant(f: RunFigures): ProvisioningErrorCode | undefined {
	return (Object.entries(f.errors) as Array<[ProvisioningErrorCode, number]>).sort((a, b) => b[1] - a[1])[0]?.[0];
}

const RESET_HINT = 'or run the node once with Quarantine and Retry → Reset Quarantine turned on';

function why(q: Quarantine, policy: QuarantinePolicy): string {
	if (q.reason === 'authentication') return 'it refused the credential';
	return `${q.figures.failures} of ${q.figures.operations} operations failed (${percent(failureRate(q.figures))}, the limit is ${percent(policy.failureShare)} of at least ${policy.minOperations})`;
}

function fixFor(q: Quarantine): string {
	const code: ProvisioningErrorCode = q.reason === 'authentication' ? 'AuthenticationFailed' : (dominant(q.figures) ?? 'TargetUnavailable');
	return remedyFor(new ProvisioningError(code, ''));
}

/** The alert for a quarantine event. */
export function quarantineAlert(event: QuarantineEvent, context: AlertContext, policy: QuarantinePolicy, now: string, kept = 0): Alert {
	const where = targetLabel(context.target);
	const base = { ...context, time: now };
	const keptNote = kept ? ` ${kept} item(s) are kept and will be retried first when it is back.` : '';
	switch (event.kind) {
		case 'entered': {
			const q = event.quarantine;
			return {
				...base,
				alert: 'QuarantineEntered',
				severity: 'critical',
				message: `${context.node} put ${where} in quarantine: ${why(q, policy)}. Runs skip it until a trial run at ${q.nextTrialAt}.${keptNote}`,
				remedy: `${fixFor(q)} The quarantine lifts when a trial run succeeds (the next at ${q.nextTrialAt}), ${RESET_HINT}.`,
				figures: {
					...figuresOut(q.figures),
					thisRun: figuresOut(event.run),
					limit: policy.failureShare,
					minOperations: policy.minOperations,
				},
				quarantine: quarantineOut(q, policy),
			};
		}
		case 'extended': {
			const q = event.quarantine;
			return {
				...base,
				alert: 'QuarantineExtended',
				severity: 'warning',
				message: `${where} is still failing: the trial run failed ${event.run.failures} of ${event.run.operations} operations. The next trial is at ${q.nextTrialAt}.${keptNote}`,
				remedy: `${fixFor({ ...q, figures: event.run })} Trials come less often each time (now every ${quarantineOut(q, policy).interval}); to try at once, ${RESET_HINT.replace(/^or /, '')}.`,
				figures: { thisRun: figuresOut(event.run), failedTrials: q.failedTrials },
				quarantine: quarantineOut(q, policy),
			};
		}
		case 'lifted': {
			const p = event.previous;
			const how =
				event.how === 'trial'
					? `a trial run succeeded (${event.run.operations - event.run.failures} of ${event.run.operations} operations)`
					: 'it was reset by hand';
			return {
				...base,
				alert: 'QuarantineLifted',
				severity: 'resolved',
				message: `${where} left quarantine: ${how}. It had been quarantined since ${p.since} (${p.reason === 'authentication' ? 'credential refused' : 'too many failures'}).`,
				remedy: 'Nothing to do. Items kept during the quarantine are retried in this run and the next ones.',
				figures: { ...(event.how === 'trial' ? { thisRun: figuresOut(event.run) } : {}), failedTrials: p.failedTrials },
				quarantine: quarantineOut(p, policy),
			};
		}
	}
}

/** The alert for a run skipped because its target is quarantined (instead of one error per item). */
export function skippedAlert(
	q: Quarantine,
	trialRunning: boolean,
	context: AlertContext,
	policy: QuarantinePolicy,
	now: string,
	items: { received: number; kept: number },
): Alert {
	const dropped = items.received - items.kept;
	const fate = items.kept
		? `${items.kept} item(s) are kept and will be tried first when the target is back${dropped ? `; ${dropped} could not be kept` : ''}`
		: items.received
			? `its ${items.received} item(s) were not kept (turn on Retry Failed Items to keep them, or rerun them later)`
			: 'nothing was changed';
	return {
		...context,
		time: now,
		alert: 'QuarantineSkipped',
		severity: 'info',
		message: `This run did not contact ${targetLabel(context.target)}: it is quarantined since ${q.since} ${trialRunning ? 'and a trial run is under way' : `until the trial run at ${q.nextTrialAt}`}; ${fate}.`,
		remedy: `Nothing to do if the quarantine was already handled. ${fixFor(q)} To try at once, ${RESET_HINT.replace(/^or /, '')}.`,
		figures: { received: items.received, kept: items.kept },
		quarantine: quarantineOut(q, policy),
	};
}

/** The alert for items dropped after their last attempt. */
export function droppedAlert(
	dropped: Array<{ key: string; attempts: number; firstFailedAt: string; lastError: { code: ProvisioningErrorCode; reason: string } }>,
	context: AlertContext,
	now: string,
): Alert {
	const shown = dropped.slice(0, 100);
	return {
		...context,
		time: now,
		alert: 'RetriesExhausted',
		severity: 'warning',
		message: `${dropped.length} item(s) failed their last attempt against ${targetLabel(context.target)} and are no longer retried: ${shown
			.slice(0, 5)
			.map((d) => d.key)
			.join(', ')}${dropped.length > 5 ? ', …' : ''}.`,
		remedy:
			'Each item lists its last error. Fix the cause, then send these items again (rerun the source, or replay the executions that brought them).',
		figures: { dropped: dropped.length },
		items: shown,
		...(dropped.length > shown.length ? { itemsTruncated: true } : {}),
	};
}

/** The alert for a run the accidental-deletion threshold held back. */
export function thresholdAlert(reason: string, figures: { staged: number; managed?: number }, context: AlertContext, now: string): Alert {
	return {
		...context,
		time: now,
		alert: 'DeletionThresholdExceeded',
		severity: 'critical',
		message: `The accidental-deletion threshold held back this run: ${reason}. Nothing was disabled or deleted.`,
		remedy:
			'Review the planned disables and deletes on the To Approve output. If they are right, run again with Approve This Run turned on; if not, fix the source (an empty or partial export?) first.',
		figures,
	};
}

/** The alert for provisioning-log records that could not be written (the run itself went through). */
export function logNotWrittenAlert(error: ProvisioningError, records: number, context: AlertContext, now: string): Alert {
	return {
		...context,
		time: now,
		alert: 'LogNotWritten',
		severity: 'warning',
		message: `${records} provisioning-log record(s) of this run could not be written to the Data Table: ${error.message}`,
		remedy: `The records are still on this node's outputs. ${remedyFor(error)}`,
		figures: { records },
	};
}
