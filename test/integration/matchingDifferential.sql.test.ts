/**
 * Matching against reconcile on real PostgreSQL and MariaDB, column type by column type: integers, bigints beyond a
 * double, numerics, text under MariaDB's _ci, _unicode_ci, _bin and _nopad_bin collations (PAD SPACE equality of
 * trailing spaces), PostgreSQL text, char and citext, booleans, dates, timestamps and uuids, and the row key. For every
 * random source value the accounts Provision User finds must be the accounts reconcile counts as matched.
 */
import { type SqlConnectionOptions, SqlTarget } from '../../lib/targets/sql/sqlTarget';
import fc from 'fast-check';
import { kinds, mismatches, SEED, sampleSources, sampleStored } from '../harness/differential';
import { ENGINES, type SqlServer, startSqlServer } from '../harness/sql';
import { itemsInto, runWorkflow } from '../harness/workflow';

const COLUMNS = {
	postgres: {
		c_int: 'integer',
		c_bigint: 'bigint',
		c_numeric: 'numeric(30,4)',
		c_text: 'text',
		c_varchar: 'varchar(200)',
		c_char: 'char(12)',
		c_citext: 'citext',
		c_bool: 'boolean',
		c_date: 'date',
		c_ts: 'timestamp(3)',
		c_tstz: 'timestamptz(3)',
		c_uuid: 'uuid',
	},
	mysql: {
		c_int: 'int',
		c_bigint: 'bigint',
		c_numeric: 'decimal(30,4)',
		c_ci: 'varchar(200) collate utf8mb4_general_ci',
		c_unicode: 'varchar(200) collate utf8mb4_unicode_ci',
		c_bin: 'varchar(200) collate utf8mb4_bin',
		c_nopad: 'varchar(200) collate utf8mb4_nopad_bin',
		c_text: 'text collate utf8mb4_general_ci',
		c_char: 'char(12) collate utf8mb4_general_ci',
		c_bool: 'tinyint(1)',
		c_date: 'date',
		c_ts: 'datetime(3)',
	},
} as const;

/** Stored values of typed columns are of their type (mostly: the database refuses the rest); text takes anything. */
const KINDS: Record<string, fc.Arbitrary<string> | undefined> = {
	int: fc.oneof(kinds.digits, kinds.big),
	bigint: fc.oneof(kinds.digits, kinds.big),
	numeric: fc.oneof(kinds.digits, kinds.decimal),
	bool: kinds.bool,
	date: kinds.date,
	ts: kinds.date,
	tstz: kinds.date,
};
const STORED_PER_COLUMN = 25;
const SOURCES_PER_COLUMN = 60;
const UUIDS = ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12', '{a0eebc999c0b4ef8bb6d6bb9bd380a13}'];

describe.each(ENGINES)('matching and reconcile agree on every column type (%s)', (engine) => {
	let server: SqlServer;
	let target: SqlTarget;
	const stored = new Map<string, string[]>();

	beforeAll(async () => {
		server = await startSqlServer(engine);
		const db = server.admin;
		if (engine === 'postgres') await db.raw('create extension if not exists citext');
		await db.schema.dropTableIfExists('key_values');
		const columns = Object.entries(COLUMNS[engine]).map(([name, type]) => `${name} ${type}`);
		await db.raw(
			`create table key_values (id ${engine === 'postgres' ? 'serial' : 'int auto_increment'} primary key, ${columns.join(', ')})`,
		);
		// One row per stored value and column (some twice: ambiguous keys), each value as the database itself converts it.
		for (const [i, column] of Object.keys(COLUMNS[engine]).entries()) {
			const kind = KINDS[column.replace(/^c_/, '')];
			const values = [...sampleStored(STORED_PER_COLUMN, SEED + i, (v) => !v.includes('\0'), kind), ...(column === 'c_uuid' ? UUIDS : [])];
			const kept: string[] = [];
			for (const [n, value] of values.entries()) {
				for (let copy = 0; copy < (n % 7 === 0 ? 2 : 1); copy++) {
					try {
						await db('key_values').insert({ [column]: value });
						if (copy === 0) kept.push(value);
					} catch {
						// Not a value of this type: the database refused it.
					}
				}
			}
			stored.set(column, kept);
		}
		target = new SqlTarget({
			connection: server.credential as unknown as SqlConnectionOptions,
			users: { table: 'key_values', keyColumn: 'id' },
		});
	});
	afterAll(async () => {
		await target?.close();
		await server?.stop();
	});

	test.each(['id', ...Object.keys(COLUMNS[engine])])('%s', async (column) => {
		const index = column === 'id' ? 99 : Object.keys(COLUMNS[engine]).indexOf(column);
		const ids = (await server.admin('key_values').select('id')).map((r: { id: number }) => String(r.id));
		const base = column === 'id' ? ids.slice(0, 20) : stored.get(column)!;
		expect(base.length).toBeGreaterThan(0);
		const sources = sampleSources(base, SOURCES_PER_COLUMN, SEED * 100 + index);
		expect(await mismatches(target.users, column, sources, SEED)).toEqual([]);
	});

	test('the reported case, through the nodes: reconcile with "0042" for employee 42 disables nobody that Provision User finds', async () => {
		const db = server.admin;
		await db.schema.dropTableIfExists('staff');
		await db.raw(
			`create table staff (id ${engine === 'postgres' ? 'serial' : 'int auto_increment'} primary key, employee_no int, login varchar(50), active boolean not null default true)`,
		);
		await db('staff').insert([
			{ employee_no: 42, login: 'Ada ' },
			{ employee_no: 7, login: 'bob' },
		]);
		const table = { sqlTable: 'staff', sqlKeyColumn: 'id', sqlAccountState: { activeColumn: 'active' } };
		const keys = { matchKeys: { key: [{ attribute: 'employee_no', value: '={{ $json.no }}' }] } };
		const source = [{ no: '0042' }, { no: ' 7' }];
		const reconcile = await runWorkflow(
			itemsInto(
				'deprovisionUser',
				{ target: 'sql', mode: 'reconcile', operation: 'disable', inputMode: 'define', ...keys, ...table, options: {} },
				source,
			),
			{ sqlDatabaseApi: server.credential },
		);
		expect(reconcile.error).toBeUndefined();
		expect(reconcile.output('Node', 0)).toEqual([]);
		expect((await db('staff').where({ active: false })).length).toBe(0);
		const provision = await runWorkflow(
			itemsInto(
				'provisionUser',
				{
					target: 'sql',
					inputMode: 'define',
					attributes: { attribute: [{ name: 'employee_no', value: '={{ $json.no }}', matchPrecedence: 1 }] },
					...table,
					options: { dryRun: true },
				},
				source,
			),
			{ sqlDatabaseApi: server.credential },
		);
		expect(provision.output('Node', 0).map((i) => i.json.action)).toEqual(['NoChange', 'NoChange']);
	});
});
