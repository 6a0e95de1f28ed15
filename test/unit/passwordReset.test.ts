/**
 * Reset Password (Active Directory): refused before anything is sent on an unencrypted connection, and the password
 * never reaches the write log, the provisioning log or an error message. No server: the refusal comes first.
 */
import { ProvisioningError } from '../../lib/errors';
import { passwordResetChanges, redactedChanges } from '../../lib/ldap/values';
import { deprovisionItems } from '../../lib/provisioning/deprovision';
import { LdapTarget } from '../../lib/targets/ldap/ldapTarget';

const SECRET = 'Tr0ub4dor&3-secret';
const target = (url: string, flavour: 'activeDirectory' | 'openldap' = 'activeDirectory') =>
	new LdapTarget({
		connection: { urls: [url], bindDn: 'cn=admin,dc=example,dc=org', bindPassword: 'bind-secret', connectTimeoutMs: 200 },
		flavour,
		baseDn: 'dc=example,dc=org',
	});

describe('Reset Password', () => {
	test('the modify replaces unicodePwd (quoted UTF-16LE) and sets pwdLastSet 0 when the user must change it; its log copy is redacted', () => {
		const changes = passwordResetChanges(SECRET, true, true);
		expect(changes.map((c) => [c.operation, c.modification.type])).toEqual([
			['replace', 'unicodePwd'],
			['replace', 'pwdLastSet'],
		]);
		expect((changes[0].modification.values[0] as unknown as Buffer).equals(Buffer.from(`"${SECRET}"`, 'utf16le'))).toBe(true);
		expect(redactedChanges(changes)).toEqual([
			{ operation: 'replace', type: 'unicodePwd', values: ['[Redact]'] },
			{ operation: 'replace', type: 'pwdLastSet', values: ['0'] },
		]);
		expect(passwordResetChanges(SECRET, false, true).map((c) => c.modification.type)).toEqual(['unicodePwd']);
	});

	test('without TLS it is refused with a clear message that names neither the password nor anything sent', () => {
		let refusal: unknown;
		try {
			passwordResetChanges(SECRET, true, false);
		} catch (error) {
			refusal = error;
		}
		expect(refusal).toBeInstanceOf(ProvisioningError);
		expect(refusal).toMatchObject({ code: 'Configuration', field: 'newPassword' });
		expect((refusal as Error).message).toMatch(/only over an encrypted connection: use an ldaps:\/\/ URL or turn on StartTLS/);
		expect(JSON.stringify(refusal) + String(refusal)).not.toContain(SECRET);
	});

	test('an ldap:// target refuses before connecting (nothing listens there) and records no write', async () => {
		const t = target('ldap://127.0.0.1:9');
		await expect(t.users.resetPassword('cn=x,dc=example,dc=org', SECRET, true)).rejects.toMatchObject({ code: 'Configuration' });
		expect(t.writes).toEqual([]);
	});

	test('a directory that is not Active Directory is refused clearly', async () => {
		const t = target('ldaps://127.0.0.1:9', 'openldap');
		await expect(t.users.resetPassword('cn=x,dc=example,dc=org', SECRET, false)).rejects.toThrow(/Reset Password is for Active Directory/);
	});

	test('a server error that echoes the password is scrubbed, and keeps no cause that could carry the request', async () => {
		const t = target('ldaps://127.0.0.1:9');
		const connection = (t.users as unknown as { connection: { modify: () => Promise<void> } }).connection;
		connection.modify = async () => {
			throw new ProvisioningError('TargetRejected', `LDAP modify failed: 0000052D: Constraint violation for "${SECRET}" (result code 19)`, {
				targetStatus: 19,
				cause: { request: SECRET },
			});
		};
		const error = (await t.users.resetPassword('cn=x,dc=example,dc=org', SECRET, true).catch((e: unknown) => e)) as ProvisioningError;
		expect(error).toMatchObject({ code: 'TargetRejected', targetStatus: 19 });
		expect(error.message).toContain('Constraint violation for "[Redact]"');
		expect(error.cause).toBeUndefined();
		expect(t.writes).toEqual([]);
	});

	test('through the core: the record shows the change redacted, the failure carries no password', async () => {
		const t = target('ldaps://127.0.0.1:9');
		const users = t.users as unknown as Record<string, unknown>;
		users.findMany = async () => [{ id: 'cn=x,dc=example,dc=org', attributes: { cn: 'x' } }];
		users.find = async () => [{ id: 'cn=x,dc=example,dc=org', attributes: { cn: 'x' } }];
		(users.connection as { modify: () => Promise<void> }).modify = async () => {
			throw new ProvisioningError('TargetRejected', `rejected ${SECRET}`);
		};
		const result = await deprovisionItems(t, [{ attributes: {}, matchKeys: [{ attribute: 'cn', value: 'x' }] }], {
			action: 'resetPassword',
			passwords: [SECRET],
		});
		expect(result.outcomes[0].record).toMatchObject({
			action: 'Failed',
			modifiedProperties: [{ name: 'unicodePwd', newValue: '[Redact]' }],
		});
		expect(JSON.stringify(result.outcomes)).not.toContain(SECRET);
		expect(String(result.outcomes[0].error)).not.toContain(SECRET);
	});
});
