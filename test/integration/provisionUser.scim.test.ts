import { ScimTestServer } from '../../dev/scimApp';
import { errorOf, itemsInto, runWorkflow } from '../harness/workflow';

let scim: ScimTestServer;
beforeAll(async () => {
	scim = await ScimTestServer.start();
});
afterAll(async () => {
	await scim.stop();
});
beforeEach(() => {
	scim.store.users.clear();
	scim.faults.length = 0;
	scim.patchSupported = true;
	scim.resetLog();
});

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const credentials = (extra: Record<string, unknown> = {}) => ({
	scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, timeoutMs: 2000, ...extra },
});

/** Define-Below rows for a person, as a citizen developer would set them up. */
const rows = [
	{ name: 'userName', value: '={{ $json.upn }}', matchPrecedence: 1 },
	{ name: 'externalId', value: '={{ $json.employeeId }}', matchPrecedence: 2 },
	{ name: 'name.givenName', value: '={{ $json.first }}' },
	{ name: 'name.familyName', value: '={{ $json.last }}' },
	{ name: 'displayName', value: '={{ $json.first + " " + $json.last }}' },
	{ name: 'emails[type eq "work"].value', value: '={{ $json.upn }}' },
	{ name: `${ENT}:department`, value: '={{ $json.department }}' },
	{ name: 'active', value: '={{ true }}' },
	{ name: 'password', value: '={{ $json.initialPassword }}', apply: 'create' },
];
const defineParams = (options: Record<string, unknown> = {}) => ({
	target: 'scim',
	inputMode: 'define',
	attributes: { attribute: rows },
	options,
});
const person = (n: number, extra: Record<string, unknown> = {}) => ({
	upn: `user${n}@example.org`,
	employeeId: `E${n}`,
	first: `First${n}`,
	last: `Last${n}`,
	department: 'Engineering',
	initialPassword: `Initial-Pw-${n}!`,
	...extra,
});
const users = () => [...scim.store.users.values()];

