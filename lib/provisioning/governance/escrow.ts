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
	/** The account it acts on (see Keeping.account): a newer success on it makes this entry stale. */
	account?: string;
	/** The store's sequence number of the run that read this input: a higher number is a newer input. */
	inputSeq: number;
}

/** A kept entry as a run claimed it: the version it had then, for the compare-and-set at the end of the run. */
export interface ClaimedEntry extends EscrowEntry {
	version: number;
}

/** An entry a run wants kept: its own new input, or an entry it claimed and retried. */
export interface EscrowPut {
	entry: EscrowEntry;
	/** The version this run claimed of the entry it retried or superseded. */
	claimed?: number;
	/** The input is a retried entry's (older than this run): kept only if the run still holds the entry. */
	retried: boolean;
}

/** What a run settles: entries to keep, claimed entries to remove, and the accounts it changed. */
export interface EscrowChange {
	put: EscrowPut[];
	remove: Array<{ key: string; version: number }>;
	/** An operation succeeded on these accounts, for inputs read by the run with this sequence number. */
	succeeded: Array<{ account: string; inputSeq: number }>;
}

const RETRYABLE: ReadonlySet<ProvisioningErrorCode> = new Set(['TargetUnavailable', 'Timeout', 'TooManyRequests', 'AuthenticationFailed']);

/** Whether a later attempt of the same item can succeed: the failure was the target's state, not the item's data. */
export const isRetryable = (error: ProvisioningError): boolean => error.transient || RETRYABLE.has(error.code);

/**
 * What the node knows of an input before the run: its escrow key (and how people know it, for the log), or why it
 * cannot be kept.
 */
export type Keeping = ({ key: string; label?: string } | { key?: string; label?: string; notKept: string }) & {
	/**
	 * The account the input acts on, on this target (`user:userName=ada@x.org`, `group:externalId=G1`): a success
	 * on it makes older kept items for it, in any node, stale. Unset when it cannot be told without a secret.
	 */
	account?: string;
	/** A change to part of the account (a group's member delta): its success makes nothing else stale. */
	partial?: boolean;
};

/** One input of a governed run: a retried entry, or an item of this run (superseding an entry of the same key). */
export interface RunInput<I> {
	input: I;
	keeping: Keeping;
	/** The kept entry this input retries or supersedes. */
	prior?: ClaimedEntry;
	/** True for entries retried from the escrow (no input item of this run). */
	retried: boolean;
}

/**
 * The inputs of a run: retried entries first, then this run's items. An item of this run with the key of a kept
 * entry supersedes it (its data is newer), keeping the count of attempts.
 */
export function planInputs<I>(claimed: ClaimedEntry[], current: Array<{ input: I; keeping: Keeping }>): RunInput<I>[] {
	const currentKeys = new Set(current.map((c) => c.keeping.key).filter((k): k is string => k !== undefined));
	const byKey = new Map(claimed.map((e) => [e.key, e]));
	const retried = claimed
		.filter((e) => !currentKeys.has(e.key))
		.map((e) => ({ input: e.input as I, keeping: { key: e.key, account: e.account }, prior: e, retried: true }));
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

export interface EscrowSettlement extends Pick<EscrowChange, 'put' | 'remove'> {
	dropped: Array<{ key: string; attempts: number; firstFailedAt: string; lastError: { code: ProvisioningErrorCode; reason: string } }>;
	notes: Array<RetryNote | undefined>;
}

/** The sequence number an input was read with: a retried entry's own, else the run's. */
const inputSeqOf = <I>(run: RunInput<I>, runSeq: number) => (run.retried && run.prior ? run.prior.inputSeq : runSeq);

/**
 * After a run: which entries to keep (with one more attempt), which to remove, which to drop for good. Removes
 * and puts of claimed entries carry the version claimed: the store applies them only if no one wrote since.
 */
export function settleEscrow<I>(
	inputs: RunInput<I>[],
	outcomes: ItemOutcome[],
	policy: RetryPolicy,
	now: string,
	runSeq: number,
	serialise: (input: I) => unknown = (input) => input,
): EscrowSettlement {
	const out: EscrowSettlement = { put: [], remove: [], dropped: [], notes: [] };
	const removePrior = (run: RunInput<I>) => {
		if (run.prior) out.remove.push({ key: run.prior.key, version: run.prior.version });
	};
	inputs.forEach((run, i) => {
		const { error } = outcomes[i] ?? {};
		const attempt = (run.prior?.attempts ?? 0) + 1;
		const key = run.keeping.key;
		if (!error || !isRetryable(error)) {
			removePrior(run);
			out.notes.push(run.prior || run.retried ? { attempt } : undefined);
			return;
		}
		if ('notKept' in run.keeping || key === undefined) {
			removePrior(run);
			out.notes.push({ attempt, notKept: 'notKept' in run.keeping ? run.keeping.notKept : 'it has no key' });
			return;
		}
		const lastError = { code: error.code, reason: error.message };
		const firstFailedAt = run.prior?.firstFailedAt ?? now;
		if (attempt >= policy.maxAttempts) {
			removePrior(run);
			out.dropped.push({ key, attempts: attempt, firstFailedAt, lastError });
			out.notes.push({ attempt, dropped: true });
			return;
		}
		const entry: EscrowEntry = {
			key,
			input: serialise(run.input),
			attempts: attempt,
			firstFailedAt,
			lastError,
			inputSeq: inputSeqOf(run, runSeq),
			...(run.keeping.account !== undefined ? { account: run.keeping.account } : {}),
		};
		out.put.push({ entry, claimed: run.prior?.version, retried: run.retried });
		out.notes.push({ attempt, kept: true });
	});
	return out;
}

/**
 * The accounts this run changed, each with the sequence number of the input applied: older kept items for them,
 * in any node, are stale. A partial change (a member delta) and a failure or skip change nothing of the kind.
 */
export function succeededAccounts<I>(inputs: RunInput<I>[], outcomes: ItemOutcome[], runSeq: number): EscrowChange['succeeded'] {
	const newest = new Map<string, number>();
	inputs.forEach((run, i) => {
		const outcome = outcomes[i];
		const { account, partial } = run.keeping;
		if (!outcome || outcome.error || outcome.record.status !== 'Success' || account === undefined || partial) return;
		newest.set(account, Math.max(newest.get(account) ?? 0, inputSeqOf(run, runSeq)));
	});
	return [...newest].map(([account, inputSeq]) => ({ account, inputSeq }));
}

/** A skipped (quarantined) run puts its items aside untried: their attempts do not grow. */
export function deferInputs<I>(
	current: Array<{ input: I; keeping: Keeping }>,
	claimed: ClaimedEntry[],
	now: string,
	runSeq: number,
	serialise: (input: I) => unknown = (input) => input,
): { put: EscrowPut[]; notKept: number } {
	const byKey = new Map(claimed.map((e) => [e.key, e]));
	const put = new Map<string, EscrowPut>();
	let notKept = 0;
	for (const { input, keeping } of current) {
		if ('notKept' in keeping) {
			notKept++;
			continue;
		}
		const prior = byKey.get(keeping.key);
		const entry: EscrowEntry = {
			key: keeping.key,
			input: serialise(input),
			attempts: prior?.attempts ?? 0,
			firstFailedAt: prior?.firstFailedAt ?? now,
			...(prior?.lastError ? { lastError: prior.lastError } : {}),
			inputSeq: runSeq,
			...(keeping.account !== undefined ? { account: keeping.account } : {}),
		};
		put.set(keeping.key, { entry, claimed: prior?.version, retried: false });
	}
	return { put: [...put.values()], notKept };
}
