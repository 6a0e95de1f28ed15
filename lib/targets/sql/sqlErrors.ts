/**
 * The one mapping of PostgreSQL (pg), MySQL/MariaDB (mysql2) and knex failures to typed ProvisioningErrors. Messages
 * name the server and the user, never the password; secrets are scrubbed from whatever the driver says.
 */
import { ProvisioningError, type ProvisioningErrorCode } from '../../errors';
import { scrubSecrets } from '../../redact';

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

/** MySQL/MariaDB server error numbers. */
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
};

/** PostgreSQL SQLSTATEs, exact codes first, then their classes (the first two characters). */
const POSTGRES: Record<string, Mapped> = {
	'28P01': { code: 'AuthenticationFailed', field: 'password' },
	'28000': { code: 'AuthenticationFailed', field: 'user' },
	'42501': { code: 'AuthenticationFailed' }, // permission denied
	'3D000': { code: 'Configuration', field: 'database' },
	'3F000': { code: 'Configuration' }, // no such schema
	'42P01': { code: 'Configuration' },
	'42703': { code: 'Configuration' },
	'23505': { code: 'Uniqueness' },
	'57014': { code: 'Timeout', transient: true },
	'40001': { code: 'TargetUnavailable', transient: true },
	'40P01': { code: 'TargetUnavailable', transient: true },
	'08': { code: 'TargetUnavailable', transient: true },
	'53': { code: 'TargetUnavailable', transient: true },
	'57': { code: 'TargetUnavailable', transient: true },
	'22': { code: 'TargetRejected' },
	'23': { code: 'TargetRejected' },
};

/** pg reports some connection failures by message only. */
const PG_LOST = /Connection terminated|connection error and is not queryable|Client was closed|server closed the connection/i;
const PG_TIMEOUT = /timeout expired|connection timeout/i;
const PG_NO_TLS = /does not support SSL/i;

type DriverError = Error & { code?: string | number; errno?: number; sqlMessage?: string; detail?: string; sqlState?: string };

/** The driver's own words, without the statement knex puts in front ("insert into … - duplicate key …"). */
function driverMessage(error: DriverError): string {
	if (error.sqlMessage) return error.sqlMessage;
	const text = String(error.message ?? error);
	const cut = text.indexOf(' - ');
	return /^(select|insert|update|delete|with|set|begin|commit|rollback)\b/i.test(text) && cut !== -1 ? text.slice(cut + 3) : text;
}

function classify(engine: SqlEngine, error: DriverError): Mapped | undefined {
	const code = error.code === undefined ? '' : String(error.code);
	if (error.name === 'KnexTimeoutError') return { code: 'Timeout', transient: true };
	if (TLS.has(code)) return { code: 'Configuration', field: 'caCertificate' };
	if (code === 'ETIMEDOUT') return { code: 'Timeout', transient: true };
	if (code === 'ENOTFOUND') return { code: 'TargetUnavailable', field: 'host' };
	if (NETWORK.has(code)) return { code: 'TargetUnavailable', transient: true };
	if (engine === 'mysql' && typeof error.errno === 'number' && MYSQL[error.errno]) return MYSQL[error.errno];
	if (engine === 'postgres' && /^[0-9A-Z]{5}$/.test(code))
		return POSTGRES[code] ?? POSTGRES[code.slice(0, 2)] ?? { code: 'TargetRejected' };
	const message = String(error.message ?? '');
	if (engine === 'postgres' && PG_NO_TLS.test(message)) return { code: 'Configuration', field: 'tls' };
	if (engine === 'postgres' && PG_TIMEOUT.test(message)) return { code: 'Timeout', transient: true };
	if (engine === 'postgres' && PG_LOST.test(message)) return { code: 'TargetUnavailable', transient: true };
	if (engine === 'mysql' && (error as { fatal?: boolean }).fatal) return { code: 'TargetUnavailable', transient: true };
	return undefined;
}

/** Maps anything a statement or a connection attempt threw; errors that are not the database's stay as they are. */
export function toSqlError(what: string, thrown: unknown, context: SqlErrorContext): unknown {
	if (thrown instanceof ProvisioningError) return thrown;
	const error = thrown as DriverError;
	if (!error || typeof error !== 'object') return thrown;
	const mapped = classify(context.engine, error);
	if (!mapped) return thrown;
	const server = `${ENGINE_NAMES[context.engine]} at ${context.endpoint}`;
	const scrub = (text: string) => scrubSecrets(text, context.secrets);
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
		const detail = error.detail ? ` (${scrub(error.detail)})` : '';
		message = `${ENGINE_NAMES[context.engine]} ${what} failed: ${said}${detail}`;
	}
	const status = typeof error.errno === 'number' ? error.errno : undefined;
	return new ProvisioningError(mapped.code, message, {
		field: mapped.field,
		transient: mapped.transient,
		targetStatus: status,
		cause: error,
	});
}
