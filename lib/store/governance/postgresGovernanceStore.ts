/**
 * Quarantine and escrow state in n8n's own PostgreSQL database (which queue mode requires), shared by the main
 * process and every worker. A quarantine change is a read-modify-write of one row under `SELECT … FOR UPDATE`.
 * A scope's kept items are claimed and settled under a transaction-scoped advisory lock of the scope, by the rules
 * of claims.ts (leases, versions, compare-and-set); successes per account and target are kept in their own table,
 * and the run sequence is a PostgreSQL sequence, so the order of runs is one for every worker.
 */
import type { Pool, PoolClient } from 'pg';
import { planClaim, planSettle, type StoredEntry, type Successes } from '../../provisioning/governance/claims';
import type { ClaimedEntry, EscrowChange, EscrowEntry } from '../../provisioning/governance/escrow';
import type { QuarantineState } from '../../provisioning/governance/quarantine';
import type { GovernanceScope, GovernanceStore, QuarantineRow } from '../../provisioning/governance/store';
import { inTransaction } from '../pgTransaction';

export const QUARANTINE_TABLE = 'provisioning_quarantine';
export const ESCROW_TABLE = 'provisioning_escrow';
export const SUCCEEDED_TABLE = 'provisioning_succeeded';
export const RUN_SEQUENCE = 'provisioning_run_seq';

const ESCROW_COLUMNS = 'item_key, input, attempts, first_failed, last_error, account, input_seq, version, claimed_by, claimed_until';

function storedOf(r: Record<string, unknown>): StoredEntry {
	const entry: EscrowEntry = {
		key: r.item_key as string,
		input: r.input,
		attempts: r.attempts as number,
		firstFailedAt: (r.first_failed as Date).toISOString(),
		...(r.last_error ? { lastError: r.last_error as EscrowEntry['lastError'] } : {}),
		...(r.account !== null && r.account !== undefined ? { account: r.account as string } : {}),
		inputSeq: Number(r.input_seq),
	};
	return {
		entry,
		version: Number(r.version),
		...(r.claimed_by !== null ? { claimedBy: r.claimed_by as string } : {}),
		...(r.claimed_until !== null ? { claimedUntil: (r.claimed_until as Date).getTime() } : {}),
	};
}

/** Serialises the claims and settlements of one scope (a 32-bit hash: a collision only serialises two scopes). */
const lockScope = (client: PoolClient, scopeKey: string) =>
	client.query(`SELECT pg_advisory_xact_lock(hashtext('n8n-nodes-provisioning escrow'), hashtext($1))`, [scopeKey]);

/** The newest successful input per account of these, on the target. */
async function successesOf(client: PoolClient, target: string, accounts: Array<string | undefined>): Promise<Successes> {
	const wanted = [...new Set(accounts.filter((a): a is string => a !== undefined))];
	if (!wanted.length) return () => undefined;
	const { rows } = await client.query(`SELECT account, input_seq FROM ${SUCCEEDED_TABLE} WHERE target = $1 AND account = ANY($2::text[])`, [
		target,
		wanted,
	]);
	const newest = new Map(rows.map((r) => [r.account as string, Number(r.input_seq)]));
	return (account) => newest.get(account);
}

export class PostgresGovernanceStore implements GovernanceStore {
	private ready?: Promise<void>;

	constructor(private readonly pool: Pool) {}

	/** Creates the tables once; an advisory lock keeps two processes starting at once from racing on CREATE TABLE. */
	private schema(): Promise<void> {
		this.ready ??= inTransaction(this.pool, async (client) => {
			await client.query(`SELECT pg_advisory_xact_lock(hashtext('n8n-nodes-provisioning governance'))`);
			await client.query(
				`CREATE TABLE IF NOT EXISTS ${QUARANTINE_TABLE} (
					scope_key text PRIMARY KEY, workflow_id text NOT NULL, node_id text NOT NULL, node_name text NOT NULL,
					target text NOT NULL, state jsonb, updated timestamptz NOT NULL DEFAULT now())`,
			);
			await client.query(`CREATE INDEX IF NOT EXISTS ${QUARANTINE_TABLE}_workflow ON ${QUARANTINE_TABLE} (workflow_id)`);
			await client.query(
				`CREATE TABLE IF NOT EXISTS ${ESCROW_TABLE} (
					scope_key text NOT NULL, item_key text NOT NULL, input jsonb NOT NULL, attempts integer NOT NULL,
					first_failed timestamptz NOT NULL, last_error jsonb, claimed_by text, claimed_until timestamptz,
					updated timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (scope_key, item_key))`,
			);
			// Added by the claim rules of claims.ts; rows kept before read as version 0, sequence 0, no account.
			await client.query(
				`ALTER TABLE ${ESCROW_TABLE} ADD COLUMN IF NOT EXISTS account text,
					ADD COLUMN IF NOT EXISTS input_seq bigint NOT NULL DEFAULT 0, ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 0`,
			);
			await client.query(
				`CREATE TABLE IF NOT EXISTS ${SUCCEEDED_TABLE} (
					target text NOT NULL, account text NOT NULL, input_seq bigint NOT NULL,
					updated timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (target, account))`,
			);
			await client.query(`CREATE SEQUENCE IF NOT EXISTS ${RUN_SEQUENCE}`);
		}).catch((error) => {
			this.ready = undefined;
			throw error;
		});
		return this.ready;
	}

