/** Accounts in an LDAP directory: batched matching, creates from a DN template, minimal modifies, renames (entryMoves.ts). */
import { NoSuchObjectError } from 'ldapts';
import type { AttributeMap, MatchKey, ScalarValue } from '../../envelope';
import { ProvisioningError } from '../../errors';
import { assertValidDn, placeNewEntry } from '../../ldap/dnTemplate';
import { ldapString, normaliseDn } from '../../ldap/escape';
import { anyOfFilter, equalityFilter, withinScope } from '../../ldap/filters';
import { applyUacFlags, initialUserAccountControl, type LdapFlavour, type UacFlags } from '../../ldap/flavours';
import {
	ldapValues,
	modifyChanges,
	passwordResetChanges,
	readableValue,
	redactedChanges,
	redactedRecord,
	type LdapValue,
} from '../../ldap/values';
import { scrubSecrets } from '../../redact';
import { chunks, unique } from '../../util';
import { looseLdapKey, wire } from '../looseKey';
import type { Accounts, ListOptions, MatchKeys, TargetEntry, WriteLog } from '../target';
import type { AttributeChange } from '../../attributeChanges';
import type { AccountState } from './accountState';
import { failedWith, type LdapConnection, type LdapEntry } from './connection';
import type { DnReferences } from './dnReferences';
import { EntryMoves } from './entryMoves';

export interface LdapAccountOptions {
	flavour: LdapFlavour;
	/** Where accounts are searched. */
	searchBase: string;
	/** Limits matching and listing to account entries, e.g. (objectClass=inetOrgPerson); already validated. */
	objectFilter: string;
	/** DN for new entries, e.g. uid={uid},ou=People,dc=example,dc=org; with a container, uid={uid}. */
	dnTemplate?: string;
	/** The DN new entries are placed in, after the filled-in DN template. */
	newEntryContainer?: string;
	/** The DN template applies on every update too: an entry whose template DN changed is moved (and renamed). */
	moveEntries?: boolean;
	pageSize?: number;
	/** Active Directory: userAccountControl flags set and cleared on create and update, every other bit kept. */
	uacFlags?: UacFlags;
}

/** Values per OR-filter of a batched lookup: long enough to save round trips, short enough for any server's limits. */
const LOOKUP_CHUNK = 200;

const AD_BINARY_ATTRIBUTES = ['objectGUID', 'objectSid', 'msExchMailboxGuid'];

const findAttribute = (attributes: AttributeMap, name: string): unknown => {
	const key = Object.keys(attributes).find((k) => k.toLowerCase() === name);
	return key === undefined ? undefined : attributes[key];
};

export class LdapAccounts implements Accounts {
	readonly identityAttributes = ['uid', 'cn', 'mail', 'sAMAccountName', 'userPrincipalName'];
	private readonly moves: EntryMoves;

	constructor(
		private readonly connection: LdapConnection,
		private readonly writes: WriteLog,
		private readonly state: AccountState,
		private readonly options: LdapAccountOptions,
		private readonly references: DnReferences,
	) {
		this.moves = new EntryMoves(connection, writes, async (parent) => (await this.get(parent, [])) !== null);
	}

	private get uacFlags(): UacFlags | undefined {
		const flags = this.options.uacFlags;
		return flags && (flags.set || flags.clear) ? flags : undefined;
	}

	get derivedFrom(): string[] {
		return this.uacFlags ? ['userAccountControl'] : [];
	}

	/**
	 * The named userAccountControl flags on top of the mapped value, else the account's current one, else (a create)
	 * what a new account gets: 512, or 514 without a password.
	 */
	adjustDesired(desired: AttributeMap, current?: TargetEntry): AttributeMap {
		const flags = this.uacFlags;
		if (!flags) return desired;
		const key = Object.keys(desired).find((k) => k.toLowerCase() === 'useraccountcontrol') ?? 'userAccountControl';
		const mapped = desired[key];
		const now = current?.attributes.userAccountControl;
		const base =
			mapped !== undefined && mapped !== null && mapped !== ''
				? Number(mapped)
				: now !== undefined && now !== null
					? Number(now)
					: initialUserAccountControl(findAttribute(desired, 'unicodepwd') !== undefined);
		if (!Number.isInteger(base)) {
			throw new ProvisioningError('InvalidInput', `userAccountControl must be a whole number, not "${String(mapped ?? now)}"`, {
				field: 'userAccountControl',
			});
		}
		return { ...desired, [key]: String(applyUacFlags(base, flags)) };
	}

