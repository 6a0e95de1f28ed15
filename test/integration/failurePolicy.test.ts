/**
 * The one failure policy, node by node (nodes/shared/failures.ts): set-up errors stop the node whatever "On
 * Error" says; a failed item goes to the error output, stays in the main output, or stops the node with a
 * NodeApiError (target) or NodeOperationError (input); every item ends in exactly one place.
 */
import { errorOf, itemsInto, runWorkflow } from '../harness/workflow';
import { ScimTestServer } from '../../dev/scimApp';

let scim: ScimTestServer;
beforeAll(async () => {
	scim = await ScimTestServer.start();
});
afterAll(() => scim.stop());
beforeEach(() => {
	scim.faults.length = 0;
	scim.store.users.clear();
	scim.store.groups.clear();
	scim.resetLog();
});

const credentials = () => ({ scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, timeoutMs: 5000 } });
const envelope = (userName: string) => ({ attributes: { userName }, matchKeys: [{ attribute: 'userName', value: userName }] });
const provision = (items: object[], onError?: string) =>
	runWorkflow(itemsInto('provisionUser', { target: 'scim', inputMode: 'envelope' }, items, onError ? { onError } : {}), credentials());
/** Only the first create is refused with 409 (another system holds the unique value meanwhile). */
const conflictOnFirstCreate = () => scim.faults.push({ status: 409, method: 'POST', pathIncludes: '/Users', times: 1 });

describe('Provision User', () => {
	test('a target failure goes to the error output with its record; the other items succeed', async () => {
		conflictOnFirstCreate();
		const res = await provision([envelope('a@x.org'), envelope('b@x.org')], 'continueErrorOutput');
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Create']);
		const [failed] = res.output('Node', 1);
		// n8n adds the input item's fields to items it routes to the error output.
		expect(failed.json).toMatchObject({
			message: expect.stringMatching(/^Item 0: POST \/Users answered 409/),
			attributes: { userName: 'a@x.org' },
		});
		expect(errorOf(failed)).toMatchObject({ code: 'Uniqueness', itemIndex: 0, provisioningLog: { action: 'Failed', status: 'Failure' } });
		expect(failed.pairedItem).toEqual({ item: 0 });
	});

	test('On Error → Continue keeps the failure in the main output, in item order', async () => {
		conflictOnFirstCreate();
		const res = await provision([envelope('a@x.org'), envelope('b@x.org')], 'continueRegularOutput');
		const out = res.output('Node', 0);
		expect(out.map((i) => (i.json.error ? `failed:${errorOf(i).code}` : i.json.action))).toEqual(['failed:Uniqueness', 'Create']);
	});

	test('without continue-on-fail a target failure stops the node with a NodeApiError that says what to do', async () => {
		conflictOnFirstCreate();
		const res = await provision([envelope('a@x.org')]);
		expect(res.error?.name).toBe('NodeApiError');
		expect(res.error?.message).toMatch(/^Item 0: POST \/Users answered 409/);
		expect((res.error as any).description).toMatch(/^Uniqueness\. Another account already holds a unique value/);
		expect((res.error as any).httpCode).toBe('409');
	});

	test('without continue-on-fail bad input stops the node with a NodeOperationError naming the item', async () => {
		const res = await provision([envelope('a@x.org'), { attributes: 'not an object' }]);
		expect(res.error?.name).toBe('NodeOperationError');
		expect(res.error?.message).toMatch(/^Item 1: The item is not a provisioning envelope/);
		expect((res.error as any).description).toMatch(/^InvalidInput\. Fix the input item/);
	});

	test('an n8n expression that fails for one item (n8n makes it empty) fails that item only', async () => {
		const params = {
			target: 'scim',
			inputMode: 'define',
			attributes: { attribute: [{ name: 'userName', value: '={{ JSON.parse($json.raw).name }}', matchPrecedence: 1 }] },
		};
		const res = await runWorkflow(
			itemsInto('provisionUser', params, [{ raw: '{"name":"a@x.org"}' }, { raw: '{not json' }], { onError: 'continueErrorOutput' }),
			credentials(),
		);
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Create']);
		expect(res.output('Node', 1).map((i) => errorOf(i))).toEqual([
			expect.objectContaining({ code: 'MissingRequiredValue', itemIndex: 1, field: 'userName' }),
		]);
	});
});

