/**
 * Provision User → SQL, on a real PostgreSQL and a real MariaDB, through real n8n workflows. Writes are counted from
 * each server's own statement log.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { createSchema, ENGINES, type SqlServer, startSqlServer } from '../harness/sql';
import { chain, errorOf, itemsInto, runWorkflow } from '../harness/workflow';

const rows = [
	{ name: 'userName', value: '={{ $json.login }}', matchPrecedence: 1 },
	{ name: 'employee_id', value: '={{ $json.employeeId }}', matchPrecedence: 2 },
	{ name: 'name.givenName', value: '={{ $json.first }}' },
	{ name: 'family_name', value: '={{ $json.last }}' },
	{ name: 'email', value: '={{ $json.mails[0] }}' },
	{ name: 'title', value: '={{ $json.title }}' },
	{ name: 'emails', value: '={{ $json.mails }}' },
	{ name: 'roles', value: '={{ $json.roles }}' },
	{ name: 'active', value: '={{ $json.active }}' },
	{ name: 'hired', value: '={{ $json.hired }}' },
	{ name: 'grade', value: '={{ $json.grade }}' },
];
const tableParams = {
	sqlTable: 'users',
	sqlKeyColumn: 'id',
	sqlColumns: {
		mapping: [
			{ attribute: 'userName', column: 'user_name' },
			{ attribute: 'name.givenName', column: 'given_name' },
		],
	},
	sqlMultiValued: {
		attribute: [{ attribute: 'emails', table: 'user_emails', userKeyColumn: 'user_id', valueColumn: 'value' }, { attribute: 'roles' }],
	},
	sqlAccountState: { activeColumn: 'active', softDeleteColumn: 'deleted_at' },
};
const person = (n: number, extra: Record<string, unknown> = {}) => ({
	login: `user${n}`,
	employeeId: `E${n}`,
	first: `First${n}`,
	last: `Last${n}`,
	mails: [`user${n}@example.org`, `u${n}@alias.example.org`],
	title: 'Engineer',
	roles: ['staff', 'vpn'],
	// Booleans, numbers and timestamps in the forms sources send them; the database stores them in its own.
	active: 'true',
	hired: '2024-03-01T09:30:00+01:00',
	grade: '7',
	...extra,
});

describe.each(ENGINES)('Provision User → SQL (%s)', (engine) => {
	let server: SqlServer;
	const credentials = (extra: ICredentialDataDecryptedObject = {}) => ({ sqlDatabaseApi: { ...server.credential, ...extra } });
	const params = (options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
		target: 'sql',
		inputMode: 'define',
		attributes: { attribute: rows },
		...tableParams,
		options,
		...extra,
	});
	const run = (items: object[], options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}, creds = credentials()) =>
		runWorkflow(itemsInto('provisionUser', params(options, extra), items, { onError: 'continueErrorOutput' }), creds);
	const user = (login: string) => server.admin('users').where({ user_name: login }).first();
	const emails = async (id: unknown) => (await server.admin('user_emails').where({ user_id: id }).orderBy('value')).map((r) => r.value);

	beforeAll(async () => {
		server = await startSqlServer(engine);
		await createSchema(server);
	});
	afterAll(async () => {
		await server?.stop();
	});

	test('creates rows with their child-table and JSON values; the record names the new key', async () => {
		const res = await run([person(1), person(2)]);
		expect(res.output('Node', 1)).toHaveLength(0);
		const records = res.output('Node', 0).map((i) => i.json as any);
		expect(records.map((r) => [r.action, r.status, r.targetSystem])).toEqual([
			['Create', 'Success', 'sql'],
			['Create', 'Success', 'sql'],
		]);
		const row = await user('user1');
		expect(records[0].targetId).toBe(String(row.id));
		expect(records[0].targetEndpoint).toMatch(new RegExp(`^(postgresql|mysql)://127\\.0\\.0\\.1:\\d+/\\w+/users$`));
		expect(row).toMatchObject({
			employee_id: 'E1',
			given_name: 'First1',
			family_name: 'Last1',
			email: 'user1@example.org',
			title: 'Engineer',
			grade: 7,
		});
		expect(Boolean(row.active)).toBe(true);
		// MariaDB's DATETIME has no zone: the session is UTC, so it holds the UTC time.
		const hired = row.hired instanceof Date ? row.hired : new Date(`${String(row.hired).replace(' ', 'T')}Z`);
		expect(hired.toISOString()).toBe('2024-03-01T08:30:00.000Z');
		expect(typeof row.roles === 'string' ? JSON.parse(row.roles) : row.roles).toEqual(['staff', 'vpn']);
		expect(await emails(row.id)).toEqual(['u1@alias.example.org', 'user1@example.org']);
	});

	test('an unchanged rerun is NoChange for every item and sends no statement that writes', async () => {
		const mark = await server.mark();
		const res = await run([person(1), person(2)]);
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['NoChange', 'NoChange']);
		expect(await server.writes(mark)).toEqual([]);
		// The lookup was one batched IN query for both items, not one per item.
		const lookups = (await server.statements(mark)).filter((s) => /^select/i.test(s) && /from ["`]users["`]/.test(s) && / in \(/i.test(s));
		expect(lookups).toHaveLength(1);
	});

	test('a one-column change is exactly one UPDATE that sets that one column', async () => {
		const mark = await server.mark();
		const res = await run([person(1, { title: 'Staff Engineer' }), person(2)]);
		expect(res.output('Node', 0).map((i) => [i.json.action, i.json.modifiedProperties])).toEqual([
			['Update', [{ name: 'title', oldValue: 'Engineer', newValue: 'Staff Engineer' }]],
			['NoChange', []],
		]);
		const writes = await server.writes(mark);
		expect(writes).toHaveLength(1);
		expect(writes[0]).toMatch(/^update ["`]users["`] set ["`]title["`] = (\$1|'Staff Engineer') where/i);
		expect((await user('user1')).title).toBe('Staff Engineer');
	});

	test('multi-valued: a changed child-table value is one DELETE and one INSERT; a changed JSON list is one UPDATE of that column', async () => {
		const mark = await server.mark();
		const res = await run([
			person(1, { title: 'Staff Engineer', mails: ['user1@example.org', 'first1@example.org'], roles: ['staff', 'admin'] }),
		]);
		const record = res.output('Node', 0)[0].json as any;
		expect(record.action).toBe('Update');
		expect(record.modifiedProperties.map((p: any) => p.name).sort()).toEqual(['emails', 'roles']);
		const writes = await server.writes(mark);
		expect(writes.filter((w) => /user_emails/.test(w)).map((w) => w.split(' ')[0].toLowerCase())).toEqual(['delete', 'insert']);
		const updates = writes.filter((w) => /^update/i.test(w));
		expect(updates).toHaveLength(1);
		expect(updates[0]).toMatch(/set ["`]roles["`] = \S+ where/i);
		const row = await user('user1');
		expect(await emails(row.id)).toEqual(['first1@example.org', 'user1@example.org']);
		expect(typeof row.roles === 'string' ? JSON.parse(row.roles) : row.roles).toEqual(['staff', 'admin']);
		// Order does not matter for multi-valued attributes.
		const again = await run([
			person(1, { title: 'Staff Engineer', mails: ['user1@example.org', 'first1@example.org'], roles: ['admin', 'staff'] }),
		]);
		expect(again.output('Node', 0)[0].json.action).toBe('NoChange');
	});

	test('brownfield: a row without the first key is matched by the second (employee_id) and takes the new user name', async () => {
		await server.admin('users').insert({ user_name: 'legacy7', employee_id: 'E7', title: 'Old' });
		const res = await run([person(7, { login: 'new.login7' })]);
		const record = res.output('Node', 0)[0].json as any;
		expect(record).toMatchObject({ action: 'Update', matchedBy: { attribute: 'employee_id', value: 'E7' } });
		expect(record.steps[1].detail).toMatch(/Matched \d+ by employee_id/);
		expect(record.modifiedProperties.map((p: any) => p.name)).toContain('userName');
		const rows7 = await server.admin('users').where({ employee_id: 'E7' });
		expect(rows7.map((r) => r.user_name)).toEqual(['new.login7']);
	});

	test('two rows sharing a match value fail the item with DuplicateTargetEntries; others go on', async () => {
		await server.admin('users').insert([
			{ user_name: 'dup.a', email: 'shared@example.org' },
			{ user_name: 'dup.b', email: 'shared@example.org' },
		]);
		const byEmail = [
			{ name: 'email', value: '={{ $json.mail }}', matchPrecedence: 1 },
			{ name: 'title', value: 'X' },
		];
		const res = await run([{ mail: 'shared@example.org' }, { mail: 'user2@example.org' }], {}, { attributes: { attribute: byEmail } });
		expect(res.output('Node', 1).map((i) => [errorOf(i).code, errorOf(i).field, i.pairedItem])).toEqual([
			['DuplicateTargetEntries', 'email', { item: 0 }],
		]);
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Update']);
	});

	test('dry run reports what a real run does and sends nothing that writes', async () => {
		const batch = [person(2, { title: 'Manager' }), person(3)];
		const mark = await server.mark();
		const dry = await run(batch, { dryRun: true });
		expect(await server.writes(mark)).toEqual([]);
		const real = await run(batch);
		const summary = (items: any[]) => items.map((i) => [i.json.action, i.json.modifiedProperties.map((p: any) => p.name)]);
		expect(summary(dry.output('Node'))).toEqual(summary(real.output('Node')));
		expect(dry.output('Node').map((i) => i.json.dryRun)).toEqual([true, true]);
		expect(summary(dry.output('Node'))[0]).toEqual(['Update', ['title']]);
		expect(dry.output('Node')[1].json).toMatchObject({ action: 'Create', targetId: null });
	});

	test(`user names match ${engine === 'mysql' ? 'without' : 'with'} case, as the column's collation compares them`, async () => {
		const res = await run([person(3, { login: 'USER3' })], { dryRun: true });
		const record = res.output('Node', 0)[0].json as any;
		if (engine === 'mysql') expect(record).toMatchObject({ action: 'Update', matchedBy: { attribute: 'userName', value: 'USER3' } });
		else expect(record).toMatchObject({ action: 'Update', matchedBy: { attribute: 'employee_id' } });
		expect(record.modifiedProperties).toEqual([{ name: 'userName', oldValue: 'user3', newValue: 'USER3' }]);
	});

	test('Map Attributes → Provision User: SelectUniqueValue skips names the table already holds', async () => {
		// Seeded with other case: MariaDB's collation counts it as taken, PostgreSQL's does not.
		await server.admin('users').insert({ user_name: 'JSmith@contoso.com' });
		const candidates =
			'SelectUniqueValue(Join("@", ToLower(Join("", Left([first], 1), [last])), "contoso.com"), Join("@", ToLower(Join(".", [first], [last])), "contoso.com"))';
		const mapping = [
			{ target: 'employee_id', type: 'direct', source: 'id', matchPrecedence: 1 },
			{ target: 'userName', type: 'expression', expression: candidates, matchPrecedence: 2 },
		];
		const res = await runWorkflow(
			chain(
				[
					{ id: 'S1', first: 'John', last: 'Smith' },
					{ id: 'S2', first: 'Jane', last: 'Smith' },
				],
				[
					{ name: 'Map', type: 'mapAttributes', parameters: { preset: 'none', mappings: { mapping }, target: 'sql', ...tableParams } },
					{ name: 'Provision', type: 'provisionUser', parameters: { target: 'sql', inputMode: 'envelope', ...tableParams } },
				],
			),
			credentials(),
		);
		const chosen = res.output('Map').map((i) => (i.json.createOnly as any).userName);
		expect(chosen).toEqual(
			engine === 'mysql' ? ['john.smith@contoso.com', 'jane.smith@contoso.com'] : ['jsmith@contoso.com', 'jane.smith@contoso.com'],
		);
		expect(res.output('Provision').map((i) => i.json.action)).toEqual(['Create', 'Create']);
		expect((await server.admin('users').where({ employee_id: 'S1' }).first()).user_name).toBe(chosen[0]);
	});

	test('an attribute the table has no column for fails that item, naming it', async () => {
		const extra = [...rows, { name: 'nickname', value: 'Ada' }];
		const res = await run([person(4)], {}, { attributes: { attribute: extra } });
		const failure = errorOf(res.output('Node', 1)[0]);
		expect(failure).toMatchObject({ code: 'InvalidInput', field: 'nickname' });
		expect(failure.reason).toMatch(/no column for attribute "nickname"/);
		expect(await user('user4')).toBeUndefined();
	});
});
