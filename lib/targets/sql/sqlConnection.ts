/**
 * One connection pool per execution, shared by accounts and groups: knex over pg (PostgreSQL) or mysql2
 * (MySQL/MariaDB), both pure JavaScript. Sessions run in UTC, dates come back as text (no time-zone guessing),
 * a refused login is final for the execution, and every failure goes through the one mapping in sqlErrors.ts.
 */
import knexFactory, { type Knex } from 'knex';
import { types as pgTypes } from 'pg';
import { ProvisioningError } from '../../errors';
import { ENGINE_NAMES, type SqlEngine, toSqlError } from './sqlErrors';

export type { SqlEngine } from './sqlErrors';

export interface SqlConnectionOptions {
	engine: SqlEngine;
	host: string;
	/** Defaults to 5432 (PostgreSQL) or 3306 (MySQL/MariaDB). */
	port?: number;
	database: string;
	user: string;
	password: string;
	/** TLS, when set: the CA that signed the server certificate, and whether the certificate is verified. */
	tls?: { caCertificate?: string; verify?: boolean };
	/** Most connections at once (default 4). */
	poolSize?: number;
	connectTimeoutMs?: number;
}

const DEFAULT_PORTS: Record<SqlEngine, number> = { postgres: 5432, mysql: 3306 };

/** PostgreSQL date, timestamp and timestamptz: kept as the server's text, normalised by sqlValues.ts. */
const PG_DATE_TYPES = new Set([1082, 1114, 1184]);

/** Knex logs to the console; nothing of ours should (a warning could carry a value). */
const silent = { warn() {}, error() {}, deprecate() {}, debug() {} };

export class SqlConnection {
	private knex?: Knex;
	/** A refused login ends the execution's attempts: retries per item could lock the account out. */
	private refused?: ProvisioningError;

	constructor(readonly options: SqlConnectionOptions) {
		if (!['postgres', 'mysql'].includes(options.engine)) {
			throw new ProvisioningError('Configuration', `Unknown database engine "${String(options.engine)}"; use postgres or mysql`, {
				field: 'engine',
			});
		}
		if (!options.host) throw new ProvisioningError('Configuration', 'The SQL credential has no host', { field: 'host' });
		if (!options.database) throw new ProvisioningError('Configuration', 'The SQL credential has no database', { field: 'database' });
		if (!options.user) throw new ProvisioningError('Configuration', 'The SQL credential has no user', { field: 'user' });
	}

	get engine(): SqlEngine {
		return this.options.engine;
	}

	get port(): number {
		return this.options.port || DEFAULT_PORTS[this.engine];
	}

	/** host:port/database: where the target lives, without credentials. */
	get endpoint(): string {
		return `${this.options.host}:${this.port}/${this.options.database}`;
	}

	get url(): string {
		return `${this.engine === 'postgres' ? 'postgresql' : 'mysql'}://${this.endpoint}`;
	}

	private connectionSettings(): Knex.StaticConnectionConfig {
		const { host, database, user, password, tls } = this.options;
		const timeout = this.options.connectTimeoutMs ?? 10000;
		const ssl = tls ? { rejectUnauthorized: tls.verify !== false, ...(tls.caCertificate ? { ca: tls.caCertificate } : {}) } : undefined;
		if (this.engine === 'postgres') {
			return {
				host,
				port: this.port,
				database,
				user,
				password,
				ssl: ssl ?? false,
				connectionTimeoutMillis: timeout,
				types: {
					getTypeParser: (oid: number, format?: string) =>
						PG_DATE_TYPES.has(oid) ? (v: string) => v : pgTypes.getTypeParser(oid, format as 'text'),
				},
			} as Knex.PgConnectionConfig;
		}
		return {
			host,
			port: this.port,
			database,
			user,
			password,
			ssl,
			connectTimeout: timeout,
			charset: 'utf8mb4',
			dateStrings: true,
			supportBigNumbers: true,
			multipleStatements: false,
		} as Knex.MySql2ConnectionConfig;
	}

	/** The pool, created on first use. */
	db(): Knex {
		if (this.knex) return this.knex;
		const utc = this.engine === 'postgres' ? "SET TIME ZONE 'UTC'" : "SET time_zone = '+00:00'";
		this.knex = knexFactory({
			client: this.engine === 'postgres' ? 'pg' : 'mysql2',
			connection: this.connectionSettings(),
			pool: {
				min: 0,
				max: Math.max(1, Math.floor(this.options.poolSize ?? 4)),
				afterCreate: (
					raw: { query: (sql: string, done: (error?: Error) => void) => void },
					done: (error: Error | undefined, raw: unknown) => void,
				) => raw.query(utc, (error?: Error) => done(error ?? undefined, raw)),
			},
			acquireConnectionTimeout: (this.options.connectTimeoutMs ?? 10000) + 5000,
			// Knex otherwise writes the statement with its values into error messages (passwords included).
			compileSqlOnError: false,
			log: silent,
		} as Knex.Config);
		return this.knex;
	}

	/** Maps a failure of `what`; `secrets` are values of this statement that must not appear in the message. */
	error(what: string, thrown: unknown, secrets: Array<string | undefined> = []): unknown {
		const mapped = toSqlError(what, thrown, {
			engine: this.engine,
			endpoint: this.endpoint,
			user: this.options.user,
			secrets: [this.options.password, ...secrets],
		});
		if (mapped instanceof ProvisioningError && mapped.code === 'AuthenticationFailed' && mapped.field === 'password') this.refused = mapped;
		return mapped;
	}

	/** Runs one unit of work on the pool with the one error mapping. */
	async run<T>(what: string, work: (db: Knex) => Promise<T>, secrets: Array<string | undefined> = []): Promise<T> {
		if (this.refused) throw this.refused;
		try {
			return await work(this.db());
		} catch (thrown) {
			throw this.error(what, thrown, secrets);
		}
	}

	/** Runs statements in one transaction: all of them are written, or none. */
	transaction<T>(what: string, work: (trx: Knex.Transaction) => Promise<T>, secrets: Array<string | undefined> = []): Promise<T> {
		return this.run(what, (db) => db.transaction((trx) => work(trx)), secrets);
	}

	get engineName(): string {
		return ENGINE_NAMES[this.engine];
	}

	async close(): Promise<void> {
		const pool = this.knex;
		this.knex = undefined;
		if (pool) await pool.destroy().catch(() => undefined);
	}
}
