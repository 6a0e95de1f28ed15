/** An LDAP directory (OpenLDAP, 389-DS, Active Directory) as a target: accounts and groups over one connection. */
import { assertPlacement, defaultRdnTemplate } from '../../ldap/dnTemplate';
import { normaliseFilter } from '../../ldap/filters';
import type { LdapFlavour, UacFlags } from '../../ldap/flavours';
import { ProvisioningError } from '../../errors';
import { type Target, WriteLog } from '../target';
import { accountStateFor, type OpenLdapDisableMethod } from './accountState';
import { LdapConnection, type LdapConnectionOptions } from './connection';
import { DnReferences } from './dnReferences';
import { LdapAccounts } from './ldapAccounts';
import { type LdapGroupOptions, LdapGroups } from './ldapGroups';

export type { LdapConnectionOptions } from './connection';
export type { OpenLdapDisableMethod } from './accountState';
export type { LdapGroupOptions, LdapGroupSchema } from './ldapGroups';

export interface LdapTargetOptions {
	connection: LdapConnectionOptions;
	flavour: LdapFlavour;
	baseDn: string;
	/** Where accounts are searched; defaults to the base DN. */
	searchBase?: string;
	/** Limits matching and listing to account entries, e.g. (objectClass=inetOrgPerson). */
	objectFilter?: string;
	/** DN for new entries, e.g. uid={uid},ou=People,dc=example,dc=org; with a container, uid={uid}. */
	dnTemplate?: string;
	/** The DN new entries are placed in (an OU picked in the editor); the DN template then names the part before it. */
	newEntryContainer?: string;
	/** The DN template applies on updates too: entries move (and rename) when it gives another DN. */
	moveEntries?: boolean;
	/**
	 * Who makes group memberships and manager DNs follow a moved or renamed entry: `server` (Active Directory, or
	 * OpenLDAP's refint / 389-DS's referential integrity plugin), `rewrite` (this package), or `auto` (the default:
	 * the server for Active Directory, this package otherwise).
	 */
	dnReferences?: 'auto' | 'rewrite' | 'server';
	pageSize?: number;
	/** Active Directory: new accounts must change their password at next logon (pwdLastSet 0). */
	mustChangePassword?: boolean;
	openLdapDisable?: OpenLdapDisableMethod;
	/**
	 * Where a disable records its time, for delayed deletion: an attribute stamped with the time (GeneralizedTime) and
	 * cleared on enable. Default: pwdEndTime for OpenLDAP's password-policy lock, otherwise modifyTimestamp (read only).
	 */
	disabledTimeAttribute?: string;
	/** Active Directory: userAccountControl flags Provision User sets and clears, keeping every other bit. */
	uacFlags?: UacFlags;
	groups?: LdapGroupOptions;
}

export class LdapTarget implements Target {
	readonly system = 'ldap' as const;
	readonly users: LdapAccounts;
	readonly groups: LdapGroups;
	private readonly connection: LdapConnection;
	private readonly log = new WriteLog();

	constructor(options: LdapTargetOptions) {
		if (options.uacFlags && (options.uacFlags.set || options.uacFlags.clear) && options.flavour !== 'activeDirectory') {
			throw new ProvisioningError('Configuration', 'Account control flags are for Active Directory (userAccountControl)', {
				field: 'accountControl',
			});
		}
		const container = options.newEntryContainer?.trim() || undefined;
		const dnTemplate = options.dnTemplate || (container ? defaultRdnTemplate(options.flavour) : undefined);
		assertPlacement(dnTemplate ?? '', container, options.baseDn);
		this.connection = new LdapConnection(options.connection);
		const mode = options.dnReferences ?? 'auto';
		const references = new DnReferences(
			this.connection,
			this.log,
			options.baseDn,
			mode === 'auto' ? (options.flavour === 'activeDirectory' ? 'server' : 'rewrite') : mode,
		);
		const state = accountStateFor(
			options.flavour,
			options.openLdapDisable,
			this.connection,
			this.log,
			references,
			options.mustChangePassword,
			options.disabledTimeAttribute,
		);
		this.users = new LdapAccounts(
			this.connection,
			this.log,
			state,
			{
				flavour: options.flavour,
				searchBase: options.searchBase || options.baseDn,
				objectFilter: normaliseFilter(options.objectFilter || '(objectClass=*)', 'objectFilter'),
				dnTemplate,
				newEntryContainer: container,
				moveEntries: options.moveEntries,
				pageSize: options.pageSize,
				uacFlags: options.uacFlags,
			},
			references,
		);
		this.groups = new LdapGroups(this.connection, this.log, options.baseDn, options.groups);
	}

	get endpoint(): string {
		return this.connection.url;
	}

	get writes() {
		return this.log.records;
	}

	close(): Promise<void> {
		return this.connection.close();
	}
}
