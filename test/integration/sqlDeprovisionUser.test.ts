/**
 * Deprovision User → SQL on real PostgreSQL and MariaDB: disable, reactivate, soft delete, hard delete, remove from
 * all groups, and reconcile of 10,000 rows under the accidental-deletion threshold.
 */
import type { IDataObject } from 'n8n-workflow';
import { createSchema, ENGINES, type SqlServer, startSqlServer } from '../harness/sql';
import { itemsInto, runWorkflow } from '../harness/workflow';

const table = {
	sqlTable: 'users',
	sqlKeyColumn: 'id',
	sqlMultiValued: { attribute: [{ attribute: 'emails', table: 'user_emails', userKeyColumn: 'user_id', valueColumn: 'value' }] },
	sqlGroupsTable: 'groups',
	sqlMembershipTable: 'group_members',
};
const keys = { matchKeys: { key: [{ attribute: 'user_name', value: '={{ $json.login }}' }] } };

describe.each(ENGINES)('Deprovision User → SQL (%s)', (engine) => {
	let server: SqlServer;
	const run = (operation: string, items: object[], state: IDataObject = { activeColumn: 'active' }, extra: IDataObject = {}) =>
		runWorkflow(
			itemsInto(
				'deprovisionUser',
				{
					target: 'sql',
					mode: 'perItem',
					operation,
					inputMode: 'define',
					...keys,
					...table,
					sqlAccountState: state,
					options: {},
					...extra,
				},
				items,
				{ onError: 'continueErrorOutput' },
			),
			{ sqlDatabaseApi: server.credential },
		);
	const row = (login: string) => server.admin('users').where({ user_name: login }).first();
	const idOf = async (login: string) => (await row(login)).id;

	beforeAll(async () => {
		server = await startSqlServer(engine);
		await createSchema(server);
		await server.admin('users').insert(['d1', 'd2', 'd3', 'd4'].map((login) => ({ user_name: login, title: 'Staff' })));
		await server.admin('groups').insert({ name: 'Staff' });
		const groupId = (await server.admin('groups').where({ name: 'Staff' }).first()).id;
		for (const login of ['d3', 'd4']) {
			const id = await idOf(login);
			await server.admin('user_emails').insert({ user_id: id, value: `${login}@example.org` });
			await server.admin('group_members').insert({ group_id: groupId, user_id: id });
		}
	});
	afterAll(async () => {
		await server?.stop();
	});

	test('disable sets the active column in one UPDATE; a rerun is NoChange with no write; reactivate sets it back', async () => {
		let mark = await server.mark();
		const disabled = await run('disable', [{ login: 'd1' }]);
		expect(disabled.output('Node', 0)[0].json).toMatchObject({
			action: 'Disable',
			status: 'Success',
			targetId: String(await idOf('d1')),
			modifiedProperties: [{ name: 'accountEnabled', oldValue: true, newValue: false }],
		});
		const writes = await server.writes(mark);
		expect(writes).toHaveLength(1);
		expect(writes[0]).toMatch(/^update ["`]users["`] set ["`]active["`] = \S+ where/);
		expect(Boolean((await row('d1')).active)).toBe(false);

		mark = await server.mark();
		const again = await run('disable', [{ login: 'd1' }]);
		expect(again.output('Node', 0)[0].json.action).toBe('NoChange');
		expect(await server.writes(mark)).toEqual([]);

		const enabled = await run('enable', [{ login: 'd1' }]);
		expect(enabled.output('Node', 0)[0].json.action).toBe('Enable');
		expect(Boolean((await row('d1')).active)).toBe(true);
	});

	test('a status column with text values works the same way', async () => {
		await server.admin.schema.alterTable('users', (t) => t.string('status', 20).defaultTo('enabled'));
		const state = { activeColumn: 'status', enabledValue: 'enabled', disabledValue: 'disabled' };
		expect((await run('disable', [{ login: 'd2' }], state)).output('Node', 0)[0].json.action).toBe('Disable');
		expect((await row('d2')).status).toBe('disabled');
		expect((await run('disable', [{ login: 'd2' }], state)).output('Node', 0)[0].json.action).toBe('NoChange');
	});

	test('soft delete stamps the deleted-at column; the row is then no live account: not matched, listed or deleted again', async () => {
		const state = { activeColumn: 'active', softDeleteColumn: 'deleted_at' };
		let mark = await server.mark();
		const deleted = await run('delete', [{ login: 'd2' }], state);
		expect(deleted.output('Node', 0)[0].json).toMatchObject({ action: 'Delete', status: 'Success' });
		expect(await server.writes(mark)).toHaveLength(1);
		expect((await row('d2')).deleted_at).not.toBeNull();
		// Stamped in UTC (the session's zone), not in the server's own zone (Asia/Kathmandu here): the server compares.
		const skew = await server.admin.raw(
			server.engine === 'postgres'
				? "select abs(extract(epoch from deleted_at - now())) / 60 as minutes from users where user_name = 'd2'"
				: "select abs(timestampdiff(minute, deleted_at, utc_timestamp())) as minutes from users where user_name = 'd2'",
		);
		expect(Number((server.engine === 'postgres' ? skew.rows : skew[0])[0].minutes)).toBeLessThan(60);

		mark = await server.mark();
		const again = await run('delete', [{ login: 'd2' }], state);
		expect(again.output('Node', 0)[0].json).toMatchObject({ action: 'Skipped' });
		expect(await server.writes(mark)).toEqual([]);
		// Provision User does not see it either: it would create a new account (dry run here).
		const provision = await runWorkflow(
			itemsInto(
				'provisionUser',
				{
					target: 'sql',
					inputMode: 'define',
					attributes: { attribute: [{ name: 'user_name', value: 'd2', matchPrecedence: 1 }] },
					...table,
					sqlAccountState: state,
					options: { dryRun: true },
				},
				[{}],
			),
			{ sqlDatabaseApi: server.credential },
		);
		expect(provision.output('Node', 0)[0].json.action).toBe('Create');
	});

	test('hard delete removes the row with its child-table values and memberships, in one transaction', async () => {
		const id = await idOf('d3');
		const mark = await server.mark();
		const deleted = await run('delete', [{ login: 'd3' }]);
		expect(deleted.output('Node', 0)[0].json).toMatchObject({ action: 'Delete', targetId: String(id) });
		expect(await row('d3')).toBeUndefined();
		expect(await server.admin('user_emails').where({ user_id: id })).toEqual([]);
		expect(await server.admin('group_members').where({ user_id: id })).toEqual([]);
		const statements = (await server.statements(mark)).map((s) => s.split(' ').slice(0, 3).join(' ').toLowerCase().replace(/[`"]/g, ''));
		expect(statements.filter((s) => /^(begin|start|commit|delete)/.test(s))).toEqual([
			expect.stringMatching(/^(begin|start transaction)/),
			'delete from group_members',
			'delete from user_emails',
			'delete from users',
			expect.stringMatching(/^commit/),
		]);
		expect((await run('delete', [{ login: 'd3' }])).output('Node', 0)[0].json.action).toBe('Skipped');
	});

	test('remove from all groups deletes the memberships and names the groups', async () => {
		const res = await run('removeFromGroups', [{ login: 'd4' }]);
		expect(res.output('Node', 0)[0].json).toMatchObject({
			action: 'Update',
			modifiedProperties: [{ name: 'groups', oldValue: ['Staff'], newValue: [] }],
		});
		expect(await server.admin('group_members').where({ user_id: await idOf('d4') })).toEqual([]);
		expect((await run('removeFromGroups', [{ login: 'd4' }])).output('Node', 0)[0].json.action).toBe('NoChange');
	});

	test('disabling without an active column stops the node with a set-up error naming the parameter', async () => {
		const res = await runWorkflow(
			itemsInto(
				'deprovisionUser',
				{ target: 'sql', mode: 'perItem', operation: 'disable', inputMode: 'define', ...keys, ...table, options: {} },
				[{ login: 'd4' }],
			),
			{ sqlDatabaseApi: server.credential },
		);
		expect(res.error?.message).toMatch(/needs the Active Column/);
	});

	describe('reconcile 10,000 rows', () => {
		const N = 10000;
		const leavers = 100;
		const reconcile = (threshold: IDataObject, source: object[]) =>
			runWorkflow(
				itemsInto(
					'deprovisionUser',
					{
						target: 'sql',
						mode: 'reconcile',
						operation: 'disable',
						inputMode: 'define',
						...keys,
						sqlTable: 'users',
						sqlAccountState: { activeColumn: 'active' },
						scopeFilter: '{"department": "R"}',
						threshold,
						options: {},
					},
					source,
				),
				{ sqlDatabaseApi: server.credential },
			);
		// Everyone but the last 1%, plus 1% new hires not in the table yet.
		const source = Array.from({ length: N }, (_, i) => ({ login: i < N - leavers ? `r${i}` : `new${i}` }));

		beforeAll(async () => {
			for (let start = 0; start < N; start += 1000) {
				await server
					.admin('users')
					.insert(Array.from({ length: 1000 }, (_, i) => ({ user_name: `r${start + i}`, employee_id: `R${start + i}`, department: 'R' })));
			}
		});

		test('over the threshold nothing is written and every leaver waits for approval; approved, exactly the leavers are disabled', async () => {
			let mark = await server.mark();
			const held = await reconcile({ maxCount: 50 }, source);
			expect(held.output('Node', 0)).toHaveLength(0);
			const staged = held.output('Node', 1);
			expect(staged).toHaveLength(leavers);
			expect(new Set(staged.map((i) => i.json.action))).toEqual(new Set(['StagedDisable']));
			expect(await server.writes(mark)).toEqual([]);
			// The listing is keyset-paged: WHERE key > last ORDER BY key LIMIT n, never OFFSET.
			const listing = (await server.statements(mark)).filter((s) => /^select/i.test(s) && /from ["`]users["`]/.test(s) && /limit/i.test(s));
			expect(listing.length).toBe(N / 1000 + 1);
			expect(listing.some((s) => /offset/i.test(s))).toBe(false);
			expect(listing.slice(1).every((s) => /["`]id["`] > /.test(s) && /order by ["`]id["`]/i.test(s))).toBe(true);

			mark = await server.mark();
			const approved = await reconcile({ maxCount: 50, approved: true }, source);
			const done = approved.output('Node', 0);
			expect(done).toHaveLength(leavers);
			expect(new Set(done.map((i) => i.json.action))).toEqual(new Set(['Disable']));
			expect(await server.writes(mark)).toHaveLength(leavers);
			const inactive = await server.admin('users').where({ department: 'R' }).andWhere('active', false).orderBy('id');
			expect(inactive.map((r) => r.user_name)).toEqual(Array.from({ length: leavers }, (_, i) => `r${N - leavers + i}`));
		});
	});
});
