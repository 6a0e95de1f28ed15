import { nextMemberRange } from '../../lib/targets/ldap/memberRange';
import { errorOf, itemsInto, runWorkflow } from '../harness/workflow';
import { Slapd, parseLdif } from '../servers/slapd';

let slapd: Slapd;
const BASE = 'dc=example,dc=org';
const PEOPLE = `ou=People,${BASE}`;
const GROUPS = `ou=Groups,${BASE}`;

beforeAll(async () => {
	slapd = await Slapd.start();
	const ldif: string[] = [];
	for (let i = 0; i < 5000; i++)
		ldif.push(
			`dn: uid=m${i},${PEOPLE}`,
			'objectClass: inetOrgPerson',
			`uid: m${i}`,
			`cn: M ${i}`,
			`sn: ${i}`,
			`mail: m${i}@example.org`,
			'',
		);
	slapd.ldapadd(ldif.join('\n'));
});
afterAll(async () => {
	await slapd.stop();
});

const credentials = () => ({
	ldapDirectoryApi: {
		...slapd.credential(),
		baseDn: BASE,
		timeoutMs: 10000,
	},
});
const params = (schema: string, extra: Record<string, unknown> = {}) => ({
	target: 'ldap',
	mode: 'authoritative',
	groupSchema: schema,
	groupSearchBase: GROUPS,
	groupDnTemplate: `cn={displayName},${GROUPS}`,
	searchBase: PEOPLE,
	objectFilter: '(objectClass=inetOrgPerson)',
	...extra,
});
const run = (schema: string, items: object[], extra: Record<string, unknown> = {}) =>
	runWorkflow(itemsInto('groupSync', params(schema, extra), items, { onError: 'continueErrorOutput' }), credentials());
