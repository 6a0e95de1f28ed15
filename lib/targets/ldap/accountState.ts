/**
 * How a directory flavour says "this account is disabled", one strategy each: OpenLDAP's password-policy lock,
 * a chosen attribute and value, or a move to a "disabled" OU; Active Directory's ACCOUNTDISABLE bit in
 * userAccountControl; 389-DS's nsAccountLock.
 */
import { type Change, UndefinedTypeError } from 'ldapts';
import { ProvisioningError } from '../../errors';
import { assertValidDn } from '../../ldap/dnTemplate';
import { parseGeneralizedTime, toGeneralizedTime } from '../../ldap/generalizedTime';
import { normaliseDn, splitDn } from '../../ldap/escape';
import { initialUserAccountControl, isAccountDisabled, type LdapFlavour, withAccountDisabled } from '../../ldap/flavours';
import { redactedChanges, replaceValues, type LdapValue } from '../../ldap/values';
import { asList } from '../../util';
import type { WriteLog } from '../target';
import { failedWith, type LdapConnection, noSuchEntry } from './connection';
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

/** Operational attributes the server keeps: read as the time of the last change, never written. */
const SERVER_TIMES = new Set(['modifytimestamp', 'whenchanged']);

/**
 * Where the time an account was disabled is kept: an attribute stamped in the same write as the disable and cleared
 * by an enable (GeneralizedTime), or the entry's last change (modifyTimestamp), which is never earlier than the disable.
 */
export class DisabledTime {
	writable: boolean;

	constructor(
		readonly attribute: string,
		/** Chosen by the user (a failure to write it is theirs to see), or the flavour's default (given up if undefined). */
		readonly chosen = true,
	) {
		if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/.test(attribute)) {
			throw new ProvisioningError('Configuration', `"${attribute}" is not an LDAP attribute name`, { field: 'disabledTimeAttribute' });
		}
		this.writable = !SERVER_TIMES.has(attribute.toLowerCase());
	}

	read(values: EntryValues): Date | undefined {
		const [raw] = asList(values.get(this.attribute.toLowerCase()) as unknown);
		return raw === undefined || raw === null ? undefined : parseGeneralizedTime(String(raw));
	}

	/**
	 * A default stamp the server does not know (OpenLDAP before 2.5 has no pwdEndTime: undefined attribute type, 17)
	 * is given up for the execution, so disabling works as before; true when the write should be tried again without it.
	 */
	giveUp(error: unknown): boolean {
		if (this.chosen || !this.writable || !failedWith(error, UndefinedTypeError)) return false;
		this.writable = false;
		return true;
	}

	/** The stamp's part of a disable (the time) or an enable (cleared); nothing for a server-kept time. */
	changes(active: boolean, at: Date = new Date()): Change[] {
		if (!this.writable) return [];
		return [replaceValues(this.attribute, active ? [] : [toGeneralizedTime(at)])];
	}
}

export interface AccountState {
	/** Attributes to read so that `isActive` and `disabledAt` can tell. */
	readonly attributes: string[];
	isActive(dn: string, values: EntryValues): boolean | undefined;
	/** When a disabled account was disabled, if recorded. */
	disabledAt(values: EntryValues): Date | undefined;
	/** Enables or disables (a disable stamps `at`); returns the DN afterwards. */
	setActive(dn: string, active: boolean, at?: Date): Promise<string>;
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
		private readonly time: DisabledTime,
	) {
		this.attributes = [attribute, time.attribute];
	}

	disabledAt(values: EntryValues): Date | undefined {
		return this.time.read(values);
	}

	isActive(_dn: string, values: EntryValues): boolean {
		const present = asList(values.get(this.attribute.toLowerCase()) as unknown).map(String);
		if (this.match === 'any') return present.length === 0;
		if (this.match === 'ignoreCase') return !present.some((v) => v.toLowerCase() === this.disabledValue.toLowerCase());
		return !present.includes(this.disabledValue);
	}

	async setActive(dn: string, active: boolean, at?: Date): Promise<string> {
		const changes = () => [replaceValues(this.attribute, active ? [] : [this.disabledValue]), ...this.time.changes(active, at)];
		let sent = changes();
		try {
			await this.connection.run(active ? 'enable' : 'disable', (client) => client.modify(dn, sent));
		} catch (error) {
			if (!this.time.giveUp(error)) throw error;
			sent = changes();
			await this.connection.run(active ? 'enable' : 'disable', (client) => client.modify(dn, sent));
		}
		this.writes.add(active ? 'enable' : 'disable', dn, redactedChanges(sent));
		return dn;
	}

	completeNewEntry(): void {}
}

