/**
 * How a directory flavour says "this account is disabled", one strategy each: OpenLDAP's password-policy lock,
 * a chosen attribute and value, or a move to a "disabled" OU; Active Directory's ACCOUNTDISABLE bit in
 * userAccountControl; 389-DS's nsAccountLock.
 */
import { ProvisioningError } from '../../errors';
import { assertValidDn } from '../../ldap/dnTemplate';
import { normaliseDn, splitDn } from '../../ldap/escape';
import { initialUserAccountControl, isAccountDisabled, type LdapFlavour, withAccountDisabled } from '../../ldap/flavours';
import { redactedChanges, replaceValues, type LdapValue } from '../../ldap/values';
import { asList } from '../../util';
import type { WriteLog } from '../target';
import type { LdapConnection } from './connection';
import type { DnReferences } from './dnReferences';

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

/** Attribute values of an entry by lower-cased name. */
export type EntryValues = Map<string, unknown>;

export interface AccountState {
	/** Attributes to read so that `isActive` can tell. */
	readonly attributes: string[];
	isActive(dn: string, values: EntryValues): boolean | undefined;
	/** Enables or disables; returns the DN afterwards. */
	setActive(dn: string, active: boolean): Promise<string>;
	/** Completes a new entry (AD enables an account only when it gets a password). */
	completeNewEntry(record: Record<string, LdapValue[]>): void;
}

const hasAttribute = (record: Record<string, unknown>, name: string) =>
	Object.keys(record).some((k) => k.toLowerCase() === name.toLowerCase());

/** A disable that sets one attribute to a value, and an enable that removes it. */
class AttributeState implements AccountState {
	readonly attributes: string[];

	constructor(
		private readonly connection: LdapConnection,
		private readonly writes: WriteLog,
		private readonly attribute: string,
		private readonly disabledValue: string,
		/** `any`: any value means disabled (a lock time); otherwise the value must equal disabledValue, with or without case. */
		private readonly match: 'any' | 'exact' | 'ignoreCase',
	) {
		this.attributes = [attribute];
	}

	isActive(_dn: string, values: EntryValues): boolean {
		const present = asList(values.get(this.attribute.toLowerCase()) as unknown).map(String);
		if (this.match === 'any') return present.length === 0;
		if (this.match === 'ignoreCase') return !present.some((v) => v.toLowerCase() === this.disabledValue.toLowerCase());
		return !present.includes(this.disabledValue);
	}

	async setActive(dn: string, active: boolean): Promise<string> {
		const changes = [replaceValues(this.attribute, active ? [] : [this.disabledValue])];
		await this.connection.run(active ? 'enable' : 'disable', (client) => client.modify(dn, changes));
		this.writes.add(active ? 'enable' : 'disable', dn, redactedChanges(changes));
		return dn;
	}

	completeNewEntry(): void {}
}

/** Disabled means "under the disabled container": moves keep the RDN. */
class MoveState implements AccountState {
	readonly attributes: string[] = [];

	constructor(
		private readonly connection: LdapConnection,
		private readonly writes: WriteLog,
		private readonly method: OpenLdapDisableMethod,
		private readonly references: DnReferences,
	) {}

	isActive(dn: string): boolean {
		return !normaliseDn(dn).endsWith(`,${normaliseDn(this.method.disabledContainer ?? '')}`);
	}

	async setActive(dn: string, active: boolean): Promise<string> {
		const container = active ? this.method.enabledContainer : this.method.disabledContainer;
		if (!container) {
			throw new ProvisioningError(
				'Configuration',
				`Moving to ${active ? 'enable' : 'disable'} needs the ${active ? 'enabled' : 'disabled'} container DN`,
				{
					field: active ? 'enabledContainer' : 'disabledContainer',
				},
			);
		}
		assertValidDn(container);
		const [rdn] = splitDn(dn);
		const moved = await this.connection.modifyDN(dn, rdn, container);
		this.writes.add(active ? 'enable' : 'disable', moved, { from: dn, to: moved });
		await this.references.follow(dn, moved);
		return moved;
	}

	completeNewEntry(): void {}
}

/** Active Directory: the ACCOUNTDISABLE bit of userAccountControl, keeping every other bit. */
class ActiveDirectoryState implements AccountState {
	readonly attributes = ['userAccountControl'];

	constructor(
		private readonly connection: LdapConnection,
		private readonly writes: WriteLog,
		private readonly mustChangePassword = false,
	) {}

	isActive(_dn: string, values: EntryValues): boolean | undefined {
		const uac = values.get('useraccountcontrol');
		return uac === undefined ? undefined : !isAccountDisabled(Number(uac));
	}

	async setActive(dn: string, active: boolean): Promise<string> {
		const [entry] = await this.connection.search(
			'read',
			dn,
			{ scope: 'base', filter: '(objectClass=*)', attributes: ['userAccountControl'] },
			true,
		);
		if (!entry) throw new ProvisioningError('NotFound', `${dn} does not exist`, { targetStatus: 32 });
		const current = Number(asList(entry.userAccountControl as unknown)[0] ?? 512);
		const changes = [replaceValues('userAccountControl', [String(withAccountDisabled(current, !active))])];
		await this.connection.run(active ? 'enable' : 'disable', (client) => client.modify(dn, changes));
		this.writes.add(active ? 'enable' : 'disable', dn, redactedChanges(changes));
		return dn;
	}

	completeNewEntry(record: Record<string, LdapValue[]>): void {
		// pwdLastSet 0: "User must change password at next logon" (the only values AD accepts on a write are 0 and -1).
		if (this.mustChangePassword && !hasAttribute(record, 'pwdLastSet')) record.pwdLastSet = ['0'];
		if (hasAttribute(record, 'userAccountControl')) return;
		record.userAccountControl = [String(initialUserAccountControl(hasAttribute(record, 'unicodePwd')))];
	}
}

/** OpenLDAP's ppolicy: a pwdAccountLockedTime of 000001010000Z locks the account until an administrator unlocks it. */
const PPOLICY_PERMANENT_LOCK = '000001010000Z';

export function accountStateFor(
	flavour: LdapFlavour,
	method: OpenLdapDisableMethod | undefined,
	connection: LdapConnection,
	writes: WriteLog,
	references: DnReferences,
	mustChangePassword = false,
): AccountState {
	if (flavour === 'activeDirectory') return new ActiveDirectoryState(connection, writes, mustChangePassword);
	if (mustChangePassword) {
		throw new ProvisioningError('Configuration', '"Must Change Password at Next Logon" is for Active Directory (pwdLastSet)', {
			field: 'mustChangePassword',
		});
	}
	if (flavour === '389ds') return new AttributeState(connection, writes, 'nsAccountLock', 'TRUE', 'ignoreCase');
	const type = method?.type ?? 'ppolicy';
	if (type === 'move') return new MoveState(connection, writes, method!, references);
	if (type === 'attribute') {
		if (!method?.attribute || !method.value) {
			throw new ProvisioningError('Configuration', 'Disabling by attribute needs the attribute and the disabled value', {
				field: 'disableAttribute',
			});
		}
		return new AttributeState(connection, writes, method.attribute, method.value, 'exact');
	}
	return new AttributeState(connection, writes, 'pwdAccountLockedTime', PPOLICY_PERMANENT_LOCK, 'any');
}
