/**
 * The SCIM Trigger's store in PostgreSQL, for n8n's queue mode: every main, worker and webhook process sees the
 * same resources, and row locks (SELECT … FOR UPDATE) serialise read-modify-write across processes.
 * Uniqueness of userName (ignoring case) is a unique index, so concurrent creates cannot both win.
 */
import { randomUUID } from 'node:crypto';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { StoreError } from './storeError';
import type { IdentityStore, Page, PageRequest, Resource, ResourceType } from './identityStore';

const TABLE = 'provisioning_scim_resource';

const nameOf = (type: ResourceType, r: Record<string, unknown>) =>
	String((type === 'User' ? r.userName : r.displayName) ?? '').toLowerCase();
const externalOf = (r: Record<string, unknown>) => (r.externalId === undefined || r.externalId === null ? null : String(r.externalId));

export class PostgresIdentityStore implements IdentityStore {
	private readonly pool: Pool;
	private ready?: Promise<void>;

	/** `storeKey` separates the stores of different trigger nodes sharing one database. */
	constructor(
		config: PoolConfig,
		private readonly storeKey: string,
		onPoolError: (error: Error) => void = () => undefined,
	) {
		this.pool = new Pool({ max: 4, ...config });
		// An idle connection dropped by the server (restart, failover) must not crash n8n: it is reported, and the next query reconnects.
		this.pool.on('error', onPoolError);
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
		})().catch((error) => {
			this.ready = undefined;
			throw error;
		});
		return this.ready;
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
	 * Unfiltered, a page is read in the database: the offset is skipped in the order index alone (no row is read for
	 * it), then only the page's rows are fetched. With `match`, every row is read and matched here.
	 */
	async page(type: ResourceType, { offset, limit, match }: PageRequest): Promise<Page> {
		const start = Math.max(0, offset);
		if (match) {
			const all = (await this.list(type)).filter(match);
			return { total: all.length, resources: all.slice(start, start + Math.max(0, limit)) };
		}
		const [total, resources] = await Promise.all([
			this.count(type),
			limit > 0
				? this.rows(
						`SELECT r.data FROM (SELECT id FROM ${TABLE} WHERE store_key = $1 AND type = $2 ORDER BY created, id LIMIT $3 OFFSET $4) p
						JOIN ${TABLE} r ON r.store_key = $1 AND r.type = $2 AND r.id = p.id ORDER BY r.created, r.id`,
						[this.storeKey, type, limit, start],
					)
				: Promise.resolve([]),
		]);
		return { total, resources };
	}

	async count(type: ResourceType): Promise<number> {
		await this.schema();
		const { rows } = await this.pool.query(`SELECT count(*)::int AS n FROM ${TABLE} WHERE store_key = $1 AND type = $2`, [
			this.storeKey,
			type,
		]);
		return rows[0].n;
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
			await this.pool.query(
				`INSERT INTO ${TABLE} (store_key, type, id, name_lower, external_id, data, version, created) VALUES ($1, $2, $3, $4, $5, $6, 1, $7)`,
				[this.storeKey, type, resource.id, nameOf(type, resource), externalOf(resource), resource, now],
			);
		} catch (error) {
			PostgresIdentityStore.uniqueness(error, data);
		}
		return resource;
	}

	private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
		await this.schema();
		const client = await this.pool.connect();
		try {
			await client.query('BEGIN');
			const result = await work(client);
			await client.query('COMMIT');
			return result;
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw error;
		} finally {
			client.release();
		}
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
		const { rows } = await this.pool.query(`DELETE FROM ${TABLE} WHERE store_key = $1 AND type = $2 AND id = $3 RETURNING data`, [
			this.storeKey,
			type,
			id,
		]);
		return rows[0]?.data as Resource | undefined;
	}

	async close(): Promise<void> {
		await this.pool.end();
	}
}
