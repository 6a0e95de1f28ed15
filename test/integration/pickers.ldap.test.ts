/**
 * The LDAP pickers (node version 3) on real slapd, called as n8n's editor calls them: containers for search bases
 * and target OUs, paged through a directory of 1,200 OUs; groups by name per group schema, on OpenLDAP and on the
 * Active Directory stand-in (msuser schema). The search text is escaped into the filter, so filter syntax typed in
 * it is matched as text. And Group Sync version 3, with its group and search base saved as pickers, runs as
 * version 1 does with strings.
 */
import { type ListSearchCall, listAll, listSearch } from '../harness/listSearch';
import { itemsInto, runWorkflow } from '../harness/workflow';
import { Slapd } from '../servers/slapd';

const BASE = 'dc=example,dc=org';
const DEPTS = `ou=Depts,${BASE}`;
const GROUPS = `ou=Groups,${BASE}`;
const OU_COUNT = 1200;
const dept = (i: number) => `ou=Dept ${String(i).padStart(4, '0')},${DEPTS}`;
const ODD = `ou=Sales (EMEA)*,${BASE}`;
const picked = (value: string, mode = 'list') => ({ __rl: true, mode, value });

let slapd: Slapd;
let ad: Slapd;

const entry = (dn: string, lines: string[]) => [`dn: ${dn}`, ...lines, ''].join('\n');

beforeAll(async () => {
	[slapd, ad] = await Promise.all([Slapd.start(), Slapd.start({ extraSchemas: ['msuser'] })]);
	const ldif = [
		entry(DEPTS, ['objectClass: organizationalUnit', 'ou: Depts']),
		entry(ODD, ['objectClass: organizationalUnit', 'ou: Sales (EMEA)*']),
	];
	for (let i = 0; i < OU_COUNT; i++)
		ldif.push(entry(dept(i), ['objectClass: organizationalUnit', `ou: Dept ${String(i).padStart(4, '0')}`]));
	for (const cn of ['Eng', 'Engineering', 'Sales*'])
		ldif.push(entry(`cn=${cn},${GROUPS}`, ['objectClass: groupOfNames', `cn: ${cn}`, `member: cn=${cn},${GROUPS}`]));
	ldif.push(entry(`cn=unixers,${GROUPS}`, ['objectClass: posixGroup', 'cn: unixers', 'gidNumber: 5001']));
	slapd.ldapadd(ldif.join('\n'));
	const adMandatory = [
		'groupType: -2147483646',
		'instanceType: 4',
		'nTSecurityDescriptor: stand-in',
		'objectCategory: CN=Group,CN=Schema,CN=Configuration,DC=example,DC=org',
	];
	ad.ldapadd(
		[
			entry(`ou=Users,${BASE}`, ['objectClass: organizationalUnit', 'ou: Users']),
			entry(`cn=Domain Admins,${GROUPS}`, ['objectClass: top', 'objectClass: group', 'cn: Domain Admins', ...adMandatory]),
			entry(`cn=Finance,${GROUPS}`, ['objectClass: top', 'objectClass: group', 'cn: Finance', ...adMandatory]),
		].join('\n'),
	);
}, 120_000);
afterAll(async () => {
	await Promise.all([slapd.stop(), ad.stop()]);
});

const call = (server: () => Slapd, nodeType: string, parameters: Record<string, unknown>, flavour = 'openldap'): ListSearchCall => ({
	nodeType,
	typeVersion: 3,
	parameters: { target: 'ldap', ...parameters } as never,
	credentials: { ldapDirectoryApi: { ...server().credential(), flavour } },
});
const containers = (filter?: string) =>
	listAll(
		call(() => slapd, 'provisionUser', {}),
		'ldapContainerSearch',
		filter,
	);

