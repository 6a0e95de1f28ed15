/**
 * The SQL pickers (node version 3) on real PostgreSQL and MariaDB, called as n8n's editor calls them: tables from the
 * catalog (another schema's qualified), columns of the chosen table, group names; the search matched as text (LIKE
 * wildcards and quotes typed in it are just characters), pages that add up to the whole list. And the saved shapes:
 * version 1 with strings and version 3 with pickers provision the same way.
 */
import { type ListSearchCall, listAll, listSearch } from '../harness/listSearch';
import { createSchema, ENGINES, type SqlServer, startSqlServer } from '../harness/sql';
import { itemsInto, runWorkflow } from '../harness/workflow';

const PAGED = Array.from({ length: 250 }, (_, i) => `page_t_${String(i).padStart(3, '0')}`);
const picked = (value: string, mode = 'list') => ({ __rl: true, mode, value });

describe.each(ENGINES)('SQL pickers (%s)', (engine) => {
	let server: SqlServer;
	const q = (name: string) => (engine === 'postgres' ? `"${name}"` : `\`${name}\``);
	const call = (nodeType: string, parameters: Record<string, unknown>): ListSearchCall => ({
		nodeType,
		typeVersion: 3,
		parameters: { target: 'sql', ...parameters } as never,
		credentials: { sqlDatabaseApi: server.credential },
	});
	const tables = (filter?: string) => listAll(call('provisionUser', {}), 'sqlTableSearch', filter);

	beforeAll(async () => {
		server = await startSqlServer(engine);
		await createSchema(server);
		const db = server.admin;
		for (const name of [...PAGED, 'a_b', 'axb', 'odd%name', "o'brien"]) await db.raw(`drop table if exists ${q(name)}`);
		for (const name of [...PAGED, 'a_b', 'axb']) await db.raw(`create table ${q(name)} (id int primary key)`);
		// Names the node cannot take as a parameter: never offered.
		await db.raw(`create table ${q('odd%name')} (id int)`);
		await db.raw(`create table ${q("o'brien")} (id int)`);
		if (engine === 'postgres') {
			await db.raw('drop schema if exists hr cascade');
			await db.raw('create schema hr');
			await db.raw('create table hr.staff (staff_no int primary key, full_name text not null, note text)');
		} else {
			await db.raw('drop database if exists hr');
			await db.raw('create database hr');
			await db.raw('create table hr.staff (staff_no int primary key, full_name varchar(100) not null, note text)');
			for (const host of ['127.0.0.1', 'localhost']) await db.raw('grant select on hr.* to ?@?', [String(server.credential.user), host]);
		}
		await db.raw('drop view if exists active_users');
		await db.raw('create view active_users as select id, user_name from users where active = true');
		await db('groups').insert(['Eng', 'Engineering', 'Sales', "O'Brien 100%"].map((name) => ({ name })));
	});
	afterAll(() => server.stop());

	test('tables and views: the current schema first and unqualified, another schema qualified, no system tables, odd names left out', async () => {
		const first = await listSearch(call('provisionUser', {}), 'sqlTableSearch');
		const values = first.results.map((r) => r.value);
		expect(values.slice(0, 4)).toEqual(expect.arrayContaining(['a_b', 'axb']));
		expect(first.paginationToken).toBe('100');
		const all = (await tables()).values;
		expect(all).toEqual(expect.arrayContaining(['users', 'groups', 'group_members', 'user_emails', 'active_users', 'hr.staff', ...PAGED]));
		expect(all.indexOf('hr.staff')).toBe(all.length - 1);
		expect(all.filter((v) => /odd|brien|^(pg_catalog|information_schema|mysql|sys|performance_schema)\./.test(v))).toEqual([]);
		expect(new Set(all).size).toBe(all.length);
	});

	test('pages of 100 add up to the whole list, in order', async () => {
		const { values, pages } = await tables('page_t_');
		expect(values).toEqual(PAGED);
		expect(pages).toBe(3);
	});

	test.each([
		['a_b', ['a_b']],
		['A_B', ['a_b']],
		['_', ['a_b', 'active_users', 'group_members', 'user_emails', ...PAGED]],
		['%', []],
		["o'brien", []],
		["x' or '1'='1", []],
		['\\', []],
		['!', []],
		['hr.', ['hr.staff']],
		['r.sta', ['hr.staff']],
	])('the search %j is matched as text', async (search, expected) => {
		expect((await tables(search)).values.sort()).toEqual([...expected].sort());
	});

	test('a hostile search finds nothing and changes nothing', async () => {
		const before = await server.admin('users').count({ n: '*' });
		expect((await tables(`'; drop table users; --`)).values).toEqual([]);
		expect((await tables(`\\'); delete from users; --`)).values).toEqual([]);
		expect(await server.admin('users').count({ n: '*' })).toEqual(before);
	});

	test('columns of the chosen table, with type and nullability; searchable', async () => {
		const users = await listSearch(call('provisionUser', { sqlTable: picked('users') }), 'sqlUserColumnSearch');
		expect(users.results.map((r) => r.value)).toEqual(
			expect.arrayContaining(['id', 'user_name', 'employee_id', 'email', 'active', 'deleted_at']),
		);
		expect(users.results.map((r) => r.value)[0]).toBe('id');
		expect(users.results.find((r) => r.value === 'user_name')?.description).toMatch(/not null, no default/);
		expect(users.results.find((r) => r.value === 'active')?.description).toMatch(/not null$/);
		const named = await listSearch(call('provisionUser', { sqlTable: picked('users') }), 'sqlUserColumnSearch', 'NAME');
		expect(named.results.map((r) => r.value).sort()).toEqual(['family_name', 'given_name', 'user_name']);
		const staff = await listSearch(call('provisionUser', { sqlTable: picked('hr.staff', 'name') }), 'sqlUserColumnSearch');
		expect(staff.results.map((r) => r.value)).toEqual(['staff_no', 'full_name', 'note']);
		// A version 1 string names the table just as well.
		const membership = await listSearch(call('groupSync', { sqlMembershipTable: 'group_members' }), 'sqlMembershipColumnSearch');
		expect(membership.results.map((r) => r.value)).toEqual(['group_id', 'user_id']);
		const groupColumns = await listSearch(call('groupSync', { sqlGroupsTable: picked('groups') }), 'sqlGroupColumnSearch', '_');
		expect(groupColumns.results.map((r) => r.value)).toEqual(['external_id']);
	});

	test('a table given as an expression cannot be listed from: the message says to type the name', async () => {
		await expect(listSearch(call('provisionUser', { sqlTable: picked('={{ $json.table }}') }), 'sqlUserColumnSearch')).rejects.toThrow(
			/expression: type the name/,
		);
	});

	test("Group Sync's group names from the groups table, searched as text", async () => {
		const groups = call('groupSync', { sqlGroupsTable: picked('groups'), sqlGroupNameColumn: picked('name') });
		expect((await listAll(groups, 'groupSearch')).values).toEqual(['Eng', 'Engineering', "O'Brien 100%", 'Sales']);
		expect((await listAll(groups, 'groupSearch', 'eng')).values).toEqual(['Eng', 'Engineering']);
		expect((await listAll(groups, 'groupSearch', '0%')).values).toEqual(["O'Brien 100%"]);
		expect((await listAll(groups, 'groupSearch', '_')).values).toEqual([]);
	});

	test('version 1 (strings) and version 3 (pickers) provision into the same table', async () => {
		const parameters = (user: string, version: number) => ({
			target: 'sql',
			inputMode: 'define',
			attributes: { attribute: [{ name: 'user_name', value: user, apply: 'always', matchPrecedence: 1, secret: false }] },
			sqlTable: version === 3 ? picked('users') : 'users',
			sqlKeyColumn: version === 3 ? picked('id', 'name') : 'id',
			options: {},
		});
		for (const [user, version] of [
			['v1.user', 1],
			['v3.user', 3],
		] as const) {
			const result = await runWorkflow(itemsInto('provisionUser', parameters(user, version), [{}], { typeVersion: version }), {
				sqlDatabaseApi: server.credential,
			});
			expect(result.error).toBeUndefined();
			expect(result.output('Node')[0].json).toMatchObject({ action: 'Create' });
		}
		expect((await server.admin('users').whereIn('user_name', ['v1.user', 'v3.user']).select('user_name')).length).toBe(2);
	});
});