	async updateQuarantine<T>(
		scope: GovernanceScope,
		change: (state: QuarantineState | undefined) => { state: QuarantineState; result: T },
	): Promise<T> {
		await this.schema();
		return inTransaction(this.pool, async (client) => {
			await client.query(
				`INSERT INTO ${QUARANTINE_TABLE} (scope_key, workflow_id, node_id, node_name, target) VALUES ($1, $2, $3, $4, $5)
				 ON CONFLICT (scope_key) DO NOTHING`,
				[scope.key, scope.workflowId, scope.nodeId, scope.nodeName, scope.target],
			);
			const { rows } = await client.query(`SELECT state FROM ${QUARANTINE_TABLE} WHERE scope_key = $1 FOR UPDATE`, [scope.key]);
			const { state, result } = change((rows[0]?.state ?? undefined) as QuarantineState | undefined);
			await client.query(`UPDATE ${QUARANTINE_TABLE} SET state = $2, node_name = $3, updated = now() WHERE scope_key = $1`, [
				scope.key,
				JSON.stringify(state),
				scope.nodeName,
			]);
			return result;
		});
	}

	async listQuarantine(filter: { workflowId?: string } = {}): Promise<QuarantineRow[]> {
		await this.schema();
		const { rows } = await this.pool.query(
			`SELECT scope_key, workflow_id, node_id, node_name, target, state, updated FROM ${QUARANTINE_TABLE}
			 WHERE state IS NOT NULL AND ($1::text IS NULL OR workflow_id = $1) ORDER BY workflow_id, node_name, target`,
			[filter.workflowId ?? null],
		);
		return rows.map((r) => ({
			scope: { key: r.scope_key, workflowId: r.workflow_id, nodeId: r.node_id, nodeName: r.node_name, target: r.target },
			state: r.state as QuarantineState,
			updated: (r.updated as Date).toISOString(),
		}));
	}

	async clearQuarantine(filter: { workflowId: string; nodeName?: string }): Promise<number> {
		await this.schema();
		const { rowCount } = await this.pool.query(
			`DELETE FROM ${QUARANTINE_TABLE} WHERE workflow_id = $1 AND ($2::text IS NULL OR node_name = $2) AND state ? 'quarantine'`,
			[filter.workflowId, filter.nodeName ?? null],
		);
		return rowCount ?? 0;
	}

	async nextRunSeq(): Promise<number> {
		await this.schema();
		const { rows } = await this.pool.query(`SELECT nextval('${RUN_SEQUENCE}') AS n`);
		return Number(rows[0].n);
	}

	async claimEscrow(scope: GovernanceScope, runId: string, now: number, leaseMs: number): Promise<ClaimedEntry[]> {
		await this.schema();
		return inTransaction(this.pool, async (client) => {
			await lockScope(client, scope.key);
			const { rows } = await client.query(`SELECT ${ESCROW_COLUMNS} FROM ${ESCROW_TABLE} WHERE scope_key = $1`, [scope.key]);
			const kept = rows.map(storedOf);
			const successes = await successesOf(
				client,
				scope.target,
				kept.map((s) => s.entry.account),
			);
			const { drop, claim, claimed } = planClaim(kept, successes, runId, now, leaseMs);
			if (drop.length) {
				await client.query(`DELETE FROM ${ESCROW_TABLE} WHERE scope_key = $1 AND item_key = ANY($2::text[])`, [scope.key, drop]);
			}
			if (claim.length) {
				await client.query(
					`UPDATE ${ESCROW_TABLE} SET claimed_by = $2, claimed_until = $3, version = version + 1
					 WHERE scope_key = $1 AND item_key = ANY($4::text[])`,
					[scope.key, runId, new Date(now + leaseMs), claim.map((s) => s.entry.key)],
				);
			}
			return claimed;
		});
	}