describe('LDAP pickers (real slapd)', () => {
	test('containers: the first page of 100 and a token; all pages add up to every container once', async () => {
		const first = await listSearch(
			call(() => slapd, 'provisionUser', {}),
			'ldapContainerSearch',
		);
		expect(first.results).toHaveLength(100);
		expect(first.paginationToken).toBe('100');
		expect(first.results[0]).toEqual({ name: BASE, value: BASE });
		const { values, pages } = await containers();
		expect(values).toHaveLength(OU_COUNT + 5);
		expect(new Set(values).size).toBe(values.length);
		expect(values).toEqual(expect.arrayContaining([BASE, `ou=People,${BASE}`, GROUPS, DEPTS, ODD, dept(0), dept(OU_COUNT - 1)]));
		expect(pages).toBe(Math.ceil((OU_COUNT + 5) / 100));
	});

	test.each([
		['people', [`ou=People,${BASE}`]],
		['ou=Dept 0042', [dept(42)]],
		['DEPT 119', [...Array.from({ length: 10 }, (_, i) => dept(1190 + i))]],
		['(EMEA)*', [ODD]],
		['*', [ODD]],
		['*)(objectClass=*', []],
		['\\2a', []],
		['example', [BASE]],
	])('the search %j is matched as text', async (search, expected) => {
		expect((await containers(search)).values.sort()).toEqual([...expected].sort());
	});

	test('Deprovision User (Disabled OU) and Group Sync (Group Search Base) list the same containers', async () => {
		const deprovision = await listSearch(
			call(() => slapd, 'deprovisionUser', { openLdapDisable: 'move' }),
			'ldapContainerSearch',
			'groups',
		);
		const groupSync = await listSearch(
			call(() => slapd, 'groupSync', {}),
			'ldapContainerSearch',
			'groups',
		);
		expect(deprovision.results.map((r) => r.value)).toEqual([GROUPS]);
		expect(groupSync.results.map((r) => r.value)).toEqual([GROUPS]);
	});

	test("Group Sync's groups by name, of the chosen schema, under the chosen search base", async () => {
		const groups = (schema: string, filter?: string) =>
			listAll(
				call(() => slapd, 'groupSync', { groupSchema: schema, groupSearchBase: picked(GROUPS) }),
				'groupSearch',
				filter,
			);
		expect((await groups('groupOfNames')).values.sort()).toEqual(['Eng', 'Engineering', 'Sales*']);
		expect((await groups('groupOfNames', 'ENG')).values.sort()).toEqual(['Eng', 'Engineering']);
		expect((await groups('groupOfNames', '*')).values).toEqual(['Sales*']);
		expect((await groups('groupOfNames', ')(cn=*')).values).toEqual([]);
		expect((await groups('posixGroup')).values).toEqual(['unixers']);
		const page = await listSearch(
			call(() => slapd, 'groupSync', { groupSchema: 'groupOfNames' }),
			'groupSearch',
			'Eng',
		);
		expect(page.results.find((r) => r.value === 'Eng')?.description).toBe(`cn=Eng,${GROUPS}`);
	});

	test('Active Directory stand-in: its containers and its groups (objectClass group)', async () => {
		const adCall = (parameters: Record<string, unknown>) => call(() => ad, 'groupSync', parameters, 'activeDirectory');
		expect((await listAll(adCall({}), 'ldapContainerSearch', 'users')).values).toEqual([`ou=Users,${BASE}`]);
		expect((await listAll(adCall({ groupSchema: 'activeDirectory' }), 'groupSearch')).values.sort()).toEqual(['Domain Admins', 'Finance']);
		expect((await listAll(adCall({ groupSchema: 'activeDirectory' }), 'groupSearch', 'fin')).values).toEqual(['Finance']);
	});

	test('Group Sync version 1 (strings) and version 3 (pickers, the group name an expression per item) sync the same way', async () => {
		const parameters = (version: number) => ({
			target: 'ldap',
			groupsFrom: 'define',
			mode: 'authoritative',
			groupSchema: 'groupOfNames',
			displayName: version === 3 ? picked('={{ $json.name }}', 'name') : '={{ $json.name }}',
			members: '={{ $json.members }}',
			groupSearchBase: version === 3 ? picked(GROUPS) : GROUPS,
			groupDnTemplate: `cn={displayName},${GROUPS}`,
			searchBase: version === 3 ? picked(`ou=People,${BASE}`, 'dn') : `ou=People,${BASE}`,
			objectFilter: '(objectClass=inetOrgPerson)',
			options: {},
		});
		for (const version of [1, 3]) {
			const name = `picked-v${version}`;
			const result = await runWorkflow(
				itemsInto('groupSync', parameters(version), [{ name, members: [] }], { typeVersion: version, onError: 'continueErrorOutput' }),
				{ ldapDirectoryApi: slapd.credential() },
			);
			expect(result.error).toBeUndefined();
			expect(result.output('Node', 0)[0]?.json).toMatchObject({ action: 'Create', targetId: `cn=${name},${GROUPS}` });
		}
		const listed = await listAll(
			call(() => slapd, 'groupSync', { groupSchema: 'groupOfNames', groupSearchBase: picked(GROUPS) }),
			'groupSearch',
			'picked',
		);
		expect(listed.values.sort()).toEqual(['picked-v1', 'picked-v3']);
	});
});

