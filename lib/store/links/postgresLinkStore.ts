/** Links in n8n's PostgreSQL database, shared by every main, worker and webhook process (queue mode). */
import type { Pool } from 'pg';
import type { ResourceType } from '../../scim/server/identityStore';
import type { Link, LinkStore } from '../../provisioning/linkStore';

const TABLE = 'provisioning_scim_link';

export class PostgresLinkStore implements LinkStore {
	private ready?: Promise<void>;

	constructor(
		private readonly pool: Pool,
		private readonly storeKey: string,
	) {}

	private schema(): Promise<void> {
		this.ready ??= this.pool
			.query(
				`CREATE TABLE IF NOT EXISTS ${TABLE} (
					store_key text NOT NULL, scope text NOT NULL, type text NOT NULL, source_id text NOT NULL,
					target_id text NOT NULL, updated timestamptz NOT NULL DEFAULT now(),
					PRIMARY KEY (store_key, scope, type, source_id))`,
			)
			.then(() => undefined)
			.catch((error) => {
				this.ready = undefined;
				throw error;
			});
		return this.ready;
	}

	async get(scope: string, type: ResourceType, sourceIds: string[]): Promise<Map<string, string>> {
		if (!sourceIds.length) return new Map();
		await this.schema();
		const { rows } = await this.pool.query(
			`SELECT source_id, target_id FROM ${TABLE} WHERE store_key = $1 AND scope = $2 AND type = $3 AND source_id = ANY($4)`,
			[this.storeKey, scope, type, sourceIds],
		);
		return new Map(rows.map((r) => [r.source_id as string, r.target_id as string]));
	}

	async put(scope: string, type: ResourceType, links: Link[]): Promise<void> {
		if (!links.length) return;
		await this.schema();
		await this.pool.query(
			`INSERT INTO ${TABLE} (store_key, scope, type, source_id, target_id)
			 SELECT $1, $2, $3, s, t FROM unnest($4::text[], $5::text[]) AS u(s, t)
			 ON CONFLICT (store_key, scope, type, source_id) DO UPDATE SET target_id = EXCLUDED.target_id, updated = now()`,
			[this.storeKey, scope, type, links.map((l) => l.sourceId), links.map((l) => l.targetId)],
		);
	}

	async remove(scope: string, type: ResourceType, sourceIds: string[]): Promise<void> {
		if (!sourceIds.length) return;
		await this.schema();
		await this.pool.query(`DELETE FROM ${TABLE} WHERE store_key = $1 AND scope = $2 AND type = $3 AND source_id = ANY($4)`, [
			this.storeKey,
			scope,
			type,
			sourceIds,
		]);
	}

	async sources(type: ResourceType): Promise<string[]> {
		await this.schema();
		const { rows } = await this.pool.query(`SELECT DISTINCT source_id FROM ${TABLE} WHERE store_key = $1 AND type = $2`, [
			this.storeKey,
			type,
		]);
		return rows.map((r) => r.source_id as string);
	}

	async close(): Promise<void> {}
}
