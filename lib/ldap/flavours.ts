import { ProvisioningError } from '../errors';

/** Directory products we know how to write to; they differ in passwords and in how accounts are disabled. */
export type LdapFlavour = 'openldap' | '389ds' | 'activeDirectory';

/** userAccountControl bits (MS-ADTS 2.2.16). */
export const UAC = {
	ACCOUNTDISABLE: 0x2,
	PASSWD_NOTREQD: 0x20,
	ENCRYPTED_TEXT_PWD_ALLOWED: 0x80,
	NORMAL_ACCOUNT: 0x200,
	DONT_EXPIRE_PASSWORD: 0x10000,
	SMARTCARD_REQUIRED: 0x40000,
	TRUSTED_FOR_DELEGATION: 0x80000,
	NOT_DELEGATED: 0x100000,
	USE_DES_KEY_ONLY: 0x200000,
	DONT_REQ_PREAUTH: 0x400000,
} as const;

/** userAccountControl flags by the names Provision User offers them under. */
export const UAC_FLAGS = {
	accountDisabled: UAC.ACCOUNTDISABLE,
	passwordNotRequired: UAC.PASSWD_NOTREQD,
	reversibleEncryption: UAC.ENCRYPTED_TEXT_PWD_ALLOWED,
	passwordNeverExpires: UAC.DONT_EXPIRE_PASSWORD,
	smartcardRequired: UAC.SMARTCARD_REQUIRED,
	trustedForDelegation: UAC.TRUSTED_FOR_DELEGATION,
	notDelegated: UAC.NOT_DELEGATED,
	useDesKeyOnly: UAC.USE_DES_KEY_ONLY,
	dontRequirePreauth: UAC.DONT_REQ_PREAUTH,
} as const;

export type UacFlagName = keyof typeof UAC_FLAGS;

/** Flags to turn on and flags to turn off; every other bit is kept. */
export interface UacFlags {
	set: number;
	clear: number;
}

/** Named choices (on, off; unnamed ones are left alone) as bit masks. An unknown name is a configuration error. */
export function uacFlagsFrom(choices: Record<string, boolean | undefined>): UacFlags {
	let set = 0;
	let clear = 0;
	for (const [name, on] of Object.entries(choices)) {
		if (on === undefined) continue;
		const bit = (UAC_FLAGS as Record<string, number>)[name];
		if (bit === undefined) {
			throw new ProvisioningError('Configuration', `"${name}" is not a userAccountControl flag this node knows`, {
				field: 'accountControl',
			});
		}
		if (on) set |= bit;
		else clear |= bit;
	}
	return { set, clear };
}

/** Sets and clears the chosen flags, keeping every other bit (a current value that is not a number counts as 512). */
export function applyUacFlags(userAccountControl: number, flags: UacFlags): number {
	const current = Number.isInteger(userAccountControl) && userAccountControl >= 0 ? userAccountControl : UAC.NORMAL_ACCOUNT;
	return ((current | flags.set) & ~flags.clear) >>> 0;
}

/** Sets or clears ACCOUNTDISABLE, keeping every other bit. */
export function withAccountDisabled(userAccountControl: number, disabled: boolean): number {
	const current = Number.isFinite(userAccountControl) ? userAccountControl : UAC.NORMAL_ACCOUNT;
	return disabled ? current | UAC.ACCOUNTDISABLE : current & ~UAC.ACCOUNTDISABLE;
}

export function isAccountDisabled(userAccountControl: number): boolean {
	return (userAccountControl & UAC.ACCOUNTDISABLE) !== 0;
}

/** The initial userAccountControl for a new AD user: enabled only when it gets a password. */
export function initialUserAccountControl(hasPassword: boolean): number {
	return hasPassword ? UAC.NORMAL_ACCOUNT : UAC.NORMAL_ACCOUNT | UAC.ACCOUNTDISABLE;
}

/** AD's unicodePwd: the password in double quotes, UTF-16LE encoded. */
export function encodeUnicodePwd(password: string): Buffer {
	return Buffer.from(`"${password}"`, 'utf16le');
}

/** objectGUID bytes to AD's textual form (the first three groups are little-endian). */
export function formatObjectGuid(bytes: Buffer): string {
	if (bytes.length !== 16) return bytes.toString('hex');
	const hex = (start: number, end: number, reverse: boolean) => {
		const slice = Buffer.from(bytes.subarray(start, end));
		return (reverse ? slice.reverse() : slice).toString('hex');
	};
	return [hex(0, 4, true), hex(4, 6, true), hex(6, 8, true), hex(8, 10, false), hex(10, 16, false)].join('-');
}

/** objectSid bytes to S-R-I-S-S… form. */
export function formatObjectSid(bytes: Buffer): string {
	if (bytes.length < 8) return bytes.toString('hex');
	const revision = bytes[0];
	const count = bytes[1];
	const authority = bytes.readUIntBE(2, 6);
	const subs: number[] = [];
	for (let i = 0; i < count && 8 + i * 4 + 4 <= bytes.length; i++) subs.push(bytes.readUInt32LE(8 + i * 4));
	return `S-${revision}-${authority}${subs.map((s) => `-${s}`).join('')}`;
}

/** Attributes returned as bytes and shown as readable strings. */
export const BINARY_ATTRIBUTES: Record<string, (bytes: Buffer) => string> = {
	objectguid: formatObjectGuid,
	objectsid: formatObjectSid,
	msexchmailboxguid: formatObjectGuid,
};