describe('Provision User version 3: new entries in the container picked from the list', () => {
	const person = (uid: string) => ({ uid, cn: `${uid} Person`, sn: 'Person' });
	const provision = (extra: Record<string, unknown>, version = 3, uid = 'placed') =>
		runWorkflow(
			itemsInto(
				'provisionUser',
				{
					target: 'ldap',
					inputMode: 'define',
					attributes: {
						attribute: [
							{ name: 'uid', value: '={{ $json.uid }}', matchPrecedence: 1 },
							{ name: 'cn', value: '={{ $json.cn }}' },
							{ name: 'sn', value: '={{ $json.sn }}' },
							{ name: 'objectClass', value: 'inetOrgPerson', apply: 'create' },
						],
					},
					objectFilter: '(objectClass=inetOrgPerson)',
					...extra,
				},
				[person(uid)],
				{ typeVersion: version, onError: 'continueErrorOutput' },
			),
			{ ldapDirectoryApi: slapd.credential() },
		);

	test('the OU from the list, the DN Template empty: uid={uid} in that OU; matched there on the next run', async () => {
		const listed = await listAll(
			call(() => slapd, 'provisionUser', {}),
			'ldapContainerSearch',
			'Dept 0007',
		);
		expect(listed.values).toEqual([dept(7)]);
		const first = await provision({ newEntryContainer: picked(dept(7)), searchBase: picked(dept(7)) });
		expect(first.error).toBeUndefined();
		expect(first.output('Node', 0)[0]?.json).toMatchObject({ action: 'Create', targetId: `uid=placed,${dept(7)}` });
		expect(slapd.ldapsearch(dept(7), '(uid=placed)', ['cn'])).toContain('cn: placed Person');
		const again = await provision({ newEntryContainer: picked(dept(7)), searchBase: picked(dept(7)) });
		expect(again.output('Node', 0)[0]?.json).toMatchObject({ action: 'NoChange', targetId: `uid=placed,${dept(7)}` });
	});

	test('a relative DN Template goes before the container; By DN works as the list does', async () => {
		const res = await provision({ newEntryContainer: picked(DEPTS, 'dn'), dnTemplate: 'uid={uid},ou=Dept 0008' }, 3, 'relative');
		expect(res.output('Node', 0)[0]?.json).toMatchObject({ action: 'Create', targetId: `uid=relative,${dept(8)}` });
	});

	test('a whole-DN template beside a container is a set-up error naming the DN Template, and nothing is written', async () => {
		const res = await provision({ newEntryContainer: picked(dept(9)), dnTemplate: `uid={uid},${dept(9)}` }, 3, 'twice');
		expect(res.error?.message).toMatch(/DN Template names only the part before it/);
		expect(slapd.ldapsearch(BASE, '(uid=twice)', ['uid'])).not.toContain('uid: twice');
	});

	test('version 2 keeps its whole-DN template (and has no container to read)', async () => {
		const res = await provision({ dnTemplate: `uid={uid},${dept(10)}`, newEntryContainer: picked(dept(11)) }, 2, 'older');
		expect(res.output('Node', 0)[0]?.json).toMatchObject({ action: 'Create', targetId: `uid=older,${dept(10)}` });
	});
});

describe("LDAP pickers under the directory's size limit (slapd's default 500, a bind DN other than the root)", () => {
	let limited: Slapd;
	beforeAll(async () => {
		limited = await Slapd.start({ sizeLimit: 500 });
		const ldif = [
			entry(`cn=reader,${BASE}`, [
				'objectClass: organizationalRole',
				'objectClass: simpleSecurityObject',
				'cn: reader',
				'userPassword: Reader-Pw-1',
			]),
		];
		for (let i = 0; i < OU_COUNT; i++) ldif.push(entry(`ou=Unit ${i},${BASE}`, ['objectClass: organizationalUnit', `ou: Unit ${i}`]));
		limited.ldapadd(ldif.join('\n'));
	}, 120_000);
	afterAll(() => limited.stop());
	const reader = (): ListSearchCall => ({
		nodeType: 'provisionUser',
		typeVersion: 3,
		parameters: { target: 'ldap' } as never,
		credentials: { ldapDirectoryApi: { ...limited.credential(), bindDn: `cn=reader,${BASE}`, bindPassword: 'Reader-Pw-1' } },
	});

	test('scrolling ends at the limit with the entries read, instead of failing the list', async () => {
		const { values } = await listAll(reader(), 'ldapContainerSearch');
		expect(values).toHaveLength(500);
		expect(new Set(values).size).toBe(500);
	});

	test('a page past the limit says so and what to do; a search under the limit lists everything it matches', async () => {
		await expect(listSearch(reader(), 'ldapContainerSearch', undefined, '600')).rejects.toThrow(/size limit.*type in the search box/i);
		const { values } = await listAll(reader(), 'ldapContainerSearch', 'Unit 11');
		expect(values).toHaveLength(111);
	});
});
