/** Group Sync → SQL on real PostgreSQL and MariaDB: a 1,000-member group, its membership diff in chunks, renames. */
import type { IDataObject } from 'n8n-workflow';
import { createSchema, ENGINES, type SqlServer, startSqlServer } from '../harness/sql';
import { itemsInto, runWorkflow } from '../harness/workflow';

const tables = {
	sqlTable: 'users',
	sqlKeyColumn: 'id',
	sqlGroupsTable: 'groups',
	sqlGroupKeyColumn: 'id',
	sqlGroupNameColumn: 'name',
	sqlGroupExternalIdColumn: 'external_id',
	sqlMembershipTable: 'group_members',
	sqlMembershipGroupColumn: 'group_id',
	sqlMembershipUserColumn: 'user_id',
};
const logins = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m${from + i}`);

describe.each(ENGINES)('Group Sync → SQL (%s)', (engine) => {
	let server: SqlServer;
	const sync = (groups: object[], mode = 'authoritative', extra: IDataObject = {}) =>
		runWorkflow(
			itemsInto(
				'groupSync',
				{
					target: 'sql',
					displayName: '={{ $json.name }}',
					externalId: '={{ $json.id }}',
					members: '={{ $json.members }}',
					memberAttribute: 'user_name',
					mode,
					chunkSize: 100,
					nestedGroups: 'flatten',
					...tables,
					options: {},
					...extra,
				},
				groups,
				{ onError: 'continueErrorOutput' },
			),
			{ sqlDatabaseApi: server.credential },
		);
	const members = async (name: string) => {
		const rows = await server
			.admin('group_members')
			.join('users', 'users.id', 'group_members.user_id')
			.join('groups', 'groups.id', 'group_members.group_id')
			.where('groups.name', name)
			.select('users.user_name');
		return rows.map((r) => r.user_name).sort();
	};
	const membershipWrites = async (mark: number) => (await server.writes(mark)).filter((w) => /group_members/.test(w));

	beforeAll(async () => {
		server = await startSqlServer(engine);
		await createSchema(server);
		for (let start = 0; start < 1200; start += 600) {
			await server.admin('users').insert(logins(start, start + 600).map((user_name) => ({ user_name })));
		}
	});
	afterAll(async () => {
		await server?.stop();
	});

	test('creates a group with 1,000 members in chunks of 100; a rerun writes nothing', async () => {
		let mark = await server.mark();
		const res = await sync([{ name: 'Engineering', id: 'G1', members: [...logins(0, 1000), 'ghost'] }]);
		const record = res.output('Node', 0)[0].json as any;
		expect(record).toMatchObject({ action: 'Create', status: 'Warning', targetSystem: 'sql' });
		expect(record.details).toMatchObject({ membersAdded: 1000, membersRemoved: 0, chunks: 10, unresolved: ['ghost'], truncated: true });
		const writes = await server.writes(mark);
		expect(writes.filter((w) => /^insert into ["`]groups["`]/.test(w))).toHaveLength(1);
		expect(await membershipWrites(mark)).toHaveLength(10);
		expect(await members('Engineering')).toEqual(logins(0, 1000).sort());

		mark = await server.mark();
		const again = await sync([{ name: 'Engineering', id: 'G1', members: logins(0, 1000) }]);
		expect(again.output('Node', 0)[0].json).toMatchObject({
			action: 'NoChange',
			details: { membersAdded: 0, membersRemoved: 0, chunks: 0 },
		});
		expect(await server.writes(mark)).toEqual([]);
	});

	test('authoritative: 100 leave and 100 join in one INSERT and one DELETE', async () => {
		const mark = await server.mark();
		const res = await sync([{ name: 'Engineering', id: 'G1', members: logins(100, 1100) }]);
		expect(res.output('Node', 0)[0].json).toMatchObject({
			action: 'Update',
			details: { membersAdded: 100, membersRemoved: 100, chunks: 2 },
		});
		expect((await membershipWrites(mark)).map((w) => w.split(' ')[0].toLowerCase())).toEqual(['insert', 'delete']);
		expect(await members('Engineering')).toEqual(logins(100, 1100).sort());
	});

	test('additive only adds; remove-listed only removes the listed members', async () => {
		const added = await sync([{ name: 'Engineering', id: 'G1', members: logins(1100, 1200) }], 'additive');
		expect(added.output('Node', 0)[0].json).toMatchObject({ details: { membersAdded: 100, membersRemoved: 0 } });
		expect(await members('Engineering')).toEqual(logins(100, 1200).sort());
		const removed = await sync([{ name: 'Engineering', id: 'G1', members: logins(1150, 1200) }], 'removeListed');
		expect(removed.output('Node', 0)[0].json).toMatchObject({ details: { membersAdded: 0, membersRemoved: 50 } });
		expect(await members('Engineering')).toEqual(logins(100, 1150).sort());
	});

	test('a new name for the same external id is a rename, one UPDATE of the name column', async () => {
		const mark = await server.mark();
		const res = await sync([{ name: 'Platform Engineering', id: 'G1', members: logins(100, 1150) }]);
		expect(res.output('Node', 0)[0].json).toMatchObject({
			action: 'Update',
			modifiedProperties: [{ name: 'displayName', oldValue: 'Engineering', newValue: 'Platform Engineering' }],
		});
		expect(await server.writes(mark)).toEqual([expect.stringMatching(/^update ["`]groups["`] set ["`]name["`] = .+ where/)]);
		expect(await members('Platform Engineering')).toHaveLength(1050);
	});

	test('dry run reports the diff and writes nothing', async () => {
		const mark = await server.mark();
		const res = await sync([{ name: 'Platform Engineering', id: 'G1', members: logins(0, 10) }], 'authoritative', {
			options: { dryRun: true },
		});
		expect(res.output('Node', 0)[0].json).toMatchObject({
			action: 'Update',
			dryRun: true,
			details: { membersAdded: 10, membersRemoved: 1050 },
		});
		expect(await server.writes(mark)).toEqual([]);
	});

	test('nested groups cannot be synced as groups in SQL: a set-up error says so', async () => {
		const res = await sync([{ name: 'X', members: [] }], 'authoritative', { nestedGroups: 'nest' });
		expect(res.error?.message).toMatch(/cannot hold groups/);
	});
});
