import { Attribute, Change, Client, FilterParser, InvalidCredentialsError, NoSuchObjectError, ResultCodeError, SizeLimitExceededError } from 'ldapts';
import type { AttributeMap, MatchKey, ScalarValue } from '../envelope';
import { ProvisioningError, toProvisioningError } from '../errors';
import { assertValidDn, rdnAttribute, renderDnTemplate } from '../ldap/dnTemplate';
import { escapeDnValue, escapeFilterValue, normaliseDn, splitDn } from '../ldap/escape';
import {
	BINARY_ATTRIBUTES,
	encodeUnicodePwd,
	initialUserAccountControl,
	isAccountDisabled,
	type LdapFlavour,
	withAccountDisabled,
} from '../ldap/flavours';
import { isSecretAttribute, REDACTED, scrubSecrets } from '../redact';
import { type GroupEntry, type GroupSpec, type GroupTarget, nextMemberRange } from './groups';
import { type AttributeChange, indexBy, type ListOptions, type Target, type TargetEntry, type WriteRecord } from './target';

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

/** How an OpenLDAP account is disabled: ppolicy lock, a chosen attribute and value, or a move to a disabled OU. */
export interface OpenLdapDisableMethod {
	type: 'ppolicy' | 'attribute' | 'move';
	attribute?: string;
	value?: string;
	/** For move: where disabled entries go, e.g. ou=Disabled,dc=example,dc=org. */
	disabledContainer?: string;
	/** For move: where re-enabled entries go back to, e.g. ou=People,dc=example,dc=org. */
	enabledContainer?: string;
}

export interface LdapTargetOptions {
	connection: LdapConnectionOptions;
	flavour: LdapFlavour;
	baseDn: string;
	/** Where accounts are searched; defaults to the base DN. */
	searchBase?: string;
	/** Limits matching and listing to account entries, e.g. (objectClass=inetOrgPerson). */
	objectFilter?: string;
	/** DN for new entries, e.g. uid={uid},ou=People,dc=example,dc=org. */
	dnTemplate?: string;
	pageSize?: number;
	openLdapDisable?: OpenLdapDisableMethod;
	groups?: LdapGroupOptions;
}

export type LdapGroupSchema = 'groupOfNames' | 'groupOfUniqueNames' | 'posixGroup' | 'activeDirectory';

export interface LdapGroupOptions {
	schema: LdapGroupSchema;
	/** Where groups are searched; defaults to the base DN. */
	searchBase?: string;
	/** DN of new groups, e.g. cn={displayName},ou=Groups,dc=example,dc=org. */
	dnTemplate?: string;
	/** Attribute holding the source's external id (none by default). */
	externalIdAttribute?: string;
	/** Member kept in groupOfNames/groupOfUniqueNames when they would be empty (their schema requires one); defaults to the group's own DN. */
	placeholderMember?: string;
}

const GROUP_SCHEMAS: Record<LdapGroupSchema, { objectClass: string; memberAttribute: string; requiresMember: boolean }> = {
	groupOfNames: { objectClass: 'groupOfNames', memberAttribute: 'member', requiresMember: true },
	groupOfUniqueNames: { objectClass: 'groupOfUniqueNames', memberAttribute: 'uniqueMember', requiresMember: true },
	posixGroup: { objectClass: 'posixGroup', memberAttribute: 'memberUid', requiresMember: false },
	activeDirectory: { objectClass: 'group', memberAttribute: 'member', requiresMember: false },
};

const PPOLICY_PERMANENT_LOCK = '000001010000Z';

type LdapEntry = Record<string, unknown> & { dn: string };

/** Provisioning into an LDAP directory (OpenLDAP, 389-DS, Active Directory) over one reused connection. */
export class LdapTarget implements Target, GroupTarget {
	readonly system = 'ldap' as const;
	readonly writes: WriteRecord[] = [];
	readonly identityAttributes = ['uid', 'cn', 'mail', 'sAMAccountName', 'userPrincipalName'];
	private client?: Promise<Client>;
	private readonly objectFilter: string;

	constructor(private readonly options: LdapTargetOptions) {
		if (!options.connection.urls.length) throw new ProvisioningError('Configuration', 'No LDAP server URL is set', { field: 'url' });
		for (const url of options.connection.urls) {
			if (!/^ldaps?:\/\/[^\s/]+\/?$/i.test(url)) {
				throw new ProvisioningError('Configuration', `"${url}" is not an LDAP URL; expected ldap://host:port or ldaps://host:port`, { field: 'url' });
			}
		}
		this.objectFilter = normaliseFilter(options.objectFilter ?? '(objectClass=*)');
	}

