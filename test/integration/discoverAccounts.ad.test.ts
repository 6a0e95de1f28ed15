/**
 * Discover Accounts on the Active Directory flavour (slapd with Debian's msuser schema over LDAPS, the AD stand-in):
 * disabled is userAccountControl's ACCOUNTDISABLE bit, the disable time a chosen attribute; every situation
 * classified exactly, Link and Unlink Account, and slapd's auditlog unchanged by discovery and resolution.
 */
import { deprovisionItems } from '../../lib/provisioning/deprovision';
import { ldapTargetFromCredentials } from '../../nodes/shared/targets';
import { ACCOUNTS, ANCHOR, DISABLED_AT, discoverySuite, FIRST_KEY } from '../harness/discoverScenario';
import { Slapd } from '../servers/slapd';

let slapd: Slapd;
beforeAll(async () => {
	slapd = await Slapd.start({ tls: true, extraSchemas: ['msuser'] });
	slapd.ldapadd(['dn: ou=Users,dc=example,dc=org', 'objectClass: organizationalUnit', 'ou: Users', ''].join('\n'));
});
afterAll(async () => {
	await slapd.stop();
});

const USERS = 'ou=Users,dc=example,dc=org';
const credential = () => ({
	urls: slapd.ldapsUrl,
	caCertificate: slapd.caCertificate,
	bindDn: slapd.rootDn,
	bindPassword: slapd.rootPassword,
	baseDn: slapd.suffix,
	flavour: 'activeDirectory',
	timeoutMs: 5000,
});
const search = { searchBase: USERS, objectFilter: '(objectClass=user)' };

describe('Discover Accounts → Active Directory (slapd with the msuser schema)', () => {
	discoverySuite(() => ({
		params: { target: 'ldap', ...search, options: { disabledTimeAttribute: 'description' } },
		credentials: () => ({ ldapDirectoryApi: credential() }),
		// The stand-in's sAMAccountName has no equality rule (no search finds it): accounts are named by cn here.
		attributes: ['mail', 'cn', 'employeeNumber'],
		absentAccountId: `cn=nobody,${USERS}`,
		async seed() {
			slapd.ldapadd(
				ACCOUNTS.map((sam) =>
					[
						`dn: cn=${sam},${USERS}`,
						...['top', 'person', 'organizationalPerson', 'user', 'extensibleObject'].map((c) => `objectClass: ${c}`),
						'instanceType: 4',
						'nTSecurityDescriptor: stand-in',
						'objectCategory: CN=Person,CN=Schema,CN=Configuration,DC=example,DC=org',
						`cn: ${sam}`,
						`sn: ${sam}`,
						`sAMAccountName: ${sam}`,
						'userAccountControl: 512',
						`mail: ${FIRST_KEY[sam]}`,
						...(ANCHOR[sam] ? [`employeeNumber: ${ANCHOR[sam]}`] : []),
						'',
					].join('\n'),
				).join('\n'),
			);
			const target = ldapTargetFromCredentials(credential(), { ...search, disabledTimeAttribute: 'description' });
			try {
				const pend = { attributes: {}, matchKeys: [{ attribute: 'cn', value: 'pend' }] };
				const { outcomes } = await deprovisionItems(target, [pend], { action: 'disable', clock: () => new Date(DISABLED_AT) });
				expect(outcomes.map((o) => [o.record.action, o.error?.message])).toEqual([['Disable', undefined]]);
			} finally {
				await target.close();
			}
		},
		mark: async () => slapd.auditLog().length,
		writesSince: async (mark) =>
			slapd
				.auditLog()
				.slice(mark as number)
				.split(/\n(?=# )/)
				.filter((block) => block.trim() !== ''),
	}));
});