	async settleEscrow(scope: GovernanceScope, runId: string, change: EscrowChange): Promise<{ discarded: string[] }> {
		await this.schema();
		return inTransaction(this.pool, async (client) => {
			await lockScope(client, scope.key);
			if (change.succeeded.length) {
				const newest = new Map<string, number>();
				for (const { account, inputSeq } of change.succeeded) newest.set(account, Math.max(newest.get(account) ?? 0, inputSeq));
				await client.query(
					`INSERT INTO ${SUCCEEDED_TABLE} (target, account, input_seq)
					 SELECT $1, a, s FROM unnest($2::text[], $3::bigint[]) AS u(a, s)
					 ON CONFLICT (target, account) DO UPDATE SET input_seq = GREATEST(${SUCCEEDED_TABLE}.input_seq, EXCLUDED.input_seq),
					   updated = now()`,
					[scope.target, [...newest.keys()], [...newest.values()]],
				);
			}
			const keys = [...change.remove.map((r) => r.key), ...change.put.map((p) => p.entry.key)];
			const { rows } = await client.query(
				`SELECT ${ESCROW_COLUMNS} FROM ${ESCROW_TABLE} WHERE scope_key = $1 AND (item_key = ANY($2::text[]) OR claimed_by = $3)`,
				[scope.key, keys, runId],
			);
			const current = new Map(rows.map((r) => [r.item_key as string, storedOf(r)]));
			const successes = await successesOf(client, scope.target, [
				...change.put.map((p) => p.entry.account),
				...[...current.values()].map((s) => s.entry.account),
			]);
			const plan = planSettle(current, change, successes, runId);
			if (plan.delete.length) {
				await client.query(`DELETE FROM ${ESCROW_TABLE} WHERE scope_key = $1 AND item_key = ANY($2::text[])`, [scope.key, plan.delete]);
			}
			if (plan.write.length) await this.write(client, scope.key, plan.write);
			return { discarded: plan.discarded };
		});
	}

	/** Stores entries as planned (under the scope's lock): their version as given, their claim freed. */
	private async write(client: PoolClient, scopeKey: string, write: StoredEntry[]): Promise<void> {
		const entries = write.map((s) => s.entry);
		await client.query(
			`INSERT INTO ${ESCROW_TABLE} (scope_key, item_key, input, attempts, first_failed, last_error, account, input_seq, version)
			 SELECT $1, k, i, a, f, e, acc, seq, v
			 FROM unnest($2::text[], $3::jsonb[], $4::int[], $5::timestamptz[], $6::jsonb[], $7::text[], $8::bigint[], $9::bigint[])
			   AS u(k, i, a, f, e, acc, seq, v)
			 ON CONFLICT (scope_key, item_key) DO UPDATE SET input = EXCLUDED.input, attempts = EXCLUDED.attempts,
			   first_failed = EXCLUDED.first_failed, last_error = EXCLUDED.last_error, account = EXCLUDED.account,
			   input_seq = EXCLUDED.input_seq, version = EXCLUDED.version, claimed_by = NULL, claimed_until = NULL, updated = now()`,
			[
				scopeKey,
				entries.map((e) => e.key),
				entries.map((e) => JSON.stringify(e.input)),
				entries.map((e) => e.attempts),
				entries.map((e) => e.firstFailedAt),
				entries.map((e) => (e.lastError ? JSON.stringify(e.lastError) : null)),
				entries.map((e) => e.account ?? null),
				entries.map((e) => e.inputSeq),
				write.map((s) => s.version),
			],
		);
	}

	async countEscrow(scope: Pick<GovernanceScope, 'key' | 'workflowId' | 'target'>): Promise<number> {
		await this.schema();
		const { rows } = await this.pool.query(
			`SELECT count(*)::int AS n FROM ${ESCROW_TABLE} e WHERE e.scope_key = $1 AND NOT EXISTS (
			   SELECT 1 FROM ${SUCCEEDED_TABLE} s WHERE s.target = $2 AND s.account = e.account AND s.input_seq > e.input_seq)`,
			[scope.key, scope.target],
		);
		return rows[0].n as number;
	}

	async close(): Promise<void> {}
}
