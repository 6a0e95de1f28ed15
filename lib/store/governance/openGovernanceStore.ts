/**
 * The governance store of this n8n: in n8n's PostgreSQL database when n8n runs on it (always so in queue mode,
 * so the main process and every worker share it), else in files under the user folder (n8n on SQLite runs every
 * execution in one process). Chosen like the SCIM Trigger's store.
 */
import { join } from 'node:path';
import { Pool } from 'pg';
import type { GovernanceStore } from '../../provisioning/governance/store';
import { n8nPostgresConfig } from '../openStore';
import { FileGovernanceStore } from './fileGovernanceStore';
import { PostgresGovernanceStore } from './postgresGovernanceStore';

/** Open stores are handles (a pool, a folder), not state: every read goes to the database or the file. */
const open = new Map<string, GovernanceStore>();

export function governanceStoreKind(env: NodeJS.ProcessEnv): 'postgres' | 'file' {
	return n8nPostgresConfig(env) ? 'postgres' : 'file';
}

export function openGovernanceStore(
	userFolder: string,
	env: NodeJS.ProcessEnv,
	onBackgroundError: (error: Error) => void = () => undefined,
): GovernanceStore {
	const config = n8nPostgresConfig(env);
	const cacheKey = config ? `postgres:${config.host}:${config.port}/${config.database}` : `file:${userFolder}`;
	let store = open.get(cacheKey);
	if (!store) {
		store = config
			? new PostgresGovernanceStore(new Pool({ max: 2, ...config }).on('error', onBackgroundError))
			: new FileGovernanceStore(join(userFolder, '.n8n', 'n8n-nodes-provisioning', 'governance'));
		open.set(cacheKey, store);
	}
	return store;
}
