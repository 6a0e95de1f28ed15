/**
 * A directory's size limit (slapd's default is 500 entries for every bind DN but the root; AD's MaxPageSize
 * differs but the idea is the same) stops a full listing part way. Reconcile and Discover Accounts must then fail
 * the run with a reason a person can act on, and change nothing: a listing cut short would make every account past
 * the limit look like a leaver or an orphan.
 */
import { errorOf, itemsInto, runWorkflow } from '../harness/workflow';
import { parseLdif, Slapd } from '../servers/slapd';

const BASE = 'dc=example,dc=org';
const PEOPLE = `ou=People,${BASE}`;
const COUNT = 600;
let slapd: Slapd;

beforeAll(async () => {
	slapd = await Slapd.start({ sizeLimit: 500 });
	const ldif = [
		[
			`dn: cn=reader,${BASE}`,
			'objectClass: organizationalRole',
			'objectClass: simpleSecurityObject',
			'cn: reader',
			'userPassword: Reader-Pw-1',
			'',
		],
		...Array.from({ length: COUNT }, (_, i) => [
			`dn: uid=p${i},${PEOPLE}`,
			'objectClass: inetOrgPerson',
			`uid: p${i}`,
			`cn: p ${i}`,
			`sn: ${i}`,
			'',
		]),
	];
	slapd.ldapadd(ldif.map((l) => l.join('\n')).join('\n'));
}, 120_000);
afterAll(() => slapd.stop());

const reader = () => ({
	ldapDirectoryApi: { ...slapd.credential(), baseDn: BASE, bindDn: `cn=reader,${BASE}`, bindPassword: 'Reader-Pw-1' },
});
const source = Array.from({ length: 550 }, (_, i) => ({ uid: `p${i}` }));
const ldapParams = {
	target: 'ldap',
	inputMode: 'define',
	searchBase: PEOPLE,
	objectFilter: '(objectClass=inetOrgPerson)',
	matchKeys: { key: [{ attribute: 'uid', value: '={{ $json.uid }}' }] },
};
const locked = () => parseLdif(slapd.ldapsearch(PEOPLE, '(pwdAccountLockedTime=*)', ['uid'])).size;

const failureOf = async (nodeType: string, params: Record<string, unknown>) => {
	try {
		const res = await runWorkflow(itemsInto(nodeType, params, source, { onError: 'continueErrorOutput' }), reader());
		if (res.error) return res.error.message;
		const items = [0, 1, 2, 3, 4].flatMap((index) => res.output('Node', index) ?? []);
		return items
			.filter((i) => i.error || i.json.error)
			.map((i) => errorOf(i).reason)
			.join('\n');
	} catch (error) {
		return (error as Error).message;
	}
};

test('reconcile over a listing the size limit cuts short fails the run naming the limit and what to do, and disables nothing', async () => {
	const reason = await failureOf('deprovisionUser', { ...ldapParams, mode: 'reconcile', operation: 'disable' });
	expect(reason).toMatch(/size limit/i);
	expect(reason).toMatch(/bind DN|limits|olcLimits|MaxPageSize/i);
	expect(locked()).toBe(0);
});

test('Discover Accounts over a listing the size limit cuts short fails naming the limit, instead of reporting orphans', async () => {
	const reason = await failureOf('discoverAccounts', { ...ldapParams, operation: 'discover' });
	expect(reason).toMatch(/size limit/i);
});
