import { errorOf, itemsInto, runWorkflow } from '../harness/workflow';
import { ScimTestServer } from '../../dev/scimApp';

let scim: ScimTestServer;
beforeAll(async () => {
	scim = await ScimTestServer.start();
	await seedUsers(60);
});
afterAll(async () => {
	await scim.stop();
});
beforeEach(() => {
	scim.store.groups.clear();
	scim.faults.length = 0;
	scim.resetLog();
});

const credentials = () => ({ scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, timeoutMs: 10000 } });
const idOf = new Map<string, string>();

async function seedUsers(count: number, prefix = 'u'): Promise<void> {
	const post = (i: number) =>
		fetch(`${scim.baseUrl}/Users`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json' },
			body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${prefix}${i}@example.org` }),
		})
			.then((r) => r.json() as Promise<any>)
			.then((u) => idOf.set(u.userName, u.id));
	for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, k) => post(i + k)));
}
const user = (i: number, prefix = 'u') => `${prefix}${i}@example.org`;
const groups = () => [...scim.store.groups.values()];
const group = (name: string) => groups().find((g) => g.displayName === name);
const memberNames = (name: string) => {
	const names = new Map([...idOf].map(([n, id]) => [id, n]));
	return (group(name)?.members ?? []).map((m: any) => names.get(m.value) ?? `group:${m.value}`).sort();
};
const params = (extra: Record<string, unknown> = {}) => ({ target: 'scim', mode: 'authoritative', ...extra });
const run = (items: object[], extra: Record<string, unknown> = {}) =>
	runWorkflow(itemsInto('groupSync', params(extra), items, { onError: 'continueErrorOutput' }), credentials());

describe('Group Sync → SCIM (real SCIMMY server, real workflow)', () => {
	test('creates a group (POST without members, then PATCH add), and a rerun writes nothing', async () => {
		const res = await run([{ displayName: 'Engineering', externalId: 'G1', members: [user(1), user(2), user(3)] }]);
		const [out] = res.output('Node', 0);
		expect(out.json).toMatchObject({
			action: 'Create',
			status: 'Success',
			details: { membersAdded: 3, membersRemoved: 0, chunks: 1, unresolved: [] },
		});
		expect(scim.writes().map((w) => w.method)).toEqual(['POST', 'PATCH']);
		expect(scim.writes()[0].body.members).toEqual([]);
		expect(memberNames('Engineering')).toEqual([user(1), user(2), user(3)].sort());
		expect(group('Engineering')!.externalId).toBe('G1');

		scim.resetLog();
		const rerun = await run([{ displayName: 'Engineering', externalId: 'G1', members: [user(3), user(1), user(2)] }]);
		expect(rerun.output('Node', 0)[0].json.action).toBe('NoChange');
		expect(scim.writes()).toHaveLength(0);
		// Lookups were by filter with members excluded, as Entra does.
		expect(scim.requests.find((r) => r.method === 'GET' && String(r.query.filter).startsWith('externalId'))!.query.excludedAttributes).toBe(
			'members',
		);
	});

	test('a renamed source group is matched by externalId and renamed', async () => {
		await run([{ displayName: 'Sales', externalId: 'G2', members: [user(1)] }]);
		const res = await run([{ displayName: 'Sales EMEA', externalId: 'G2', members: [user(1)] }]);
		expect(res.output('Node', 0)[0].json).toMatchObject({
			action: 'Update',
			modifiedProperties: [{ name: 'displayName', oldValue: 'Sales', newValue: 'Sales EMEA' }],
		});
		expect(groups().map((g) => g.displayName)).toEqual(['Sales EMEA']);
	});

	test('membership modes: authoritative, additive, remove-listed', async () => {
		await run([{ displayName: 'Ops', members: [user(1), user(2), user(3)] }]);
		await run([{ displayName: 'Ops', members: [user(2), user(4)] }], { mode: 'additive' });
		expect(memberNames('Ops')).toEqual([user(1), user(2), user(3), user(4)].sort());
		scim.resetLog();
		const removed = await run([{ displayName: 'Ops', members: [user(1), user(9)] }], { mode: 'removeListed' });
		expect(memberNames('Ops')).toEqual([user(2), user(3), user(4)].sort());
		expect(removed.output('Node', 0)[0].json.details).toMatchObject({ membersAdded: 0, membersRemoved: 1 });
		// Removal by value filter, never the legacy form that wipes whole groups.
		expect(scim.writes('PATCH')[0].body.Operations).toEqual([{ op: 'remove', path: `members[value eq "${idOf.get(user(1))}"]` }]);
		await run([{ displayName: 'Ops', members: [user(3), user(5)] }]);
		expect(memberNames('Ops')).toEqual([user(3), user(5)].sort());
	});

	test('unresolved members are reported, not dropped silently', async () => {
		const res = await run([{ displayName: 'Partial', members: [user(1), 'ghost@example.org', user(2)] }]);
		expect(res.output('Node', 0)[0].json).toMatchObject({
			status: 'Warning',
			details: { membersAdded: 2, unresolved: ['ghost@example.org'] },
		});
		expect(
			(res.output('Node', 0)[0].json.steps as any[]).some(
				(s) => s.status === 'Warning' && /1 members could not be resolved: ghost@example.org/.test(s.detail),
			),
		).toBe(true);
	});

	test('nested groups are flattened with cycle detection, or synced as nested groups', async () => {
		const items = [
			{ displayName: 'A', members: [user(1), { group: 'B' }] },
			{ displayName: 'B', members: [user(2), { group: 'C' }] },
			{ displayName: 'C', members: [user(3), { group: 'A' }] },
		];
		const res = await run(items);
		expect(memberNames('A')).toEqual([user(1), user(2), user(3)].sort());
		expect(memberNames('C')).toEqual([user(1), user(2), user(3)].sort());
		expect(res.output('Node', 0)[0].json.details).toMatchObject({ cycles: ['A → B → C → A'] });

		scim.store.groups.clear();
		await run(items, { nestedGroups: 'nest' });
		const b = group('B')!.id;
		expect(
			group('A')!
				.members.map((m: any) => m.value)
				.sort(),
		).toEqual([idOf.get(user(1)), b].sort());
	});

	// SCIMMY re-validates the whole member list on every PATCH, so the SCIM case uses 1,000 members;
	// the 5,000-member case runs against slapd (groupSync.ldap.test.ts).
	test('a 1,000-member group is synced in chunks of at most 100, and a rerun sends nothing', async () => {
		await seedUsers(1000, 'big');
		scim.resetLog();
		const members = Array.from({ length: 1000 }, (_, i) => user(i, 'big'));
		const res = await run([{ displayName: 'Everyone', members }], { chunkSize: 100 });
		expect(res.output('Node', 0)[0].json.details).toMatchObject({ membersAdded: 1000, chunks: 10, truncated: true });
		const patches = scim.writes('PATCH');
		expect(patches).toHaveLength(10);
		expect(patches.every((p) => p.body.Operations[0].value.length === 100)).toBe(true);
		expect(group('Everyone')!.members).toHaveLength(1000);
		// Member lookups were batched too: 1,000 identifiers in 20 requests, not 1,000.
		expect(scim.requests.filter((r) => r.method === 'GET' && String(r.query.filter ?? '').startsWith('userName')).length).toBe(20);

		scim.resetLog();
		const shrink = await run([{ displayName: 'Everyone', members: members.slice(0, 750) }], { chunkSize: 100 });
		expect(shrink.output('Node', 0)[0].json.details).toMatchObject({ membersRemoved: 250, chunks: 3 });
		expect(scim.writes('PATCH').map((p) => p.body.Operations.length)).toEqual([100, 100, 50]);
		scim.resetLog();
		await run([{ displayName: 'Everyone', members: members.slice(0, 750) }], { chunkSize: 100 });
		expect(scim.writes()).toHaveLength(0);
	});

	test('the target failing between chunks: the group is reported failed, and a rerun converges to the exact membership', async () => {
		const members = Array.from({ length: 50 }, (_, i) => user(i));
		scim.faults.push({ status: 503, method: 'PATCH', skip: 2, times: 20 });
		const res = await run([{ displayName: 'Flaky', members }], { chunkSize: 10 });
		const failed = res.output('Node', 1);
		expect(failed).toHaveLength(1);
		expect(errorOf(failed[0]).code).toBe('TargetUnavailable');
		expect(group('Flaky')!.members).toHaveLength(20);
		scim.faults.length = 0;
		const rerun = await run([{ displayName: 'Flaky', members }], { chunkSize: 10 });
		expect(rerun.output('Node', 0)[0].json.details).toMatchObject({ membersAdded: 30, chunks: 3 });
		expect(memberNames('Flaky')).toEqual(members.sort());
	});

	test('a server that refuses `or` filters: group and member lookups fall back to one value per request', async () => {
		scim.faults.push({ status: 400, filterIncludes: ' or ', times: 1000 });
		const items = [
			{ displayName: 'Alpha', externalId: 'GA', members: [user(1), user(2)] },
			{ displayName: 'Beta', externalId: 'GB', members: [user(2), user(3)] },
		];
		const res = await run(items);
		expect(res.output('Node', 1)).toEqual([]);
		expect(res.output('Node', 0).map((i) => [i.json.action, i.json.status])).toEqual([
			['Create', 'Success'],
			['Create', 'Success'],
		]);
		expect(memberNames('Alpha')).toEqual([user(1), user(2)].sort());
		expect(memberNames('Beta')).toEqual([user(2), user(3)].sort());
		const filters = scim.requests.filter((r) => r.method === 'GET' && r.query.filter).map((r) => String(r.query.filter));
		expect(filters.filter((f) => f.includes(' or ')).length).toBeGreaterThan(0);
		expect(filters.filter((f) => f.startsWith('externalId eq') && !f.includes(' or '))).toHaveLength(2);
		scim.resetLog();
		const rerun = await run(items);
		expect(rerun.output('Node', 0).map((i) => i.json.action)).toEqual(['NoChange', 'NoChange']);
		expect(scim.writes()).toHaveLength(0);
	});

	test('dry run reports the diff without writing', async () => {
		await run([{ displayName: 'Dry', members: [user(1), user(2)] }]);
		scim.resetLog();
		const res = await run([{ displayName: 'Dry', members: [user(2), user(3)] }], { options: { dryRun: true } });
		expect(res.output('Node', 0)[0].json).toMatchObject({
			action: 'Update',
			dryRun: true,
			details: { membersAdded: 1, membersRemoved: 1 },
		});
		expect(scim.writes()).toHaveLength(0);
	});

	test('bad input: no name, or a member reference in the wrong format, fails that item only', async () => {
		const res = await run([
			{ displayName: '', members: [user(1)] },
			{ displayName: 'Good', members: [user(1)] },
			{ displayName: 'Odd', members: [{ nickname: 'x' }] },
		]);
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Create']);
		expect(res.output('Node', 1).map((i) => [errorOf(i).code, errorOf(i).field, i.pairedItem])).toEqual([
			['InvalidInput', 'displayName', { item: 0 }],
			['InvalidInput', 'members[0]', { item: 2 }],
		]);
	});
});