	get endpoint(): string {
		return this.options.connection.urls[0];
	}

	private get searchBase(): string {
		return this.options.searchBase || this.options.baseDn;
	}

	caseInsensitiveValues(attribute: string): boolean {
		return attribute.toLowerCase() === 'objectclass';
	}

	/** Account attributes used for matching (uid, mail, cn, sAMAccountName, employeeNumber…) are caseIgnore in the standard schemas. */
	caseInsensitiveMatch(): boolean {
		return true;
	}

	/** Batched lookup: OR-filters of up to 200 escaped values, read with paged search. */
	async findMany(attribute: string, values: ScalarValue[], attributes: string[]): Promise<TargetEntry[]> {
		const distinct = [...new Set(values.filter((v) => v !== null && v !== '').map(String))];
		if (attribute.toLowerCase() === 'dn') {
			const entries = await Promise.all(distinct.map((dn) => this.get(dn, attributes)));
			return entries.filter((e): e is TargetEntry => e !== null);
		}
		const name = safeAttributeName(attribute);
		const out: TargetEntry[] = [];
		for (let i = 0; i < distinct.length; i += 200) {
			const chunk = distinct.slice(i, i + 200);
			const filter = `(&${this.objectFilter}(|${chunk.map((v) => `(${name}=${escapeFilterValue(v)})`).join('')}))`;
			for await (const entry of this.listAll({ attributes: [...attributes, attribute], rawFilter: filter })) out.push(entry);
		}
		return out;
	}

	private get secure(): boolean {
		const { urls, startTls } = this.options.connection;
		return !!startTls || urls.every((u) => u.toLowerCase().startsWith('ldaps://'));
	}

	private scrub(text: string): string {
		return scrubSecrets(text, [this.options.connection.bindPassword]);
	}

	/** Connects and binds once; every operation of the execution shares this connection. */
	private connection(): Promise<Client> {
		this.client ??= this.connect().catch((error) => {
			// A refused bind is final for this execution: retrying per item could lock the service account out.
			if (!(error instanceof ProvisioningError && error.code === 'AuthenticationFailed')) this.client = undefined;
			throw error;
		});
		return this.client;
	}

	private async connect(): Promise<Client> {
		const c = this.options.connection;
		const tlsOptions = {
			rejectUnauthorized: !c.allowSelfSigned,
			...(c.caCertificate ? { ca: [c.caCertificate] } : {}),
		};
		const failures: string[] = [];
		for (const url of c.urls) {
			const client = new Client({
				url,
				timeout: c.timeoutMs ?? 30000,
				connectTimeout: c.connectTimeoutMs ?? 10000,
				// ldapts speaks TLS from the first byte whenever tlsOptions is set, so only ldaps:// gets them.
				...(url.toLowerCase().startsWith('ldaps://') ? { tlsOptions } : {}),
				strictDN: false,
			});
			try {
				if (c.startTls && url.toLowerCase().startsWith('ldap://')) await client.startTLS(tlsOptions);
				await client.bind(c.bindDn, c.bindPassword);
				return client;
			} catch (error) {
				await client.unbind().catch(() => undefined);
				if (error instanceof InvalidCredentialsError) {
					throw new ProvisioningError('AuthenticationFailed', `${url} refused the bind: invalid bind DN or password for "${c.bindDn}"`, { targetStatus: 49, field: 'bindPassword' });
				}
				if (error instanceof ResultCodeError) {
					throw new ProvisioningError('AuthenticationFailed', `${url} refused the bind: ${this.scrub(error.message)}`, { targetStatus: error.code, field: 'bindDn' });
				}
				failures.push(`${url}: ${this.scrub((error as Error).message)}`);
			}
		}
		throw new ProvisioningError('TargetUnavailable', `No LDAP server answered (${failures.join('; ')})`, { transient: true });
	}

	/** Runs an operation; a dropped connection is reopened on the next call, and errors are made readable. */
	private async run<T>(what: string, operation: (client: Client) => Promise<T>): Promise<T> {
		const client = await this.connection();
		try {
			return await operation(client);
		} catch (error) {
			if (error instanceof ProvisioningError) throw error;
			if (error instanceof ResultCodeError) {
				const code = error.code === 68 ? 'Uniqueness' : error.code === 32 ? 'NotFound' : error.code === 51 || error.code === 52 ? 'TargetUnavailable' : 'TargetRejected';
				throw new ProvisioningError(code, `LDAP ${what} failed: ${this.scrub(error.message)} (result code ${error.code})`, {
					targetStatus: error.code,
					transient: code === 'TargetUnavailable',
				});
			}
			// Not an LDAP result: the connection itself failed. Reconnect next time.
			this.dropConnection();
			throw new ProvisioningError('TargetUnavailable', `LDAP ${what} failed: ${this.scrub((error as Error).message)}`, { transient: true });
		}
	}

