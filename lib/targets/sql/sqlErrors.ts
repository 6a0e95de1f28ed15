/**
 * The one mapping of PostgreSQL (pg), MySQL/MariaDB (mysql2) and knex failures to typed ProvisioningErrors. Messages
 * name the server and the user, never the password; secrets are scrubbed from whatever the driver says.
 */
import { ProvisioningError, type ProvisioningErrorCode, toProvisioningError } from '../../errors';
import { scrubError, secretScrubber } from '../../redact';

export type SqlEngine = 'postgres' | 'mysql';

export const ENGINE_NAMES: Record<SqlEngine, string> = { postgres: 'PostgreSQL', mysql: 'MySQL/MariaDB' };

export interface SqlErrorContext {
	engine: SqlEngine;
	/** host:port/database, safe to show. */
	endpoint: string;
	user: string;
	/** The password and any secret values of the statement: removed from every message. */
	secrets: Array<string | undefined>;
}

interface Mapped {
	code: ProvisioningErrorCode;
	transient?: boolean;
	field?: string;
	/** Replaces the driver's message (for logins, which must not echo anything). */
	message?: string;
}

/** Socket and protocol failures: the server could not be reached or went away. */
const NETWORK = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'EPIPE',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EAI_AGAIN',
	'PROTOCOL_CONNECTION_LOST',
	'PROTOCOL_SEQUENCE_TIMEOUT',
	'ER_SERVER_SHUTDOWN',
]);
const TLS = new Set([
	'SELF_SIGNED_CERT_IN_CHAIN',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_HAS_EXPIRED',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'HANDSHAKE_NO_SSL_SUPPORT',
]);

/**
 * MySQL/MariaDB error numbers whose SQLSTATE says too little (HY000, 42000) or that mean something particular here;
 * every other server error goes by its SQLSTATE, as PostgreSQL's do.
 */
const MYSQL: Record<number, Mapped> = {
	1044: { code: 'AuthenticationFailed', field: 'database' }, // no access to the database
	1045: { code: 'AuthenticationFailed', field: 'password' }, // wrong user or password
	1698: { code: 'AuthenticationFailed', field: 'password' },
	1142: { code: 'AuthenticationFailed' }, // command denied on a table
	1143: { code: 'AuthenticationFailed' },
	1049: { code: 'Configuration', field: 'database' }, // unknown database
	1146: { code: 'Configuration' }, // no such table
	1054: { code: 'Configuration' }, // unknown column
	1062: { code: 'Uniqueness' },
	1586: { code: 'Uniqueness' },
	1205: { code: 'TargetUnavailable', transient: true }, // lock wait timeout
	1213: { code: 'TargetUnavailable', transient: true }, // deadlock
	1040: { code: 'TargetUnavailable', transient: true }, // too many connections
	1053: { code: 'TargetUnavailable', transient: true }, // server shutdown
	1927: { code: 'TargetUnavailable', transient: true }, // connection killed
	2006: { code: 'TargetUnavailable', transient: true },
	2013: { code: 'TargetUnavailable', transient: true },
	3024: { code: 'Timeout', transient: true },
	1969: { code: 'Timeout', transient: true },
	// The row was refused for its data (PostgreSQL: classes 22 and 23): 1048 NULL in a NOT NULL column, 1364 no value
	// and no default, 1366 a value the column's type or character set cannot hold, 1406 too long, 1451/1452 foreign
	// keys, 3819 (MySQL) and 4025 (MariaDB) CHECK constraints.
	1048: { code: 'TargetRejected' },
	1364: { code: 'TargetRejected' },
	1366: { code: 'TargetRejected' },
	1406: { code: 'TargetRejected' },
	1451: { code: 'TargetRejected' },
	1452: { code: 'TargetRejected' },
	3819: { code: 'TargetRejected' },
	4025: { code: 'TargetRejected' },
	1064: { code: 'Internal' }, // a syntax error in a statement this package built
};

/** SQLSTATEs (PostgreSQL's codes; MySQL/MariaDB's sqlState), exact codes first, then their classes (the first two characters). */
const SQLSTATE: Record<string, Mapped> = {
	'28P01': { code: 'AuthenticationFailed', field: 'password' },
	'28000': { code: 'AuthenticationFailed', field: 'user' },
	'42501': { code: 'AuthenticationFailed' }, // permission denied
	'3D000': { code: 'Configuration', field: 'database' },
	'3F000': { code: 'Configuration' }, // no such schema
	'42P01': { code: 'Configuration' },
	'42703': { code: 'Configuration' },
	'42S02': { code: 'Configuration' },
	'42S22': { code: 'Configuration' },
	'42601': { code: 'Internal' }, // syntax error
	'23505': { code: 'Uniqueness' },
	'57014': { code: 'Timeout', transient: true },
	'40001': { code: 'TargetUnavailable', transient: true },
	'40P01': { code: 'TargetUnavailable', transient: true },
	'08': { code: 'TargetUnavailable', transient: true },
	'40': { code: 'TargetUnavailable', transient: true },
	'53': { code: 'TargetUnavailable', transient: true },
	'57': { code: 'TargetUnavailable', transient: true },
	// The item's own data (a constraint, a value the column cannot hold): the target's refusal, not an outage.
	'22': { code: 'TargetRejected' },
	'23': { code: 'TargetRejected' },
};

/** Any other error the server sent: it refused the statement. */
const REFUSED: Mapped = { code: 'TargetRejected' };

/** pg reports some connection failures by message only. */
const PG_LOST = /Connection terminated|connection error and is not queryable|Client was closed|server closed the connection/i;
const PG_TIMEOUT = /timeout expired|connection timeout/i;
const PG_NO_TLS = /does not support SSL/i;

