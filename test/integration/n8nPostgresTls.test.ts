/**
 * The stores connect to n8n's PostgreSQL the way n8n does, against a real server with TLS and a throwaway CA: the
 * CA and the password given as files (DB_POSTGRESDB_SSL_CA_FILE, DB_POSTGRESDB_PASSWORD_FILE, as Docker and
 * Kubernetes secrets are), the server verified, the connection encrypted; without the CA the server is refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openGovernanceStore } from '../../lib/store/governance/openGovernanceStore';
import { n8nPostgresConfig, openStoreAt } from '../../lib/store/openStore';
import { Postgres } from '../servers/postgres';

const PASSWORD = 'Store-Tls-Pw-18';
let pg: Postgres;
let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
	pg = await Postgres.start({ password: PASSWORD, tls: true });
	dir = mkdtempSync(join(tmpdir(), 'n8n-pg-tls-'));
	writeFileSync(join(dir, 'ca.crt'), pg.caCertificate);
	writeFileSync(join(dir, 'password'), `${PASSWORD}\n`);
	env = {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pg.port),
		DB_POSTGRESDB_DATABASE: 'postgres',
		DB_POSTGRESDB_USER: 'postgres',
		DB_POSTGRESDB_PASSWORD_FILE: join(dir, 'password'),
		DB_POSTGRESDB_SSL_ENABLED: 'true',
		DB_POSTGRESDB_SSL_CA_FILE: join(dir, 'ca.crt'),
	};
});
afterAll(async () => {
	await pg?.stop();
	rmSync(dir, { recursive: true, force: true });
});

const without = (settings: NodeJS.ProcessEnv, name: string) => Object.fromEntries(Object.entries(settings).filter(([n]) => n !== name));

/**
 * Whether the session that runs the query is encrypted, as the server sees it. One client, ended before this returns
 * (a pool's end() returns while its clients still close: the server stopping then made an unhandled 'error').
 */
async function encrypted(settings: NodeJS.ProcessEnv): Promise<boolean> {
	const client = new Client(n8nPostgresConfig(settings));
	try {
		await client.connect();
		const { rows } = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
		return rows[0].ssl;
	} finally {
		await client.end().catch(() => undefined);
	}
}

test('with the CA and the password from files: the server is verified and the session encrypted', async () => {
	expect(await encrypted(env)).toBe(true);
});

test("the trigger's store and the governance store work over it", async () => {
	const store = openStoreAt({ kind: 'postgres', key: 'tls-trigger' }, dir, env);
	const created = await store.create('User', { userName: 'tls@x.org' });
	expect((await store.get('User', created.id))!.userName).toBe('tls@x.org');
	await store.close();
	const governance = openGovernanceStore(dir, env);
	expect(await governance.listQuarantine()).toEqual([]);
	await governance.close();
});

test('without the CA the self-signed server is refused; a CA alone (no SSL_ENABLED) already means TLS, as in n8n', async () => {
	await expect(encrypted(without(env, 'DB_POSTGRESDB_SSL_CA_FILE'))).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
	expect(await encrypted(without(env, 'DB_POSTGRESDB_SSL_ENABLED'))).toBe(true);
});