	private dropConnection(): void {
		const stale = this.client;
		this.client = undefined;
		stale?.then((c) => c.unbind()).catch(() => undefined);
	}

	private toEntry(entry: LdapEntry, attributes: string[]): TargetEntry {
		const byLower = new Map<string, unknown>();
		// ldapts lists requested attributes the entry lacks as empty arrays: those are absent.
		for (const [k, v] of Object.entries(entry)) if (!(Array.isArray(v) && v.length === 0)) byLower.set(k.toLowerCase(), v);
		const values: AttributeMap = {};
		for (const name of attributes) {
			const lower = name.toLowerCase();
			if (lower === 'dn') {
				values[name] = entry.dn;
				continue;
			}
			const raw = byLower.get(lower);
			if (raw === undefined) continue;
			values[name] = readableValue(lower, raw);
		}
		return { id: entry.dn, attributes: values, active: this.isActive(entry.dn, byLower) };
	}

	private isActive(dn: string, byLower: Map<string, unknown>): boolean | undefined {
		const { flavour, openLdapDisable } = this.options;
		if (openLdapDisable?.type === 'move' && flavour === 'openldap') {
			return !normaliseDn(dn).endsWith(`,${normaliseDn(openLdapDisable.disabledContainer ?? '')}`);
		}
		if (flavour === 'activeDirectory') {
			const uac = byLower.get('useraccountcontrol');
			return uac === undefined ? undefined : !isAccountDisabled(Number(uac));
		}
		if (flavour === '389ds') return String(byLower.get('nsaccountlock') ?? 'false').toLowerCase() !== 'true';
		if (openLdapDisable?.type === 'attribute') {
			const value = byLower.get(openLdapDisable.attribute!.toLowerCase());
			const values = (Array.isArray(value) ? value : [value]).map(String);
			return !values.includes(openLdapDisable.value!);
		}
		return byLower.get('pwdaccountlockedtime') === undefined;
	}

	private requestAttributes(attributes: string[]): string[] {
		const wanted = new Set(attributes.filter((a) => a.toLowerCase() !== 'dn'));
		if (this.options.flavour === 'activeDirectory') wanted.add('userAccountControl');
		if (this.options.flavour === '389ds') wanted.add('nsAccountLock');
		if (this.options.flavour === 'openldap' && (this.options.openLdapDisable?.type ?? 'ppolicy') === 'ppolicy') wanted.add('pwdAccountLockedTime');
		if (this.options.openLdapDisable?.attribute) wanted.add(this.options.openLdapDisable.attribute);
		return [...wanted];
	}

	private binaryAttributes(): string[] {
		return this.options.flavour === 'activeDirectory' ? ['objectGUID', 'objectSid', 'msExchMailboxGuid'] : [];
	}

	async find(key: MatchKey, attributes: string[]): Promise<TargetEntry[]> {
		if (key.value === null || key.value === '') return [];
		if (key.attribute.toLowerCase() === 'dn') {
			const entry = await this.get(String(key.value), attributes);
			return entry ? [entry] : [];
		}
		const filter = `(&${this.objectFilter}(${safeAttributeName(key.attribute)}=${escapeFilterValue(key.value)}))`;
		return this.run('search', async (client) => {
			try {
				const { searchEntries } = await client.search(this.searchBase, {
					scope: 'sub',
					filter,
					attributes: this.requestAttributes(attributes),
					sizeLimit: 2,
					explicitBufferAttributes: this.binaryAttributes(),
				});
				return searchEntries.map((e) => this.toEntry(e as LdapEntry, attributes));
			} catch (error) {
				// More than two hits: enough to know the key is ambiguous.
				if (error instanceof SizeLimitExceededError) return [{ id: '?', attributes: {} }, { id: '?', attributes: {} }];
				throw error;
			}
		});
	}

	async get(dn: string, attributes: string[]): Promise<TargetEntry | null> {
		assertValidDn(dn);
		return this.run('read', async (client) => {
			try {
				const { searchEntries } = await client.search(dn, {
					scope: 'base',
					filter: '(objectClass=*)',
					attributes: this.requestAttributes(attributes),
					explicitBufferAttributes: this.binaryAttributes(),
				});
				return searchEntries.length ? this.toEntry(searchEntries[0] as LdapEntry, attributes) : null;
			} catch (error) {
				if (error instanceof NoSuchObjectError) return null;
				throw error;
			}
		});
	}

