/**
 * The Active Directory flavour against slapd loaded with Debian's msuser schema (AD's user class,
 * unicodePwd, userAccountControl, objectGUID) over LDAPS: what slapd can stand in for.
 */
import { LdapTarget } from '../../lib/targets/ldap/ldapTarget';
import { errorOf, itemsInto, runWorkflow } from '../harness/workflow';
import { Slapd, parseLdif } from '../servers/slapd';

let slapd: Slapd;
beforeAll(async () => {
	slapd = await Slapd.start({ tls: true, extraSchemas: ['msuser'] });
	slapd.ldapadd(['dn: ou=Users,dc=example,dc=org', 'objectClass: organizationalUnit', 'ou: Users', ''].join('\n'));
});
afterAll(async () => {
	await slapd.stop();
});

const USERS = 'ou=Users,dc=example,dc=org';
// What a real domain controller fills in by itself; slapd's copy of the schema requires them.
const adMandatory = {
	instanceType: '4',
	nTSecurityDescriptor: 'stand-in',
	objectCategory: 'CN=Person,CN=Schema,CN=Configuration,DC=example,DC=org',
};
const credentials = (extra: Record<string, unknown> = {}) => ({
	ldapDirectoryApi: {
		urls: slapd.ldapsUrl,
		caCertificate: slapd.caCertificate,
		bindDn: slapd.rootDn,
		bindPassword: slapd.rootPassword,
		baseDn: slapd.suffix,
		flavour: 'activeDirectory',
		...extra,
	},
});
const envelope = (sam: string, extra: Record<string, unknown> = {}) => ({
	attributes: {
		sAMAccountName: sam,
		userPrincipalName: `${sam}@example.org`,
		cn: `AD ${sam}`,
		sn: sam,
		displayName: `AD ${sam}`,
		...extra,
	},
	// extensibleObject: Debian's msuser schema lacks AD's securityPrincipal class, which allows sAMAccountName.
	createOnly: { objectClass: ['top', 'person', 'organizationalPerson', 'user', 'extensibleObject'], ...adMandatory },
	matchKeys: [{ attribute: 'sAMAccountName', value: sam }],
});
const params = {
	target: 'ldap',
	inputMode: 'envelope',
	dnTemplate: `cn={cn},${USERS}`,
	searchBase: USERS,
	objectFilter: '(objectClass=user)',
};

test('creates an AD user over LDAPS: unicodePwd as quoted UTF-16LE, enabled userAccountControl, password never shown', async () => {
	const withPassword = envelope('ada');
	(withPassword.createOnly as Record<string, unknown>).unicodePwd = 'Sup3r-Secret!';
	const res = await runWorkflow(
		itemsInto('provisionUser', params, [withPassword, envelope('bob')], { onError: 'continueErrorOutput' }),
		credentials(),
	);
	expect(res.output('Node', 1)).toHaveLength(0);
	expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Create', 'Create']);
	const entries = parseLdif(slapd.ldapsearch(USERS, '(objectClass=user)', ['*']));
	const ada = entries.get(`cn=AD ada,${USERS}`)!;
	expect(ada.userAccountControl).toEqual(['512']);
	expect(entries.get(`cn=AD bob,${USERS}`)!.userAccountControl).toEqual(['514']);
	// parseLdif decodes base64 as UTF-8; compare the raw bytes instead.
	const raw = /unicodePwd:: (\S+)/.exec(slapd.ldapsearch(`cn=AD ada,${USERS}`, '(objectClass=*)', ['unicodePwd'], 'base'))![1];
	expect(Buffer.from(raw, 'base64').equals(Buffer.from('"Sup3r-Secret!"', 'utf16le'))).toBe(true);
	const log = JSON.stringify(res.run.data.resultData.runData.Node);
	expect(log).not.toContain('Sup3r-Secret!');
	expect(log).toContain('"name":"unicodePwd","newValue":"[Redact]"');
});

test('the same password over plain LDAP is refused for that item only', async () => {
	const withPassword = envelope('carl');
	(withPassword.createOnly as Record<string, unknown>).unicodePwd = 'Sup3r-Secret!';
	const res = await runWorkflow(
		itemsInto('provisionUser', params, [withPassword, envelope('dora')], { onError: 'continueErrorOutput' }),
		credentials({ urls: slapd.url, caCertificate: '' }),
	);
	expect(res.output('Node', 1).map((i) => [errorOf(i).code, errorOf(i).field])).toEqual([['Configuration', 'unicodePwd']]);
	expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Create']);
});