describe('set-up errors stop the node before any item runs, whatever On Error says', () => {
	test('Deprovision User: an LDAP credential without a base DN', async () => {
		const res = await runWorkflow(
			itemsInto('deprovisionUser', { target: 'ldap', mode: 'perItem', operation: 'disable', inputMode: 'envelope' }, [envelope('a')], {
				onError: 'continueErrorOutput',
			}),
			{ ldapDirectoryApi: { urls: 'ldap://127.0.0.1:1', bindDn: 'cn=x', bindPassword: 'secret-bind-pw', baseDn: '' } },
		);
		expect(res.error?.name).toBe('NodeOperationError');
		expect(res.error?.message).toBe('The LDAP credential has no base DN');
		expect(res.output('Node', 2)).toEqual([]);
		expect(JSON.stringify(res.run.data)).not.toContain('secret-bind-pw');
	});

	test('Deprovision User: a nonsensical threshold', async () => {
		const params = { target: 'scim', mode: 'perItem', operation: 'disable', inputMode: 'envelope', threshold: { maxPercent: 0 } };
		const res = await runWorkflow(itemsInto('deprovisionUser', params, [envelope('a')], { onError: 'continueErrorOutput' }), credentials());
		expect(res.error?.name).toBe('NodeOperationError');
		expect(res.error?.message).toMatch(/percentage must be above 0/);
		expect(scim.writes()).toHaveLength(0);
	});

	test('Map Attributes: an expression that does not parse', async () => {
		const params = { preset: 'none', mappings: { mapping: [{ target: 'userName', type: 'expression', expression: 'Join(".", [a]' }] } };
		const res = await runWorkflow(itemsInto('mapAttributes', params, [{ a: 1 }], { onError: 'continueErrorOutput' }), credentials());
		expect(res.error?.name).toBe('NodeOperationError');
		expect(res.error?.message).toMatch(/^Mapping row 1 \(userName\)/);
	});
});

describe('a step serving the whole batch fails at the target', () => {
	test('Group Sync: the group lookup is refused, so every group fails with that reason', async () => {
		scim.faults.push({ status: 400, method: 'GET', pathIncludes: '/Groups', times: 10 });
		const res = await runWorkflow(
			itemsInto(
				'groupSync',
				{ target: 'scim', mode: 'authoritative' },
				[
					{ displayName: 'A', members: [] },
					{ displayName: 'B', members: [] },
				],
				{
					onError: 'continueErrorOutput',
				},
			),
			credentials(),
		);
		expect(res.output('Node', 0)).toEqual([]);
		expect(res.output('Node', 1).map((i) => [errorOf(i).code, errorOf(i).itemIndex])).toEqual([
			['TargetRejected', 0],
			['TargetRejected', 1],
		]);
	});

	test('Deprovision User, reconcile: a refused listing stops the run with a NodeApiError, changing nothing', async () => {
		scim.faults.push({ status: 400, method: 'GET', pathIncludes: '/Users', times: 10 });
		const params = { target: 'scim', mode: 'reconcile', operation: 'disable', inputMode: 'envelope' };
		const res = await runWorkflow(itemsInto('deprovisionUser', params, [envelope('a')], { onError: 'continueErrorOutput' }), credentials());
		expect(res.error?.name).toBe('NodeApiError');
		expect((res.error as any).description).toMatch(/^TargetRejected\./);
		expect(scim.writes()).toHaveLength(0);
	});
});

describe('Map Attributes', () => {
	const uniqueRow = {
		target: 'userName',
		type: 'expression',
		expression: 'SelectUniqueValue(Join("@", [first], "x.org"), Join("@", Join(".", [first], [last]), "x.org"))',
		matchPrecedence: 1,
	};
	const map = (items: object[], onError?: string) =>
		runWorkflow(
			itemsInto('mapAttributes', { preset: 'none', mappings: { mapping: [uniqueRow] }, target: 'scim' }, items, onError ? { onError } : {}),
			credentials(),
		);

	test('SelectUniqueValue with every candidate taken fails that item into the error output, not In Scope', async () => {
		for (const userName of ['ada@x.org', 'ada.l@x.org']) {
			await fetch(`${scim.baseUrl}/Users`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json' },
				body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName }),
			});
		}
		const res = await map(
			[
				{ first: 'ada', last: 'l' },
				{ first: 'bob', last: 'k' },
			],
			'continueErrorOutput',
		);
		expect(res.output('Node', 0).map((i) => (i.json.createOnly as any).userName)).toEqual(['bob@x.org']);
		expect(res.output('Node', 1)).toEqual([]);
		const [failed] = res.output('Node', 2);
		expect(errorOf(failed)).toMatchObject({ code: 'Uniqueness', field: 'userName', itemIndex: 0 });
		expect(errorOf(failed).reason).toMatch(/every SelectUniqueValue candidate for userName is taken \(ada@x.org, ada.l@x.org\)/);
	});

	test('without continue-on-fail the same failure stops the node', async () => {
		await fetch(`${scim.baseUrl}/Users`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json' },
			body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'cy@x.org' }),
		});
		const res = await map([{ first: 'cy', last: '' }]);
		expect(res.error?.message).toMatch(/^Item 0: every SelectUniqueValue candidate/);
	});

	test('a mapping failure of one item is routed to the error output with exactly { message, error }', async () => {
		const params = { preset: 'none', mappings: { mapping: [{ target: 'userName', type: 'direct', source: 'mail' }] } };
		const res = await runWorkflow(
			itemsInto('mapAttributes', params, [{ mail: 'a@x.org' }, { other: 1 }], { onError: 'continueErrorOutput' }),
			credentials(),
		);
		expect(res.output('Node', 0)).toHaveLength(1);
		const [failed] = res.output('Node', 2);
		expect(errorOf(failed)).toMatchObject({ code: 'InvalidInput', itemIndex: 1 });
		expect(errorOf(failed).reason).toMatch(/the item has no field "mail"/);
	});
});
