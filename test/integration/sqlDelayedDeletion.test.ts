/**
 * Delayed deletion on a SQL table (real PostgreSQL and MariaDB): a disable sets the disabled-time column in the same
 * UPDATE as the active column; reconcile, with an injected clock, deletes only leavers disabled longer than N days.
 * The suite runs with n8n's process and the servers in two different zones, neither UTC (jest.config.js, SERVER_TIME_ZONE):
 * a stamp written or read in a local zone is hours off, and the deletion comes early or late.
 */
import { deprovisionItems } from '../../lib/provisioning/deprovision';
import { reconcileLeavers } from '../../lib/provisioning/reconcile';
import { sqlTargetFromCredentials } from '../../nodes/shared/sqlSettings';
import { createSchema, ENGINES, type SqlServer, startSqlServer } from '../harness/sql';
import { itemsInto, runWorkflow } from '../harness/workflow';

describe.each(ENGINES)('Delayed deletion → SQL (%s)', (engine) => {
	let server: SqlServer;
	const target = () =>
		sqlTargetFromCredentials(server.credential, {
			users: { table: 'users', keyColumn: 'id', activeColumn: 'active', disabledAtColumn: 'disabled_at' },
		});
	const row = (login: string) => server.admin('users').where({ user_name: login }).first();
	const byLogin = (login: string) => ({ attributes: {}, matchKeys: [{ attribute: 'user_name', value: login }] });
	const at = (iso: string) => () => new Date(iso);
	const HOUR = 60 * 60 * 1000;
	const DAY = 24 * HOUR;
	/** Every kind of column a disabled time can live in: with a zone (an instant) or without (a UTC wall-clock time). */
	const STAMP_TYPES =
		engine === 'postgres' ? ['timestamptz', 'timestamp(3)', 'timestamp(0)'] : ['datetime(3)', 'datetime', 'timestamp(3) null'];

	/** The column's value as UTC wall-clock text, computed by the server whatever its zone or the session's. */
	const storedUtc = async (column: string, type: string, login: string): Promise<string> => {
		const instant = type.startsWith(engine === 'postgres' ? 'timestamptz' : 'timestamp');
		const sql =
			engine === 'postgres'
				? `select to_char(${instant ? `${column} at time zone 'UTC'` : column}, 'YYYY-MM-DD HH24:MI:SS') as v from users where user_name = ?`
				: `select date_format(${instant ? `'1970-01-01' + interval unix_timestamp(${column}) second` : column}, '%Y-%m-%d %H:%i:%s') as v from users where user_name = ?`;
		const result = await server.admin.raw(sql, [login]);
		return (engine === 'postgres' ? result.rows : result[0])[0].v;
	};
	const DISABLED_AT_TYPE = engine === 'postgres' ? 'timestamptz' : 'datetime(3)';

	beforeAll(async () => {
		server = await startSqlServer(engine);
		await createSchema(server);
		await server.admin.raw(`alter table users add column disabled_at ${DISABLED_AT_TYPE}`);
		await server.admin('users').insert(['s-old', 's-new', 's-stays'].map((login) => ({ user_name: login })));
	});
	afterAll(async () => {
		await server?.stop();
	});

	const run = async <T>(work: (t: ReturnType<typeof target>) => Promise<T>, t = target()) => {
		try {
			return await work(t);
		} finally {
			await t.close();
		}
	};

	test('the disable stamps its time; reconcile deletes the one disabled more than 30 days; reactivation clears the time', async () => {
		await run((t) => deprovisionItems(t, [byLogin('s-old')], { action: 'disable', clock: at('2026-01-01T00:00:00Z') }));
		await run((t) => deprovisionItems(t, [byLogin('s-new')], { action: 'disable', clock: at('2026-01-25T00:00:00Z') }));
		const old = await row('s-old');
		expect(Boolean(old.active)).toBe(false);
		expect(await storedUtc('disabled_at', DISABLED_AT_TYPE, 's-old')).toBe('2026-01-01 00:00:00');

		const res = await run((t) =>
			reconcileLeavers(t, [[{ attribute: 'user_name', value: 's-stays' }]], {
				action: 'disable',
				deleteDisabledAfterDays: 30,
				clock: at('2026-02-05T00:00:00Z'),
				threshold: { maxCount: 1 },
			}),
		);
		expect(res.outcomes.map((o) => [o.record.targetId, o.record.action]).sort()).toEqual([
			[String(old.id), 'Delete'],
			[String((await row('s-new')).id), 'NoChange'],
		]);
		expect(res.destructive).toBe(1);
		expect(await row('s-old')).toBeUndefined();

		await run((t) => deprovisionItems(t, [byLogin('s-new')], { action: 'enable' }));
		const back = await row('s-new');
		expect(Boolean(back.active)).toBe(true);
		expect(back.disabled_at).toBeNull();
	});

	test.each(STAMP_TYPES)(
		'a %s column: the stamp is the UTC time, and the deletion is due exactly N days later, not hours early or late',
		async (type) => {
			const column = `stamp_${type.replace(/\W/g, '_')}`;
			const login = `tz-${column}`;
			await server.admin.raw(`alter table users add column ${column} ${type}`);
			await server.admin('users').insert({ user_name: login, department: column });
			const stamped = () =>
				sqlTargetFromCredentials(server.credential, {
					users: { table: 'users', keyColumn: 'id', activeColumn: 'active', disabledAtColumn: column },
				});
			const disabledAt = Date.parse('2026-03-01T10:00:00.000Z');
			await run((t) => deprovisionItems(t, [byLogin(login)], { action: 'disable', clock: () => new Date(disabledAt) }), stamped());
			expect(await storedUtc(column, type, login)).toBe('2026-03-01 10:00:00');

			const reconcileAt = (ms: number) =>
				run(
					(t) =>
						reconcileLeavers(t, [[{ attribute: 'user_name', value: 'nobody' }]], {
							action: 'disable',
							deleteDisabledAfterDays: 30,
							clock: () => new Date(ms),
							threshold: { maxCount: 1 },
							scopeFilter: JSON.stringify({ department: column }),
						}),
					stamped(),
				);
			const due = disabledAt + 30 * DAY;
			const early = await reconcileAt(due - HOUR);
			expect(early.outcomes.map((o) => o.record.action)).toEqual(['NoChange']);
			expect(early.outcomes[0].record.steps.at(-1)?.detail).toBe(
				'The account is already disabled (since 2026-03-01T10:00:00.000Z); it is deleted after 2026-03-31T10:00:00.000Z',
			);
			expect(await row(login)).toBeDefined();
			const late = await reconcileAt(due + HOUR);
			expect(late.outcomes.map((o) => o.record.action)).toEqual(['Delete']);
			expect(await row(login)).toBeUndefined();
		},
	);

	test('through the node: "Disabled Time Attribute" names the column the disable sets', async () => {
		await server.admin('users').insert({ user_name: 's-node' });
		const res = await runWorkflow(
			itemsInto(
				'deprovisionUser',
				{
					target: 'sql',
					mode: 'perItem',
					operation: 'disable',
					inputMode: 'define',
					matchKeys: { key: [{ attribute: 'user_name', value: 's-node' }] },
					sqlTable: 'users',
					sqlKeyColumn: 'id',
					sqlAccountState: { activeColumn: 'active' },
					options: { disabledTimeAttribute: 'disabled_at' },
				},
				[{}],
			),
			{ sqlDatabaseApi: server.credential },
		);
		expect(res.output('Node', 0)[0].json.action).toBe('Disable');
		const stamped = (await row('s-node')).disabled_at;
		expect(stamped).not.toBeNull();
		expect(Number.isNaN(new Date(stamped).getTime())).toBe(false);
	});
});