type DriverError = Error & {
	code?: string | number;
	errno?: number;
	sqlMessage?: string;
	sqlState?: string;
	/** PostgreSQL's detail and the column it names. */
	detail?: string;
	column?: string;
};

/** The driver's own words, without the statement knex puts in front ("insert into … - duplicate key …"). */
function driverMessage(error: DriverError): string {
	if (error.sqlMessage) return error.sqlMessage;
	const text = String(error.message ?? error);
	const cut = text.indexOf(' - ');
	return /^(select|insert|update|delete|with|set|begin|commit|rollback)\b/i.test(text) && cut !== -1 ? text.slice(cut + 3) : text;
}

const SQLSTATE_FORM = /^[0-9A-Z]{5}$/;

function classify(engine: SqlEngine, error: DriverError): Mapped | undefined {
	const code = error.code === undefined ? '' : String(error.code);
	if (error.name === 'KnexTimeoutError') return { code: 'Timeout', transient: true };
	if (TLS.has(code)) return { code: 'Configuration', field: 'caCertificate' };
	if (code === 'ETIMEDOUT') return { code: 'Timeout', transient: true };
	if (code === 'ENOTFOUND') return { code: 'TargetUnavailable', field: 'host' };
	if (NETWORK.has(code)) return { code: 'TargetUnavailable', transient: true };
	if (engine === 'mysql' && typeof error.errno === 'number' && MYSQL[error.errno]) return MYSQL[error.errno];
	const state = engine === 'postgres' ? code : String(error.sqlState ?? '');
	if (SQLSTATE_FORM.test(state)) return SQLSTATE[state] ?? SQLSTATE[state.slice(0, 2)] ?? REFUSED;
	const message = String(error.message ?? '');
	if (engine === 'postgres' && PG_NO_TLS.test(message)) return { code: 'Configuration', field: 'tls' };
	if (engine === 'postgres' && PG_TIMEOUT.test(message)) return { code: 'Timeout', transient: true };
	if (engine === 'postgres' && PG_LOST.test(message)) return { code: 'TargetUnavailable', transient: true };
	if (engine === 'mysql' && (error as { fatal?: boolean }).fatal) return { code: 'TargetUnavailable', transient: true };
	if (engine === 'mysql' && typeof error.errno === 'number' && error.sqlMessage) return REFUSED;
	return undefined;
}

/** The column a refusal names, where the server names one: PostgreSQL's column or "Key (column)=", MySQL's message. */
function columnOf(error: DriverError): string | undefined {
	if (error.column) return error.column;
	const key = /^Key \(([^)]+)\)=/.exec(error.detail ?? '');
	if (key && !key[1].includes(',')) return key[1].replace(/^"|"$/g, '');
	const named = /(?:^Column|^Field|for column) '([^']+)'|for column `[^`]*`\.`[^`]*`\.`([^`]+)`|FOREIGN KEY \(`([^`]+)`\)/.exec(
		error.sqlMessage ?? '',
	);
	return named?.[1] ?? named?.[2] ?? named?.[3];
}

/** PostgreSQL's "Failing row contains (…)" lists every value of the row, secret or not: never shown. */
const ROW_DUMP = /^Failing row contains/;

/**
 * Maps anything a statement or a connection attempt threw. The driver's words are scrubbed of the context's secrets;
 * anything that is not the database's becomes Internal, scrubbed too (it may quote the statement's values).
 */
export function toSqlError(what: string, thrown: unknown, context: SqlErrorContext): ProvisioningError {
	if (thrown instanceof ProvisioningError) return thrown;
	const scrub = secretScrubber(context.secrets);
	const error = thrown as DriverError;
	const mapped = error && typeof error === 'object' ? classify(context.engine, error) : undefined;
	if (!mapped) return scrubError(toProvisioningError(thrown), scrub);
	const server = `${ENGINE_NAMES[context.engine]} at ${context.endpoint}`;
	const said = scrub(driverMessage(error));
	let message: string;
	if (mapped.code === 'AuthenticationFailed' && mapped.field === 'password') {
		message = `${server} refused the login for user "${context.user}": wrong user name or password`;
	} else if (mapped.code === 'AuthenticationFailed') {
		message = `${server} refused ${what} for user "${context.user}": ${said}`;
	} else if (mapped.field === 'caCertificate') {
		message = `TLS to ${server} failed: the server's certificate was not accepted (${String(error.code)}). Add the CA certificate that signed it to the credential, or check the host name.`;
	} else if (mapped.field === 'tls') {
		message = `${server} does not accept TLS connections: turn TLS off in the credential, or enable it on the server`;
	} else if (mapped.field === 'host') {
		message = `${server}: the host name does not resolve`;
	} else if (mapped.code === 'Timeout' && error.name === 'KnexTimeoutError') {
		message = `${server} gave no connection in time for ${what}: the server is slow or unreachable, or the pool is too small`;
	} else {
		const detail = error.detail && !ROW_DUMP.test(error.detail) ? ` (${scrub(error.detail)})` : '';
		message = `${ENGINE_NAMES[context.engine]} ${what} failed: ${said}${detail}`;
	}
	const refusal = mapped.code === 'TargetRejected' || mapped.code === 'Uniqueness';
	const status = typeof error.errno === 'number' ? error.errno : undefined;
	return new ProvisioningError(mapped.code, message, {
		field: mapped.field ?? (refusal ? columnOf(error) : undefined),
		transient: mapped.transient,
		targetStatus: status,
		// Not the driver's error itself: mysql2 keeps the statement with its values in it.
		cause: Object.assign(new Error(said), { code: error.code, errno: error.errno, sqlState: error.sqlState }),
	});
}