	caseInsensitiveValues(attribute: string): boolean {
		return attribute.toLowerCase() === 'objectclass';
	}

	/**
	 * The server's matching rules decide (caseIgnore with insignificant spaces, caseExact, integer, DN…), per schema:
	 * loose keys here, and a search of the server for values that share one without being the same.
	 */
	async matchKeys(attribute: string, values: ScalarValue[]): Promise<MatchKeys> {
		return {
			keys: values.map((v) => (v === '' ? undefined : looseLdapKey(ldapString(v)))),
			sure: values.map((v) => wire(ldapString(v))),
			exact: false,
		};
	}

	private requestAttributes(attributes: string[]): string[] {
		return unique([...attributes.filter((a) => a.toLowerCase() !== 'dn'), ...this.state.attributes]);
	}

	private get binaryAttributes(): string[] {
		return this.options.flavour === 'activeDirectory' ? AD_BINARY_ATTRIBUTES : [];
	}

	private searchOptions(filter: string, attributes: string[]) {
		return {
			scope: 'sub' as const,
			filter,
			attributes: this.requestAttributes(attributes),
			explicitBufferAttributes: this.binaryAttributes,
		};
	}

	toEntry(entry: LdapEntry, attributes: string[]): TargetEntry {
		const byLower = new Map<string, unknown>();
		// ldapts lists requested attributes the entry lacks as empty arrays: those are absent.
		for (const [k, v] of Object.entries(entry)) if (!(Array.isArray(v) && v.length === 0)) byLower.set(k.toLowerCase(), v);
		const values: AttributeMap = {};
		for (const name of attributes) {
			const lower = name.toLowerCase();
			if (lower === 'dn') values[name] = entry.dn;
			else if (byLower.has(lower)) values[name] = readableValue(lower, byLower.get(lower));
		}
		const active = this.state.isActive(entry.dn, byLower);
		return { id: entry.dn, attributes: values, active, ...(active === false ? { disabledAt: this.state.disabledAt(byLower) } : {}) };
	}

	async find(key: MatchKey, attributes: string[]): Promise<TargetEntry[]> {
		if (key.value === null || key.value === '') return [];
		if (key.attribute.toLowerCase() === 'dn') {
			const entry = await this.get(String(key.value), attributes);
			return entry ? [entry] : [];
		}
		const filter = `(&${this.options.objectFilter}${equalityFilter(key.attribute, key.value)})`;
		// Two hits are enough to know the key is ambiguous; the server stops there.
		const entries = await this.connection.search('search', this.options.searchBase, {
			...this.searchOptions(filter, attributes),
			sizeLimit: 2,
		});
		return entries.map((e) => this.toEntry(e, attributes));
	}

	/** Batched lookup: OR-filters of up to 200 escaped values, read with paged search. */
	async findMany(attribute: string, values: ScalarValue[], attributes: string[]): Promise<TargetEntry[]> {
		const distinct = unique(values.filter((v) => v !== null && v !== '').map(ldapString));
		if (attribute.toLowerCase() === 'dn') {
			const entries = await Promise.all(distinct.map((dn) => this.get(dn, attributes)));
			return entries.filter((e): e is TargetEntry => e !== null);
		}
		const out: TargetEntry[] = [];
		for (const chunk of chunks(distinct, LOOKUP_CHUNK)) {
			const filter = anyOfFilter(this.options.objectFilter, attribute, chunk);
			for await (const entry of this.search(filter, [...attributes, attribute])) out.push(entry);
		}
		return out;
	}

	async get(dn: string, attributes: string[]): Promise<TargetEntry | null> {
		assertValidDn(dn);
		const [entry] = await this.connection.search('read', dn, { ...this.searchOptions('(objectClass=*)', attributes), scope: 'base' }, true);
		return entry ? this.toEntry(entry, attributes) : null;
	}

	previewId(attributes: AttributeMap): string | null {
		const explicit = findAttribute(attributes, 'dn');
		if (typeof explicit === 'string') {
			assertValidDn(explicit);
			return explicit;
		}
		return placeNewEntry(this.options.dnTemplate ?? '', this.options.newEntryContainer, attributes);
	}

