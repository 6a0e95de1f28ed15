/**
 * One LDAP connection per execution, shared by accounts and groups: server failover, StartTLS, a bind that is
 * final when refused, and one mapping of every ldapts failure to a typed ProvisioningError.
 */
import {
	AdminLimitExceededError,
	AlreadyExistsError,
	BusyError,
	type Change,
	Client,
	type Control,
	InvalidCredentialsError,
	NoSuchObjectError,
	ResultCodeError,
	type SearchOptions,
	SizeLimitExceededError,
	UnavailableError,
} from 'ldapts';
import { ProvisioningError, type ProvisioningErrorCode } from '../../errors';
import { escapeDnValue, rdnParts, splitDn } from '../../ldap/escape';
import { scrubSecrets } from '../../redact';

export interface LdapConnectionOptions {
	/** Tried in order until one answers (failover). */
	urls: string[];
	startTls?: boolean;
	/** PEM CA certificate(s) trusted for ldaps:// and StartTLS. */
	caCertificate?: string;
	/** Accept any server certificate: an explicit, visible choice for lab directories. */
	allowSelfSigned?: boolean;
	bindDn: string;
	bindPassword: string;
	connectTimeoutMs?: number;
	timeoutMs?: number;
}

export type LdapEntry = Record<string, unknown> & { dn: string };

/** One LDAP result (RFC 4511 §4.1.9) as ldapts's error class, e.g. NoSuchObjectError. */
export type LdapResult = new (message?: string) => ResultCodeError;

/** The results that mean something other than "the server refused this request". */
const MEANINGS: ReadonlyArray<[LdapResult, ProvisioningErrorCode]> = [
	[NoSuchObjectError, 'NotFound'],
	[InvalidCredentialsError, 'AuthenticationFailed'],
	[BusyError, 'TargetUnavailable'],
	[UnavailableError, 'TargetUnavailable'],
	[AlreadyExistsError, 'Uniqueness'],
];

/** A listing cut short by the directory's limit for this bind DN: nothing may be concluded from a partial list. */
const LIMIT_ADVICE =
	': the directory stopped the search at its size limit for the bind DN, so the listing is incomplete and nothing is concluded from it. Allow the bind DN a full listing (OpenLDAP: limits dn.exact="<bind DN>" size=unlimited, olcLimits; 389-DS: nsSizeLimit -1 on the bind entry; Active Directory: MaxPageSize / MaxResultSetSize in the LDAP policy), or narrow the search base or managed scope';

/**
 * Whether an LDAP operation failed with one of these results: ldapts's error itself, or the ProvisioningError this
 * module maps it to (its cause, also when wrapped again). The one way the target decides on a result code.
 */
export function failedWith(error: unknown, ...results: LdapResult[]): boolean {
	let ldap = error;
	while (ldap instanceof ProvisioningError) ldap = ldap.cause;
	return results.some((result) => ldap instanceof result);
}

/** A read found no entry at this DN: the failure the server's own noSuchObject maps to. */
export function noSuchEntry(dn: string): ProvisioningError {
	const cause = new NoSuchObjectError();
	return new ProvisioningError('NotFound', `${dn} does not exist`, { targetStatus: cause.code, cause });
}

const LDAP_URL = /^ldaps?:\/\/[^\s/]+\/?$/i;

export class LdapConnection {
	private client?: Promise<Client>;

	constructor(readonly options: LdapConnectionOptions) {
		if (!options.urls.length) throw new ProvisioningError('Configuration', 'No LDAP server URL is set', { field: 'url' });
		for (const url of options.urls) {
			if (!LDAP_URL.test(url)) {
				throw new ProvisioningError('Configuration', `"${url}" is not an LDAP URL; expected ldap://host:port or ldaps://host:port`, {
					field: 'url',
				});
			}
		}
	}

	get url(): string {
		return this.options.urls[0];
	}

	/** Whether every connection is encrypted (Active Directory writes passwords only then). */
	get secure(): boolean {
		const { urls, startTls } = this.options;
		return !!startTls || urls.every((u) => u.toLowerCase().startsWith('ldaps://'));
	}

	scrub(text: string): string {
		return scrubSecrets(text, [this.options.bindPassword]);
	}

	/** Connects and binds once; a refused bind is final for this execution (retries could lock the account out). */
	private connection(): Promise<Client> {
		this.client ??= this.connect().catch((error) => {
			if (!(error instanceof ProvisioningError && error.code === 'AuthenticationFailed')) this.client = undefined;
			throw error;
		});
		return this.client;
	}

