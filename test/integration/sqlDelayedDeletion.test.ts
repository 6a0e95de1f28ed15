/**
 * Delayed deletion on a SQL table (real PostgreSQL and MariaDB): a disable sets the disabled-time column in the same
 * UPDATE as the active column; reconcile, with an injected clock, deletes only leavers disabled longer than N days.
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

	beforeAll(async () => {
		server = await startSqlServer(engine);
		await createSchema(server);
		await server.admin.raw(
			engine === 'postgres'
				? 'alter table users add column disabled_at timestamptz'
				: 'alter table users add column disabled_at datetime(3)',
		);
		await server.admin('users').insert(['s-old', 's-new', 's-stays'].map((login) => ({ user_name: login })));
	});
	afterAll(async () => {
		await server?.stop();
	});

	const run = async <T>(work: (t: ReturnType<typeof target>) => Promise<T>) => {
		const t = target();
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
		expect(new Date(old.disabled_at).toISOString()).toBe('2026-01-01T00:00:00.000Z');

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
