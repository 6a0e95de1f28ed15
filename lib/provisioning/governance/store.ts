/**
 * Where quarantine and escrow state lives between executions. It must be shared by every process that runs the
 * node (queue mode: several workers) and must not lose an update when two executions finish at once, so every
 * change is a read-modify-write under a lock: a row or advisory lock in n8n's PostgreSQL database, or one
 * process's lock around a fsynced file (lib/store/governance). Kept entries follow the rules of claims.ts.
 */
import type { ClaimedEntry, EscrowChange } from './escrow';
import type { QuarantineState } from './quarantine';

/** One node's view of one target: the unit quarantine and escrow are kept per. */
export interface GovernanceScope {
	/** Stable key: workflow id, node id, target (credential, system, endpoint). */
	key: string;
	workflowId: string;
	nodeId: string;
	/** For people reading the state (status, reset by name). */
	nodeName: string;
	target: string;
}

export interface QuarantineRow {
	scope: GovernanceScope;
	state: QuarantineState;
	updated: string;
}

export interface GovernanceStore {
	/**
	 * Reads a scope's quarantine state, lets `change` decide, and stores what it returns, under a lock: two
	 * executions never both act on the same state.
	 */
	updateQuarantine<T>(
		scope: GovernanceScope,
		change: (state: QuarantineState | undefined) => { state: QuarantineState; result: T },
	): Promise<T>;
	/** Quarantine states, optionally of one workflow; for the Provisioning Log node. */
	listQuarantine(filter?: { workflowId?: string }): Promise<QuarantineRow[]>;
	/** Removes quarantine states (a reset by hand); returns how many. */
	clearQuarantine(filter: { workflowId: string; nodeName?: string }): Promise<number>;
	/**
	 * The next number of the store's run sequence, taken when a run begins: it orders runs across every process
	 * sharing the store (a logical clock: no wall clock, so no skew between workers and no ties).
	 */
	nextRunSeq(): Promise<number>;
	/**
	 * Claims the scope's kept items for this run (a lease: a run that crashed frees them when it runs out), so two
	 * runs at once never retry the same item twice. Stale items (a newer success on their account) are dropped.
	 * `now` is the run's clock, for the lease only.
	 */
	claimEscrow(scope: GovernanceScope, runId: string, now: number, leaseMs: number): Promise<ClaimedEntry[]>;
	/**
	 * Stores the outcome of a run (claims.ts, planSettle): the accounts it succeeded on first, then its entries
	 * (compare-and-set for claimed ones), then frees its remaining claims. Returns the keys whose outcome was not
	 * applied because someone newer owns them.
	 */
	settleEscrow(scope: GovernanceScope, runId: string, change: EscrowChange): Promise<{ discarded: string[] }>;
	/** How many items are kept for a scope, stale ones left out (for status). */
	countEscrow(scope: Pick<GovernanceScope, 'key' | 'workflowId' | 'target'>): Promise<number>;
	close(): Promise<void>;
}

export const ESCROW_LEASE_MS = 30 * 60 * 1000;