/** Disabled means "under the disabled container": moves keep the RDN. */
class MoveState implements AccountState {
	readonly attributes: string[];

	constructor(
		private readonly connection: LdapConnection,
		private readonly writes: WriteLog,
		private readonly method: OpenLdapDisableMethod,
		private readonly references: DnReferences,
		private readonly time: DisabledTime,
	) {
		this.attributes = [time.attribute];
	}

	disabledAt(values: EntryValues): Date | undefined {
		return this.time.read(values);
	}

	isActive(dn: string): boolean {
		return !normaliseDn(dn).endsWith(`,${normaliseDn(this.method.disabledContainer ?? '')}`);
	}

	async setActive(dn: string, active: boolean, at?: Date): Promise<string> {
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
		const stamp = this.time.changes(active, at);
		if (stamp.length) {
			await this.connection.modify(moved, stamp);
			this.writes.add('update', moved, redactedChanges(stamp));
		}
		return moved;
	}

	completeNewEntry(): void {}
}

/** Active Directory: the ACCOUNTDISABLE bit of userAccountControl, keeping every other bit. */
class ActiveDirectoryState implements AccountState {
	readonly attributes: string[];

	constructor(
		private readonly connection: LdapConnection,
		private readonly writes: WriteLog,
		private readonly time: DisabledTime,
		private readonly mustChangePassword = false,
	) {
		this.attributes = ['userAccountControl', time.attribute];
	}

	disabledAt(values: EntryValues): Date | undefined {
		return this.time.read(values);
	}

	isActive(_dn: string, values: EntryValues): boolean | undefined {
		const uac = values.get('useraccountcontrol');
		return uac === undefined ? undefined : !isAccountDisabled(Number(uac));
	}

	async setActive(dn: string, active: boolean, at?: Date): Promise<string> {
		const [entry] = await this.connection.search(
			'read',
			dn,
			{ scope: 'base', filter: '(objectClass=*)', attributes: ['userAccountControl'] },
			true,
		);
		if (!entry) throw noSuchEntry(dn);
		const current = Number(asList(entry.userAccountControl as unknown)[0] ?? 512);
		const changes = [
			replaceValues('userAccountControl', [String(withAccountDisabled(current, !active))]),
			...this.time.changes(active, at),
		];
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
	disabledTimeAttribute?: string,
): AccountState {
	const time = new DisabledTime(disabledTimeAttribute || defaultDisabledTimeAttribute(flavour, method), !!disabledTimeAttribute);
	if (flavour === 'activeDirectory') return new ActiveDirectoryState(connection, writes, time, mustChangePassword);
	if (mustChangePassword) {
		throw new ProvisioningError('Configuration', '"Must Change Password at Next Logon" is for Active Directory (pwdLastSet)', {
			field: 'mustChangePassword',
		});
	}
	if (flavour === '389ds') return new AttributeState(connection, writes, 'nsAccountLock', 'TRUE', 'ignoreCase', time);
	const type = method?.type ?? 'ppolicy';
	if (type === 'move') return new MoveState(connection, writes, method!, references, time);
	if (type === 'attribute') {
		if (!method?.attribute || !method.value) {
			throw new ProvisioningError('Configuration', 'Disabling by attribute needs the attribute and the disabled value', {
				field: 'disableAttribute',
			});
		}
		return new AttributeState(connection, writes, method.attribute, method.value, 'exact', time);
	}
	return new AttributeState(connection, writes, 'pwdAccountLockedTime', PPOLICY_PERMANENT_LOCK, 'any', time);
}

/**
 * Where a disable's time goes when none is chosen: OpenLDAP's password policy has pwdEndTime ("the time the password
 * becomes disabled"), set to the disable's time and cleared on enable. Elsewhere there is no standard attribute for it,
 * so the entry's modifyTimestamp is read: its last change, never earlier than the disable (a later change restarts the wait).
 */
export function defaultDisabledTimeAttribute(flavour: LdapFlavour, method?: OpenLdapDisableMethod): string {
	return flavour === 'openldap' && (method?.type ?? 'ppolicy') === 'ppolicy' ? 'pwdEndTime' : 'modifyTimestamp';
}
