/**
 * Quarantine and escrow state in n8n's own PostgreSQL database (which queue mode requires), shared by the main
 * process and every worker. A quarantine change is a read-modify-write of one row under `SELECT … FOR UPDATE`;
 * kept items are claimed with a lease by one conditional UPDATE, so two runs at once never retry the same item.
 */
import type { Pool } from 'pg';
import type { EscrowEntry } from '../../provisioning/governance/escrow';
import type { QuarantineState } from '../../provisioning/governance/quarantine';
import type { GovernanceScope, GovernanceStore, QuarantineRow } from '../../provisioning/governance/store';
import { inTransaction } from '../pgTransaction';

export const QUARANTINE_TABLE = 'provisioning_quarantine';
export const ESCROW_TABLE = 'provisioning_escrow';

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

	async claimEscrow(scope: GovernanceScope, runId: string, now: number, leaseMs: number): Promise<EscrowEntry[]> {
		await this.schema();
		const { rows } = await this.pool.query(
			`UPDATE ${ESCROW_TABLE} SET claimed_by = $2, claimed_until = $3
			 WHERE scope_key = $1 AND (claimed_until IS NULL OR claimed_until < $4)
			 RETURNING item_key, input, attempts, first_failed, last_error`,
			[scope.key, runId, new Date(now + leaseMs), new Date(now)],
		);
		return rows
			.map((r) => ({
				key: r.item_key as string,
				input: r.input as unknown,
				attempts: r.attempts as number,
				firstFailedAt: (r.first_failed as Date).toISOString(),
				...(r.last_error ? { lastError: r.last_error } : {}),
			}))
			.sort((a, b) => a.firstFailedAt.localeCompare(b.firstFailedAt) || a.key.localeCompare(b.key));
	}

	async settleEscrow(scope: GovernanceScope, runId: string, change: { put: EscrowEntry[]; remove: string[] }): Promise<void> {
		await this.schema();
		await inTransaction(this.pool, async (client) => {
			if (change.remove.length) {
				await client.query(`DELETE FROM ${ESCROW_TABLE} WHERE scope_key = $1 AND item_key = ANY($2)`, [scope.key, change.remove]);
			}
			if (change.put.length) {
				// One entry per key: the last one of the run wins.
				const put = [...new Map(change.put.map((e) => [e.key, e])).values()];
				await client.query(
					`INSERT INTO ${ESCROW_TABLE} (scope_key, item_key, input, attempts, first_failed, last_error)
					 SELECT $1, k, i, a, f, e FROM unnest($2::text[], $3::jsonb[], $4::int[], $5::timestamptz[], $6::jsonb[]) AS u(k, i, a, f, e)
					 ON CONFLICT (scope_key, item_key) DO UPDATE SET input = EXCLUDED.input, attempts = EXCLUDED.attempts,
					   first_failed = EXCLUDED.first_failed, last_error = EXCLUDED.last_error, claimed_by = NULL, claimed_until = NULL,
					   updated = now()`,
					[
						scope.key,
						put.map((e) => e.key),
						put.map((e) => JSON.stringify(e.input)),
						put.map((e) => e.attempts),
						put.map((e) => e.firstFailedAt),
						put.map((e) => (e.lastError ? JSON.stringify(e.lastError) : null)),
					],
				);
			}
			await client.query(`UPDATE ${ESCROW_TABLE} SET claimed_by = NULL, claimed_until = NULL WHERE scope_key = $1 AND claimed_by = $2`, [
				scope.key,
				runId,
			]);
		});
	}

	async countEscrow(scope: Pick<GovernanceScope, 'key' | 'workflowId'>): Promise<number> {
		await this.schema();
		const { rows } = await this.pool.query(`SELECT count(*)::int AS n FROM ${ESCROW_TABLE} WHERE scope_key = $1`, [scope.key]);
		return rows[0].n as number;
	}

	async close(): Promise<void> {}
}