	previewId(attributes: AttributeMap): string | null {
		const explicit = findAttribute(attributes, 'dn');
		if (typeof explicit === 'string') {
			assertValidDn(explicit);
			return explicit;
		}
		return renderDnTemplate(this.options.dnTemplate ?? '', attributes);
	}

	/** Attribute values as LDAP wants them: strings, with AD passwords encoded, booleans as TRUE/FALSE. */
	private ldapValues(name: string, value: unknown): Array<string | Buffer> {
		const list = Array.isArray(value) ? value : [value];
		return list
			.filter((v) => v !== null && v !== undefined && v !== '')
			.map((v) => {
				if (typeof v === 'object') {
					throw new ProvisioningError('InvalidInput', `LDAP attribute "${name}" got an object; map it to a string value`, { field: name });
				}
				if (name.toLowerCase() === 'unicodepwd') {
					if (!this.secure) {
						throw new ProvisioningError('Configuration', 'Active Directory accepts unicodePwd only over LDAPS or StartTLS; use an ldaps:// URL or turn on StartTLS', { field: 'unicodePwd' });
					}
					return encodeUnicodePwd(String(v));
				}
				if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
				return String(v);
			});
	}

	private redactedChanges(changes: Change[]): unknown {
		return changes.map((c) => ({
			operation: c.operation,
			type: c.modification.type,
			values: isSecretAttribute(c.modification.type) ? [REDACTED] : c.modification.values.map(String),
		}));
	}

	async create(attributes: AttributeMap): Promise<TargetEntry> {
		const dn = this.previewId(attributes)!;
		const record: Record<string, Array<string | Buffer>> = {};
		for (const [name, value] of Object.entries(attributes)) {
			if (name.toLowerCase() === 'dn') continue;
			const values = this.ldapValues(name, value);
			if (values.length) record[name] = values;
		}
		if (!Object.keys(record).some((k) => k.toLowerCase() === 'objectclass')) {
			throw new ProvisioningError('MissingRequiredValue', 'A new LDAP entry needs objectClass values (for example inetOrgPerson); map "objectClass"', { field: 'objectClass' });
		}
		if (this.options.flavour === 'activeDirectory' && !Object.keys(record).some((k) => k.toLowerCase() === 'useraccountcontrol')) {
			const hasPassword = Object.keys(record).some((k) => k.toLowerCase() === 'unicodepwd');
			record.userAccountControl = [String(initialUserAccountControl(hasPassword))];
		}
		const attrs = Object.entries(record).map(([type, values]) => new Attribute({ type, values: values as string[] | Buffer[] }));
		await this.run('add', (client) => client.add(dn, attrs));
		this.writes.push({
			operation: 'create',
			targetId: dn,
			body: Object.fromEntries(Object.entries(record).map(([k, v]) => [k, isSecretAttribute(k) ? [REDACTED] : v.map(String)])),
		});
		return { id: dn, attributes: {} };
	}

	/** A minimal modify: replace single values, add and delete only the multi-values that changed. */
	modifyChanges(changes: AttributeChange[]): Change[] {
		const out: Change[] = [];
		const make = (operation: 'add' | 'delete' | 'replace', type: string, values: Array<string | Buffer>) =>
			new Change({ operation, modification: new Attribute({ type, values: values as string[] }) });
		for (const change of changes) {
			const name = change.attribute;
			if (name.toLowerCase() === 'dn') {
				throw new ProvisioningError('InvalidInput', 'The DN cannot be changed by an update; mark "dn" as create-only', { field: 'dn' });
			}
			if (change.added || change.removed) {
				const remaining = this.ldapValues(name, change.newValue);
				if (remaining.length === 0) {
					out.push(make('delete', name, []));
					continue;
				}
				if (change.removed?.length) out.push(make('delete', name, this.ldapValues(name, change.removed)));
				if (change.added?.length) out.push(make('add', name, this.ldapValues(name, change.added)));
			} else if (change.newValue === undefined || change.newValue === null) {
				out.push(make('delete', name, []));
			} else {
				out.push(make('replace', name, this.ldapValues(name, change.newValue)));
			}
		}
		return out;
	}

