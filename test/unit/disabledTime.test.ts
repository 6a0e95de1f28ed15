/**
 * The disabled-time stamp of an LDAP disable: which attribute by default, what a disable and an enable write, and
 * that a default stamp the server does not know (OpenLDAP before 2.5 has no pwdEndTime) never stops a disable.
 */
import { type Change, UndefinedTypeError } from 'ldapts';
import { ProvisioningError } from '../../lib/errors';
import { redactedChanges } from '../../lib/ldap/values';
import { accountStateFor, defaultDisabledTimeAttribute, DisabledTime } from '../../lib/targets/ldap/accountState';
import type { LdapConnection } from '../../lib/targets/ldap/connection';
import type { DnReferences } from '../../lib/targets/ldap/dnReferences';
import { WriteLog } from '../../lib/targets/target';

/** A connection that records modifies and refuses those touching `unknown` as an undefined attribute type (17). */
function fakeConnection(unknown?: string) {
	const sent: unknown[] = [];
	const connection = {
		run: async (_what: string, operation: (client: unknown) => Promise<unknown>) =>
			operation({
				modify: async (_dn: string, changes: Change[]) => {
					const shown = redactedChanges(changes);
					if (unknown && shown.some((c) => c.type === unknown)) {
						// As LdapConnection maps ldapts's error: the typed error kept as the cause.
						const cause = new UndefinedTypeError(`${unknown}: attribute type undefined`);
						throw new ProvisioningError('TargetRejected', `LDAP disable failed: ${cause.message} (result code 17)`, {
							targetStatus: cause.code,
							cause,
						});
					}
					sent.push(shown);
				},
			}),
	} as unknown as LdapConnection;
	return { connection, sent };
}
const references = {} as DnReferences;
const at = new Date('2026-01-02T03:04:05Z');

describe('disabled-time stamp (LDAP)', () => {
	test('defaults: pwdEndTime for OpenLDAP’s password-policy lock, modifyTimestamp elsewhere', () => {
		expect(defaultDisabledTimeAttribute('openldap')).toBe('pwdEndTime');
		expect(defaultDisabledTimeAttribute('openldap', { type: 'ppolicy' })).toBe('pwdEndTime');
		expect(defaultDisabledTimeAttribute('openldap', { type: 'attribute', attribute: 'employeeType', value: 'x' })).toBe('modifyTimestamp');
		expect(defaultDisabledTimeAttribute('openldap', { type: 'move' })).toBe('modifyTimestamp');
		expect(defaultDisabledTimeAttribute('activeDirectory')).toBe('modifyTimestamp');
		expect(defaultDisabledTimeAttribute('389ds')).toBe('modifyTimestamp');
	});

	test('a written stamp is the time on disable and cleared on enable; a server-kept time is never written', () => {
		const stamp = new DisabledTime('description');
		expect(redactedChanges(stamp.changes(false, at))).toEqual([{ operation: 'replace', type: 'description', values: ['20260102030405Z'] }]);
		expect(redactedChanges(stamp.changes(true, at))).toEqual([{ operation: 'replace', type: 'description', values: [] }]);
		expect(new DisabledTime('modifyTimestamp').changes(false, at)).toEqual([]);
		expect(new DisabledTime('whenChanged').changes(false, at)).toEqual([]);
	});

	test('an attribute name that is not one is a configuration error', () => {
		expect(() => new DisabledTime('disabled at)(uid=*')).toThrow(/is not an LDAP attribute name/);
	});

	test('the disable and its stamp go in one modify', async () => {
		const { connection, sent } = fakeConnection();
		const state = accountStateFor('openldap', undefined, connection, new WriteLog(), references);
		await state.setActive('uid=a,dc=example,dc=org', false, at);
		expect(sent).toEqual([
			[
				{ operation: 'replace', type: 'pwdAccountLockedTime', values: ['000001010000Z'] },
				{ operation: 'replace', type: 'pwdEndTime', values: ['20260102030405Z'] },
			],
		]);
	});

	test('a default stamp the server does not know is dropped for the execution, and the disable still happens', async () => {
		const { connection, sent } = fakeConnection('pwdEndTime');
		const state = accountStateFor('openldap', undefined, connection, new WriteLog(), references);
		await state.setActive('uid=a,dc=example,dc=org', false, at);
		await state.setActive('uid=b,dc=example,dc=org', false, at);
		expect(sent).toEqual([
			[{ operation: 'replace', type: 'pwdAccountLockedTime', values: ['000001010000Z'] }],
			[{ operation: 'replace', type: 'pwdAccountLockedTime', values: ['000001010000Z'] }],
		]);
	});

	test('a chosen stamp the server does not know fails the disable: the user asked for it', async () => {
		const { connection, sent } = fakeConnection('pwdEndTime');
		const state = accountStateFor('openldap', undefined, connection, new WriteLog(), references, false, 'pwdEndTime');
		await expect(state.setActive('uid=a,dc=example,dc=org', false, at)).rejects.toMatchObject({ targetStatus: 17 });
		expect(sent).toEqual([]);
	});
});
