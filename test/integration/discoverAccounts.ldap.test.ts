/**
 * Discover Accounts on real slapd (OpenLDAP, password-policy lock): every situation classified exactly, Link and
 * Unlink Account, and slapd's auditlog overlay (every write it applied) unchanged by discovery and resolution.
 */
import { deprovisionItems } from '../../lib/provisioning/deprovision';
import { ldapTargetFromCredentials } from '../../nodes/shared/targets';
import { ACCOUNTS, ANCHOR, DISABLED_AT, discoverySuite, FIRST_KEY } from '../harness/discoverScenario';
import { Slapd } from '../servers/slapd';

let slapd: Slapd;
beforeAll(async () => {
	slapd = await Slapd.start();
});
afterAll(async () => {
	await slapd.stop();
});

const PEOPLE = 'ou=People,dc=example,dc=org';
const credential = () => ({ ...slapd.credential(), timeoutMs: 5000 });

describe('Discover Accounts → LDAP (real slapd)', () => {
	discoverySuite(() => ({
		params: { target: 'ldap', searchBase: PEOPLE, objectFilter: '(objectClass=inetOrgPerson)', options: {} },
		credentials: () => ({ ldapDirectoryApi: credential() }),
		attributes: ['mail', 'uid', 'employeeNumber'],
		absentAccountId: `uid=nobody,${PEOPLE}`,
		async seed() {
			slapd.ldapadd(
				ACCOUNTS.map((uid) =>
					[
						`dn: uid=${uid},${PEOPLE}`,
						'objectClass: inetOrgPerson',
						`uid: ${uid}`,
						`cn: ${uid}`,
						`sn: ${uid}`,
						`mail: ${FIRST_KEY[uid]}`,
						...(ANCHOR[uid] ? [`employeeNumber: ${ANCHOR[uid]}`] : []),
						'',
					].join('\n'),
				).join('\n'),
			);
			const target = ldapTargetFromCredentials(credential(), { searchBase: PEOPLE, objectFilter: '(objectClass=inetOrgPerson)' });
			try {
				const pend = { attributes: {}, matchKeys: [{ attribute: 'uid', value: 'pend' }] };
				await deprovisionItems(target, [pend], { action: 'disable', clock: () => new Date(DISABLED_AT) });
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