describe('Provision User → SCIM target (real SCIMMY server, real workflow)', () => {
	test('creates accounts and they read back from the server', async () => {
		const res = await runWorkflow(itemsInto('provisionUser', defineParams(), [person(1), person(2)]), credentials());
		expect(res.error).toBeUndefined();
		const out = res.output('Node');
		expect(out.map((i) => i.json.action)).toEqual(['Create', 'Create']);
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const id = out[0].json.targetId as string;
		const read = await fetch(`${scim.baseUrl}/Users/${id}`, { headers: { Authorization: `Bearer ${scim.token}` } }).then(
			(r) => r.json() as Promise<any>,
		);
		expect(read).toMatchObject({
			userName: 'user1@example.org',
			externalId: 'E1',
			name: { givenName: 'First1', familyName: 'Last1' },
			displayName: 'First1 Last1',
			emails: [{ type: 'work', value: 'user1@example.org' }],
			[ENT]: { department: 'Engineering' },
			active: true,
		});
		expect(read.password).toBeUndefined();
		// The create-only password reached the server but is redacted in our log.
		const pw = (out[0].json.modifiedProperties as Array<{ name: string; newValue: unknown }>).find((p) => p.name === 'password');
		expect(pw?.newValue).toBe('[Redact]');
		expect(JSON.stringify(out)).not.toContain('Initial-Pw-1!');
		expect(out[0].json.steps).toEqual([
			expect.objectContaining({ step: 'Evaluate', status: 'Success' }),
			expect.objectContaining({ step: 'Match', status: 'Success' }),
			expect.objectContaining({ step: 'Provision', status: 'Success' }),
		]);
	});

	test('a rerun with changes PATCHes only the changed attributes; a third run writes nothing', async () => {
		await runWorkflow(itemsInto('provisionUser', defineParams(), [person(1)]), credentials());
		scim.resetLog();
		const second = await runWorkflow(
			itemsInto('provisionUser', defineParams(), [person(1, { last: 'Renamed', department: 'Sales' })]),
			credentials(),
		);
		expect(second.output('Node')[0].json).toMatchObject({
			action: 'Update',
			status: 'Success',
			matchedBy: { attribute: 'userName', value: 'user1@example.org' },
		});
		const patches = scim.writes();
		expect(patches).toHaveLength(1);
		expect(patches[0].method).toBe('PATCH');
		expect(patches[0].body.Operations).toEqual([
			{ op: 'replace', path: 'name.familyName', value: 'Renamed' },
			{ op: 'replace', path: 'displayName', value: 'First1 Renamed' },
			{ op: 'replace', path: `${ENT}:department`, value: 'Sales' },
		]);
		expect(second.output('Node')[0].json.modifiedProperties).toEqual([
			{ name: 'name.familyName', oldValue: 'Last1', newValue: 'Renamed' },
			{ name: 'displayName', oldValue: 'First1 Last1', newValue: 'First1 Renamed' },
			{ name: `${ENT}:department`, oldValue: 'Engineering', newValue: 'Sales' },
		]);
		scim.resetLog();
		const third = await runWorkflow(
			itemsInto('provisionUser', defineParams(), [person(1, { last: 'Renamed', department: 'Sales' })]),
			credentials(),
		);
		expect(third.output('Node')[0].json.action).toBe('NoChange');
		expect(scim.writes()).toHaveLength(0);
	});

	test('brownfield: matches by the second key when the first has no value or no hit; two hits is DuplicateTargetEntries', async () => {
		const post = (body: object) =>
			fetch(`${scim.baseUrl}/Users`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json' },
				body: JSON.stringify(body),
			});
		await post({
			schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
			userName: 'legacy.login',
			externalId: 'E7',
			displayName: 'Old Name',
		});
		await post({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'dup1', externalId: 'E9' });
		await post({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'dup2', externalId: 'E9' });
		const envelopes = [
			// userName has no hit, externalId does
			{
				attributes: { userName: 'legacy.login', displayName: 'New Name' },
				matchKeys: [
					{ attribute: 'userName', value: 'new.login@example.org' },
					{ attribute: 'externalId', value: 'E7' },
				],
			},
			// first key has no value at all
			{
				attributes: { displayName: 'New Name' },
				matchKeys: [
					{ attribute: 'userName', value: null },
					{ attribute: 'externalId', value: 'E7' },
				],
			},
			// two accounts share the key
			{ attributes: { userName: 'x', displayName: 'X' }, matchKeys: [{ attribute: 'externalId', value: 'E9' }] },
		];
		// One at a time, so the second item sees the first one's update.
		const res = await runWorkflow(
			itemsInto('provisionUser', { target: 'scim', inputMode: 'envelope', options: { concurrency: 1 } }, envelopes, {
				onError: 'continueErrorOutput',
			}),
			credentials(),
		);
		const ok = res.output('Node', 0);
		const failed = res.output('Node', 1);
		expect(ok.map((i) => [i.json.action, (i.json.matchedBy as any)?.attribute])).toEqual([
			['Update', 'externalId'],
			['NoChange', 'externalId'],
		]);
		expect(failed).toHaveLength(1);
		expect(failed[0].pairedItem).toEqual({ item: 2 });
		expect(errorOf(failed[0])).toMatchObject({ code: 'DuplicateTargetEntries', field: 'externalId', itemIndex: 2 });
		expect(users().filter((u) => u.externalId === 'E7')).toHaveLength(1);
	});

	test('dry run reports the same actions as the real run and writes nothing', async () => {
		await runWorkflow(itemsInto('provisionUser', defineParams(), [person(1)]), credentials());
		const batch = [person(1, { department: 'Legal' }), person(2), person(1, { department: 'Legal' })].slice(0, 2);
		scim.resetLog();
		const dry = await runWorkflow(itemsInto('provisionUser', defineParams({ dryRun: true }), batch), credentials());
		expect(scim.writes()).toHaveLength(0);
		const real = await runWorkflow(itemsInto('provisionUser', defineParams(), batch), credentials());
		const summary = (items: any[]) => items.map((i) => [i.json.action, i.json.modifiedProperties.map((p: any) => p.name)]);
		expect(summary(dry.output('Node'))).toEqual(summary(real.output('Node')));
		expect(dry.output('Node').every((i) => i.json.dryRun === true)).toBe(true);
		expect(summary(dry.output('Node'))).toEqual([
			['Update', [`${ENT}:department`]],
			[
				'Create',
				[
					'password',
					'userName',
					'externalId',
					'name.givenName',
					'name.familyName',
					'displayName',
					'emails[type eq "work"].value',
					`${ENT}:department`,
					'active',
				],
			],
		]);
	});

	test('action switches: create and update can be turned off', async () => {
		await runWorkflow(itemsInto('provisionUser', defineParams(), [person(1)]), credentials());
		scim.resetLog();
		const res = await runWorkflow(
			itemsInto('provisionUser', defineParams({ allowCreate: false, allowUpdate: false }), [person(1, { last: 'X' }), person(2)]),
			credentials(),
		);
		expect(res.output('Node').map((i) => [i.json.action, i.json.status])).toEqual([
			['Skipped', 'Skipped'],
			['Skipped', 'Skipped'],
		]);
		expect(scim.writes()).toHaveLength(0);
	});

	test('falls back to PUT when the server does not support PATCH', async () => {
		await runWorkflow(itemsInto('provisionUser', defineParams(), [person(1)]), credentials());
		scim.patchSupported = false;
		scim.resetLog();
		const res = await runWorkflow(
			itemsInto('provisionUser', defineParams(), [person(1, { first: 'Changed' }), person(2)], { onError: 'continueErrorOutput' }),
			credentials(),
		);
		expect(res.output('Node').map((i) => i.json.action)).toEqual(['Update', 'Create']);
		// PATCH is tried first; after the server's 501 the execution uses PUT without trying PATCH again.
		const writes = scim.writes().map((w) => `${w.method} ${w.status}`);
		expect(writes.sort()).toEqual(['PATCH 501', 'POST 201', 'PUT 200']);
		expect(users()[0].name.givenName).toBe('Changed');
		expect(users()[0].userName).toBe('user1@example.org');
	});

	test('lookups are batched: 120 new people cost a handful of filtered GETs, not 240', async () => {
		const batch = Array.from({ length: 120 }, (_, i) => person(i));
		const res = await runWorkflow(itemsInto('provisionUser', defineParams({ concurrency: 8 }), batch), credentials());
		expect(res.output('Node').filter((i) => i.json.action === 'Create')).toHaveLength(120);
		const lookups = scim.requests.filter((r) => r.method === 'GET' && r.query.filter);
		// Two precedence levels (userName, then externalId), 50 values per request: 3 + 3.
		expect(lookups).toHaveLength(6);
		expect(String(lookups[0].query.filter)).toMatch(/^userName eq "user0@example.org" or userName eq "user1@example.org" or /);
		scim.resetLog();
		const rerun = await runWorkflow(itemsInto('provisionUser', defineParams({ concurrency: 8 }), batch), credentials());
		expect(rerun.output('Node').every((i) => i.json.action === 'NoChange')).toBe(true);
		expect(scim.requests.filter((r) => r.method === 'GET' && r.query.filter)).toHaveLength(3);
		expect(scim.writes()).toHaveLength(0);
	});

	test('a server that rejects "or" filters gets one lookup per value, and results are the same', async () => {
		await runWorkflow(itemsInto('provisionUser', defineParams(), [person(1)]), credentials());
		scim.faults.push({ status: 400, method: 'GET', filterIncludes: ' or ', times: 1000 });
		scim.resetLog();
		const res = await runWorkflow(
			itemsInto('provisionUser', defineParams(), [person(1, { last: 'New' }), person(2), person(3)]),
			credentials(),
		);
		expect(res.output('Node').map((i) => i.json.action)).toEqual(['Update', 'Create', 'Create']);
		expect(scim.requests.filter((r) => r.status === 400)).toHaveLength(1);
		expect(users()).toHaveLength(3);
	});

	test('OAuth2 client credentials: one token fetch per execution', async () => {
		scim.tokenRequests = 0;
		const res = await runWorkflow(itemsInto('provisionUser', defineParams(), [person(1), person(2), person(3)]), {
			scimTargetApi: {
				baseUrl: scim.baseUrl,
				authentication: 'oauth2ClientCredentials',
				tokenUrl: scim.tokenUrl,
				clientId: scim.oauthClient.id,
				clientSecret: scim.oauthClient.secret,
			},
		});
		expect(res.error).toBeUndefined();
		expect(res.output('Node').map((i) => i.json.action)).toEqual(['Create', 'Create', 'Create']);
		expect(scim.tokenRequests).toBe(1);
	});

	describe('faults', () => {
		const run = (items: object[], options: Record<string, unknown> = {}) =>
			runWorkflow(
				itemsInto('provisionUser', defineParams({ concurrency: 4, ...options }), items, { onError: 'continueErrorOutput' }),
				credentials(),
			);
		const accountFor = (res: Awaited<ReturnType<typeof run>>, n: number) => {
			const all = [...res.output('Node', 0), ...res.output('Node', 1)];
			expect(all.map((i) => (i.pairedItem as { item: number }).item).sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
		};

		test('429 with Retry-After is honoured, and every item succeeds once', async () => {
			scim.faults.push({ status: 429, retryAfter: '1', times: 3 });
			const started = Date.now();
			const res = await run([1, 2, 3, 4, 5].map((n) => person(n)));
			expect(res.output('Node', 1)).toHaveLength(0);
			expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(Array(5).fill('Create'));
			expect(users()).toHaveLength(5);
			expect(scim.requests.filter((r) => r.status === 429)).toHaveLength(3);
			// Behaviour, not speed: the client waited for Retry-After rather than hammering.
			expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
		});

		test('transient 500s on lookups are retried', async () => {
			scim.faults.push({ status: 500, method: 'GET', times: 4 });
			const res = await run([1, 2, 3].map((n) => person(n)));
			expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Create', 'Create', 'Create']);
			expect(users()).toHaveLength(3);
		});

		test('a 500 on create is re-checked, then retried: no duplicate, no loss', async () => {
			scim.faults.push({ status: 500, method: 'POST', times: 2 });
			const res = await run([1, 2, 3].map((n) => person(n)));
			accountFor(res, 3);
			expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Create', 'Create', 'Create']);
			expect(scim.requests.filter((r) => r.method === 'POST' && r.status === 500)).toHaveLength(2);
			expect(
				users()
					.map((u) => u.userName)
					.sort(),
			).toEqual(['user1@example.org', 'user2@example.org', 'user3@example.org']);
		});

		test('a create whose response is lost is found again, not duplicated', async () => {
			scim.faults.push({ dropAfterHandling: true, method: 'POST', times: 2 });
			const res = await run([1, 2, 3].map((n) => person(n)));
			accountFor(res, 3);
			expect(res.output('Node', 1)).toHaveLength(0);
			expect(users()).toHaveLength(3);
			const details = res.output('Node', 0).map((i) => (i.json.steps as any[]).at(-1).detail);
			expect(details.filter((d) => d.includes('confirmed after a failed response'))).toHaveLength(2);
		});

		test('a timed-out lookup is retried', async () => {
			scim.faults.push({ delayMs: 3000, method: 'GET', times: 1 });
			const res = await run([person(1)]);
			expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Create']);
			expect(users()).toHaveLength(1);
		});

		test('a persistent failure fails only that item, with an actionable reason', async () => {
			await run([person(1)]);
			scim.faults.push({ status: 503, method: 'POST', times: 100 });
			const res = await run([person(1, { last: 'Changed' }), person(2)], {});
			accountFor(res, 2);
			expect(res.output('Node', 0).map((i) => [i.json.action, i.pairedItem])).toEqual([['Update', { item: 0 }]]);
			const failed = res.output('Node', 1);
			expect(failed.map((i) => [errorOf(i).code, i.pairedItem])).toEqual([['TargetUnavailable', { item: 1 }]]);
			expect(errorOf(failed[0]).reason).toMatch(/POST \/Users answered 503/);
			expect(users()).toHaveLength(1);
		});

		test('concurrent items for the same person create one account', async () => {
			const res = await run([person(1), person(1), person(1), person(1)]);
			accountFor(res, 4);
			expect(users()).toHaveLength(1);
			expect(
				res
					.output('Node', 0)
					.map((i) => i.json.action)
					.sort(),
			).toEqual(['Create', 'NoChange', 'NoChange', 'NoChange']);
		});
	});

	describe('bad input', () => {
		test('a missing userName fails that item, naming the field', async () => {
			const res = await runWorkflow(
				itemsInto(
					'provisionUser',
					{ target: 'scim', inputMode: 'envelope' },
					[
						{ attributes: { displayName: 'No Login' }, matchKeys: [{ attribute: 'externalId', value: 'E1' }] },
						{ attributes: { userName: 'ok' }, matchKeys: [{ attribute: 'userName', value: 'ok' }] },
					],
					{ onError: 'continueErrorOutput' },
				),
				credentials(),
			);
			expect(res.output('Node', 1).map((i) => errorOf(i))).toEqual([
				expect.objectContaining({ code: 'MissingRequiredValue', field: 'userName', itemIndex: 0 }),
			]);
			expect(res.output('Node', 0)).toHaveLength(1);
		});

		test('without continue-on-fail the node stops with an error naming the item and field', async () => {
			const res = await runWorkflow(
				itemsInto('provisionUser', { target: 'scim', inputMode: 'envelope' }, [
					{ attributes: { userName: 'ok' }, matchKeys: [{ attribute: 'userName', value: 'ok' }] },
					{ attributes: { displayName: 'x' }, matchKeys: [{ attribute: 'userName', value: null }] },
				]),
				credentials(),
			);
			expect(res.error?.message).toMatch(/^Item 1: No match key has a value/);
			expect((res.error as any).description).toBe(
				'MissingRequiredValue. Map a value for this attribute, or give the mapping row a default value. (field "userName")',
			);
			expect(res.error?.name).toBe('NodeOperationError');
		});

		test('a malformed base URL is a set-up error: the node stops before any item runs, even with an error output', async () => {
			const res = await runWorkflow(
				itemsInto('provisionUser', defineParams(), [person(1), person(2)], { onError: 'continueErrorOutput' }),
				{
					scimTargetApi: { baseUrl: 'scim.example.org/v2', authentication: 'bearer', token: 'tok-secret-123' },
				},
			);
			expect(res.error?.name).toBe('NodeOperationError');
			expect(res.error?.message).toMatch(/not a valid URL/);
			expect((res.error as any).description).toMatch(/^Configuration\. Fix the node's parameters or the credential\. \(field "baseUrl"\)$/);
			expect(JSON.stringify(res.run.data)).not.toContain('tok-secret-123');
		});

		test('a wrong token fails every item with AuthenticationFailed after one batched request, and never appears in output', async () => {
			scim.resetLog();
			const res = await runWorkflow(
				itemsInto('provisionUser', defineParams(), [person(1), person(2), person(3)], { onError: 'continueErrorOutput' }),
				{
					scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: 'wrong-token-value-xyz' },
				},
			);
			const failed = res.output('Node', 1);
			expect(failed.map((i) => errorOf(i).code)).toEqual(['AuthenticationFailed', 'AuthenticationFailed', 'AuthenticationFailed']);
			expect(scim.requests.map((r) => [r.method, r.status])).toEqual([['GET', 401]]);
			expect(JSON.stringify(res.run.data)).not.toContain('wrong-token-value-xyz');
		});
	});
});
