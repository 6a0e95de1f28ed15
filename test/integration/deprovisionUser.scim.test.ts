import { reconcileLeavers } from '../../lib/provisioning/reconcile';
import { ScimClient } from '../../lib/scim/client';
import { ScimTarget } from '../../lib/targets/scim/scimTarget';
import { errorOf, itemsInto, runWorkflow } from '../harness/workflow';
import { ScimTestServer } from '../../dev/scimApp';

let scim: ScimTestServer;
beforeAll(async () => {
	scim = await ScimTestServer.start();
});
afterAll(async () => {
	await scim.stop();
});

const credentials = () => ({ scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, timeoutMs: 5000 } });
const users = () => [...scim.store.users.values()];
const byName = (userName: string) => users().find((u) => u.userName === userName)!;

/** Seeds the real server over HTTP, as another provisioning system would have. */
async function seed(count: number, extra: (i: number) => object = () => ({})): Promise<void> {
	scim.store.users.clear();
	const post = (i: number) =>
		fetch(`${scim.baseUrl}/Users`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json' },
			body: JSON.stringify({
				schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
				userName: `u${i}@example.org`,
				externalId: `E${i}`,
				active: true,
				...extra(i),
			}),
		});
	for (let i = 0; i < count; i += 50) await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, k) => post(i + k)));
	scim.resetLog();
}

const perItem = (operation: string, extra: Record<string, unknown> = {}) => ({
	target: 'scim',
	mode: 'perItem',
	operation,
	inputMode: 'define',
	matchKeys: {
		key: [
			{ attribute: 'userName', value: '={{ $json.email }}' },
			{ attribute: 'externalId', value: '={{ $json.employeeId }}' },
		],
	},
	...extra,
});
const run = (params: Record<string, unknown>, items: object[]) =>
	runWorkflow(itemsInto('deprovisionUser', params, items, { onError: 'continueErrorOutput' }), credentials());

