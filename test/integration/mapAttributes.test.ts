import { chain, errorOf, itemsInto, runWorkflow } from '../harness/workflow';
import { ScimTestServer } from '../../dev/scimApp';
import { Slapd, parseLdif } from '../servers/slapd';

let scim: ScimTestServer;
let slapd: Slapd;
beforeAll(async () => {
	scim = await ScimTestServer.start();
	slapd = await Slapd.start({ tls: true, extraSchemas: ['msuser'] });
	slapd.ldapadd(['dn: ou=Users,dc=example,dc=org', 'objectClass: organizationalUnit', 'ou: Users', ''].join('\n'));
});
afterAll(async () => {
	await scim.stop();
	await slapd.stop();
});

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PEOPLE = 'ou=People,dc=example,dc=org';
const credentials = (ldap: Record<string, unknown> = {}) => ({
	scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token },
	ldapDirectoryApi: {
		...slapd.credential(),
		...ldap,
	},
});
const users = () => [...scim.store.users.values()];
const ldapEntry = (base: string, filter: string) => [...parseLdif(slapd.ldapsearch(base, filter, ['*'])).values()][0];

/** An expression-heavy mapping: Join, Switch, NormalizeDiacritics, Replace with regex groups, FormatDateTime, Coalesce, IIF. */
const heavyRows = (target: 'scim' | 'ldap') => {
	const login = {
		target: target === 'scim' ? 'userName' : 'uid',
		type: 'expression',
		expression: 'ToLower(Join(".", NormalizeDiacritics(StripSpaces([firstName])), NormalizeDiacritics(StripSpaces([lastName]))))',
		matchPrecedence: 1,
	};
	const common = [
		login,
		{ target: target === 'scim' ? 'externalId' : 'employeeNumber', type: 'direct', source: 'employeeId', matchPrecedence: 2 },
		{ target: target === 'scim' ? 'displayName' : 'cn', type: 'expression', expression: 'Join(" ", [firstName], [lastName])' },
		{ target: target === 'scim' ? 'name.familyName' : 'sn', type: 'direct', source: 'lastName' },
		{
			target: target === 'scim' ? 'title' : 'title',
			type: 'expression',
			expression: 'Switch([level], "Staff", "1", "Associate", "2", "Senior", "3", "Principal")',
		},
		{
			target: target === 'scim' ? 'phoneNumbers[type eq "work"].value' : 'telephoneNumber',
			type: 'expression',
			expression: 'Replace([phone], , "^\\\\+(?<cc>\\\\d+) (?<rest>.*)$", , "00${cc} ${rest}", , )',
		},
		{
			target: target === 'scim' ? `${ENT}:employeeNumber` : 'employeeType',
			type: 'expression',
			expression: 'IIF([contractor]="yes", "Contractor", "Employee")',
		},
		{
			target: target === 'scim' ? 'nickName' : 'description',
			type: 'expression',
			expression: 'Join(" ", "Hired", FormatDateTime([hireDate], , "yyyyMMdd", "yyyy-MM-dd"))',
		},
		{
			target: target === 'scim' ? 'emails[type eq "work"].value' : 'mail',
			type: 'expression',
			expression: 'Coalesce([workEmail], Join("@", ToLower(NormalizeDiacritics(StripSpaces([firstName]))), "contoso.com"))',
		},
	];
	return target === 'ldap'
		? [
				...common,
				{
					target: 'objectClass',
					type: 'expression',
					expression: 'Split("top,person,organizationalPerson,inetOrgPerson", ",")',
					apply: 'create',
				},
			]
		: common;
};
const hires = [
	{
		employeeId: 'H1',
		firstName: 'Zoë',
		lastName: 'Müller Brandt',
		level: '2',
		phone: '+41 44 668 18 00',
		contractor: 'no',
		hireDate: '20240115',
		workEmail: '',
	},
	{
		employeeId: 'H2',
		firstName: 'Søren',
		lastName: 'Ørsted',
		level: '9',
		phone: '+45 3332 1000',
		contractor: 'yes',
		hireDate: '20231201',
		workEmail: 'soren@partner.example',
	},
];

