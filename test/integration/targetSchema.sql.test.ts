/**
 * The editor's load methods against a real PostgreSQL and a real MariaDB: the users table's columns from the
 * catalog, required when NOT NULL without a default, the Column Mapping's attribute names, Schema Check.
 */
import { schemaCache } from '../../nodes/shared/loadContext';
import { createSchema, ENGINES, type SqlServer, startSqlServer } from '../harness/sql';
import { loadOptions } from '../harness/loadOptions';

describe.each(ENGINES)('%s', (engine) => {
	let server: SqlServer;
	beforeAll(async () => {
		server = await startSqlServer(engine);
		await createSchema(server);
	});
	afterAll(async () => {
		await server?.stop();
	});
	beforeEach(() => schemaCache.clear());

	const rows = (...names: string[]) => ({ attribute: names.map((name) => ({ name, value: `={{ $json.${name} }}` })) });
	const call = (method: string, parameters: Record<string, unknown>) =>
		loadOptions({
			node: 'provisionUser',
			method,
			parameters: { target: 'sql', inputMode: 'define', sqlTable: 'users', sqlKeyColumn: 'id', ...parameters },
			credentials: { sqlDatabaseApi: server.credential },
			path: 'parameters.attributes.attribute[0].name',
		});

	test('the columns, user_name required, the serial key and defaulted columns not', async () => {
		const options = await call('targetAttributes', { attributes: rows('user_name') });
		expect(options[0]).toMatchObject({ value: 'user_name', name: 'user_name (required)' });
		const byValue = Object.fromEntries(options.map((o) => [o.value, o]));
		expect(byValue.id.name).toBe('id');
		expect(byValue.id.description).toContain('filled by the database');
		expect(byValue.active.name).toBe('active');
		expect(byValue.email).toMatchObject({ name: 'email', description: expect.stringMatching(/single value · users — nullable$/) });
		expect(Object.keys(byValue)).toEqual(expect.arrayContaining(['employee_id', 'given_name', 'hired', 'roles', 'deleted_at']));
	});

	test('the Column Mapping names its attributes; a table picked from a list (a resource locator) is read the same', async () => {
		const options = await call('targetAttributes', {
			sqlTable: { __rl: true, mode: 'list', value: 'users' },
			sqlColumns: { mapping: [{ attribute: 'userName', column: 'user_name' }] },
			attributes: rows('userName'),
		});
		expect(options[0]).toMatchObject({ value: 'userName', name: 'userName (required)' });
		expect(options.find((o) => o.value === 'user_name')).toBeUndefined();
	});

	test('Schema Check: a required column without a row and an unknown column', async () => {
		await expect(call('checkTargetSchema', { attributes: rows('email', 'emial') })).rejects.toThrow(
			'2 problems: "emial" is not an attribute of the target\'s schema; "user_name" is required, and no row fills it',
		);
		const fine = await call('checkTargetSchema', { attributes: rows('USER_NAME', 'email') });
		expect(fine[0].name).toMatch(/^No problems found/);
	});

	test('a table that does not exist is said so', async () => {
		await expect(call('targetAttributes', { sqlTable: 'nope', attributes: rows('x') })).rejects.toThrow(/Table "nope" was not found/);
	});
});
