import { applyUacFlags, UAC, uacFlagsFrom } from '../../lib/ldap/flavours';
import { LdapTarget } from '../../lib/targets/ldap/ldapTarget';

describe('userAccountControl flags by name', () => {
	test('names become masks: on sets, off clears, absent leaves alone', () => {
		expect(uacFlagsFrom({ passwordNeverExpires: true, smartcardRequired: false, dontRequirePreauth: undefined })).toEqual({
			set: 0x10000,
			clear: 0x40000,
		});
		expect(uacFlagsFrom({})).toEqual({ set: 0, clear: 0 });
	});

	test('an unknown name is a configuration error', () => {
		expect(() => uacFlagsFrom({ cannotChangePassword: true })).toThrow(/not a userAccountControl flag/);
	});

	test.each([
		// [current, choices, expected]
		[512, { passwordNeverExpires: true }, 66048],
		[66050, { passwordNeverExpires: false }, 514], // keeps ACCOUNTDISABLE
		[514, { accountDisabled: false, smartcardRequired: true }, 512 | 0x40000],
		[512 | 0x20 | 0x80000, { dontRequirePreauth: true, notDelegated: true }, 512 | 0x20 | 0x80000 | 0x400000 | 0x100000],
		[66048, { passwordNeverExpires: true }, 66048], // already set: unchanged
		[512 | 0x200000 | 0x80, { useDesKeyOnly: false, reversibleEncryption: false, passwordNotRequired: false }, 512],
		[NaN, { passwordNeverExpires: true }, 66048], // unreadable counts as a normal account
	])('%d with %j → %d', (current, choices, expected) => {
		expect(applyUacFlags(current, uacFlagsFrom(choices))).toBe(expected);
	});

	test('the high flags stay positive (no sign from the 32-bit arithmetic)', () => {
		expect(applyUacFlags(0x7fffffff, uacFlagsFrom({ accountDisabled: false }))).toBe(0x7fffffff - UAC.ACCOUNTDISABLE);
	});

	const target = (flags: Record<string, boolean>) =>
		new LdapTarget({
			connection: { urls: ['ldaps://127.0.0.1:9'], bindDn: 'cn=admin', bindPassword: 'x' },
			flavour: 'activeDirectory',
			baseDn: 'dc=example,dc=org',
			uacFlags: uacFlagsFrom(flags),
		}).users;

	test('desired values: on top of the mapped value, else the current one, else what a new account gets', () => {
		const users = target({ passwordNeverExpires: true });
		expect(users.derivedFrom).toEqual(['userAccountControl']);
		expect(users.adjustDesired({ cn: 'a', userAccountControl: '544' })).toEqual({ cn: 'a', userAccountControl: String(544 | 0x10000) });
		expect(users.adjustDesired({ cn: 'a' }, { id: 'cn=a', attributes: { userAccountControl: '514' } })).toEqual({
			cn: 'a',
			userAccountControl: String(514 | 0x10000),
		});
		expect(users.adjustDesired({ cn: 'a' })).toEqual({ cn: 'a', userAccountControl: String(514 | 0x10000) });
		expect(users.adjustDesired({ cn: 'a', unicodePwd: 'x' })).toMatchObject({ userAccountControl: String(512 | 0x10000) });
		expect(() => users.adjustDesired({ userAccountControl: 'lots' })).toThrow(/whole number/);
	});

	test('no flags chosen: nothing derived, nothing read', () => {
		const users = target({});
		expect(users.derivedFrom).toEqual([]);
		expect(users.adjustDesired({ cn: 'a' })).toEqual({ cn: 'a' });
	});

	test('flags on a directory that is not Active Directory are refused clearly', () => {
		expect(
			() =>
				new LdapTarget({
					connection: { urls: ['ldap://127.0.0.1:9'], bindDn: 'cn=admin', bindPassword: 'x' },
					flavour: 'openldap',
					baseDn: 'dc=example,dc=org',
					uacFlags: uacFlagsFrom({ passwordNeverExpires: true }),
				}),
		).toThrow(/Account control flags are for Active Directory/);
	});
});