	/** Renames the entry when its RDN attribute changes (so the DN follows, e.g. uid), then modifies the rest. */
	async update(dn: string, changes: AttributeChange[]): Promise<string> {
		const [rdn, ...parent] = splitDn(dn);
		const rdnName = rdnAttribute(dn);
		const rename = changes.find(
			(c) => c.attribute.toLowerCase() === rdnName.toLowerCase() && !c.added && !c.removed && (typeof c.newValue === 'string' || typeof c.newValue === 'number'),
		);
		let current = dn;
		if (rename) {
			const newRdn = `${rdnName}=${escapeDnValue(rename.newValue as string | number)}`;
			// Only the new RDN is passed: ldapts splits a full new DN with a regex that misreads "\\," (see README, known library issues).
			await this.run('rename', (client) => client.modifyDN(dn, newRdn));
			current = [newRdn, ...parent].join(',');
			this.writes.push({ operation: 'rename', targetId: current, body: { from: dn, oldRdn: rdn, newRdn } });
		}
		const rest = changes.filter((c) => c !== rename);
		if (rest.length === 0) return current;
		const modifications = this.modifyChanges(rest);
		await this.run('modify', (client) => client.modify(current, modifications));
		this.writes.push({ operation: 'update', targetId: current, body: this.redactedChanges(modifications) });
		return current;
	}

