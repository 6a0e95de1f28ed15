/**
 * Bulk upload records of the PostgreSQL store (queue mode: the webhook process that took the upload and the one that
 * answers its status read may differ). One row per upload; each save also forgets those past UPLOAD_RETENTION.
 */
import type { Pool } from 'pg';
import { isUploadId, UPLOAD_RETENTION, type UploadRecord } from '../../scim/server/identityStore';

const TABLE = 'provisioning_scim_upload';

export class PostgresUploads {
	private ready?: Promise<void>;

	constructor(
		private readonly pool: Pool,
		private readonly storeKey: string,
	) {}

	private schema(): Promise<void> {
		this.ready ??= (async () => {
			await this.pool.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (
				store_key text NOT NULL, id uuid NOT NULL, received timestamptz NOT NULL, data jsonb NOT NULL,
				PRIMARY KEY (store_key, id))`);
			await this.pool.query(`CREATE INDEX IF NOT EXISTS ${TABLE}_received ON ${TABLE} (store_key, received)`);
		})().catch((error) => {
			this.ready = undefined;
			throw error;
		});
		return this.ready;
	}

	async save(upload: UploadRecord): Promise<void> {
		if (!isUploadId(upload.id)) throw new Error('not an upload id');
		await this.schema();
		await this.pool.query(`INSERT INTO ${TABLE} (store_key, id, received, data) VALUES ($1, $2, $3, $4)`, [
			this.storeKey,
			upload.id,
			upload.received,
			upload,
		]);
		await this.pool.query(
			`DELETE FROM ${TABLE} WHERE store_key = $1 AND (received < now() - make_interval(days => $2::int)
			OR id NOT IN (SELECT id FROM ${TABLE} WHERE store_key = $1 ORDER BY received DESC, id DESC LIMIT $3))`,
			[this.storeKey, UPLOAD_RETENTION.days, UPLOAD_RETENTION.count],
		);
	}

	async get(id: string): Promise<UploadRecord | undefined> {
		if (!isUploadId(id)) return undefined;
		await this.schema();
		const { rows } = await this.pool.query(`SELECT data FROM ${TABLE} WHERE store_key = $1 AND id = $2`, [this.storeKey, id]);
		return rows[0]?.data as UploadRecord | undefined;
	}
}
