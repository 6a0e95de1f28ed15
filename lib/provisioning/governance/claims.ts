/**
 * The rules of kept entries under runs that overlap, shared by both stores (each applies them under its own lock):
 *
 * - every write of an entry raises its version; a claim is (run, lease end) and is itself a write;
 * - a run settles an entry it claimed only if the entry is still claimed by it at the version it claimed
 *   (compare-and-set); otherwise someone newer owns the key and the run's outcome for it is discarded;
 * - a run's own new input (not retried) is kept unless the key holds a newer input, or a newer success on the
 *   account is recorded; "newer" compares the store's run sequence numbers (the order runs began in);
 * - an entry is stale once an operation on its account succeeded for an input newer than the entry's: it is
 *   dropped instead of claimed, and never kept again.
 */
import type { ClaimedEntry, EscrowChange, EscrowEntry } from './escrow';

/** An entry as a store holds it. */
export interface StoredEntry {
	entry: EscrowEntry;
	version: number;
	claimedBy?: string;
	/** Epoch milliseconds. */
	claimedUntil?: number;
}

/** The newest input sequence number that succeeded, per account of the target. */
export type Successes = (account: string) => number | undefined;

export const isStale = (entry: Pick<EscrowEntry, 'account' | 'inputSeq'>, successes: Successes): boolean =>
	entry.account !== undefined && (successes(entry.account) ?? -Infinity) > entry.inputSeq;

const isFree = (stored: StoredEntry, now: number) => stored.claimedUntil === undefined || stored.claimedUntil < now;

/** A claim of a scope's free entries: the stale ones are dropped, the others claimed (oldest first). */
export function planClaim(
	stored: StoredEntry[],
	successes: Successes,
	runId: string,
	now: number,
	leaseMs: number,
): { drop: string[]; claim: StoredEntry[]; claimed: ClaimedEntry[] } {
	const free = stored.filter((s) => isFree(s, now));
	const drop = free.filter((s) => isStale(s.entry, successes)).map((s) => s.entry.key);
	const claim = free
		.filter((s) => !isStale(s.entry, successes))
		.map((s) => ({ entry: s.entry, version: s.version + 1, claimedBy: runId, claimedUntil: now + leaseMs }));
	const claimed = claim
		.map((s) => ({ ...s.entry, version: s.version }))
		.sort((a, b) => a.firstFailedAt.localeCompare(b.firstFailedAt) || a.key.localeCompare(b.key));
	return { drop, claim, claimed };
}

export interface SettlePlan {
	/** Entries to store as they are given (version raised, claim freed). */
	write: StoredEntry[];
	delete: string[];
	/** Keys whose outcome in this run was not applied: someone newer owns them. */
	discarded: string[];
}

/**
 * A run's settlement against the scope's entries it names or holds (`current`, by key): compare-and-set for what
 * it claimed, newer-input-wins for its own new input, and its remaining claims freed.
 */
export function planSettle(
	current: Map<string, StoredEntry>,
	change: Pick<EscrowChange, 'put' | 'remove'>,
	successes: Successes,
	runId: string,
): SettlePlan {
	const rows = new Map(current);
	const deleted = new Set<string>();
	const written = new Set<string>();
	const discarded = new Set<string>();
	const holds = (key: string, version: number | undefined) => {
		const row = rows.get(key);
		return row !== undefined && version !== undefined && row.claimedBy === runId && row.version === version;
	};
	const remove = (key: string) => {
		rows.delete(key);
		deleted.add(key);
		written.delete(key);
	};
	for (const { key, version } of change.remove) {
		if (holds(key, version)) remove(key);
		else discarded.add(key);
	}
	for (const { entry, claimed, retried } of change.put) {
		const row = rows.get(entry.key);
		const ours = holds(entry.key, claimed);
		if (isStale(entry, successes)) {
			if (ours) remove(entry.key);
			discarded.add(entry.key);
			continue;
		}
		const newer = !retried && (row === undefined || row.entry.inputSeq < entry.inputSeq);
		if (!ours && !newer) {
			discarded.add(entry.key);
			continue;
		}
		rows.set(entry.key, { entry, version: (row?.version ?? 0) + 1 });
		deleted.delete(entry.key);
		written.add(entry.key);
		discarded.delete(entry.key);
	}
	for (const [key, row] of rows) {
		if (row.claimedBy === runId && !written.has(key)) {
			rows.set(key, { entry: row.entry, version: row.version + 1 });
			written.add(key);
		}
	}
	return { write: [...written].map((key) => rows.get(key)!), delete: [...deleted], discarded: [...discarded] };
}
