/** SQL target pieces that need no database: identifier rules, values per column type, error mapping. */
import { ProvisioningError } from '../../lib/errors';
import { columnName, tableName } from '../../lib/targets/sql/identifiers';
import { toSqlError } from '../../lib/targets/sql/sqlErrors';
import { type ColumnInfo, type ColumnType, fromDb, storedForm, toDb } from '../../lib/targets/sql/sqlValues';

const column = (type: ColumnType, precision?: number): ColumnInfo => ({
	name: 'c',
	type,
	precision,
	caseInsensitive: false,
	generated: false,
});

describe('identifiers', () => {
	test.each(['users', 'app_users', '_x1', 'Users2'])('%s is a table name', (name) => {
		expect(tableName(name, 'sqlTable')).toEqual({ name });
	});
	test('schema.table', () => {
		expect(tableName('app.users', 'sqlTable')).toEqual({ schema: 'app', name: 'users' });
	});
	test.each(['users; drop table users', 'users u', 'a.b.c', '"users"', 'users--', '1users', 'üsers', 'x'.repeat(64), ''])(
		'%p is refused, naming the parameter',
		(name) => {
			expect(() => tableName(name, 'sqlTable')).toThrow(expect.objectContaining({ code: 'Configuration', field: 'sqlTable' }));
		},
	);
	test.each(['id) or (1=1', 'a.b', 'user name', 'col`', 'col"'])('%p is not a column name', (name) => {
		expect(() => columnName(name, 'sqlKeyColumn')).toThrow(expect.objectContaining({ code: 'Configuration', field: 'sqlKeyColumn' }));
	});
});

describe('values by column type', () => {
	test('booleans: MariaDB tinyint(1) reads 0/1, sources send "true"/"yes"/1', () => {
		expect(fromDb(0, column('boolean'))).toBe(false);
		expect(fromDb(1, column('boolean'))).toBe(true);
		expect(storedForm('yes', column('boolean'))).toBe(true);
		expect(toDb('true', column('boolean'), 'mysql', 'active')).toBe(1);
		expect(toDb('false', column('boolean'), 'postgres', 'active')).toBe(false);
		expect(() => toDb('maybe', column('boolean'), 'postgres', 'active')).toThrow(
			expect.objectContaining({ code: 'InvalidInput', field: 'active' }),
		);
	});
	test('numbers: numeric text compares as the number', () => {
		expect(storedForm('007', column('integer'))).toBe(7);
		expect(fromDb('1.50', column('decimal'))).toBe(1.5);
		expect(storedForm('12345678901234567890', column('integer'))).toBe('12345678901234567890');
		expect(toDb('42', column('integer'), 'mysql', 'grade')).toBe(42);
	});
	test('timestamps: one instant whatever the offset; the column keeps its precision; dates are days', () => {
		expect(storedForm('2024-03-01T09:30:00+01:00', column('timestamptz', 6))).toBe('2024-03-01T08:30:00.000Z');
		expect(fromDb('2024-03-01 08:30:00+00', column('timestamptz', 6))).toBe('2024-03-01T08:30:00.000Z');
		expect(storedForm('2024-03-01T08:30:00.789Z', column('timestamp', 0))).toBe('2024-03-01T08:30:00.000Z');
		expect(toDb('2024-03-01T09:30:00.5+01:00', column('timestamp', 3), 'mysql', 'hired')).toBe('2024-03-01 08:30:00.500');
		expect(storedForm('2024-03-01T23:30:00-02:00', column('date'))).toBe('2024-03-02');
	});
	test('lists and objects are bound only as JSON; one value of a list fits a plain column', () => {
		expect(toDb(['a', 'b'], column('text'), 'postgres', 'roles', true)).toBe('["a","b"]');
		expect(toDb(['only'], column('text'), 'postgres', 'title')).toBe('only');
		expect(() => toDb(['a', 'b'], column('text'), 'postgres', 'title')).toThrow(/Multi-Valued Attributes/);
		expect(() => toDb({ title: true }, column('text'), 'mysql', 'title')).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
		expect(toDb(true, column('text'), 'mysql', 'flag')).toBe('true');
	});
});

describe('error mapping', () => {
	const context = { engine: 'postgres' as const, endpoint: 'db:5432/app', user: 'prov', secrets: ['S3cret-pw'] };
	test('a refused login names the user, never the password', () => {
		const error = toSqlError(
			'read',
			Object.assign(new Error('password authentication failed for user "prov" S3cret-pw'), { code: '28P01' }),
			context,
		);
		expect(error).toBeInstanceOf(ProvisioningError);
		expect((error as ProvisioningError).message).toBe(
			'PostgreSQL at db:5432/app refused the login for user "prov": wrong user name or password',
		);
		expect((error as ProvisioningError).code).toBe('AuthenticationFailed');
	});
	test('knex’s statement prefix is dropped, secrets are scrubbed, unique violations are Uniqueness', () => {
		const raw = Object.assign(new Error('insert into "users" ("password") values ($1) - duplicate key value S3cret-pw'), { code: '23505' });
		const error = toSqlError('insert', raw, context) as ProvisioningError;
		expect(error.code).toBe('Uniqueness');
		expect(error.message).toBe('PostgreSQL insert failed: duplicate key value [Redact]');
	});
	test('lost connections are transient; MySQL errors map by number', () => {
		expect(toSqlError('read', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), context)).toMatchObject({
			code: 'TargetUnavailable',
			transient: true,
		});
		expect(toSqlError('read', new Error('Connection terminated unexpectedly'), context)).toMatchObject({
			code: 'TargetUnavailable',
			transient: true,
		});
		const mysql = { ...context, engine: 'mysql' as const };
		expect(toSqlError('insert', Object.assign(new Error('dup'), { errno: 1062, sqlMessage: "Duplicate entry 'a'" }), mysql)).toMatchObject({
			code: 'Uniqueness',
			message: "MySQL/MariaDB insert failed: Duplicate entry 'a'",
		});
		// A bug of this package is Internal, and scrubbed like the rest: it may quote the statement's values.
		expect(toSqlError('read', new TypeError('bug near S3cret-pw'), context)).toMatchObject({
			code: 'Internal',
			message: 'Unexpected error in n8n-nodes-provisioning (please report it): TypeError: bug near [Redact]',
		});
	});
});
