/** Directory products we know how to write to; they differ in passwords and in how accounts are disabled. */
export type LdapFlavour = 'openldap' | '389ds' | 'activeDirectory';

/** userAccountControl bits (MS-ADTS 2.2.16). */
export const UAC = {
	ACCOUNTDISABLE: 0x2,
	PASSWD_NOTREQD: 0x20,
	NORMAL_ACCOUNT: 0x200,
	DONT_EXPIRE_PASSWORD: 0x10000,
} as const;

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