	/** The DN an entry should have: an always-applied "dn", or the DN template when it applies on updates too. */
	desiredId(attributes: AttributeMap, createOnly: AttributeMap): string | null {
		const always = findAttribute(attributes, 'dn');
		if (typeof always === 'string' && always !== '') {
			assertValidDn(always);
			return always;
		}
		if (findAttribute(createOnly, 'dn') !== undefined || !this.options.moveEntries) return null;
		return placeNewEntry(this.options.dnTemplate ?? '', this.options.newEntryContainer, { ...createOnly, ...attributes });
	}

	sameId(a: string, b: string): boolean {
		return normaliseDn(a) === normaliseDn(b);
	}

	async create(attributes: AttributeMap): Promise<TargetEntry> {
		const dn = this.previewId(attributes)!;
		const record: Record<string, LdapValue[]> = {};
		for (const [name, value] of Object.entries(attributes)) {
			if (name.toLowerCase() === 'dn') continue;
			const values = ldapValues(name, value, this.connection.secure);
			if (values.length) record[name] = values;
		}
		if (!Object.keys(record).some((k) => k.toLowerCase() === 'objectclass')) {
			throw new ProvisioningError(
				'MissingRequiredValue',
				'A new LDAP entry needs objectClass values (for example inetOrgPerson); map "objectClass"',
				{
					field: 'objectClass',
				},
			);
		}
		this.state.completeNewEntry(record);
		await this.connection.run('add', (client) => client.add(dn, record as Record<string, string[]>));
		this.writes.add('create', dn, redactedRecord(record));
		return { id: dn, attributes: {} };
	}

	/**
	 * A change of "dn" moves the entry (and renames it, in the same modify DN); otherwise a change of its RDN attribute
	 * (e.g. uid) renames it. The other changes follow in one modify, and references to the old DN follow the entry.
	 */
	async update(dn: string, changes: AttributeChange[]): Promise<string> {
		const [current, rest] = await this.moves.apply(dn, changes);
		if (current !== dn) await this.references.follow(dn, current);
		if (rest.length === 0) return current;
		const modifications = modifyChanges(rest, this.connection.secure);
		await this.connection.modify(current, modifications);
		this.writes.add('update', current, redactedChanges(modifications));
		return current;
	}

	setActive(dn: string, active: boolean, at?: Date): Promise<string> {
		return this.state.setActive(dn, active, at);
	}

	/**
	 * Active Directory only, and only over LDAPS or StartTLS: refused before anything is sent otherwise. A failure's
	 * message is scrubbed of the password and carries no cause (the request held it).
	 */
	async resetPassword(dn: string, password: string, mustChange: boolean): Promise<void> {
		if (this.options.flavour !== 'activeDirectory') {
			throw new ProvisioningError(
				'Configuration',
				"Reset Password is for Active Directory (unicodePwd); set the credential's directory flavour to Active Directory",
				{ field: 'operation' },
			);
		}
		const changes = passwordResetChanges(password, mustChange, this.connection.secure);
		try {
			await this.connection.modify(dn, changes);
		} catch (thrown) {
			const error = thrown instanceof ProvisioningError ? thrown : new ProvisioningError('TargetRejected', String(thrown));
			throw new ProvisioningError(error.code, scrubSecrets(error.message, [password]), {
				field: error.field ?? 'newPassword',
				targetStatus: error.targetStatus,
				transient: error.transient,
			});
		}
		this.writes.add('password', dn, redactedChanges(changes));
	}

	async delete(dn: string): Promise<void> {
		await this.connection.run('delete', async (client) => {
			try {
				await client.del(dn);
			} catch (error) {
				// Already gone counts as deleted: a rerun of a half-finished batch converges.
				if (!failedWith(error, NoSuchObjectError)) throw error;
			}
		});
		this.writes.add('delete', dn, null);
	}

	private search(filter: string, attributes: string[], pageSize = this.options.pageSize ?? 500): AsyncIterable<TargetEntry> {
		const entries = this.connection.searchPaged(
			`search under ${this.options.searchBase}`,
			this.options.searchBase,
			this.searchOptions(filter, attributes),
			pageSize,
		);
		const toEntry = (e: LdapEntry) => this.toEntry(e, attributes);
		return (async function* () {
			for await (const e of entries) yield toEntry(e);
		})();
	}

	listAll(options: ListOptions): AsyncIterable<TargetEntry> {
		return this.search(withinScope(this.options.objectFilter, options.filter), options.attributes, options.pageSize);
	}
}
