/**
 * The SCIM Trigger's store in PostgreSQL, for n8n's queue mode: every main, worker and webhook process sees the
 * same resources, and row locks (SELECT … FOR UPDATE) serialise read-modify-write across processes.
 * Uniqueness of userName (ignoring case) is a unique index, so concurrent creates cannot both win.
 */
import { randomUUID } from 'node:crypto';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { inTransaction } from './pgTransaction';
import { StoreError } from '../scim/server/storeError';
import {
	type IdentityStore,
	type Page,
	type PageRequest,
	type Resource,
	type ResourceType,
	type UploadRecord,
	unchangedContent,
} from '../scim/server/identityStore';
import { PostgresUploads } from './uploads/postgresUploads';

const TABLE = 'provisioning_scim_resource';
/** Per store and type: how many resources (n), and how many creates and deletes ever (changes: positions moved). */
const COUNTS = 'provisioning_scim_count';
/** Keyset hints kept per store object: beyond this many, the oldest are forgotten. */
const MAX_HINTS = 1000;

/** Where the page at an offset starts, valid while no create or delete happened since (`changes` unchanged). */
interface KeysetHint {
	changes: string;
	created: string;
	id: string;
}

const nameOf = (type: ResourceType, r: Record<string, unknown>) =>
	String((type === 'User' ? r.userName : r.displayName) ?? '').toLowerCase();
const externalOf = (r: Record<string, unknown>) => (r.externalId === undefined || r.externalId === null ? null : String(r.externalId));

export class PostgresIdentityStore implements IdentityStore {
	private readonly pool: Pool;
	private ready?: Promise<void>;
	/**
	 * Keyset hints for sequential paging: after a page ends at offset o, the next page (offset o) is read as "after
	 * this (created, id)" instead of skipping o rows. A cache of derived, non-secret data: it is used only while the
	 * store's change counter (read from the database with every page) is the one it was recorded at, so the answer is
	 * exactly the OFFSET answer; any other process, or this one without it, answers the same by OFFSET.
	 */
	private readonly hints = new Map<string, KeysetHint>();
	private readonly uploads: PostgresUploads;

	/** `storeKey` separates the stores of different trigger nodes sharing one database. */
	constructor(
		config: PoolConfig,
		private readonly storeKey: string,
		onPoolError: (error: Error) => void = () => undefined,
	) {
		this.pool = new Pool({ max: 4, ...config });
		// An idle connection dropped by the server (restart, failover) must not crash n8n: it is reported, and the next query reconnects.
		this.pool.on('error', onPoolError);
		this.uploads = new PostgresUploads(this.pool, storeKey);
	}

