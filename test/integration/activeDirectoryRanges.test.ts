/**
 * Active Directory's ranged retrieval of large member lists, against an LDAP stub that answers as AD does
 * (AD cannot run here, and slapd cannot produce `member;range=…`).
 */
import { LdapTarget } from '../../lib/targets/ldap/ldapTarget';
import { LdapRangeStub } from '../servers/ldapRangeStub';

let stub: LdapRangeStub;
beforeAll(async () => {
	stub = await LdapRangeStub.start(1500);
});
afterAll(() => stub.stop());

const GROUP = 'CN=All Staff,OU=Groups,DC=corp,DC=example';
const member = (i: number) => `CN=User ${i},OU=People,DC=corp,DC=example`;

function target(): LdapTarget {
	return new LdapTarget({
		connection: { urls: [stub.url], bindDn: 'CN=svc,DC=corp,DC=example', bindPassword: 'x' },
		flavour: 'activeDirectory',
		baseDn: 'DC=corp,DC=example',
		groups: { schema: 'activeDirectory' },
	});
}

test('a 3,500-member group is read completely, range by range (0-1499, 1500-2999, 3000-*)', async () => {
	const members = Array.from({ length: 3500 }, (_, i) => member(i));
	stub.add(GROUP, { cn: ['All Staff'], member: members });
	stub.searches.length = 0;
	const t = target();
	try {
		const group = await t.groups.readGroup(GROUP);
		expect(group?.displayName).toBe('All Staff');
		expect(group?.members).toHaveLength(3500);
		expect(new Set(group?.members)).toEqual(new Set(members));
		expect(stub.searches.map((s) => s.attributes.filter((a) => a.toLowerCase().startsWith('member')))).toEqual([
			['member'],
			['member;range=1500-*'],
			['member;range=3000-*'],
		]);
	} finally {
		await t.close();
	}
});

test('a group within one range is read in one request', async () => {
	stub.add(GROUP, { cn: ['All Staff'], member: [member(1), member(2)] });
	stub.searches.length = 0;
	const t = target();
	try {
		expect((await t.groups.readGroup(GROUP))?.members).toEqual([member(1), member(2)]);
		expect(stub.searches).toHaveLength(1);
	} finally {
		await t.close();
	}
});

test('exactly 1,500 members and exactly one more: the boundary ranges', async () => {
	for (const size of [1500, 1501, 3000]) {
		const members = Array.from({ length: size }, (_, i) => member(i));
		stub.add(GROUP, { cn: ['All Staff'], member: members });
		const t = target();
		try {
			expect((await t.groups.readGroup(GROUP))?.members).toHaveLength(size);
		} finally {
			await t.close();
		}
	}
});
