import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool, type PoolConfig } from 'pg';
import { n8nPostgresConfig } from './n8nSettings';
import { FileIdentityStore } from './fileIdentityStore';
import type { IdentityStore } from '../scim/server/identityStore';
import { FileLinkStore } from './links/fileLinkStore';
import type { LinkStore } from '../provisioning/linkStore';
import { PostgresLinkStore } from './links/postgresLinkStore';
import { PostgresIdentityStore } from './postgresIdentityStore';
import { checkLocation, isStoreKey, pathInside, type StoreLocation } from './storeRef';

export type StoreChoice = 'auto' | 'file' | 'postgres';

/** Where one SCIM Trigger's store lives; items carry it signed (see storeRef.ts). */
export type { StoreLocation } from './storeRef';

/** n8n's own database settings when n8n runs on PostgreSQL (which queue mode requires). */
export { n8nPostgresConfig } from './n8nSettings';

const fileBase = (userFolder: string) => join(userFolder, '.n8n', 'n8n-nodes-provisioning', 'scim-trigger');
/** A file store's folder: the key checked, the path inside the stores folder. */
const fileStoreFolder = (userFolder: string, key: string) => pathInside(fileBase(userFolder), key);

/** Which store a trigger's choice means here: PostgreSQL when asked, or automatic while n8n runs on PostgreSQL. */
export function storeLocation(choice: StoreChoice, key: string, env: NodeJS.ProcessEnv): StoreLocation {
	const postgres = choice !== 'file' && n8nPostgresConfig(env) !== undefined;
	if (choice === 'postgres' && !postgres)
		throw new Error('the PostgreSQL store needs n8n itself to run on PostgreSQL (DB_TYPE=postgresdb)');
	return checkLocation({ key, kind: postgres ? 'postgres' : 'file' });
}

/**
 * Stores stay open for the life of the process (a file store reads its whole journal when opened; a PostgreSQL
 * store keeps a connection pool). This caches access to durable state, not state of its own: every write is on
 * disk, or committed, before it is acknowledged.
 */
const open = new Map<string, IdentityStore>();
const openLinks = new Map<string, LinkStore>();
let linkPool: Pool | undefined;

/** One small pool per process for links and the webhook registry; an idle connection the server drops is reported, not fatal. */
function sharedPool(env: NodeJS.ProcessEnv, onBackgroundError: (error: Error) => void): Pool {
	linkPool ??= new Pool({ max: 2, ...postgresConfig(env) }).on('error', onBackgroundError);
	return linkPool;
}

function postgresConfig(env: NodeJS.ProcessEnv): PoolConfig {
	const config = n8nPostgresConfig(env);
	if (!config) throw new Error('this SCIM Trigger keeps its store in PostgreSQL, but this n8n process does not run on PostgreSQL');
	return config;
}

export function openStoreAt(
	location: StoreLocation,
	userFolder: string,
	env: NodeJS.ProcessEnv,
	onBackgroundError: (error: Error) => void = () => undefined,
): IdentityStore {
	const { kind, key } = checkLocation(location);
	const cacheKey = `${kind}:${key}`;
	let store = open.get(cacheKey);
	if (!store) {
		store =
			kind === 'postgres'
				? new PostgresIdentityStore(postgresConfig(env), key, onBackgroundError)
				: new FileIdentityStore(fileStoreFolder(userFolder, key));
		open.set(cacheKey, store);
	}
	return store;
}

/** The store of one trigger node: in n8n's PostgreSQL database when asked or automatic on PostgreSQL, else a file store. */
export function openStore(
	choice: StoreChoice,
	key: string,
	userFolder: string,
	env: NodeJS.ProcessEnv,
	onBackgroundError: (error: Error) => void = () => undefined,
): IdentityStore {
	return openStoreAt(storeLocation(choice, key, env), userFolder, env, onBackgroundError);
}

/** The links of a trigger's store (where its users and groups landed in each target). */
export function openLinksAt(
	location: StoreLocation,
	userFolder: string,
	env: NodeJS.ProcessEnv,
	onBackgroundError: (error: Error) => void = () => undefined,
): LinkStore {
	const { kind, key } = checkLocation(location);
	const cacheKey = `${kind}:${key}`;
	let links = openLinks.get(cacheKey);
	if (!links) {
		if (kind === 'postgres') {
			links = new PostgresLinkStore(sharedPool(env, onBackgroundError), key);
		} else {
			const dir = fileStoreFolder(userFolder, key);
			mkdirSync(dir, { recursive: true });
			links = new FileLinkStore(dir);
		}
		openLinks.set(cacheKey, links);
	}
	return links;
}

const REGISTRY = 'provisioning_scim_registry';
const registered = new Set<string>();

/** Records which store a trigger's webhook serves, so a SCIM Store node can find it by the tenant URL. */
export async function registerWebhook(
	webhookId: string,
	location: StoreLocation,
	userFolder: string,
	env: NodeJS.ProcessEnv,
	onBackgroundError: (error: Error) => void = () => undefined,
): Promise<void> {
	checkLocation(location);
	const entry = `${webhookId}=${location.kind}:${location.key}`;
	if (registered.has(entry)) return;
	const file = pathInside(join(fileBase(userFolder), 'webhooks'), webhookId, '.json');
	if (location.kind === 'postgres') {
		const pool = sharedPool(env, onBackgroundError);
		await pool.query(`CREATE TABLE IF NOT EXISTS ${REGISTRY} (webhook_id text PRIMARY KEY, store_key text NOT NULL)`);
		await pool.query(`INSERT INTO ${REGISTRY} VALUES ($1, $2) ON CONFLICT (webhook_id) DO UPDATE SET store_key = EXCLUDED.store_key`, [
			webhookId,
			location.key,
		]);
	} else {
		mkdirSync(join(fileBase(userFolder), 'webhooks'), { recursive: true });
		writeFileSync(`${file}.tmp`, JSON.stringify({ kind: location.kind, key: location.key }));
		renameSync(`${file}.tmp`, file);
	}
	registered.add(entry);
}

/** The store a trigger's webhook serves, if that trigger has answered a request on this n8n. */
export async function locateByWebhook(
	webhookId: string,
	userFolder: string,
	env: NodeJS.ProcessEnv,
	onBackgroundError: (error: Error) => void = () => undefined,
): Promise<StoreLocation | undefined> {
	if (!isStoreKey(webhookId)) return undefined;
	if (n8nPostgresConfig(env)) {
		const pool = sharedPool(env, onBackgroundError);
		await pool.query(`CREATE TABLE IF NOT EXISTS ${REGISTRY} (webhook_id text PRIMARY KEY, store_key text NOT NULL)`);
		const { rows } = await pool.query(`SELECT store_key FROM ${REGISTRY} WHERE webhook_id = $1`, [webhookId]);
		if (rows[0]) return checkLocation({ key: rows[0].store_key, kind: 'postgres' });
	}
	const file = pathInside(join(fileBase(userFolder), 'webhooks'), webhookId, '.json');
	if (!existsSync(file)) return undefined;
	const { kind, key } = JSON.parse(readFileSync(file, 'utf8')) as StoreLocation;
	return checkLocation({ kind, key });
}