	private schema(): Promise<void> {
		this.ready ??= (async () => {
			await this.pool.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (
				store_key text NOT NULL, type text NOT NULL, id uuid NOT NULL,
				name_lower text NOT NULL, external_id text, data jsonb NOT NULL,
				version integer NOT NULL, created timestamptz NOT NULL,
				PRIMARY KEY (store_key, type, id))`);
			await this.pool.query(`CREATE UNIQUE INDEX IF NOT EXISTS ${TABLE}_username ON ${TABLE} (store_key, name_lower) WHERE type = 'User'`);
			await this.pool.query(`CREATE INDEX IF NOT EXISTS ${TABLE}_name ON ${TABLE} (store_key, type, name_lower)`);
			await this.pool.query(`CREATE INDEX IF NOT EXISTS ${TABLE}_external ON ${TABLE} (store_key, type, external_id)`);
			// The listing order: pages are read from this index, not by sorting every row.
			await this.pool.query(`CREATE INDEX IF NOT EXISTS ${TABLE}_order ON ${TABLE} (store_key, type, created, id)`);
			// Counts kept with every create and delete (in the same statement), so totalResults costs one row, not a scan.
			await this.pool.query(`CREATE TABLE IF NOT EXISTS ${COUNTS} (
				store_key text NOT NULL, type text NOT NULL, n bigint NOT NULL, changes bigint NOT NULL,
				PRIMARY KEY (store_key, type))`);
			await this.initialiseCounts();
		})().catch((error) => {
			this.ready = undefined;
			throw error;
		});
		return this.ready;
	}

	/**
	 * A store created before counts were kept gets them counted once, under an advisory lock (processes starting at
	 * once count once). Every process does this before its first write, so from then on each create and delete updates
	 * an existing row.
	 */
	private async initialiseCounts(): Promise<void> {
		const client = await this.pool.connect();
		try {
			await client.query('BEGIN');
			await client.query(`SELECT pg_advisory_xact_lock(hashtext('${COUNTS}'), hashtext($1))`, [this.storeKey]);
			await client.query(
				`INSERT INTO ${COUNTS} (store_key, type, n, changes)
				SELECT $1, t.type, (SELECT count(*) FROM ${TABLE} r WHERE r.store_key = $1 AND r.type = t.type), 0
				FROM (VALUES ('User'), ('Group')) AS t(type)
				WHERE NOT EXISTS (SELECT 1 FROM ${COUNTS} c WHERE c.store_key = $1 AND c.type = t.type)
				ON CONFLICT DO NOTHING`,
				[this.storeKey],
			);
			await client.query('COMMIT');
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw error;
		} finally {
			client.release();
		}
	}

	private async rows(sql: string, params: unknown[]): Promise<Resource[]> {
		await this.schema();
		const { rows } = await this.pool.query(sql, params);
		return rows.map((r) => r.data as Resource);
	}

	async get(type: ResourceType, id: string): Promise<Resource | undefined> {
		if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
		return (await this.rows(`SELECT data FROM ${TABLE} WHERE store_key = $1 AND type = $2 AND id = $3`, [this.storeKey, type, id]))[0];
	}

	findByName(type: ResourceType, name: string): Promise<Resource[]> {
		return this.rows(`SELECT data FROM ${TABLE} WHERE store_key = $1 AND type = $2 AND name_lower = $3 ORDER BY created, id`, [
			this.storeKey,
			type,
			name.toLowerCase(),
		]);
	}

	findByExternalId(type: ResourceType, externalId: string): Promise<Resource[]> {
		return this.rows(`SELECT data FROM ${TABLE} WHERE store_key = $1 AND type = $2 AND external_id = $3 ORDER BY created, id`, [
			this.storeKey,
			type,
			externalId,
		]);
	}

	list(type: ResourceType): Promise<Resource[]> {
		return this.rows(`SELECT data FROM ${TABLE} WHERE store_key = $1 AND type = $2 ORDER BY created, id`, [this.storeKey, type]);
	}

	/**
	 * Unfiltered, a page is read in the database: after the previous page's last (created, id) when a valid keyset
	 * hint says where that is (sequential paging: linear in the whole pass), otherwise by skipping the offset in the
	 * order index alone (no row is read for it). The total is the kept count. With `match`, every row is read and
	 * matched here.
	 */
	async page(type: ResourceType, { offset, limit, match }: PageRequest): Promise<Page> {
		const start = Math.max(0, offset);
		if (match) {
			const all = (await this.list(type)).filter(match);
			return { total: all.length, resources: all.slice(start, start + Math.max(0, limit)) };
		}
		const { n: total, changes } = await this.counted(type);
		if (limit <= 0 || start >= total) return { total, resources: [] };
		const hint = this.hints.get(`${type}:${start}`);
		const { rows } =
			hint && hint.changes === changes
				? await this.pool.query(
						`SELECT data, created::text AS at, id::text FROM ${TABLE}
						WHERE store_key = $1 AND type = $2 AND (created, id) > ($3::timestamptz, $4::uuid) ORDER BY created, id LIMIT $5`,
						[this.storeKey, type, hint.created, hint.id, limit],
					)
				: await this.pool.query(
						`SELECT r.data, r.created::text AS at, r.id::text FROM (SELECT id FROM ${TABLE} WHERE store_key = $1 AND type = $2
						ORDER BY created, id LIMIT $3 OFFSET $4) p
						JOIN ${TABLE} r ON r.store_key = $1 AND r.type = $2 AND r.id = p.id ORDER BY r.created, r.id`,
						[this.storeKey, type, limit, start],
					);
		if (rows.length && changes !== 'unknown') {
			if (this.hints.size >= MAX_HINTS) this.hints.delete(this.hints.keys().next().value!);
			const last = rows[rows.length - 1];
			this.hints.set(`${type}:${start + rows.length}`, { changes, created: last.at, id: last.id });
		}
		return { total, resources: rows.map((r) => r.data as Resource) };
	}

	private async counted(type: ResourceType): Promise<{ n: number; changes: string }> {
		await this.schema();
		const { rows } = await this.pool.query(`SELECT n, changes FROM ${COUNTS} WHERE store_key = $1 AND type = $2`, [this.storeKey, type]);
		if (rows.length) return { n: Number(rows[0].n), changes: String(rows[0].changes) };
		// The counts row was removed behind our back: count, and page by offset (no hint matches "unknown").
		const counted = await this.pool.query(`SELECT count(*)::int AS n FROM ${TABLE} WHERE store_key = $1 AND type = $2`, [
			this.storeKey,
			type,
		]);
		return { n: counted.rows[0].n, changes: 'unknown' };
	}

	async count(type: ResourceType): Promise<number> {
		return (await this.counted(type)).n;
	}

	private static uniqueness(error: unknown, data: Record<string, unknown>): never {
		if ((error as { code?: string }).code === '23505')
			throw new StoreError('conflict', `userName "${String(data.userName)}" is already taken`);
		throw error;
	}

	async create(type: ResourceType, data: Record<string, unknown>): Promise<Resource> {
		await this.schema();
		if (type === 'User' && !nameOf(type, data)) throw new StoreError('invalid', 'userName is required');
		const now = new Date().toISOString();
		const resource = {
			...data,
			id: randomUUID(),
			meta: { resourceType: type, created: now, lastModified: now, version: 'W/"1"' },
		} as Resource;
		try {
			// One statement, so the row and its count commit together.
			await this.pool.query(
				`WITH created AS (INSERT INTO ${TABLE} (store_key, type, id, name_lower, external_id, data, version, created)
					VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING 1)
				UPDATE ${COUNTS} SET n = n + 1, changes = changes + 1 WHERE store_key = $1 AND type = $2 AND EXISTS (SELECT 1 FROM created)`,
				[this.storeKey, type, resource.id, nameOf(type, resource), externalOf(resource), resource, now],
			);
		} catch (error) {
			PostgresIdentityStore.uniqueness(error, data);
		}
		return resource;
	}

	private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
		await this.schema();
		return inTransaction(this.pool, work);
	}

	update(type: ResourceType, id: string, change: (current: Resource) => Record<string, unknown>, ifMatch?: string) {
		if (!/^[0-9a-f-]{36}$/i.test(id)) return Promise.resolve(undefined);
		return this.transaction(async (client) => {
			const { rows } = await client.query(`SELECT data, version FROM ${TABLE} WHERE store_key = $1 AND type = $2 AND id = $3 FOR UPDATE`, [
				this.storeKey,
				type,
				id,
			]);
			if (!rows.length) return undefined;
			const before = rows[0].data as Resource;
			if (ifMatch && ifMatch !== '*' && ifMatch !== before.meta.version)
				throw new StoreError('versionMismatch', `The resource changed: its version is ${before.meta.version}, not ${ifMatch}`);
			const data = change(JSON.parse(JSON.stringify(before)));
			if (unchangedContent(before, data)) return { before, after: JSON.parse(JSON.stringify(before)) as Resource };
			if (type === 'User' && !nameOf(type, data)) throw new StoreError('invalid', 'userName is required');
			const version = Number(rows[0].version) + 1;
			const after = {
				...data,
				id,
				meta: { ...before.meta, lastModified: new Date().toISOString(), version: `W/"${version}"` },
			} as Resource;
			try {
				await client.query(
					`UPDATE ${TABLE} SET name_lower = $4, external_id = $5, data = $6, version = $7 WHERE store_key = $1 AND type = $2 AND id = $3`,
					[this.storeKey, type, id, nameOf(type, after), externalOf(after), after, version],
				);
			} catch (error) {
				PostgresIdentityStore.uniqueness(error, data);
			}
			return { before, after };
		});
	}

	async delete(type: ResourceType, id: string): Promise<Resource | undefined> {
		if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
		await this.schema();
		const { rows } = await this.pool.query(
			`WITH deleted AS (DELETE FROM ${TABLE} WHERE store_key = $1 AND type = $2 AND id = $3 RETURNING data),
			counted AS (UPDATE ${COUNTS} SET n = n - 1, changes = changes + 1 WHERE store_key = $1 AND type = $2 AND EXISTS (SELECT 1 FROM deleted))
			SELECT data FROM deleted`,
			[this.storeKey, type, id],
		);
		return rows[0]?.data as Resource | undefined;
	}

	saveUpload(upload: UploadRecord): Promise<void> {
		return this.uploads.save(upload);
	}

	getUpload(id: string): Promise<UploadRecord | undefined> {
		return this.uploads.get(id);
	}

	async close(): Promise<void> {
		await this.pool.end();
	}
}