describe('Deprovision User → SCIM (real SCIMMY server, real workflow)', () => {
	test('per item: disable with PATCH active=false; a rerun is NoChange; unknown accounts are Skipped', async () => {
		await seed(3);
		const res = await run(perItem('disable'), [{ email: 'u0@example.org' }, { employeeId: 'E1' }, { email: 'nobody@example.org' }]);
		expect(res.output('Node', 0).map((i) => [i.json.action, i.json.status])).toEqual([
			['Disable', 'Success'],
			['Disable', 'Success'],
			['Skipped', 'Skipped'],
		]);
		expect(scim.writes().map((w) => [w.method, w.body.Operations])).toEqual([
			['PATCH', [{ op: 'replace', path: 'active', value: false }]],
			['PATCH', [{ op: 'replace', path: 'active', value: false }]],
		]);
		expect([byName('u0@example.org').active, byName('u1@example.org').active, byName('u2@example.org').active]).toEqual([
			false,
			false,
			true,
		]);
		expect(res.output('Node', 0)[0].json.modifiedProperties).toEqual([{ name: 'active', oldValue: true, newValue: false }]);

		scim.resetLog();
		const rerun = await run(perItem('disable'), [{ email: 'u0@example.org' }, { employeeId: 'E1' }]);
		expect(rerun.output('Node', 0).map((i) => i.json.action)).toEqual(['NoChange', 'NoChange']);
		expect(scim.writes()).toHaveLength(0);

		const back = await run(perItem('enable'), [{ email: 'u0@example.org' }]);
		expect(back.output('Node', 0)[0].json.action).toBe('Enable');
		expect(byName('u0@example.org').active).toBe(true);
	});

	test('per item: delete; a 404 counts as done; a rerun finds nothing to delete', async () => {
		await seed(2);
		scim.faults.push({ status: 404, method: 'DELETE', times: 1 });
		const res = await run(perItem('delete'), [{ email: 'u0@example.org' }, { email: 'u1@example.org' }]);
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Delete', 'Delete']);
		expect(users().map((u) => u.userName)).toEqual(['u0@example.org']); // the 404 was injected: that account was "already gone"
		const rerun = await run(perItem('delete'), [{ email: 'u1@example.org' }]);
		expect(rerun.output('Node', 0).map((i) => i.json.action)).toEqual(['Skipped']);
	});

	test('PUT fallback when PATCH is unsupported', async () => {
		await seed(1);
		scim.patchSupported = false;
		try {
			const res = await run(perItem('disable'), [{ email: 'u0@example.org' }]);
			expect(res.output('Node', 0)[0].json.action).toBe('Disable');
			// PATCH is tried first (no discovery request in the common case); the server's 501 turns the rest to PUT.
			expect(scim.writes().map((w) => [w.method, w.status])).toEqual([
				['PATCH', 501],
				['PUT', 200],
			]);
			expect(byName('u0@example.org')).toMatchObject({ active: false, userName: 'u0@example.org', externalId: 'E0' });
		} finally {
			scim.patchSupported = true;
		}
	});

	test('remove from all groups removes only that member', async () => {
		await seed(3);
		const ids = users().map((u) => u.id);
		const group = await fetch(`${scim.baseUrl}/Groups`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json' },
			body: JSON.stringify({
				schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
				displayName: 'Staff',
				members: ids.map((value) => ({ value })),
			}),
		}).then((r) => r.json() as Promise<any>);
		const res = await run(perItem('removeFromGroups'), [{ email: 'u1@example.org' }, { email: 'u2@example.org' }]);
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Update', 'Update']);
		expect(scim.store.groups.get(group.id)!.members.map((m: any) => m.value)).toEqual([ids[0]]);
		const again = await run(perItem('removeFromGroups'), [{ email: 'u1@example.org' }]);
		expect(again.output('Node', 0)[0].json.action).toBe('NoChange');
	});

	test('remove from all groups reaches every group, past the first page of the membership search (250 groups)', async () => {
		await seed(2);
		const [leaver, stayer] = users().map((u) => u.id);
		scim.store.groups.clear();
		for (let g = 0; g < 250; g += 50) {
			await Promise.all(
				Array.from({ length: 50 }, (_, k) =>
					fetch(`${scim.baseUrl}/Groups`, {
						method: 'POST',
						headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json' },
						body: JSON.stringify({
							schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
							displayName: `G${g + k}`,
							members: [{ value: leaver }, { value: stayer }],
						}),
					}),
				),
			);
		}
		const holding = (id: string) => [...scim.store.groups.values()].filter((g) => g.members.some((m: any) => m.value === id)).length;
		expect(holding(leaver)).toBe(250);
		scim.resetLog();
		const res = await run(perItem('removeFromGroups'), [{ email: 'u0@example.org' }]);
		expect(res.output('Node', 0).map((i) => [i.json.action, i.json.status])).toEqual([['Update', 'Success']]);
		expect((res.output('Node', 0)[0].json.modifiedProperties as any)[0].oldValue).toHaveLength(250);
		expect(holding(leaver)).toBe(0);
		expect(holding(stayer)).toBe(250);
		// The listing was paged (100 per page) before any group was changed.
		const searches = scim.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Groups'));
		expect(searches.map((r) => Number(r.query.startIndex))).toEqual([1, 101, 201]);
		scim.store.groups.clear();
	});

	describe('reconcile', () => {
		const reconcile = (extra: Record<string, unknown> = {}) => ({
			target: 'scim',
			mode: 'reconcile',
			operation: 'disable',
			inputMode: 'define',
			matchKeys: { key: [{ attribute: 'externalId', value: '={{ $json.employeeId }}' }] },
			...extra,
		});
		const source = (n: number) => Array.from({ length: n }, (_, i) => ({ employeeId: `E${i}` }));

		test('1,000 source users against 1,050 accounts disables exactly the 50 leavers; protected accounts survive', async () => {
			await seed(1050, (i) => (i === 1049 ? { title: 'service' } : {}));
			const res = await run(
				reconcile({ protectedValues: 'u1000@example.org, E1001', protectedFilter: 'title eq "service"' }),
				source(1000),
			);
			const done = res.output('Node', 0);
			expect(done).toHaveLength(47);
			expect(done.every((i) => i.json.action === 'Disable')).toBe(true);
			const disabled = users()
				.filter((u) => u.active === false)
				.map((u) => u.externalId)
				.sort();
			const expected = Array.from({ length: 47 }, (_, k) => `E${1002 + k}`).sort();
			expect(disabled).toEqual(expected);
			expect(['u1000@example.org', 'u1001@example.org', 'u1049@example.org'].map((n) => byName(n).active)).toEqual([true, true, true]);
			// One paged listing (11 pages of 100), and the app's own lookup of the matched source values, 50 per request
			// (the app decides what matches, as for Provision User): no per-account search.
			// Distinct requests: a page retried after a timeout on a loaded machine is the same request again.
			const gets = [
				...new Set(scim.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Users')).map((r) => JSON.stringify(r.query))),
			].map((q) => JSON.parse(q) as Record<string, unknown>);
			expect(gets.filter((q) => !String(q.filter ?? '').includes(' or ')).length).toBeLessThanOrEqual(12);
			expect(gets.length).toBeLessThanOrEqual(12 + 1000 / 50);

			scim.resetLog();
			const rerun = await run(
				reconcile({ protectedValues: 'u1000@example.org, E1001', protectedFilter: 'title eq "service"' }),
				source(1000),
			);
			expect(rerun.output('Node', 0).every((i) => i.json.action === 'NoChange')).toBe(true);
			expect(scim.writes()).toHaveLength(0);
		});

		test('a truncated source trips the threshold: nothing changes and every action waits for approval; approving proceeds', async () => {
			await seed(300);
			const threshold = { maxPercent: 10, maxCount: 1000 };
			const tripped = await run(reconcile({ threshold }), source(100));
			expect(scim.writes()).toHaveLength(0);
			expect(tripped.output('Node', 0)).toHaveLength(0);
			const staged = tripped.output('Node', 1);
			expect(staged).toHaveLength(200);
			expect(staged.every((i) => i.json.action === 'StagedDisable' && i.json.status === 'Warning')).toBe(true);
			expect(staged[0].json.alert).toMatch(/200 disables\/deletes are 66.7% of 300 managed accounts, above the threshold of 10%/);
			expect(users().every((u) => u.active === true)).toBe(true);

			const stopped = await runWorkflow(
				itemsInto('deprovisionUser', reconcile({ threshold: { ...threshold, onExceeded: 'error' } }), source(100)),
				credentials(),
			);
			expect(stopped.error?.message).toMatch(/^Accidental-deletion threshold exceeded: .* Nothing was changed\.$/);
			expect(users().every((u) => u.active === true)).toBe(true);

			const approved = await run(reconcile({ threshold: { ...threshold, approved: true } }), source(100));
			expect(approved.output('Node', 0)).toHaveLength(200);
			expect(users().filter((u) => u.active === false)).toHaveLength(200);
		});

		test('the threshold holds in per-item mode too, counted over the execution', async () => {
			await seed(20);
			const res = await run(
				perItem('delete', { threshold: { maxCount: 3 } }),
				source(5).map((s, i) => ({ ...s, email: `u${i}@example.org` })),
			);
			expect(res.output('Node', 1).map((i) => i.json.action)).toEqual(Array(5).fill('StagedDelete'));
			expect(users()).toHaveLength(20);
		});

		test('dry run reports exactly what would be disabled', async () => {
			await seed(60);
			const dry = await run(reconcile({ options: { dryRun: true } }), source(55));
			expect(scim.writes()).toHaveLength(0);
			expect(dry.output('Node', 0).map((i) => [i.json.action, i.json.dryRun])).toEqual(Array(5).fill(['Disable', true]));
			const real = await run(reconcile(), source(55));
			expect(
				real
					.output('Node', 0)
					.map((i) => i.json.targetId)
					.sort(),
			).toEqual(
				dry
					.output('Node', 0)
					.map((i) => i.json.targetId)
					.sort(),
			);
		});

		test('a token revoked mid-run costs one refused request, not one per account', async () => {
			await seed(20);
			scim.faults.push({ status: 401, method: 'PATCH', times: 100 });
			const res = await run(reconcile({ options: { concurrency: 1 } }), source(10));
			expect(res.output('Node', 0)).toEqual([]);
			expect(res.output('Node', 2).map((i) => errorOf(i).code)).toEqual(Array(10).fill('AuthenticationFailed'));
			// After the first 401 the client stops: later accounts fail without another request.
			expect(scim.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
			expect(users().filter((u) => u.active === false)).toHaveLength(0);
			scim.faults.length = 0;
		});

		test('the target failing mid-run: every leaver is accounted for, and a rerun finishes the job', async () => {
			await seed(40);
			scim.faults.push({ status: 403, method: 'PATCH', times: 4 });
			const res = await run(reconcile({ options: { concurrency: 1 } }), source(30));
			// Successes in Done; failed leavers in the error output, each with its record.
			expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(Array(6).fill('Disable'));
			const failed = res.output('Node', 2).map(errorOf);
			expect(failed.map((f) => f.code)).toEqual(Array(4).fill('AuthenticationFailed'));
			expect(failed.map((f) => f.provisioningLog?.action)).toEqual(Array(4).fill('Failed'));
			const rerun = await run(reconcile(), source(30));
			expect(
				rerun
					.output('Node', 0)
					.map((i) => i.json.action)
					.sort(),
			).toEqual([...Array(4).fill('Disable'), ...Array(6).fill('NoChange')]);
			expect(users().filter((u) => u.active === false)).toHaveLength(10);
		});
	});

	describe('bad input', () => {
		test('an item without any identifier fails on its own, naming the field', async () => {
			await seed(2);
			const res = await run(perItem('disable'), [{ email: 'u0@example.org' }, { name: 'no identifiers' }]);
			expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Disable']);
			expect(res.output('Node', 2).map((i) => [errorOf(i).code, errorOf(i).field, i.pairedItem])).toEqual([
				['MissingRequiredValue', 'userName', { item: 1 }],
			]);
		});

		test('reconcile refuses an empty source instead of treating it as "everyone left"', async () => {
			await seed(5);
			const target = new ScimTarget(new ScimClient({ baseUrl: scim.baseUrl, auth: { type: 'bearer', token: scim.token } }));
			await expect(reconcileLeavers(target, [], { action: 'disable' })).rejects.toMatchObject({
				code: 'InvalidInput',
				message: expect.stringMatching(/no source users/),
			});
			const blank = await runWorkflow(
				itemsInto(
					'deprovisionUser',
					{
						target: 'scim',
						mode: 'reconcile',
						operation: 'disable',
						inputMode: 'define',
						matchKeys: { key: [{ attribute: 'externalId', value: '={{ $json.employeeId }}' }] },
					},
					[{ other: 1 }],
				),
				credentials(),
			);
			expect(blank.error?.message).toMatch(
				/Source item 0 has no value for any match key, so its account would look like a leaver\. Reconcile needs every source user identified; nothing was changed\./,
			);
			expect(users().every((u) => u.active === true)).toBe(true);
		});

		test('an invalid managed-scope filter gives a clear error and changes nothing', async () => {
			await seed(5);
			const res = await runWorkflow(
				itemsInto(
					'deprovisionUser',
					{
						target: 'scim',
						mode: 'reconcile',
						operation: 'disable',
						inputMode: 'define',
						scopeFilter: 'userName xx "a"',
						matchKeys: { key: [{ attribute: 'externalId', value: '={{ $json.employeeId }}' }] },
					},
					[{ employeeId: 'E0' }],
				),
				credentials(),
			);
			expect(res.error?.message).toMatch(/GET \/Users answered 400 \(invalidFilter\)/);
			expect(users().every((u) => u.active === true)).toBe(true);
		});

		test.each([
			[{ maxPercent: 150 }, /percentage must be above 0 and at most 100, not 150/],
			[{ maxCount: -1 }, /count must be a whole number of 0 or more, not -1/],
			[{ maxPercent: 0 }, /percentage must be above 0/],
		])('a nonsense threshold %j is refused', async (threshold, message) => {
			await seed(2);
			const res = await runWorkflow(
				itemsInto('deprovisionUser', perItem('disable', { threshold }), [{ email: 'u0@example.org' }]),
				credentials(),
			);
			expect(res.error?.message).toMatch(message);
			expect(users().every((u) => u.active === true)).toBe(true);
		});
	});
});
