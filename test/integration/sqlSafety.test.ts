/**
 * The SQL target when things go wrong, on real PostgreSQL and MariaDB: SQL injection through values, attribute names
 * and configured names; a wrong password; the credential test; and the database killed in the middle of a batch.
 */
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, IDataObject } from 'n8n-workflow';
import { sqlDatabaseApiTest } from '../../nodes/shared/credentialTests';
import { createSchema, ENGINES, type SqlServer, startSqlServer } from '../harness/sql';
import { errorOf, itemsInto, runWorkflow } from '../harness/workflow';

const table = { sqlTable: 'users', sqlKeyColumn: 'id', sqlColumns: { mapping: [{ attribute: 'userName', column: 'user_name' }] } };
const rows = [
	{ name: 'userName', value: '={{ $json.login }}', matchPrecedence: 1 },
	{ name: 'employee_id', value: '={{ $json.employeeId }}', matchPrecedence: 2 },
	{ name: 'title', value: '={{ $json.title }}' },
];

describe.each(ENGINES)('SQL target safety (%s)', (engine) => {
	let server: SqlServer;
	const credentials = (extra: ICredentialDataDecryptedObject = {}) => ({ sqlDatabaseApi: { ...server.credential, ...extra } });
	const provision = (items: object[], extra: IDataObject = {}, creds = credentials()) =>
		runWorkflow(
			itemsInto(
				'provisionUser',
				{ target: 'sql', inputMode: 'define', attributes: { attribute: rows }, ...table, options: {}, ...extra },
				items,
				{ onError: 'continueErrorOutput' },
			),
			creds,
		);
	const count = async () => Number(Object.values((await server.admin('users').count({ n: '*' }))[0])[0]);

	beforeAll(async () => {
		server = await startSqlServer(engine);
		await createSchema(server);
	});
	afterAll(async () => {
		await server?.stop();
	});

	describe('SQL injection', () => {
		const evil = [
			"Robert'); DROP TABLE users;--",
			'x" OR "1"="1',
			"\\'; DELETE FROM users; -- ",
			'`; UPDATE users SET title = `pwned',
			"' OR '1'='1",
		];

		test('through values: stored verbatim, matched exactly, nothing else touched', async () => {
			await server.admin('users').insert({ user_name: 'bystander', title: 'Safe' });
			const items = evil.map((login, i) => ({ login, employeeId: `EV${i}`, title: login }));
			const res = await provision(items);
			expect(res.output('Node', 1)).toHaveLength(0);
			expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(evil.map(() => 'Create'));
			for (const login of evil) expect(await server.admin('users').where({ user_name: login, title: login }).first()).toBeDefined();
			expect(await server.admin('users').where({ user_name: 'bystander' }).first()).toMatchObject({ title: 'Safe' });
			expect(await count()).toBe(evil.length + 1);
			// Matched again by exactly those values: nothing changes.
			const again = await provision(items);
			expect(again.output('Node', 0).map((i) => i.json.action)).toEqual(evil.map(() => 'NoChange'));
			// A match value that would be "always true" if spliced into SQL matches nothing.
			const probe = await provision([{ login: "nobody' OR '1'='1", employeeId: "x' OR 'x'='x", title: 't' }], {
				options: { dryRun: true },
			});
			expect(probe.output('Node', 0)[0].json).toMatchObject({ action: 'Create', matchedBy: null });
		});

		test('through attribute names in an envelope: refused as unknown columns, nothing sent that writes', async () => {
			const mark = await server.mark();
			const names = ['title = title, user_name', 'title"; DROP TABLE users; --', 'title`=1 -- ', 'id) or (1=1'];
			const envelopes = names.map((name, i) => ({
				attributes: { user_name: `inj${i}`, [name]: 'x' },
				matchKeys: [{ attribute: 'user_name', value: `inj${i}` }],
			}));
			const res = await runWorkflow(
				itemsInto('provisionUser', { target: 'sql', inputMode: 'envelope', ...table, options: {} }, envelopes, {
					onError: 'continueErrorOutput',
				}),
				credentials(),
			);
			expect(res.output('Node', 0)).toHaveLength(0);
			expect(res.output('Node', 1).map((i) => [errorOf(i).code, errorOf(i).field])).toEqual(names.map((name) => ['InvalidInput', name]));
			// A match key on such a name is refused the same way, before any statement uses it.
			const byKey = await runWorkflow(
				itemsInto(
					'provisionUser',
					{ target: 'sql', inputMode: 'envelope', ...table, options: {} },
					[{ attributes: { user_name: 'k' }, matchKeys: [{ attribute: 'user_name" or 1=1 --', value: 'k' }] }],
					{ onError: 'continueErrorOutput' },
				),
				credentials(),
			);
			expect(errorOf(byKey.output('Node', 1)[0])).toMatchObject({ code: 'InvalidInput' });
			expect(await server.writes(mark)).toEqual([]);
			expect((await server.statements(mark)).some((s) => /DROP|or 1=1|proto/i.test(s))).toBe(false);
		});

		test('through objects as values (the mysql2 object-expansion trap): refused, never bound', async () => {
			const mark = await server.mark();
			const envelope = {
				attributes: { user_name: 'obj1', title: { title: true } },
				matchKeys: [{ attribute: 'user_name', value: 'obj1' }],
			};
			const res = await runWorkflow(
				itemsInto('provisionUser', { target: 'sql', inputMode: 'envelope', ...table, options: {} }, [envelope], {
					onError: 'continueErrorOutput',
				}),
				credentials(),
			);
			expect(errorOf(res.output('Node', 1)[0])).toMatchObject({ code: 'InvalidInput', field: 'title' });
			expect(await server.writes(mark)).toEqual([]);
		});

		test('through configured table and column names: a set-up error naming the parameter, before any statement', async () => {
			const cases: Array<[IDataObject, string]> = [
				[{ sqlTable: 'users; DROP TABLE users' }, 'sqlTable'],
				[{ sqlTable: 'users u' }, 'sqlTable'],
				[{ sqlKeyColumn: 'id) or (1=1' }, 'sqlKeyColumn'],
				[{ sqlColumns: { mapping: [{ attribute: 'userName', column: 'user_name"--' }] } }, 'sqlColumns'],
				[{ sqlMultiValued: { attribute: [{ attribute: 'emails', table: 'user_emails where 1=1' }] } }, 'sqlMultiValued'],
				[{ sqlAccountState: { activeColumn: 'active`; drop table users; --' } }, 'sqlActiveColumn'],
			];
			for (const [extra, parameter] of cases) {
				const mark = await server.mark();
				const res = await provision([{ login: 'cfg', employeeId: 'CFG', title: 't' }], extra);
				expect(res.error?.message).toMatch(new RegExp(`for "${parameter}"`));
				expect(await server.statements(mark)).toEqual([]);
			}
			expect(await count()).toBeGreaterThan(0);
		});

		test('through a reconcile scope filter: names must be columns, values are bound', async () => {
			const reconcile = (scopeFilter: string) =>
				runWorkflow(
					itemsInto(
						'deprovisionUser',
						{
							target: 'sql',
							mode: 'reconcile',
							operation: 'disable',
							inputMode: 'define',
							matchKeys: { key: [{ attribute: 'user_name', value: '={{ $json.login }}' }] },
							...table,
							sqlAccountState: { activeColumn: 'active' },
							scopeFilter,
							options: { dryRun: true },
						},
						[{ login: 'bystander' }],
					),
					credentials(),
				);
			expect((await reconcile('{"title = title OR 1=1 --": "x"}')).error?.message).toMatch(/not a single-valued column/);
			const bound = await reconcile('{"title": "x\' OR \'1\'=\'1"}');
			expect(bound.error).toBeUndefined();
			expect(bound.output('Node', 0)).toHaveLength(0);
		});
	});

	describe('credentials', () => {
		const ctx = {} as ICredentialTestFunctions;
		const test_ = (data: ICredentialDataDecryptedObject) =>
			sqlDatabaseApiTest.call(ctx, { id: '1', name: 'c', type: 'sqlDatabaseApi', data });

		test('the credential test logs in for real', async () => {
			expect(await test_(server.credential)).toEqual({ status: 'OK', message: 'Connection successful' });
		});

		test('a wrong password is a clear error that never shows the password, from the credential test and from a run', async () => {
			const wrong = 'Wrong-Pw-31337';
			const result = await test_({ ...server.credential, password: wrong });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/refused the login for user "\w+": wrong user name or password/);
			expect(result.message).not.toContain(wrong);

			const mark = await server.mark();
			const res = await provision(
				[1, 2, 3].map((n) => ({ login: `pw${n}`, employeeId: `PW${n}`, title: 't' })),
				{},
				credentials({ password: wrong }),
			);
			const failures = res.output('Node', 1);
			expect(failures.map((i) => errorOf(i).code)).toEqual(['AuthenticationFailed', 'AuthenticationFailed', 'AuthenticationFailed']);
			expect(errorOf(failures[0]).reason).toMatch(/wrong user name or password/);
			const everything = JSON.stringify(res.run);
			expect(everything).not.toContain(wrong);
			expect(everything).not.toContain(server.password);
			// One refused login for the whole batch, not one per item.
			const refusals =
				(await server.log(mark)).match(engine === 'postgres' ? /password authentication failed/g : /Access denied for user/g) ?? [];
			expect(refusals).toHaveLength(1);
		});

		test('an unreachable server, an unknown database and an unknown host are told apart', async () => {
			expect((await test_({ ...server.credential, port: 1 })).message).toMatch(/ECONNREFUSED|refused/i);
			expect((await test_({ ...server.credential, database: 'nope' })).message).toMatch(/nope/);
			expect((await test_({ ...server.credential, host: 'no-such-host.invalid' })).message).toMatch(/does not resolve/);
		});
	});

	describe('the database killed mid-batch', () => {
		const N = 1500;
		const items = Array.from({ length: N }, (_, i) => ({ login: `c${i}`, employeeId: `C${i}`, title: 'Crash' }));

		beforeAll(async () => {
			// A trigger that stalls on one row of the second statement, so the server can be killed while it runs.
			if (engine === 'postgres') {
				await server.admin.raw(`create function stall() returns trigger language plpgsql as $$
					begin if new.user_name = 'c600' then perform pg_sleep(30); end if; return new; end $$`);
				await server.admin.raw('create trigger stall before insert on users for each row execute function stall()');
			} else {
				await server.admin.raw(`create trigger stall before insert on users for each row
					begin if new.user_name = 'c600' then do sleep(30); end if; end`);
			}
		});

		test('every item ends in exactly one place, and a rerun converges without duplicates', async () => {
			const running = provision(items, { options: { concurrency: 4 } });
			const stalled = async () => {
				const sql =
					engine === 'postgres'
						? "select count(*) as n from pg_stat_activity where wait_event = 'PgSleep'"
						: "select count(*) as n from information_schema.processlist where state = 'User sleep'";
				const result = await server.admin.raw(sql);
				return Number((engine === 'postgres' ? result.rows : result[0])[0].n) > 0;
			};
			while (!(await stalled())) await new Promise((r) => setTimeout(r, 50));
			await server.crash();
			const res = await running;
			await server.resume();

			const done = res.output('Node', 0);
			const failed = res.output('Node', 1);
			const indices = [...done, ...failed].map((i) => (i.pairedItem as { item: number }).item).sort((a, b) => a - b);
			expect(indices).toEqual(items.map((_, i) => i));
			expect(done.every((i) => i.json.action === 'Create')).toBe(true);
			expect(done.length).toBeGreaterThan(0);
			expect(failed.length).toBeGreaterThan(0);
			expect(new Set(failed.map((i) => errorOf(i).code))).toEqual(new Set(['TargetUnavailable']));
			// What the run reported as created is exactly what the database holds.
			const stored = await server.admin('users').where({ title: 'Crash' }).select('user_name');
			expect(stored.map((r) => r.user_name).sort()).toEqual(done.map((i) => items[(i.pairedItem as { item: number }).item].login).sort());

			await server.admin.raw('drop trigger stall' + (engine === 'postgres' ? ' on users' : ''));
			const rerun = await provision(items);
			expect(rerun.output('Node', 1)).toHaveLength(0);
			const actions = rerun.output('Node', 0).map((i) => i.json.action);
			expect(actions.filter((a) => a === 'NoChange')).toHaveLength(done.length);
			expect(actions.filter((a) => a === 'Create')).toHaveLength(N - done.length);
			const after = await server.admin('users').where({ title: 'Crash' }).select('user_name', 'employee_id');
			expect(after).toHaveLength(N);
			expect(new Set(after.map((r) => r.user_name)).size).toBe(N);
		});
	});
});