test('objectGUID is read as AD shows it', async () => {
	const guid = Buffer.from('b8e0e0e39b58c5438b7a5cfc5ce4e2a2', 'hex');
	slapd.ldapadd(
		[
			`dn: cn=Imported,${USERS}`,
			'objectClass: user',
			'objectClass: extensibleObject',
			'cn: Imported',
			'sn: Imported',
			'sAMAccountName: imported',
			...Object.entries(adMandatory).map(([k, v]) => `${k}: ${v}`),
			`objectGUID:: ${guid.toString('base64')}`,
			'',
		].join('\n'),
	);
	const target = new LdapTarget({
		connection: { urls: [slapd.ldapsUrl], caCertificate: slapd.caCertificate, bindDn: slapd.rootDn, bindPassword: slapd.rootPassword },
		flavour: 'activeDirectory',
		baseDn: slapd.suffix,
		searchBase: USERS,
		objectFilter: '(objectClass=user)',
	});
	try {
		// Matched by cn: Debian's msuser schema gives sAMAccountName no equality rule, so slapd cannot match it.
		const [entry] = await target.users.find({ attribute: 'cn', value: 'Imported' }, ['objectGUID', 'sAMAccountName']);
		expect(entry.attributes.objectGUID).toBe('e3e0e0b8-589b-43c5-8b7a-5cfc5ce4e2a2');
		expect(entry.attributes.sAMAccountName).toBe('imported');
		// No userAccountControl on this entry: whether it is enabled is unknown, not "enabled".
		expect(entry.active).toBeUndefined();
	} finally {
		await target.close();
	}
});

test('Deprovision User disables by setting ACCOUNTDISABLE and keeps the other userAccountControl bits; reactivation clears it', async () => {
	const user = envelope('erin', { userAccountControl: '66048' });
	await runWorkflow(itemsInto('provisionUser', params, [user]), credentials());
	const deprovision = (operation: string) =>
		runWorkflow(
			itemsInto(
				'deprovisionUser',
				{
					target: 'ldap',
					mode: 'perItem',
					operation,
					inputMode: 'define',
					searchBase: USERS,
					objectFilter: '(objectClass=user)',
					matchKeys: { key: [{ attribute: 'cn', value: 'AD erin' }] },
				},
				[{}],
			),
			credentials(),
		);
	const uac = () =>
		parseLdif(slapd.ldapsearch(USERS, '(cn=AD erin)', ['userAccountControl'])).get(`cn=AD erin,${USERS}`)!.userAccountControl;
	expect((await deprovision('disable')).output('Node', 0)[0].json.action).toBe('Disable');
	expect(uac()).toEqual(['66050']);
	expect((await deprovision('disable')).output('Node', 0)[0].json.action).toBe('NoChange');
	expect((await deprovision('enable')).output('Node', 0)[0].json.action).toBe('Enable');
	expect(uac()).toEqual(['66048']);
});

test('"Must Change Password at Next Logon" creates the account with pwdLastSet 0; without it none is written', async () => {
	const withPassword = envelope('fay');
	(withPassword.createOnly as Record<string, unknown>).unicodePwd = 'Sup3r-Secret!';
	const res = await runWorkflow(
		itemsInto('provisionUser', { ...params, options: { mustChangePassword: true } }, [withPassword], { onError: 'continueErrorOutput' }),
		credentials(),
	);
	expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Create']);
	expect(parseLdif(slapd.ldapsearch(USERS, '(cn=AD fay)', ['pwdLastSet'])).get(`cn=AD fay,${USERS}`)!.pwdLastSet).toEqual(['0']);
	expect(JSON.stringify(res.run.data.resultData.runData.Node)).not.toContain('Sup3r-Secret!');
	await runWorkflow(itemsInto('provisionUser', params, [envelope('gus')]), credentials());
	expect(parseLdif(slapd.ldapsearch(USERS, '(cn=AD gus)', ['pwdLastSet'])).get(`cn=AD gus,${USERS}`)!.pwdLastSet).toBeUndefined();
});