	/** Disables or enables per flavour: AD's ACCOUNTDISABLE bit, 389-DS nsAccountLock, OpenLDAP ppolicy or an attribute. */
	async setActive(dn: string, active: boolean): Promise<string> {
		let modifications: Change[];
		const method = this.options.openLdapDisable ?? { type: 'ppolicy' };
		if (this.options.flavour === 'openldap' && method.type === 'move') return this.moveTo(dn, active ? method.enabledContainer : method.disabledContainer, active);
		if (this.options.flavour === 'activeDirectory') {
			const entry = await this.get(dn, ['userAccountControl']);
			if (!entry) throw new ProvisioningError('NotFound', `${dn} does not exist`, { targetStatus: 32 });
			const uac = withAccountDisabled(Number(entry.attributes.userAccountControl ?? 512), !active);
			modifications = [new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(uac)] }) })];
		} else if (this.options.flavour === '389ds') {
			modifications = [new Change({ operation: 'replace', modification: new Attribute({ type: 'nsAccountLock', values: active ? [] : ['TRUE'] }) })];
		} else {
			const type = method.type === 'ppolicy' ? 'pwdAccountLockedTime' : method.attribute!;
			const value = method.type === 'ppolicy' ? PPOLICY_PERMANENT_LOCK : method.value!;
			modifications = [new Change({ operation: 'replace', modification: new Attribute({ type, values: active ? [] : [value] }) })];
		}
		await this.run(active ? 'enable' : 'disable', (client) => client.modify(dn, modifications));
		this.writes.push({ operation: active ? 'enable' : 'disable', targetId: dn, body: this.redactedChanges(modifications) });
		return dn;
	}

	/** Moves the entry under another container, keeping its RDN (disable by moving to a "disabled" OU). */
	private async moveTo(dn: string, container: string | undefined, active: boolean): Promise<string> {
		if (!container) {
			throw new ProvisioningError('Configuration', `Moving to ${active ? 'enable' : 'disable'} needs the ${active ? 'enabled' : 'disabled'} container DN`, {
				field: active ? 'enabledContainer' : 'disabledContainer',
			});
		}
		assertValidDn(container);
		const [rdn] = splitDn(dn);
		// Hex-escape backslashes: ldapts finds the RDN/superior split with a regex that misreads "\\,".
		const newDn = `${rdn.replace(/\\\\/g, '\\5c')},${container}`;
		await this.run(active ? 'enable' : 'disable', (client) => client.modifyDN(dn, newDn));
		const moved = `${rdn},${container}`;
		this.writes.push({ operation: active ? 'enable' : 'disable', targetId: moved, body: { from: dn, to: moved } });
		return moved;
	}

	/** Removes the DN (member, uniqueMember) and its uid (memberUid) from every group under the base DN. */
	async removeFromAllGroups(dn: string): Promise<string[]> {
		const entry = await this.get(dn, ['uid']);
		if (!entry) throw new ProvisioningError('NotFound', `${dn} does not exist`, { targetStatus: 32 });
		const uid = typeof entry.attributes.uid === 'string' ? entry.attributes.uid : undefined;
		const filter = `(|(member=${escapeFilterValue(dn)})(uniqueMember=${escapeFilterValue(dn)})${uid ? `(memberUid=${escapeFilterValue(uid)})` : ''})`;
		const groups = await this.run('group search', async (client) =>
			(await client.search(this.options.baseDn, { scope: 'sub', filter, attributes: ['member', 'uniqueMember', 'memberUid'] })).searchEntries,
		);
		const target = normaliseDn(dn);
		const removed: string[] = [];
		for (const group of groups) {
			const changes: Change[] = [];
			for (const type of ['member', 'uniqueMember']) {
				const values = ([] as unknown[]).concat(group[type] ?? []).map(String).filter((v) => normaliseDn(v) === target);
				if (values.length) changes.push(new Change({ operation: 'delete', modification: new Attribute({ type, values }) }));
			}
			if (uid && ([] as unknown[]).concat(group.memberUid ?? []).map(String).includes(uid)) {
				changes.push(new Change({ operation: 'delete', modification: new Attribute({ type: 'memberUid', values: [uid] }) }));
			}
			if (!changes.length) continue;
			await this.run('group modify', (client) => client.modify(group.dn, changes));
			this.writes.push({ operation: 'update', targetId: group.dn, body: this.redactedChanges(changes) });
			removed.push(group.dn);
		}
		return removed;
	}

	async delete(dn: string): Promise<void> {
		await this.run('delete', async (client) => {
			try {
				await client.del(dn);
			} catch (error) {
				if (!(error instanceof NoSuchObjectError)) throw error;
			}
		});
		this.writes.push({ operation: 'delete', targetId: dn, body: null });
	}

	async *listAll(options: ListOptions & { rawFilter?: string }): AsyncIterable<TargetEntry> {
		const filter = options.rawFilter ?? (options.filter ? `(&${this.objectFilter}${normaliseFilter(options.filter)})` : this.objectFilter);
		const client = await this.connection().catch((error) => {
			throw toProvisioningError(error);
		});
		const pages = client.searchPaginated(this.searchBase, {
			scope: 'sub',
			filter,
			attributes: this.requestAttributes(options.attributes),
			paged: { pageSize: options.pageSize ?? this.options.pageSize ?? 500 },
			explicitBufferAttributes: this.binaryAttributes(),
		});
		try {
			for await (const page of pages) {
				for (const e of page.searchEntries) yield this.toEntry(e as LdapEntry, options.attributes);
			}
		} catch (error) {
			if (error instanceof ResultCodeError) {
				throw new ProvisioningError('TargetRejected', `LDAP search under ${this.searchBase} failed: ${this.scrub(error.message)} (result code ${error.code})`, { targetStatus: error.code });
			}
			this.dropConnection();
			throw new ProvisioningError('TargetUnavailable', `LDAP search under ${this.searchBase} failed: ${this.scrub((error as Error).message)}`, { transient: true });
		}
	}

	// ---- Groups (GroupTarget) ----

	private get groupOptions(): LdapGroupOptions & (typeof GROUP_SCHEMAS)[LdapGroupSchema] {
		const groups = this.options.groups ?? { schema: 'groupOfNames' as const };
		const schema = GROUP_SCHEMAS[groups.schema];
		if (!schema) throw new ProvisioningError('Configuration', `Unknown group schema "${String(groups.schema)}"; use ${Object.keys(GROUP_SCHEMAS).join(', ')}`, { field: 'groupSchema' });
		return { ...groups, ...schema };
	}

	get memberKind(): 'dn' | 'uid' {
		return this.options.groups?.schema === 'posixGroup' ? 'uid' : 'dn';
	}

	get supportsNesting(): boolean {
		return this.options.groups?.schema !== 'posixGroup';
	}

	memberKey(ref: string): string {
		return this.memberKind === 'dn' ? normaliseDn(ref) : ref.toLowerCase();
	}

	/** Groups whose member list held only the placeholder when read or created (this execution). */
	private readonly placeholderGroups = new Set<string>();

	private placeholderFor(groupDn: string): string {
		return this.groupOptions.placeholderMember || groupDn;
	}

	private toGroup(entry: Record<string, unknown> & { dn: string }, members: string[]): GroupEntry {
		const ext = this.groupOptions.externalIdAttribute;
		const cn = ([] as unknown[]).concat(entry.cn ?? [])[0];
		const placeholder = this.memberKey(this.placeholderFor(entry.dn));
		const real = members.filter((m) => this.memberKind === 'uid' || this.memberKey(m) !== placeholder);
		if (real.length < members.length) this.placeholderGroups.add(entry.dn);
		return {
			id: entry.dn,
			displayName: cn === undefined ? '' : String(cn),
			externalId: ext && entry[ext] !== undefined ? String(([] as unknown[]).concat(entry[ext])[0]) : undefined,
			members: real,
		};
	}

	async findGroups(by: 'externalId' | 'displayName', values: string[]): Promise<GroupEntry[]> {
		const g = this.groupOptions;
		const attribute = by === 'displayName' ? 'cn' : g.externalIdAttribute;
		if (!attribute) return [];
		const distinct = [...new Set(values.filter(Boolean))];
		const out: GroupEntry[] = [];
		for (let i = 0; i < distinct.length; i += 200) {
			const filter = `(&(objectClass=${g.objectClass})(|${distinct.slice(i, i + 200).map((v) => `(${safeAttributeName(attribute)}=${escapeFilterValue(v)})`).join('')}))`;
			const entries = await this.run('group search', async (client) =>
				(await client.search(g.searchBase || this.options.baseDn, { scope: 'sub', filter, attributes: ['cn', ...(g.externalIdAttribute ? [g.externalIdAttribute] : [])], paged: { pageSize: 500 } })).searchEntries,
			);
			for (const e of entries) out.push(this.toGroup(e as LdapEntry, []));
		}
		return out;
	}

	/** Reads a group with every member, following AD's ranged retrieval (member;range=0-1499, …). */
	async readGroup(dn: string): Promise<GroupEntry | null> {
		const g = this.groupOptions;
		const attributes = ['cn', g.memberAttribute, ...(g.externalIdAttribute ? [g.externalIdAttribute] : [])];
		const readOnce = async (attrs: string[]) =>
			this.run('group read', async (client) => {
				try {
					return (await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: attrs })).searchEntries[0] as LdapEntry | undefined;
				} catch (error) {
					if (error instanceof NoSuchObjectError) return undefined;
					throw error;
				}
			});
		const entry = await readOnce(attributes);
		if (!entry) return null;
		const members: string[] = [];
		const collect = (e: Record<string, unknown>, name: string) => members.push(...([] as unknown[]).concat(e[name] ?? []).map(String));
		collect(entry, Object.keys(entry).find((k) => k.toLowerCase() === g.memberAttribute.toLowerCase()) ?? g.memberAttribute);
		let range = nextMemberRange(Object.keys(entry), g.memberAttribute);
		let current: Record<string, unknown> = entry;
		while (range) {
			collect(current, range.received);
			if (!range.next) break;
			const more = await readOnce([range.next]);
			if (!more) break;
			current = more;
			range = nextMemberRange(Object.keys(more), g.memberAttribute);
		}
		return this.toGroup(entry, members);
	}

	async createGroup(spec: GroupSpec, initialMembers: string[]): Promise<GroupEntry> {
		const g = this.groupOptions;
		const dn = renderDnTemplate(g.dnTemplate ?? '', { displayName: spec.displayName, cn: spec.displayName, ...(spec.extra ?? {}) });
		const record: Record<string, string[]> = { objectClass: g.schema === 'activeDirectory' ? ['top', 'group'] : ['top', g.objectClass], cn: [spec.displayName] };
		if (spec.externalId && g.externalIdAttribute) record[g.externalIdAttribute] = [spec.externalId];
		for (const [k, v] of Object.entries(spec.extra ?? {})) if (v !== undefined && v !== '') record[k] = [String(v)];
		if (g.schema === 'posixGroup' && !record.gidNumber) {
			throw new ProvisioningError('MissingRequiredValue', `A posixGroup needs a gidNumber; "${spec.displayName}" has none`, { field: 'gidNumber' });
		}
		if (g.schema === 'activeDirectory') {
			record.groupType ??= ['-2147483646'];
			record.sAMAccountName ??= [spec.displayName];
		}
		if (initialMembers.length) record[g.memberAttribute] = initialMembers;
		else if (g.requiresMember) record[g.memberAttribute] = [this.placeholderFor(dn)];
		await this.run('group add', (client) => client.add(dn, record));
		this.writes.push({ operation: 'create', targetId: dn, body: record });
		if (!initialMembers.length && g.requiresMember) this.placeholderGroups.add(dn);
		return { id: dn, displayName: spec.displayName, externalId: spec.externalId, members: [...initialMembers] };
	}

	async renameGroup(dn: string, displayName: string): Promise<string> {
		const rdnName = rdnAttribute(dn);
		const [, ...parent] = splitDn(dn);
		const newRdn = `${rdnName}=${escapeDnValue(displayName)}`;
		await this.run('group rename', (client) => client.modifyDN(dn, newRdn));
		const renamed = [newRdn, ...parent].join(',');
		if (rdnName.toLowerCase() !== 'cn') {
			await this.run('group modify', (client) => client.modify(renamed, [new Change({ operation: 'replace', modification: new Attribute({ type: 'cn', values: [displayName] }) })]));
		}
		this.writes.push({ operation: 'rename', targetId: renamed, body: { from: dn, newRdn } });
		if (this.placeholderGroups.delete(dn)) this.placeholderGroups.add(renamed);
		return renamed;
	}

	async addMembers(dn: string, members: string[]): Promise<void> {
		const g = this.groupOptions;
		const changes = [new Change({ operation: 'add', modification: new Attribute({ type: g.memberAttribute, values: members }) })];
		if (this.placeholderGroups.has(dn)) {
			changes.push(new Change({ operation: 'delete', modification: new Attribute({ type: g.memberAttribute, values: [this.placeholderFor(dn)] }) }));
		}
		await this.run('group modify', (client) => client.modify(dn, changes));
		this.placeholderGroups.delete(dn);
		this.writes.push({ operation: 'update', targetId: dn, body: this.redactedChanges(changes) });
	}

	/** When the group would be left empty and its schema requires a member, the placeholder goes in the same modify. */
	async removeMembers(dn: string, members: string[], remaining: number): Promise<void> {
		const g = this.groupOptions;
		const changes: Change[] = [];
		if (remaining === 0 && g.requiresMember && !this.placeholderGroups.has(dn)) {
			changes.push(new Change({ operation: 'add', modification: new Attribute({ type: g.memberAttribute, values: [this.placeholderFor(dn)] }) }));
		}
		changes.push(new Change({ operation: 'delete', modification: new Attribute({ type: g.memberAttribute, values: members }) }));
		await this.run('group modify', (client) => client.modify(dn, changes));
		if (remaining === 0 && g.requiresMember) this.placeholderGroups.add(dn);
		this.writes.push({ operation: 'update', targetId: dn, body: this.redactedChanges(changes) });
	}

	/** Users by identifier, batched; the reference is the DN, or the uid for posixGroup. */
	async resolveUsers(attribute: string, values: string[]): Promise<Map<string, string[]>> {
		const wantUid = this.memberKind === 'uid';
		const entries = await this.findMany(attribute, values, wantUid ? ['uid'] : []);
		const byIdentifier = indexBy(entries, attribute, true);
		if (!wantUid) return byIdentifier;
		const uidOf = new Map(entries.map((e) => [e.id, String(([] as unknown[]).concat(e.attributes.uid ?? [])[0] ?? '')]));
		return new Map([...byIdentifier].map(([k, dns]) => [k, dns.map((dn) => uidOf.get(dn) ?? '').filter(Boolean)]));
	}

	groupMemberRef(group: GroupEntry): string {
		return group.id;
	}

	async close(): Promise<void> {
		const pending = this.client;
		this.client = undefined;
		if (pending) await pending.then((c) => c.unbind()).catch(() => undefined);
	}
}

