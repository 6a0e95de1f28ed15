/**
 * Escrow, as in Entra: items that failed for a reason that says nothing about the item (the target was down,
 * slow, throttling, or refused the credential) are kept and retried first in the next run of the same workflow
 * and node, up to a number of attempts. Items that failed on their own data (a schema violation, a duplicate)
 * are not retried: the same request would fail the same way. Pure logic; the store keeps the entries.
 */
import type { ProvisioningError, ProvisioningErrorCode } from '../../errors';
import type { ItemOutcome } from '../log';
import type { RetryPolicy } from './policy';

/** One kept item: the core's input as it was read (an envelope, a group), never a secret. */
export interface EscrowEntry {
	key: string;
	input: unknown;
	/** Failed attempts so far (0 for an item a quarantined run put aside without trying). */
	attempts: number;
	firstFailedAt: string;
	lastError?: { code: ProvisioningErrorCode; reason: string };
}

const RETRYABLE: ReadonlySet<ProvisioningErrorCode> = new Set(['TargetUnavailable', 'Timeout', 'TooManyRequests', 'AuthenticationFailed']);

/** Whether a later attempt of the same item can succeed: the failure was the target's state, not the item's data. */
export const isRetryable = (error: ProvisioningError): boolean => error.transient || RETRYABLE.has(error.code);

/**
 * What the node knows of an input before the run: its escrow key (and how people know it, for the log), or why it
 * cannot be kept.
 */
export type Keeping = { key: string; label?: string } | { key?: string; label?: string; notKept: string };

/** One input of a governed run: a retried entry, or an item of this run (superseding an entry of the same key). */
export interface RunInput<I> {
	input: I;
	keeping: Keeping;
	/** The kept entry this input retries or supersedes. */
	prior?: EscrowEntry;
	/** True for entries retried from the escrow (no input item of this run). */
	retried: boolean;
}

/**
 * The inputs of a run: retried entries first, then this run's items. An item of this run with the key of a kept
 * entry supersedes it (its data is newer), keeping the count of attempts.
 */
export function planInputs<I>(claimed: EscrowEntry[], current: Array<{ input: I; keeping: Keeping }>): RunInput<I>[] {
	const currentKeys = new Set(current.map((c) => c.keeping.key).filter((k): k is string => k !== undefined));
	const byKey = new Map(claimed.map((e) => [e.key, e]));
	const retried = claimed
		.filter((e) => !currentKeys.has(e.key))
		.map((e) => ({ input: e.input as I, keeping: { key: e.key }, prior: e, retried: true }));
	return [
		...retried,
		...current.map((c) => ({ ...c, prior: c.keeping.key !== undefined ? byKey.get(c.keeping.key) : undefined, retried: false })),
	];
}

/** What happened to an item in the escrow, for its log record. */
export interface RetryNote {
	/** This attempt's number (1 = first try). */
	attempt: number;
	/** Kept for the next run. */
	kept?: boolean;
	/** Dropped after the last attempt. */
	dropped?: boolean;
	/** Why a retryable failure was not kept. */
	notKept?: string;
}

export interface EscrowSettlement {
	put: EscrowEntry[];
	remove: string[];
	dropped: Array<{ key: string; attempts: number; firstFailedAt: string; lastError: { code: ProvisioningErrorCode; reason: string } }>;
	notes: Array<RetryNote | undefined>;
}

/** After a run: which entries to keep (with one more attempt), which to remove, which to drop for good. */
export function settleEscrow<I>(
	inputs: RunInput<I>[],
	outcomes: ItemOutcome[],
	policy: RetryPolicy,
	now: string,
	serialise: (input: I) => unknown = (input) => input,
): EscrowSettlement {
	const out: EscrowSettlement = { put: [], remove: [], dropped: [], notes: [] };
	inputs.forEach((run, i) => {
		const { error } = outcomes[i] ?? {};
		const attempt = (run.prior?.attempts ?? 0) + 1;
		const key = run.keeping.key;
		if (!error || !isRetryable(error)) {
			if (run.prior) out.remove.push(run.prior.key);
			out.notes.push(run.prior || run.retried ? { attempt } : undefined);
			return;
		}
		if ('notKept' in run.keeping || key === undefined) {
			if (run.prior) out.remove.push(run.prior.key);
			out.notes.push({ attempt, notKept: 'notKept' in run.keeping ? run.keeping.notKept : 'it has no key' });
			return;
		}
		const lastError = { code: error.code, reason: error.message };
		const firstFailedAt = run.prior?.firstFailedAt ?? now;
		if (attempt >= policy.maxAttempts) {
			if (run.prior) out.remove.push(key);
			out.dropped.push({ key, attempts: attempt, firstFailedAt, lastError });
			out.notes.push({ attempt, dropped: true });
			return;
		}
		out.put.push({ key, input: serialise(run.input), attempts: attempt, firstFailedAt, lastError });
		out.notes.push({ attempt, kept: true });
	});
	return out;
}

/** A skipped (quarantined) run puts its items aside untried: their attempts do not grow. */
export function deferInputs<I>(
	current: Array<{ input: I; keeping: Keeping }>,
	claimed: EscrowEntry[],
	now: string,
	serialise: (input: I) => unknown = (input) => input,
): { put: EscrowEntry[]; notKept: number } {
	const byKey = new Map(claimed.map((e) => [e.key, e]));
	const put = new Map<string, EscrowEntry>();
	let notKept = 0;
	for (const { input, keeping } of current) {
		if ('notKept' in keeping) {
			notKept++;
			continue;
		}
		const prior = byKey.get(keeping.key);
		put.set(keeping.key, {
			key: keeping.key,
			input: serialise(input),
			attempts: prior?.attempts ?? 0,
			firstFailedAt: prior?.firstFailedAt ?? now,
			...(prior?.lastError ? { lastError: prior.lastError } : {}),
		});
	}
	return { put: [...put.values()], notKept };
}