const groupEntry = (cn: string) => parseLdif(slapd.ldapsearch(GROUPS, `(cn=${cn})`, ['*'])).get(`cn=${cn},${GROUPS}`);
const dn = (i: number) => `uid=m${i},${PEOPLE}`;
const modifiesOf = (cn: string, since: number) =>
	slapd
		.auditLog()
		.slice(since)
		.split(/\n# end \w+ \d+\n/)
		.filter((b) => b.includes(`dn: cn=${cn},${GROUPS}`) && b.includes('changetype: modify'));

describe('Group Sync → LDAP (real slapd, real workflow)', () => {
	test('groupOfNames: create with member DNs, rerun writes nothing, rename, and emptying keeps the placeholder the schema needs', async () => {
		const res = await run('groupOfNames', [{ displayName: 'devs', members: ['m1', 'm2', 'm3'] }]);
		expect(res.output('Node', 0)[0].json).toMatchObject({ action: 'Create', targetId: `cn=devs,${GROUPS}` });
		expect(groupEntry('devs')!.member.sort()).toEqual([dn(1), dn(2), dn(3)].sort());

		const before = slapd.auditLog().length;
		const rerun = await run('groupOfNames', [{ displayName: 'devs', members: ['m3', 'm2', 'm1'] }]);
		expect(rerun.output('Node', 0)[0].json.action).toBe('NoChange');
		expect(slapd.auditLog().length).toBe(before);

		const emptied = await run('groupOfNames', [{ displayName: 'devs', members: [] }]);
		expect(emptied.output('Node', 0)[0].json.details).toMatchObject({ membersRemoved: 3 });
		expect(groupEntry('devs')!.member).toEqual([`cn=devs,${GROUPS}`]);
		const refilled = await run('groupOfNames', [{ displayName: 'devs', members: ['m4'] }]);
		expect(refilled.output('Node', 0)[0].json.details).toMatchObject({ membersAdded: 1, membersRemoved: 0 });
		expect(groupEntry('devs')!.member).toEqual([dn(4)]);
	});

	test('a group matched by an external id attribute is renamed (modifyDN)', async () => {
		await run('groupOfNames', [{ displayName: 'qa', externalId: 'G-QA', members: ['m1'] }], { externalIdAttribute: 'description' });
		const res = await run('groupOfNames', [{ displayName: 'quality', externalId: 'G-QA', members: ['m1'] }], {
			externalIdAttribute: 'description',
		});
		expect(res.output('Node', 0)[0].json).toMatchObject({ action: 'Update', targetId: `cn=quality,${GROUPS}` });
		expect(groupEntry('qa')).toBeUndefined();
		expect(groupEntry('quality')).toMatchObject({ description: ['G-QA'], member: [dn(1)] });
	});

	test('groupOfUniqueNames uses uniqueMember', async () => {
		await run('groupOfUniqueNames', [{ displayName: 'uniq', members: ['m5', 'm6'] }]);
		expect(groupEntry('uniq')!.uniqueMember.sort()).toEqual([dn(5), dn(6)]);
		await run('groupOfUniqueNames', [{ displayName: 'uniq', members: ['m6'] }]);
		expect(groupEntry('uniq')!.uniqueMember).toEqual([dn(6)]);
	});

	test('posixGroup uses memberUid and needs a gidNumber', async () => {
		const res = await run(
			'posixGroup',
			[
				{ displayName: 'staff', gidNumber: '5001', members: ['m7@example.org', 'm8@example.org'] },
				{ displayName: 'nogid', members: ['m7@example.org'] },
			],
			{ memberAttribute: 'mail' },
		);
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Create']);
		expect(groupEntry('staff')).toMatchObject({ gidNumber: ['5001'], memberUid: ['m7', 'm8'] });
		expect(res.output('Node', 1).map((i) => [errorOf(i).code, errorOf(i).field, i.pairedItem])).toEqual([
			['MissingRequiredValue', 'gidNumber', { item: 1 }],
		]);
	});

	test('a 5,000-member group is written in modifies of at most 100 values; a rerun writes nothing', async () => {
		const members = Array.from({ length: 5000 }, (_, i) => `m${i}`);
		const since = slapd.auditLog().length;
		const res = await run('groupOfNames', [{ displayName: 'all', members }], { chunkSize: 100 });
		expect(res.output('Node', 0)[0].json.details).toMatchObject({ membersAdded: 5000, chunks: 49 });
		const modifies = modifiesOf('all', since);
		expect(modifies).toHaveLength(49); // the first 100 went into the add that created the group
		const valuesPer = modifies.map((b) => b.split('\n').filter((l) => l.startsWith('member: ')).length);
		expect(Math.max(...valuesPer)).toBe(100);
		expect(groupEntry('all')!.member).toHaveLength(5000);
		const again = slapd.auditLog().length;
		await run('groupOfNames', [{ displayName: 'all', members }], { chunkSize: 100 });
		expect(slapd.auditLog().length).toBe(again);
	});

	test('nested groups: flattened into users, or synced as member DNs', async () => {
		const items = [
			{ displayName: 'outer', members: ['m10', { group: 'inner' }] },
			{ displayName: 'inner', members: ['m11', { group: 'outer' }] },
		];
		const flat = await run('groupOfNames', items);
		expect(groupEntry('outer')!.member.sort()).toEqual([dn(10), dn(11)].sort());
		expect(flat.output('Node', 0)[0].json.details).toMatchObject({ cycles: ['outer → inner → outer'] });
		await run('groupOfNames', items, { nestedGroups: 'nest' });
		expect(groupEntry('outer')!.member.sort()).toEqual([dn(10), `cn=inner,${GROUPS}`].sort());
	});

	test('an unknown group schema is a set-up error that stops the node before any item runs', async () => {
		const res = await run('groupOfStrangers', [{ displayName: 'x', members: ['m1'] }]);
		expect(res.error?.name).toBe('NodeOperationError');
		expect(res.error?.message).toMatch(/^Unknown group schema "groupOfStrangers"/);
		expect(res.output('Node', 1)).toEqual([]);
	});
});

describe('Active Directory ranged retrieval', () => {
	test('follows member;range=… until the last range', () => {
		expect(nextMemberRange(['cn', 'member;range=0-1499'])).toEqual({ received: 'member;range=0-1499', next: 'member;range=1500-*' });
		expect(nextMemberRange(['member;range=1500-2999'])).toEqual({ received: 'member;range=1500-2999', next: 'member;range=3000-*' });
		expect(nextMemberRange(['member;range=3000-*'])).toEqual({ received: 'member;range=3000-*' });
		expect(nextMemberRange(['member', 'cn'])).toBeUndefined();
	});
});
