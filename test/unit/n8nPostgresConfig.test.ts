/**
 * The n8n PostgreSQL settings the stores read (the SCIM Trigger's store, links, the webhook registry, the governance
 * store) are the ones n8n itself connects with: @n8n/config's DatabaseConfig and @n8n/db's connection options, in
 * n8n 1.123 and 2.x — every variable also as `<NAME>_FILE`, TLS with a CA, a client certificate and key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { n8nPostgresConfig } from '../../lib/store/openStore';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'n8n-pg-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A file holding `text`, as a Docker or Kubernetes secret would. */
const secret = (name: string, text: string) => {
	const path = join(dir, name);
	writeFileSync(path, text);
	return path;
};
const PG = { DB_TYPE: 'postgresdb' };

test('only when n8n runs on PostgreSQL; DB_TYPE is read like any other setting (quotes, _FILE)', () => {
	expect(n8nPostgresConfig({})).toBeUndefined();
	expect(n8nPostgresConfig({ DB_TYPE: 'sqlite' })).toBeUndefined();
	expect(n8nPostgresConfig({ DB_TYPE: ' "postgresdb" ' })).toBeDefined();
	expect(n8nPostgresConfig({ DB_TYPE_FILE: secret('type', 'postgresdb\n') })).toBeDefined();
});

test("n8n's defaults", () => {
	expect(n8nPostgresConfig(PG)).toEqual({
		host: 'localhost',
		port: 5432,
		database: 'n8n',
		user: 'postgres',
		password: '',
		ssl: false,
		connectionTimeoutMillis: 20000,
	});
});

test('every setting from a _FILE variable, trimmed; a set variable (even empty) wins over its _FILE', () => {
	const config = n8nPostgresConfig({
		...PG,
		DB_POSTGRESDB_HOST_FILE: secret('host', 'db.internal\n'),
		DB_POSTGRESDB_PORT_FILE: secret('port', '6432\n'),
		DB_POSTGRESDB_DATABASE_FILE: secret('database', 'n8n_prod'),
		DB_POSTGRESDB_USER_FILE: secret('user', ' n8n_user '),
		DB_POSTGRESDB_PASSWORD_FILE: secret('password', 's3cr3t pass\n'),
		DB_POSTGRESDB_SCHEMA_FILE: secret('schema', 'n8n_schema'),
		DB_POSTGRESDB_CONNECTION_TIMEOUT_FILE: secret('timeout', '5000'),
	});
	expect(config).toMatchObject({
		host: 'db.internal',
		port: 6432,
		database: 'n8n_prod',
		user: 'n8n_user',
		password: 's3cr3t pass',
		options: '-c search_path=n8n_schema',
		connectionTimeoutMillis: 5000,
	});
	expect(n8nPostgresConfig({ ...PG, DB_POSTGRESDB_PASSWORD: '', DB_POSTGRESDB_PASSWORD_FILE: secret('p', 'from-file') })!.password).toBe(
		'',
	);
	expect(n8nPostgresConfig({ ...PG, DB_POSTGRESDB_PASSWORD: '"quoted"' })!.password).toBe('quoted');
});

test('numbers: empty or not a number keeps the default', () => {
	expect(n8nPostgresConfig({ ...PG, DB_POSTGRESDB_PORT: '' })!.port).toBe(5432);
	expect(n8nPostgresConfig({ ...PG, DB_POSTGRESDB_PORT: 'abc' })!.port).toBe(5432);
	expect(n8nPostgresConfig({ ...PG, DB_POSTGRESDB_PORT: '5433' })!.port).toBe(5433);
});

describe('TLS, as n8n builds it', () => {
	test('SSL_ENABLED alone: TLS, the server verified against the system CAs', () => {
		expect(n8nPostgresConfig({ ...PG, DB_POSTGRESDB_SSL_ENABLED: 'true' })!.ssl).toBe(true);
		expect(n8nPostgresConfig({ ...PG, DB_POSTGRESDB_SSL_ENABLED: 'TRUE' })!.ssl).toBe(true);
		expect(n8nPostgresConfig({ ...PG, DB_POSTGRESDB_SSL_ENABLED: '1' })!.ssl).toBe(true);
		expect(n8nPostgresConfig({ ...PG, DB_POSTGRESDB_SSL_ENABLED: '0' })!.ssl).toBe(false);
		expect(n8nPostgresConfig({ ...PG, DB_POSTGRESDB_SSL_ENABLED: 'yes' })!.ssl).toBe(false);
	});

	test('a CA, a client certificate or key (the PEM text, or _FILE), or verification off: TLS with those', () => {
		const ca = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----';
		expect(n8nPostgresConfig({ ...PG, DB_POSTGRESDB_SSL_CA: ca })!.ssl).toEqual({
			ca,
			cert: undefined,
			key: undefined,
			rejectUnauthorized: true,
		});
		expect(
			n8nPostgresConfig({
				...PG,
				DB_POSTGRESDB_SSL_ENABLED: 'true',
				DB_POSTGRESDB_SSL_CA_FILE: secret('ca.crt', `${ca}\n`),
				DB_POSTGRESDB_SSL_CERT_FILE: secret('client.crt', 'CERT\n'),
				DB_POSTGRESDB_SSL_KEY_FILE: secret('client.key', 'KEY\n'),
			})!.ssl,
		).toEqual({ ca, cert: 'CERT', key: 'KEY', rejectUnauthorized: true });
		expect(n8nPostgresConfig({ ...PG, DB_POSTGRESDB_SSL_REJECT_UNAUTHORIZED: 'false' })!.ssl).toEqual({
			ca: undefined,
			cert: undefined,
			key: undefined,
			rejectUnauthorized: false,
		});
	});
});