function findAttribute(attributes: AttributeMap, name: string): unknown {
	const key = Object.keys(attributes).find((k) => k.toLowerCase() === name);
	return key === undefined ? undefined : attributes[key];
}

/** Attribute descriptions are letters, digits, hyphens and options; anything else could alter a filter. */
function safeAttributeName(name: string): string {
	if (!/^[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*$|^\d+(\.\d+)+$/.test(name)) {
		throw new ProvisioningError('InvalidInput', `"${name}" is not a valid LDAP attribute name`, { field: name });
	}
	return name;
}

/** Wraps a bare filter in parentheses and rejects malformed ones, which ldapts would otherwise read leniently. */
function normaliseFilter(filter: string): string {
	const trimmed = filter.trim();
	const wrapped = trimmed.startsWith('(') ? trimmed : `(${trimmed})`;
	let depth = 0;
	for (const ch of wrapped.replace(/\\./g, '')) {
		depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
		if (depth < 0) break;
	}
	let parsed = depth === 0;
	if (parsed) {
		try {
			parsed = FilterParser.parseString(wrapped).toString().length > 0;
		} catch {
			parsed = false;
		}
	}
	if (!parsed) throw new ProvisioningError('Configuration', `"${filter}" is not a valid LDAP filter (RFC 4515)`, { field: 'filter' });
	return wrapped;
}

function readableValue(lowerName: string, raw: unknown): AttributeMap[string] {
	const convert = (v: unknown): ScalarValue => {
		if (Buffer.isBuffer(v)) return (BINARY_ATTRIBUTES[lowerName] ?? ((b: Buffer) => b.toString('base64')))(v);
		return String(v);
	};
	if (Array.isArray(raw)) return raw.length === 1 ? convert(raw[0]) : raw.map(convert);
	return convert(raw);
}
