import { join } from 'node:path';
import type { PoolConfig } from 'pg';
import { FileIdentityStore } from './fileIdentityStore';
import type { IdentityStore } from './identityStore';
import { PostgresIdentityStore } from './postgresIdentityStore';

export type StoreChoice = 'auto' | 'file' | 'postgres';

/** n8n's own database settings when n8n runs on PostgreSQL (which queue mode requires). */
export function n8nPostgresConfig(env: NodeJS.ProcessEnv): PoolConfig | undefined {
	if (env.DB_TYPE !== 'postgresdb') return undefined;
	const get = (name: string) => env[`DB_POSTGRESDB_${name}`];
	const schema = get('SCHEMA');
	return {
		host: get('HOST') ?? 'localhost',
		port: Number(get('PORT') ?? 5432),
		database: get('DATABASE') ?? 'n8n',
		user: get('USER') ?? 'postgres',
		password: get('PASSWORD'),
		...(get('SSL_ENABLED') === 'true' ? { ssl: { rejectUnauthorized: get('SSL_REJECT_UNAUTHORIZED') !== 'false' } } : {}),
		...(schema ? { options: `-c search_path=${schema}` } : {}),
	};
}

/**
 * Stores stay open for the life of the process (a file store reads its whole journal when opened; a PostgreSQL
 * store keeps a connection pool). This caches access to durable state, not state of its own: every write is on
 * disk, or committed, before it is acknowledged.
 */
const open = new Map<string, IdentityStore>();

/** The store of one trigger node: in n8n's PostgreSQL database when asked or automatic on PostgreSQL, else a file store. */
export function openStore(
	choice: StoreChoice,
	key: string,
	userFolder: string,
	env: NodeJS.ProcessEnv,
	onBackgroundError: (error: Error) => void = () => undefined,
): IdentityStore {
	const postgres = choice === 'file' ? undefined : n8nPostgresConfig(env);
	if (choice === 'postgres' && !postgres)
		throw new Error('the PostgreSQL store needs n8n itself to run on PostgreSQL (DB_TYPE=postgresdb)');
	const cacheKey = `${postgres ? 'pg' : 'file'}:${key}`;
	let store = open.get(cacheKey);
	if (!store) {
		store = postgres
			? new PostgresIdentityStore(postgres, key, onBackgroundError)
			: new FileIdentityStore(join(userFolder, '.n8n', 'n8n-nodes-provisioning', 'scim-trigger', key));
		open.set(cacheKey, store);
	}
	return store;
}
