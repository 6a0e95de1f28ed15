/**
 * n8n's own settings, read the way n8n reads them (checked against @n8n/config and n8n-core in 1.123 and 2.x):
 * an environment variable, else the file its `<NAME>_FILE` variable names; and the instance's encryption key from
 * the settings file under the n8n folder, else N8N_ENCRYPTION_KEY.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolConfig } from 'pg';

/** A variable as n8n's config reads it: set (even empty) wins over `<NAME>_FILE`, whose file is read and trimmed. */
function rawEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
	if (name in env) return env[name];
	const file = env[`${name}_FILE`];
	return file ? readFileSync(file, 'utf8').trim() : undefined;
}

/** Surrounding whitespace and one pair of matching quotes removed, as n8n does to text. */
const normalise = (value: string) => value.trim().replace(/^(['"])(.*)\1$/, '$2');

/** A text setting. */
export function n8nText(env: NodeJS.ProcessEnv, name: string): string | undefined {
	const value = rawEnv(env, name);
	return value === undefined ? undefined : normalise(value);
}

/** A boolean setting: true/1 or false/0 in any case; anything else keeps the default (n8n warns). */
export function n8nBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
	const value = rawEnv(env, name)?.toLowerCase();
	return value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : fallback;
}

/** A number setting: empty or not a number keeps the default (n8n 2.x; 1.x read an empty value as 0). */
export function n8nNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
	const value = rawEnv(env, name);
	return value === undefined || normalise(value) === '' || Number.isNaN(Number(value)) ? fallback : Number(value);
}

/** The n8n folder: `<N8N_USER_FOLDER, else HOME, else the working directory>/.n8n`. */
export const n8nFolder = (env: NodeJS.ProcessEnv) => join(env.N8N_USER_FOLDER ?? env.HOME ?? process.cwd(), '.n8n');

/**
 * The instance's encryption key, which n8n's main, worker and webhook processes share (n8n refuses to start when
 * N8N_ENCRYPTION_KEY and its settings file disagree): the settings file's when the file exists, else the variable.
 */
export function n8nEncryptionKey(env: NodeJS.ProcessEnv): string | undefined {
	const settings = join(n8nFolder(env), 'config');
	if (existsSync(settings)) {
		const key = (JSON.parse(readFileSync(settings, 'utf8')) as { encryptionKey?: unknown }).encryptionKey;
		if (typeof key === 'string' && key) return key;
	}
	return n8nText(env, 'N8N_ENCRYPTION_KEY') || undefined;
}

/** Settings read once per set of values: n8n reads them once at start, and `_FILE` secrets are files. */
const postgresConfigs = new Map<string, PoolConfig | undefined>();

/**
 * n8n's own PostgreSQL connection (which queue mode requires), built as @n8n/db builds it: TLS when SSL_ENABLED,
 * and TLS with these options whenever a CA, client certificate or key is given or verification is turned off.
 * CA, certificate and key are PEM text (or `_FILE`: a file holding it).
 */
export function n8nPostgresConfig(env: NodeJS.ProcessEnv): PoolConfig | undefined {
	// Names first, then only the values that matter: reading every value of process.env costs ~0.1 ms, on every request.
	const relevant = Object.keys(env).filter((name) => name.startsWith('DB_TYPE') || name.startsWith('DB_POSTGRESDB_'));
	const cacheKey = JSON.stringify(relevant.map((name) => [name, env[name]]));
	if (!postgresConfigs.has(cacheKey)) postgresConfigs.set(cacheKey, readPostgresConfig(env));
	return postgresConfigs.get(cacheKey);
}

function readPostgresConfig(env: NodeJS.ProcessEnv): PoolConfig | undefined {
	if (n8nText(env, 'DB_TYPE') !== 'postgresdb') return undefined;
	const text = (name: string, fallback = '') => n8nText(env, `DB_POSTGRESDB_${name}`) ?? fallback;
	const [ca, cert, key] = [text('SSL_CA'), text('SSL_CERT'), text('SSL_KEY')];
	const rejectUnauthorized = n8nBoolean(env, 'DB_POSTGRESDB_SSL_REJECT_UNAUTHORIZED', true);
	const ssl =
		ca || cert || key || !rejectUnauthorized
			? { ca: ca || undefined, cert: cert || undefined, key: key || undefined, rejectUnauthorized }
			: n8nBoolean(env, 'DB_POSTGRESDB_SSL_ENABLED', false);
	const schema = text('SCHEMA', 'public');
	return {
		host: text('HOST', 'localhost'),
		port: n8nNumber(env, 'DB_POSTGRESDB_PORT', 5432),
		database: text('DATABASE', 'n8n'),
		user: text('USER', 'postgres'),
		password: text('PASSWORD'),
		ssl,
		connectionTimeoutMillis: n8nNumber(env, 'DB_POSTGRESDB_CONNECTION_TIMEOUT', 20000),
		...(schema !== 'public' ? { options: `-c search_path=${schema}` } : {}),
	};
}