test('"Must Change Password at Next Logon" on a directory that is not Active Directory fails clearly', async () => {
	const res = await runWorkflow(
		itemsInto('provisionUser', { ...params, options: { mustChangePassword: true } }, [envelope('hal')], { onError: 'continueErrorOutput' }),
		credentials({ flavour: 'openldap' }),
	);
	const failures = [res.error?.message ?? '', ...res.output('Node', 1).map((i) => errorOf(i).reason)].join(' ');
	expect(failures).toMatch(/is for Active Directory \(pwdLastSet\)/);
	expect(res.output('Node', 0).map((i) => i.json.action)).not.toContain('Create');
	expect(parseLdif(slapd.ldapsearch(USERS, '(cn=AD hal)', ['cn'])).size).toBe(0);
});

describe('Deprovision User → Reset Password (Active Directory)', () => {
	const NEW = 'N3w-Secr3t!pass';
	const reset = (cred: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
		runWorkflow(
			itemsInto(
				'deprovisionUser',
				{
					target: 'ldap',
					mode: 'perItem',
					operation: 'resetPassword',
					inputMode: 'define',
					searchBase: USERS,
					objectFilter: '(objectClass=user)',
					matchKeys: { key: [{ attribute: 'cn', value: '={{ $json.cn }}' }] },
					newPassword: NEW,
					...extra,
				},
				[{ cn: 'AD ivy' }],
				{ onError: 'continueErrorOutput' },
			),
			credentials(cred),
		);
	const unicodePwd = () => {
		const raw = /unicodePwd:: (\S+)/.exec(slapd.ldapsearch(`cn=AD ivy,${USERS}`, '(objectClass=*)', ['unicodePwd'], 'base'))?.[1];
		return raw === undefined ? undefined : Buffer.from(raw, 'base64');
	};
	const ivy = () => parseLdif(slapd.ldapsearch(USERS, '(cn=AD ivy)', ['pwdLastSet'])).get(`cn=AD ivy,${USERS}`)!;
	const everything = (res: Awaited<ReturnType<typeof runWorkflow>>) =>
		JSON.stringify([res.run.data.resultData, res.error?.message ?? '']) + slapd.ldapsearch(USERS, '(cn=AD ivy)', ['*']);

	beforeAll(async () => {
		const user = envelope('ivy');
		(user.createOnly as Record<string, unknown>).unicodePwd = 'Old-Secret!1';
		await runWorkflow(itemsInto('provisionUser', params, [user]), credentials());
	});

	test('over LDAPS: unicodePwd replaced as quoted UTF-16LE, pwdLastSet 0; the password is in no output or log', async () => {
		const res = await reset({});
		const [record] = res.output('Node', 0).map((i) => i.json as Record<string, any>);
		expect(record).toMatchObject({ action: 'Update', status: 'Success', targetId: `cn=AD ivy,${USERS}` });
		expect(record.modifiedProperties).toEqual([{ name: 'unicodePwd', oldValue: '[Redact]', newValue: '[Redact]' }]);
		expect(unicodePwd()!.equals(Buffer.from(`"${NEW}"`, 'utf16le'))).toBe(true);
		expect(ivy().pwdLastSet).toEqual(['0']);
		expect(everything(res)).not.toContain(NEW);
	});

	test('over StartTLS it works too; without "Must Change Password" pwdLastSet is left alone', async () => {
		await reset({}, { newPassword: 'Other-Secr3t!' });
		expect(unicodePwd()!.equals(Buffer.from('"Other-Secr3t!"', 'utf16le'))).toBe(true);
		const res = await reset({ urls: slapd.url, startTls: true }, { resetMustChangePassword: false });
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Update']);
		expect(unicodePwd()!.equals(Buffer.from(`"${NEW}"`, 'utf16le'))).toBe(true);
		expect(everything(res)).not.toContain(NEW);
	});

	test('over plain LDAP it is refused clearly, nothing is sent, and the password is not in the error', async () => {
		const before = slapd.auditLog().length;
		const res = await reset({ urls: slapd.url, caCertificate: '' }, { newPassword: 'Plain-Secr3t!' });
		expect(res.output('Node', 0)).toHaveLength(0);
		const [failure] = res.output('Node', 2).map(errorOf);
		expect(failure).toMatchObject({ code: 'Configuration', field: 'newPassword' });
		expect(failure.reason).toMatch(/only over an encrypted connection: use an ldaps:\/\/ URL or turn on StartTLS/);
		expect(slapd.auditLog().slice(before)).toBe('');
		expect(everything(res)).not.toContain('Plain-Secr3t!');
		expect(unicodePwd()!.equals(Buffer.from(`"${NEW}"`, 'utf16le'))).toBe(true);
	});

	test('on a directory that is not Active Directory it is refused clearly', async () => {
		const res = await reset({ flavour: 'openldap' });
		const reasons = [res.error?.message ?? '', ...res.output('Node', 2).map((i) => errorOf(i).reason)].join(' ');
		expect(reasons).toMatch(/Reset Password is for Active Directory/);
		expect(everything(res)).not.toContain(NEW);
	});
});

describe('Provision User → Account Control Flags (userAccountControl by name)', () => {
	const uacOf = (cn: string) =>
		parseLdif(slapd.ldapsearch(USERS, `(cn=${cn})`, ['userAccountControl'])).get(`cn=${cn},${USERS}`)!.userAccountControl;
	const provision = (items: object[], accountControl: Record<string, boolean>) =>
		runWorkflow(itemsInto('provisionUser', { ...params, accountControl }, items, { onError: 'continueErrorOutput' }), credentials());

	test('on create the flags go on top of what a new account gets (514 without a password)', async () => {
		const res = await provision([envelope('jan')], { passwordNeverExpires: true, dontRequirePreauth: true });
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Create']);
		expect(uacOf('AD jan')).toEqual([String(514 | 0x10000 | 0x400000)]);
	});

	test('on update the chosen flags are set and cleared and every other bit kept; a rerun is NoChange', async () => {
		// A disabled account with "password not required" and "trusted for delegation", made by someone else.
		slapd.ldapadd(
			[
				`dn: cn=AD kim,${USERS}`,
				'objectClass: user',
				'objectClass: extensibleObject',
				'cn: AD kim',
				'sn: kim',
				'sAMAccountName: kim',
				...Object.entries(adMandatory).map(([k, v]) => `${k}: ${v}`),
				`userAccountControl: ${512 | 0x2 | 0x20 | 0x80000}`,
				'',
			].join('\n'),
		);
		const kim = { ...envelope('kim'), matchKeys: [{ attribute: 'cn', value: 'AD kim' }] };
		const flags = { smartcardRequired: true, passwordNotRequired: false, passwordNeverExpires: true };
		const res = await provision([kim], flags);
		const [record] = res.output('Node', 0).map((i) => i.json as Record<string, any>);
		expect(record.action).toBe('Update');
		const expected = 512 | 0x2 | 0x80000 | 0x40000 | 0x10000;
		expect(record.modifiedProperties).toContainEqual({
			name: 'userAccountControl',
			oldValue: String(512 | 0x2 | 0x20 | 0x80000),
			newValue: String(expected),
		});
		expect(uacOf('AD kim')).toEqual([String(expected)]);
		expect((await provision([kim], flags)).output('Node', 0)[0].json.action).toBe('NoChange');
		// Without the flags, Provision User leaves userAccountControl alone.
		expect((await provision([kim], {})).output('Node', 0)[0].json.action).toBe('NoChange');
		expect(uacOf('AD kim')).toEqual([String(expected)]);
	});

	test('flags on another directory flavour fail clearly and write nothing', async () => {
		const res = await runWorkflow(
			itemsInto('provisionUser', { ...params, accountControl: { passwordNeverExpires: true } }, [envelope('lou')], {
				onError: 'continueErrorOutput',
			}),
			credentials({ flavour: 'openldap' }),
		);
		const failures = [res.error?.message ?? '', ...res.output('Node', 1).map((i) => errorOf(i).reason)].join(' ');
		expect(failures).toMatch(/Account control flags are for Active Directory/);
		expect(parseLdif(slapd.ldapsearch(USERS, '(cn=AD lou)', ['cn'])).size).toBe(0);
	});
});