	private async connect(): Promise<Client> {
		const c = this.options;
		const tlsOptions = { rejectUnauthorized: !c.allowSelfSigned, ...(c.caCertificate ? { ca: [c.caCertificate] } : {}) };
		const failures: string[] = [];
		for (const url of c.urls) {
			const ldaps = url.toLowerCase().startsWith('ldaps://');
			const client = new Client({
				url,
				timeout: c.timeoutMs ?? 30000,
				connectTimeout: c.connectTimeoutMs ?? 10000,
				// ldapts speaks TLS from the first byte whenever tlsOptions is set, so only ldaps:// gets them.
				...(ldaps ? { tlsOptions } : {}),
				strictDN: false,
			});
			try {
				if (c.startTls && !ldaps) await client.startTLS(tlsOptions);
				await client.bind(c.bindDn, c.bindPassword);
				return client;
			} catch (error) {
				await client.unbind().catch(() => undefined);
				if (error instanceof InvalidCredentialsError) {
					throw new ProvisioningError('AuthenticationFailed', `${url} refused the bind: invalid bind DN or password for "${c.bindDn}"`, {
						targetStatus: error.code,
						field: 'bindPassword',
						cause: error,
					});
				}
				if (error instanceof ResultCodeError) {
					throw new ProvisioningError('AuthenticationFailed', `${url} refused the bind: ${this.scrub(error.message)}`, {
						targetStatus: error.code,
						field: 'bindDn',
						cause: error,
					});
				}
				failures.push(`${url}: ${this.scrub((error as Error).message)}`);
			}
		}
		throw new ProvisioningError('TargetUnavailable', `No LDAP server answered (${failures.join('; ')})`, { transient: true });
	}

	/** The one mapping of ldapts failures: result codes by meaning; anything else is a lost connection. */
	private toError(what: string, error: unknown): ProvisioningError {
		if (error instanceof ProvisioningError) return error;
		if (error instanceof ResultCodeError) {
			const code = MEANINGS.find(([result]) => error instanceof result)?.[1] ?? 'TargetRejected';
			const why = error instanceof SizeLimitExceededError || error instanceof AdminLimitExceededError ? LIMIT_ADVICE : '';
			return new ProvisioningError(code, `LDAP ${what} failed: ${this.scrub(error.message)} (result code ${error.code})${why}`, {
				targetStatus: error.code,
				transient: code === 'TargetUnavailable',
				cause: error,
			});
		}
		// Not an LDAP result: the connection itself failed. The next call reconnects.
		this.drop();
		return new ProvisioningError('TargetUnavailable', `LDAP ${what} failed: ${this.scrub((error as Error)?.message ?? String(error))}`, {
			transient: true,
			cause: error,
		});
	}

	/** Runs one operation on the shared connection with the one error mapping. */
	async run<T>(what: string, operation: (client: Client) => Promise<T>): Promise<T> {
		const client = await this.connection();
		try {
			return await operation(client);
		} catch (error) {
			throw this.toError(what, error);
		}
	}

	/** A search; a missing base is an empty result when `missingBaseIsEmpty`, as for reads by DN. */
	search(what: string, base: string, options: SearchOptions, missingBaseIsEmpty = false): Promise<LdapEntry[]> {
		return this.run(what, async (client) => {
			try {
				return (await client.search(base, options)).searchEntries as LdapEntry[];
			} catch (error) {
				if (missingBaseIsEmpty && failedWith(error, NoSuchObjectError)) return [];
				throw error;
			}
		});
	}

	/** A paged search, yielding entries page by page: listings of any size in bounded memory. */
	async *searchPaged(what: string, base: string, options: SearchOptions, pageSize: number): AsyncIterable<LdapEntry> {
		const client = await this.connection();
		const pages = client.searchPaginated(base, { ...options, paged: { pageSize } });
		try {
			for await (const page of pages) yield* page.searchEntries as LdapEntry[];
		} catch (error) {
			throw this.toError(what, error);
		}
	}

	modify(dn: string, changes: Change[], controls?: Control[]): Promise<void> {
		return this.run('modify', (client) => client.modify(dn, changes, controls));
	}

	/**
	 * Renames an entry to `newRdn` and, with `newSuperior`, moves it under that parent in the same operation; returns
	 * the new DN. The one place that works around ldapts's modifyDN (README, known library issues): it takes a whole
	 * new DN and finds the RDN/parent boundary at the first comma not preceded by a backslash, so a value ending in an
	 * escaped backslash ("a\\,ou=…") would be split inside the RDN, and a DN object is sent whole as the RDN. The RDN is
	 * therefore sent with every backslash itself hex-escaped (\5c), and the boundary ldapts will find is checked first.
	 */
	async modifyDN(dn: string, newRdn: string, newSuperior?: string): Promise<string> {
		const wire = ldaptsSafeRdn(newRdn);
		const argument = newSuperior ? `${wire},${newSuperior}` : wire;
		const boundary = argument.search(/[^\\],/);
		const split = boundary === -1 ? argument : argument.slice(0, boundary + 1);
		if (split !== wire) {
			throw new ProvisioningError('Internal', `Cannot send the new RDN "${newRdn}" through ldapts without it being split`, { field: 'dn' });
		}
		await this.run(newSuperior ? 'move' : 'rename', (client) => client.modifyDN(dn, argument));
		return newSuperior ? `${newRdn},${newSuperior}` : [newRdn, ...splitDn(dn).slice(1)].join(',');
	}

	private drop(): void {
		const stale = this.client;
		this.client = undefined;
		stale?.then((c) => c.unbind()).catch(() => undefined);
	}

	async close(): Promise<void> {
		const pending = this.client;
		this.client = undefined;
		if (pending) await pending.then((c) => c.unbind()).catch(() => undefined);
	}
}

/** An RDN re-escaped for ldapts: RFC 4514 escapes, with backslashes as \5c so that no escape ends in a backslash. */
export function ldaptsSafeRdn(rdn: string): string {
	return rdnParts(rdn)
		.map(({ type, value }) => `${type}=${escapeDnValue(value).replace(/\\\\/g, '\\5c')}`)
		.join('+');
}