describe('Map Attributes → Provision User (real workflows, real servers)', () => {
	test('an expression-heavy mapping produces the expected envelope and is written to the SCIM server', async () => {
		const res = await runWorkflow(
			chain(hires, [
				{ name: 'Map', type: 'mapAttributes', parameters: { preset: 'none', mappings: { mapping: heavyRows('scim') } } },
				{ name: 'Provision', type: 'provisionUser', parameters: { target: 'scim', inputMode: 'envelope' } },
			]),
			credentials(),
		);
		expect(res.error).toBeUndefined();
		expect(res.output('Map')[0].json).toMatchObject({
			attributes: {
				userName: 'zoe.mullerbrandt',
				externalId: 'H1',
				displayName: 'Zoë Müller Brandt',
				title: 'Senior',
				'phoneNumbers[type eq "work"].value': '0041 44 668 18 00',
				[`${ENT}:employeeNumber`]: 'Employee',
				nickName: 'Hired 2024-01-15',
				'emails[type eq "work"].value': 'zoe@contoso.com',
			},
			matchKeys: [
				{ attribute: 'userName', value: 'zoe.mullerbrandt' },
				{ attribute: 'externalId', value: 'H1' },
			],
			trace: { title: 'Expression: Switch([level], "Staff", "1", "Associate", "2", "Senior", "3", "Principal")' },
		});
		// level 9 has no key: Switch's default.
		expect(res.output('Map')[1].json).toMatchObject({
			attributes: { title: 'Staff', 'emails[type eq "work"].value': 'soren@partner.example', [`${ENT}:employeeNumber`]: 'Contractor' },
		});
		expect(res.output('Provision').map((i) => i.json.action)).toEqual(['Create', 'Create']);
		expect((res.output('Provision')[0].json.modifiedProperties as any[]).find((p) => p.name === 'title')).toMatchObject({
			source: 'Expression: Switch([level], "Staff", "1", "Associate", "2", "Senior", "3", "Principal")',
		});
		const zoe = users().find((u) => u.externalId === 'H1')!;
		expect(zoe).toMatchObject({
			userName: 'zoe.mullerbrandt',
			phoneNumbers: [{ type: 'work', value: '0041 44 668 18 00' }],
			nickName: 'Hired 2024-01-15',
		});
	});

	test('the same kind of mapping is written to slapd', async () => {
		const res = await runWorkflow(
			chain(hires, [
				{ name: 'Map', type: 'mapAttributes', parameters: { preset: 'none', mappings: { mapping: heavyRows('ldap') } } },
				{
					name: 'Provision',
					type: 'provisionUser',
					parameters: { target: 'ldap', inputMode: 'envelope', dnTemplate: `uid={uid},${PEOPLE}` },
				},
			]),
			credentials(),
		);
		expect(res.output('Provision').map((i) => i.json.action)).toEqual(['Create', 'Create']);
		expect(ldapEntry(PEOPLE, '(employeeNumber=H2)')).toMatchObject({
			uid: ['soeren.oersted'],
			cn: ['Søren Ørsted'],
			title: ['Staff'],
			telephoneNumber: ['0045 3332 1000'],
			employeeType: ['Contractor'],
			description: ['Hired 2023-12-01'],
			mail: ['soren@partner.example'],
		});
	});

	test('scoping: in-scope users are provisioned, out-of-scope users go to the second output and on to Deprovision User', async () => {
		const people = [
			{ userName: 'in.scope@example.org', department: 'Sales', active: true },
			{ userName: 'out.scope@example.org', department: 'Legal', active: true },
		];
		await runWorkflow(
			itemsInto('provisionUser', { target: 'scim', inputMode: 'envelope' }, [
				{
					attributes: { userName: 'out.scope@example.org', active: true },
					matchKeys: [{ attribute: 'userName', value: 'out.scope@example.org' }],
				},
			]),
			credentials(),
		);
		const res = await runWorkflow(
			chain(people, [
				{
					name: 'Map',
					type: 'mapAttributes',
					parameters: {
						preset: 'none',
						mappings: {
							mapping: [
								{ target: 'userName', type: 'direct', source: 'userName', matchPrecedence: 1 },
								{ target: `${ENT}:department`, type: 'direct', source: 'department' },
							],
						},
						scoping: { clause: [{ group: 1, attribute: 'department', operator: 'EQUALS', value: 'Sales' }] },
					},
				},
				{ name: 'Provision', type: 'provisionUser', parameters: { target: 'scim', inputMode: 'envelope' } },
				{
					name: 'Deprovision',
					type: 'deprovisionUser',
					parameters: { target: 'scim', mode: 'perItem', operation: 'disable', inputMode: 'envelope' },
					after: 'Map',
					fromOutput: 1,
				},
			]),
			credentials(),
		);
		expect(res.output('Provision').map((i) => i.json.action)).toEqual(['Create']);
		expect(res.output('Deprovision').map((i) => i.json.action)).toEqual(['Disable']);
		expect(users().find((u) => u.userName === 'out.scope@example.org')!.active).toBe(false);
	});

	test('SelectUniqueValue takes the first candidate free in the target and in the batch', async () => {
		await runWorkflow(
			itemsInto('provisionUser', { target: 'scim', inputMode: 'envelope' }, [
				{ attributes: { userName: 'jsmith@contoso.com' }, matchKeys: [{ attribute: 'userName', value: 'jsmith@contoso.com' }] },
			]),
			credentials(),
		);
		const rows = [
			{ target: 'externalId', type: 'direct', source: 'id', matchPrecedence: 1 },
			{
				target: 'userName',
				type: 'expression',
				expression:
					'SelectUniqueValue(Join("@", ToLower(Join("", Left([first], 1), [last])), "contoso.com"), Join("@", ToLower(Join(".", [first], [last])), "contoso.com"), Join("@", ToLower(Join(".", [first], [last], [id])), "contoso.com"))',
				matchPrecedence: 2,
			},
		];
		const res = await runWorkflow(
			chain(
				[
					{ id: 'S1', first: 'John', last: 'Smith' },
					{ id: 'S2', first: 'Jane', last: 'Smith' },
				],
				[
					{ name: 'Map', type: 'mapAttributes', parameters: { preset: 'none', mappings: { mapping: rows }, target: 'scim' } },
					{ name: 'Provision', type: 'provisionUser', parameters: { target: 'scim', inputMode: 'envelope' } },
				],
			),
			credentials(),
		);
		expect(res.output('Map').map((i) => (i.json.createOnly as any).userName)).toEqual(['john.smith@contoso.com', 'jane.smith@contoso.com']);
		expect(res.output('Provision').map((i) => i.json.action)).toEqual(['Create', 'Create']);
	});

	describe('presets, end to end', () => {
		const scimUser = (n: number, extra: Record<string, unknown> = {}) => ({
			schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
			userName: `preset${n}@example.org`,
			externalId: `P${n}`,
			name: { givenName: `Given${n}`, familyName: `Family${n}` },
			displayName: `Given${n} Family${n}`,
			emails: [{ type: 'work', value: `preset${n}@example.org` }],
			active: true,
			[ENT]: { employeeNumber: `EN${n}`, department: 'R&D' },
			...extra,
		});

		test('SCIM/Entra user → OpenLDAP inetOrgPerson', async () => {
			const res = await runWorkflow(
				chain(
					[scimUser(1), scimUser(2, { title: 'Engineer' })],
					[
						{ name: 'Map', type: 'mapAttributes', parameters: { preset: 'scimToOpenLdap' } },
						{
							name: 'Provision',
							type: 'provisionUser',
							parameters: { target: 'ldap', inputMode: 'envelope', dnTemplate: `uid={uid},${PEOPLE}` },
						},
					],
				),
				credentials(),
			);
			expect(res.output('Provision').map((i) => i.json.action)).toEqual(['Create', 'Create']);
			expect(ldapEntry(PEOPLE, '(uid=preset2)')).toMatchObject({
				cn: ['Given2 Family2'],
				sn: ['Family2'],
				givenName: ['Given2'],
				mail: ['preset2@example.org'],
				title: ['Engineer'],
				employeeNumber: ['EN2'],
				departmentNumber: ['R&D'],
			});
		});

		test('SCIM/Entra user → Active Directory user (slapd with the msuser schema, LDAPS)', async () => {
			// What a domain controller fills in itself, which slapd's copy of the schema requires: extra rows, as a user edits a preset.
			const standIns = [
				{
					target: 'objectClass',
					type: 'expression',
					expression: 'Split("top,person,organizationalPerson,user,extensibleObject", ",")',
					apply: 'create',
				},
				{ target: 'instanceType', type: 'constant', constant: '4', apply: 'create' },
				{ target: 'nTSecurityDescriptor', type: 'constant', constant: 'stand-in', apply: 'create' },
				{ target: 'objectCategory', type: 'constant', constant: 'CN=Person,CN=Schema,CN=Configuration,DC=example,DC=org', apply: 'create' },
			];
			const res = await runWorkflow(
				chain(
					[scimUser(3), scimUser(4, { active: false })],
					[
						{ name: 'Map', type: 'mapAttributes', parameters: { preset: 'scimToActiveDirectory', mappings: { mapping: standIns } } },
						{
							name: 'Provision',
							type: 'provisionUser',
							parameters: {
								target: 'ldap',
								inputMode: 'envelope',
								dnTemplate: 'CN={cn},OU=Users,DC=example,DC=org',
								searchBase: 'ou=Users,dc=example,dc=org',
								objectFilter: '(objectClass=user)',
							},
						},
					],
				),
				credentials({ flavour: 'activeDirectory', urls: slapd.ldapsUrl, caCertificate: slapd.caCertificate }),
			);
			expect(res.output('Provision').map((i) => [i.json.action, i.json.targetId])).toEqual([
				['Create', 'CN=Given3 Family3,OU=Users,DC=example,DC=org'],
				['Create', 'CN=Given4 Family4,OU=Users,DC=example,DC=org'],
			]);
			expect(ldapEntry('ou=Users,dc=example,dc=org', '(cn=Given3 Family3)')).toMatchObject({
				sAMAccountName: ['preset3'],
				userPrincipalName: ['preset3@example.org'],
				userAccountControl: ['512'],
				employeeNumber: ['EN3'],
			});
			expect(ldapEntry('ou=Users,dc=example,dc=org', '(cn=Given4 Family4)').userAccountControl).toEqual(['514']);
		});

		test('HR CSV row → SCIM core and enterprise user', async () => {
			const rows = [
				{
					EmployeeID: '9001',
					FirstName: 'Ada',
					LastName: 'King',
					Email: 'ada.king@example.org',
					JobTitle: 'Analyst',
					Department: 'Research',
					Status: 'Active',
				},
				{
					EmployeeID: '9002',
					FirstName: 'Bob',
					LastName: 'Gone',
					Email: 'bob.gone@example.org',
					JobTitle: 'Clerk',
					Department: 'Ops',
					Status: 'Terminated',
				},
			];
			const res = await runWorkflow(
				chain(rows, [
					{ name: 'Map', type: 'mapAttributes', parameters: { preset: 'hrCsvToScim' } },
					{ name: 'Provision', type: 'provisionUser', parameters: { target: 'scim', inputMode: 'envelope' } },
				]),
				credentials(),
			);
			expect(res.output('Provision').map((i) => i.json.action)).toEqual(['Create', 'Create']);
			expect(users().find((u) => u.externalId === '9001')).toMatchObject({
				userName: 'ada.king@example.org',
				displayName: 'Ada King',
				title: 'Analyst',
				active: true,
				[ENT]: { department: 'Research', employeeNumber: '9001' },
			});
			expect(users().find((u) => u.externalId === '9002')!.active).toBe(false);
		});

		test('SCIM → SCIM pass-through', async () => {
			const res = await runWorkflow(
				chain(
					[scimUser(5, { title: 'Lead' })],
					[
						{ name: 'Map', type: 'mapAttributes', parameters: { preset: 'scimPassthrough' } },
						{ name: 'Provision', type: 'provisionUser', parameters: { target: 'scim', inputMode: 'envelope' } },
					],
				),
				credentials(),
			);
			expect(res.output('Provision')[0].json.action).toBe('Create');
			expect(users().find((u) => u.userName === 'preset5@example.org')).toMatchObject({
				externalId: 'P5',
				title: 'Lead',
				name: { givenName: 'Given5', familyName: 'Family5' },
				[ENT]: { employeeNumber: 'EN5', department: 'R&D' },
			});
		});
	});

	describe('parameters', () => {
		const rows = [
			{ target: 'userName', type: 'direct', source: 'email' },
			{ target: 'title', type: 'expression', expression: 'ToUpper([title])', matchPrecedence: 1 },
		];
		const items = [
			{ id: 'E1', email: 'a@x.org', title: 'dev', dept: 'Sales' },
			{ id: 'E2', email: 'b@x.org', title: 'ops', dept: 'Legal' },
		];
		const attributesOf = (res: Awaited<ReturnType<typeof runWorkflow>>, output = 0) =>
			res.output('Node', output).map((i) => i.json.attributes);

		test('rows without n8n expressions are read once, as the workflow holds them, and left unchanged', async () => {
			const workflow = itemsInto('mapAttributes', { preset: 'none', mappings: { mapping: rows } }, items);
			const first = await runWorkflow(workflow, credentials());
			// n8n fills in the parameters' defaults when it loads the workflow; the node itself changes nothing.
			const loaded = JSON.stringify(workflow);
			const second = await runWorkflow(workflow, credentials());
			expect(attributesOf(first)).toEqual([
				{ userName: 'a@x.org', title: 'DEV' },
				{ userName: 'b@x.org', title: 'OPS' },
			]);
			expect(second.output('Node', 0).map((i) => i.json)).toEqual(first.output('Node', 0).map((i) => i.json));
			expect(JSON.stringify(workflow)).toBe(loaded);
		});

		test('an n8n expression in a row or a scoping clause is resolved for each item', async () => {
			const res = await runWorkflow(
				itemsInto(
					'mapAttributes',
					{
						preset: 'none',
						mappings: { mapping: [...rows, { target: 'department', type: 'constant', constant: '={{ $json.dept }}' }] },
						scoping: {
							clause: [{ group: 1, attribute: 'dept', operator: 'NOT EQUALS', value: '={{ $json.id === "E2" ? "Legal" : "" }}' }],
						},
					},
					items,
				),
				credentials(),
			);
			expect(attributesOf(res, 0)).toEqual([{ userName: 'a@x.org', title: 'DEV', department: 'Sales' }]);
			expect(attributesOf(res, 1)).toEqual([{ userName: 'b@x.org', title: 'OPS', department: 'Legal' }]);
			expect([...res.output('Node', 0), ...res.output('Node', 1)].map((i) => [i.json.source, i.pairedItem])).toEqual([
				[{ id: 'E1' }, { item: 0 }],
				[{ id: 'E2' }, { item: 1 }],
			]);
		});
	});

	describe('bad input', () => {
		const map = (mapping: object[], items: object[] = [{ a: 1 }], extra: Record<string, unknown> = {}) =>
			runWorkflow(
				itemsInto('mapAttributes', { preset: 'none', mappings: { mapping }, ...extra }, items, { onError: 'continueErrorOutput' }),
				credentials(),
			);
		test.each([
			[
				[{ target: 'cn', type: 'expression', expression: 'Join(".", [a]' }],
				/^Mapping row 1 \(cn\): Expected "," or "\)" in the arguments of Join/,
			],
			[
				[
					{ target: 'a', type: 'direct', source: 'a' },
					{ target: 'cn', type: 'expression', expression: 'Concat([a])' },
				],
				/^Mapping row 2 \(cn\): Unknown function Concat/,
			],
			[[{ target: 'cn', type: 'expression', expression: 'Mid([a], 1)' }], /^Mapping row 1 \(cn\): Mid takes 3 arguments, not 2/],
		])('a broken mapping stops the node before any item runs: %j', async (mapping, message) => {
			const res = await map(mapping);
			expect(res.error?.message).toMatch(message);
		});
		test('an invalid regex in a scoping clause names the clause', async () => {
			const res = await map([{ target: 'a', type: 'direct', source: 'a' }], [{ a: 1 }], {
				scoping: { clause: [{ group: 1, attribute: 'a', operator: 'REGEX MATCH', value: '([' }] },
			});
			expect(res.error?.message).toMatch(/scoping filter 1, clause 1: invalid regular expression/);
		});
		test('a Direct path into a missing field fails only that item, naming the row', async () => {
			const res = await map(
				[{ target: 'mail', type: 'direct', source: 'email' }],
				[{ email: 'a@x.org' }, { name: 'no email' }, { email: 'c@x.org' }],
			);
			expect(res.output('Node', 0).map((i) => (i.json.attributes as any).mail)).toEqual(['a@x.org', 'c@x.org']);
			const failed = res.output('Node', 2);
			expect(failed.map((i) => [errorOf(i).reason, i.pairedItem])).toEqual([
				['Mapping row 1 (mail): the item has no field "email" (turn on "Treat Missing Fields as Empty" if it is optional)', { item: 1 }],
			]);
		});
		test('an evaluation error (bad date) fails only that item', async () => {
			const res = await map(
				[{ target: 'd', type: 'expression', expression: 'FormatDateTime([hired], , "yyyyMMdd", "yyyy-MM-dd")' }],
				[{ hired: '20240101' }, { hired: 'soon' }],
			);
			expect(res.output('Node', 0).map((i) => (i.json.attributes as any).d)).toEqual(['2024-01-01']);
			expect(errorOf(res.output('Node', 2)[0]).reason).toMatch(/^Mapping row 1 \(d\): "soon" does not match the date format "yyyyMMdd"/);
		});
	});
});
