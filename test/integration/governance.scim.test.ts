/**
 * Quarantine, retry of failed items and alerts (node version 2) in real in-process workflows against the real SCIM
 * test server, with the state in the file store under the n8n user folder (n8n on SQLite). The same runs against
 * n8n's PostgreSQL store are in governanceStore.test.ts and, for real n8n and queue mode, in test/e2e.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeHelpers, Workflow, type INodeTypes } from 'n8n-workflow';
import { openGovernanceStore } from '../../lib/store/governance/openGovernanceStore';
import { ProvisionUser } from '../../nodes/ProvisionUser/ProvisionUser.node';
import { DeprovisionUser } from '../../nodes/DeprovisionUser/DeprovisionUser.node';
import { GroupSync } from '../../nodes/GroupSync/GroupSync.node';
import { chain, errorOf, itemsInto, runWorkflow, type WorkflowJson } from '../harness/workflow';
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

const userFolder = () => process.env.N8N_USER_FOLDER!;
const credentials = (token = scim.token) => ({
	scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token, timeoutMs: 1000 },
});
const envelope = (userName: string, extra: object = {}) => ({
	attributes: { userName, displayName: userName.split('@')[0] },
	matchKeys: [{ attribute: 'userName', value: userName }],
	...extra,
});
const users = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => envelope(`${prefix}${i}@x.org`));
let workflowCounter = 0;
/** A fresh workflow id per test: quarantine and kept items are per workflow and node. */
const freshWorkflow = () => `gov-${Date.now()}-${++workflowCounter}`;

/** Provision User version 2 (error output on), in the workflow with this id. */
function provision(workflowId: string, items: object[], governance: object = {}, extra: Record<string, unknown> = {}): WorkflowJson {
	return {
		...itemsInto('provisionUser', { target: 'scim', inputMode: 'envelope', governance, ...extra }, items, {
			onError: 'continueErrorOutput',
			typeVersion: 2,
		}),
		id: workflowId,
	};
}

const DONE = 0;
const ALERTS = 1;
const ERRORS = 2;
const alertsOf = (res: Awaited<ReturnType<typeof runWorkflow>>) => res.output('Node', ALERTS).map((i) => i.json);

/** Time passes: the quarantine's next trial is due now (the store is changed through its own code). */
async function trialDue(workflowId: string): Promise<void> {
	const store = openGovernanceStore(userFolder(), process.env);
	for (const row of await store.listQuarantine({ workflowId })) {
		await store.updateQuarantine(row.scope, (state) => ({
			state: state?.quarantine
				? { ...state, quarantine: { ...state.quarantine, nextTrialAt: new Date(Date.now() - 1000).toISOString() } }
				: state!,
			result: undefined,
		}));
	}
}

describe('quarantine: a target that answers 503 to everything', () => {
	test('enters with one alert, is not contacted while quarantined, and leaves with one alert once a due run succeeds', async () => {
		const wf = freshWorkflow();
		scim.faults.push({ status: 503, times: 100000 });

		const first = await runWorkflow(provision(wf, users('a', 20)), credentials());
		expect(first.error).toBeUndefined();
		expect(first.output('Node', DONE)).toEqual([]);
		expect(first.output('Node', ERRORS).map((i) => errorOf(i).code)).toEqual(Array(20).fill('TargetUnavailable'));
		expect(alertsOf(first)).toEqual([
			expect.objectContaining({
				alert: 'QuarantineEntered',
				severity: 'critical',
				figures: expect.objectContaining({ operations: 20, failures: 20, failureRate: 1 }),
				quarantine: expect.objectContaining({ reason: 'failureRate', interval: '15 min' }),
				target: { system: 'scim', endpoint: `${scim.baseUrl}/Users` },
			}),
		]);
		expect(String(alertsOf(first)[0].message)).toMatch(/20 of 20 operations failed \(100%.*20 item\(s\) are kept/);
		expect(scim.requests.length).toBeGreaterThan(0);

		// Within the interval: no request, no per-item error, one alert; the new items are kept for later.
		scim.resetLog();
		const second = await runWorkflow(provision(wf, users('b', 5)), credentials());
		expect(scim.requests).toEqual([]);
		expect(second.output('Node', DONE)).toEqual([]);
		expect(second.output('Node', ERRORS)).toEqual([]);
		expect(alertsOf(second)).toEqual([
			expect.objectContaining({ alert: 'QuarantineSkipped', severity: 'info', figures: { received: 5, kept: 5 } }),
		]);

		// The target recovers; the next due run is the trial: kept items first (oldest first), then this run's.
		scim.faults.length = 0;
		await trialDue(wf);
		const third = await runWorkflow(provision(wf, users('c', 1)), credentials());
		const done = third.output('Node', DONE).map((i) => i.json);
		expect(third.output('Node', ERRORS)).toEqual([]);
		expect(done.map((r) => r.action)).toEqual(Array(26).fill('Create'));
		expect(done.slice(0, 20).map((r) => r.retry)).toEqual(Array(20).fill({ attempt: 2 }));
		expect(done.slice(20, 25).map((r) => r.retry)).toEqual(Array(5).fill({ attempt: 1 }));
		expect(done[25].retry).toBeUndefined();
		expect(third.output('Node', DONE)[25].pairedItem).toEqual({ item: 0 });
		expect(alertsOf(third)).toEqual([expect.objectContaining({ alert: 'QuarantineLifted', severity: 'resolved' })]);
		expect([...scim.store.users.values()].map((u) => u.userName).sort()).toEqual(
			[...users('a', 20), ...users('b', 5), ...users('c', 1)].map((e) => e.attributes.userName).sort(),
		);

		// Healthy again: the next run contacts the target and keeps nothing.
		scim.resetLog();
		const fourth = await runWorkflow(provision(wf, users('a', 1)), credentials());
		expect(fourth.output('Node', DONE).map((i) => i.json.action)).toEqual(['NoChange']);
		expect(alertsOf(fourth)).toEqual([]);
		expect(scim.requests.length).toBeGreaterThan(0);
	});

	test('a trial run that fails again pushes the next trial out (15 min → 1 h) with one alert', async () => {
		const wf = freshWorkflow();
		scim.faults.push({ status: 503, times: 100000 });
		await runWorkflow(provision(wf, users('a', 20)), credentials());
		await trialDue(wf);
		const trial = await runWorkflow(provision(wf, users('b', 2)), credentials());
		expect(alertsOf(trial)).toEqual([
			expect.objectContaining({
				alert: 'QuarantineExtended',
				severity: 'warning',
				quarantine: expect.objectContaining({ interval: '1 h', failedTrials: 1 }),
			}),
		]);
		const [row] = await openGovernanceStore(userFolder(), process.env).listQuarantine({ workflowId: wf });
		const wait = Date.parse(row.state.quarantine!.nextTrialAt) - Date.now();
		expect(wait).toBeGreaterThan(55 * 60000);
		expect(wait).toBeLessThanOrEqual(60 * 60000);
	});

	test('a refused token quarantines at once; Reset Quarantine tries again at once and retries the kept item', async () => {
		const wf = freshWorkflow();
		const refused = await runWorkflow(provision(wf, users('a', 1)), credentials('wrong-token'));
		expect(refused.output('Node', ERRORS).map((i) => errorOf(i).code)).toEqual(['AuthenticationFailed']);
		expect(alertsOf(refused)).toEqual([
			expect.objectContaining({ alert: 'QuarantineEntered', quarantine: expect.objectContaining({ reason: 'authentication' }) }),
		]);
		expect(String(alertsOf(refused)[0].remedy)).toMatch(/refused the credential/);

		// The token is fixed in the same credential: still quarantined until the trial…
		scim.resetLog();
		const waiting = await runWorkflow(provision(wf, users('b', 1)), credentials());
		expect(scim.requests).toEqual([]);
		expect(alertsOf(waiting).map((a) => a.alert)).toEqual(['QuarantineSkipped']);
		// …unless reset by hand.
		const reset = await runWorkflow(provision(wf, users('c', 1), { resetQuarantine: true }), credentials());
		expect(alertsOf(reset)).toEqual([
			expect.objectContaining({ alert: 'QuarantineLifted', message: expect.stringMatching(/reset by hand/) }),
		]);
		expect(reset.output('Node', DONE).map((i) => [i.json.action, (i.json.retry as any)?.attempt])).toEqual([
			['Create', 2],
			['Create', 1],
			['Create', undefined],
		]);
	});

	test('with On Error → Stop, the failure stops the workflow and its message carries the quarantine alert', async () => {
		const wf = freshWorkflow();
		const json = provision(wf, users('a', 1));
		delete (json.nodes[1] as { onError?: string }).onError;
		const res = await runWorkflow(json, credentials('wrong-token'));
		expect(res.error?.name).toBe('NodeApiError');
		expect((res.error as any).description).toMatch(
			/QuarantineEntered: Node put the SCIM app at .* in quarantine: it refused the credential/,
		);
		// The state was saved before the node stopped: the next run is skipped.
		scim.resetLog();
		const next = await runWorkflow(provision(wf, users('b', 1)), credentials());
		expect(scim.requests).toEqual([]);
		expect(alertsOf(next).map((a) => a.alert)).toEqual(['QuarantineSkipped']);
	});

	test('turned off, a failing target is contacted every run', async () => {
		const wf = freshWorkflow();
		scim.faults.push({ status: 503, times: 100000 });
		await runWorkflow(provision(wf, users('a', 20), { quarantine: false, retryFailedItems: false }), credentials());
		scim.resetLog();
		const again = await runWorkflow(provision(wf, users('a', 20), { quarantine: false, retryFailedItems: false }), credentials());
		expect(scim.requests.length).toBeGreaterThan(0);
		expect(again.output('Node', ERRORS)).toHaveLength(20);
		expect(alertsOf(again)).toEqual([]);
	});
});

describe('retry of failed items', () => {
	test('a run where 30% of creates time out, then a clean run: exactly those are retried first, no duplicates; a rejected item is not retried', async () => {
		const wf = freshWorkflow();
		const items = users('r', 20);
		const slow = [2, 5, 8, 11, 14, 17].map((i) => `r${i}@x.org`);
		// Each create of these six takes far longer than the credential's 1 s timeout, longer than the run's own lookups
		// after a lost create: the server still creates the account, later.
		for (const userName of slow) scim.faults.push({ delayMs: 6000, method: 'POST', bodyIncludes: `"${userName}"`, times: 10 });
		scim.faults.push({ status: 400, method: 'POST', bodyIncludes: '"r19@x.org"', times: 10 });

		const first = await runWorkflow(provision(wf, items), credentials());
		const failures = first.output('Node', ERRORS).map((i) => errorOf(i));
		expect(failures.filter((f) => f.code === 'Timeout').map((f) => f.provisioningLog?.retry)).toEqual(
			Array(6).fill({ attempt: 1, kept: true }),
		);
		expect(
			failures
				.filter((f) => f.code === 'Timeout')
				.map((f) => f.itemIndex)
				.sort((a, b) => a - b),
		).toEqual([2, 5, 8, 11, 14, 17]);
		expect(failures.filter((f) => f.code === 'TargetRejected').map((f) => [f.itemIndex, f.provisioningLog?.retry])).toEqual([
			[19, undefined],
		]);
		expect(first.output('Node', DONE)).toHaveLength(13);
		expect(alertsOf(first)).toEqual([]);

		// The late creates land on the server; then the clean run, with two new items.
		for (let i = 0; i < 200 && scim.store.users.size < 19; i++) await new Promise((r) => setTimeout(r, 100));
		expect(scim.store.users.size).toBe(19);
		scim.faults.length = 0;
		scim.resetLog();
		const second = await runWorkflow(provision(wf, users('n', 2)), credentials());
		const done = second.output('Node', DONE).map((i) => i.json);
		expect(second.output('Node', ERRORS)).toEqual([]);
		expect(
			done
				.slice(0, 6)
				.map((r) => (r.matchedBy as any)?.value ?? '')
				.sort(),
		).toEqual([...slow].sort());
		expect(done.slice(0, 6).map((r) => [r.action, r.retry])).toEqual(Array(6).fill(['NoChange', { attempt: 2 }]));
		expect(done.slice(6).map((r) => [r.action, r.retry])).toEqual([
			['Create', undefined],
			['Create', undefined],
		]);
		// The rejected item was not tried again.
		expect(JSON.stringify(scim.requests)).not.toContain('r19@x.org');
		const names = [...scim.store.users.values()].map((u) => u.userName);
		expect(new Set(names).size).toBe(names.length);
		expect(names.sort()).toEqual(
			[...items.filter((e) => e.attributes.userName !== 'r19@x.org'), ...users('n', 2)].map((e) => e.attributes.userName).sort(),
		);

		// Nothing is kept any more: a third run retries nothing.
		const third = await runWorkflow(provision(wf, users('n', 1)), credentials());
		expect(third.output('Node', DONE).map((i) => i.json.retry)).toEqual([undefined]);
	});

	test('after the last attempt an item is dropped with one alert that lists it', async () => {
		const wf = freshWorkflow();
		scim.faults.push({ status: 503, method: 'POST', times: 100000 });
		const first = await runWorkflow(provision(wf, users('d', 1), { maxAttempts: 2, quarantine: false }), credentials());
		expect(first.output('Node', ERRORS).map((i) => errorOf(i).provisioningLog?.retry)).toEqual([{ attempt: 1, kept: true }]);
		// The next run (a new item that fails the same way) retries the kept one first: its second and last attempt.
		const second = await runWorkflow(provision(wf, users('e', 1), { maxAttempts: 2, quarantine: false }), credentials());
		expect(second.output('Node', ERRORS).map((i) => errorOf(i).provisioningLog?.retry)).toEqual([
			{ attempt: 2, dropped: true },
			{ attempt: 1, kept: true },
		]);
		expect(second.output('Node', ERRORS)[0].json.message).toMatch(/^Retried item userName=d0@x\.org: POST \/Users answered 503/);
		// No input item of this run belongs to a retried item: n8n copies none into its failure.
		expect(second.output('Node', ERRORS)[0].json).not.toHaveProperty('attributes');
		expect(second.output('Node', ERRORS)[1].json).toHaveProperty('attributes.userName', 'e0@x.org');
		expect(alertsOf(second)).toEqual([
			expect.objectContaining({
				alert: 'RetriesExhausted',
				severity: 'warning',
				figures: { dropped: 1 },
				items: [
					expect.objectContaining({
						key: 'userName=d0@x.org',
						attempts: 2,
						lastError: expect.objectContaining({ code: 'TargetUnavailable' }),
					}),
				],
			}),
		]);
	});

	test('an item holding a password is never kept: its record says why, and the state store never sees the password', async () => {
		const wf = freshWorkflow();
		scim.faults.push({ status: 503, method: 'POST', times: 100000 });
		const secret = 'Initial-Secret-Pw-77';
		const res = await runWorkflow(
			provision(wf, [envelope('p@x.org', { createOnly: { password: secret } }), envelope('q@x.org')]),
			credentials(),
		);
		const retries = res.output('Node', ERRORS).map((i) => errorOf(i).provisioningLog?.retry);
		expect(retries).toEqual([
			{ attempt: 1, notKept: expect.stringMatching(/secret value/) },
			{ attempt: 1, kept: true },
		]);
		const dir = join(userFolder(), '.n8n', 'n8n-nodes-provisioning', 'governance');
		// Every file of the store: workflows, the run sequence, and the successes per target (accounts/).
		const stored = readdirSync(dir, { recursive: true, withFileTypes: true })
			.filter((f) => f.isFile())
			.map((f) => readFileSync(join(f.parentPath ?? f.path, f.name), 'utf8'))
			.join('\n');
		expect(stored).toContain('q@x.org');
		expect(stored).not.toContain('p@x.org');
		expect(stored).not.toContain(secret);
		expect(JSON.stringify(res.run.data.resultData.runData.Node)).not.toContain(secret);
	});
});

describe('a kept item is not replayed over a newer change made by another node (issue 18, defect 6)', () => {
	/** Deprovision User version 2, per item, disabling; retry on, quarantine off. */
	const deprovision = (workflowId: string, items: object[]): WorkflowJson => ({
		...itemsInto(
			'deprovisionUser',
			{ target: 'scim', mode: 'perItem', operation: 'disable', inputMode: 'envelope', governance: { quarantine: false } },
			items,
			{ typeVersion: 2, onError: 'continueErrorOutput' },
		),
		id: workflowId,
	});
	const active = (userName: string) => [...scim.store.users.values()].find((u) => u.userName === userName)?.active;

	test.each([
		['with its defaults', {}],
		['with quarantine and retry turned off', { quarantine: false, retryFailedItems: false }],
	])('Provision User %s in another workflow confirms the user active: the kept disable is dropped', async (_name, governance) => {
		const joiners = freshWorkflow();
		const leavers = freshWorkflow();
		const ada = envelope('ada@x.org', { attributes: { userName: 'ada@x.org', displayName: 'ada', active: true } });
		await runWorkflow(provision(joiners, [ada], governance), credentials());
		expect(active('ada@x.org')).toBe(true);

		// The leaver feed's disable fails at the target: kept for a retry.
		scim.faults.push({ status: 503, method: 'PATCH', times: 100000 });
		const failed = await runWorkflow(deprovision(leavers, [envelope('ada@x.org')]), credentials());
		expect(failed.output('Node', 3).map((i) => errorOf(i).provisioningLog?.retry)).toEqual([{ attempt: 1, kept: true }]);
		scim.faults.length = 0;

		// Then the joiner feed sends Ada again (rehired): a newer operation on the account succeeds.
		const rehired = await runWorkflow(provision(joiners, [ada], governance), credentials());
		expect(rehired.output('Node', DONE).map((i) => i.json.status)).toEqual(['Success']);

		// The leaver workflow's next run does not replay the older disable.
		const next = await runWorkflow(deprovision(leavers, [envelope('bob@x.org')]), credentials());
		expect(next.output('Node', 0).map((i) => (i.json.retry as { attempt: number } | undefined)?.attempt)).not.toContain(2);
		expect(JSON.stringify(next.run.data.resultData.runData)).not.toContain('ada@x.org');
		expect(active('ada@x.org')).toBe(true);
	});
});

describe('node versions', () => {
	const nodeTypes = {
		getByNameAndVersion: (type: string) =>
			({
				'n8n-nodes-provisioning.provisionUser': new ProvisionUser(),
				'n8n-nodes-provisioning.deprovisionUser': new DeprovisionUser(),
				'n8n-nodes-provisioning.groupSync': new GroupSync(),
			})[type],
		getByName: () => undefined,
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
	const outputsOf = (type: string, typeVersion: number, onError?: string) => {
		const node = {
			id: 'x',
			name: 'X',
			type: `n8n-nodes-provisioning.${type}`,
			typeVersion,
			position: [0, 0] as [number, number],
			parameters: {},
			...(onError ? { onError: onError as never } : {}),
		};
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		return NodeHelpers.getNodeOutputs(workflow, node, nodeTypes.getByNameAndVersion(node.type)!.description).map((o) =>
			typeof o === 'string' ? o : (o.displayName ?? o.type),
		);
	};

	test('version 1 keeps its outputs (so saved connections still point at the same outputs); version 2 adds Alerts before the error output', () => {
		expect(outputsOf('provisionUser', 1)).toEqual(['main']);
		expect(outputsOf('provisionUser', 1, 'continueErrorOutput')).toEqual(['Success', 'Error']);
		expect(outputsOf('provisionUser', 2, 'continueErrorOutput')).toEqual(['Done', 'Alerts', 'Error']);
		expect(outputsOf('deprovisionUser', 1)).toEqual(['Done', 'To Approve']);
		expect(outputsOf('deprovisionUser', 2, 'continueErrorOutput')).toEqual(['Done', 'To Approve', 'Alerts', 'Error']);
		expect(outputsOf('groupSync', 2)).toEqual(['Done', 'Alerts']);
		// Version 3 (the pickers) keeps version 2's outputs.
		expect(outputsOf('provisionUser', 3, 'continueErrorOutput')).toEqual(['Done', 'Alerts', 'Error']);
		expect(outputsOf('deprovisionUser', 3, 'continueErrorOutput')).toEqual(['Done', 'To Approve', 'Alerts', 'Error']);
		expect(outputsOf('groupSync', 3)).toEqual(['Done', 'Alerts']);
		for (const node of [new ProvisionUser(), new DeprovisionUser(), new GroupSync()]) {
			expect(node.description.version).toEqual([1, 2, 3]);
			expect(node.description.defaultVersion).toBe(3);
		}
	});

	test('a workflow saved with version 1 runs as before: one output plus the error output, no quarantine, nothing kept', async () => {
		const wf = freshWorkflow();
		scim.faults.push({ status: 503, times: 100000 });
		const v1 = (): WorkflowJson => ({
			...itemsInto('provisionUser', { target: 'scim', inputMode: 'envelope' }, users('v', 20), { onError: 'continueErrorOutput' }),
			id: wf,
		});
		const first = await runWorkflow(v1(), credentials());
		expect(first.output('Node', 0)).toEqual([]);
		expect(first.output('Node', 1).map((i) => errorOf(i).code)).toEqual(Array(20).fill('TargetUnavailable'));
		expect(first.output('Node', 1)[0].json.error).not.toHaveProperty('provisioningLog.retry');
		expect(first.output('Node', 2)).toEqual([]);
		scim.resetLog();
		await runWorkflow(v1(), credentials());
		expect(scim.requests.length).toBeGreaterThan(0);
		expect(await openGovernanceStore(userFolder(), process.env).listQuarantine({ workflowId: wf })).toEqual([]);
	});
});

describe('every action node gets it alike', () => {
	test('Deprovision User: the accidental-deletion threshold is one alert, the planned disables wait on To Approve', async () => {
		const wf = freshWorkflow();
		for (const e of users('t', 3)) {
			await runWorkflow(provision(wf, [e], { quarantine: false }), credentials());
		}
		const json: WorkflowJson = {
			...itemsInto(
				'deprovisionUser',
				{ target: 'scim', mode: 'perItem', operation: 'disable', inputMode: 'envelope', threshold: { maxCount: 2 } },
				users('t', 3),
				{ typeVersion: 2 },
			),
			id: wf,
		};
		const res = await runWorkflow(json, credentials());
		expect(res.output('Node', 0)).toEqual([]);
		expect(res.output('Node', 1).map((i) => i.json.action)).toEqual(['StagedDisable', 'StagedDisable', 'StagedDisable']);
		expect(res.output('Node', 2).map((i) => i.json)).toEqual([
			expect.objectContaining({ alert: 'DeletionThresholdExceeded', severity: 'critical', figures: { staged: 3 } }),
		]);
		expect(scim.writes('PATCH')).toEqual([]);
	});

	test('Deprovision User: a refused credential quarantines per item and in reconcile mode', async () => {
		for (const mode of ['perItem', 'reconcile']) {
			const wf = freshWorkflow();
			const json = (): WorkflowJson => ({
				...itemsInto('deprovisionUser', { target: 'scim', mode, operation: 'disable', inputMode: 'envelope' }, users('x', 1), {
					typeVersion: 2,
					onError: 'continueErrorOutput',
				}),
				id: wf,
			});
			const first = await runWorkflow(json(), credentials('wrong-token'));
			if (mode === 'reconcile') {
				// The listing failed: the run stops, and the error says the target is now quarantined.
				expect(first.error?.name).toBe('NodeApiError');
				expect((first.error as any).description).toMatch(/QuarantineEntered/);
			} else {
				expect(first.output('Node', 2).map((i) => i.json.alert)).toEqual(['QuarantineEntered']);
			}
			scim.resetLog();
			const second = await runWorkflow(json(), credentials());
			expect(second.error).toBeUndefined();
			expect(scim.requests).toEqual([]);
			expect(second.output('Node', 2).map((i) => i.json.alert)).toEqual(['QuarantineSkipped']);
		}
	});

	test('Group Sync: a target failing every group is quarantined, then skipped', async () => {
		const wf = freshWorkflow();
		scim.faults.push({ status: 503, times: 100000 });
		const json = (): WorkflowJson => ({
			...itemsInto(
				'groupSync',
				{ target: 'scim', mode: 'authoritative', governance: { quarantineMinOperations: 2 } },
				[
					{ displayName: 'A', members: [] },
					{ displayName: 'B', members: [] },
				],
				{ typeVersion: 2, onError: 'continueErrorOutput' },
			),
			id: wf,
		});
		const first = await runWorkflow(json(), credentials());
		expect(first.output('Node', 2).map((i) => errorOf(i).code)).toEqual(['TargetUnavailable', 'TargetUnavailable']);
		expect(first.output('Node', 1).map((i) => i.json.alert)).toEqual(['QuarantineEntered']);
		scim.resetLog();
		const second = await runWorkflow(json(), credentials());
		expect(scim.requests).toEqual([]);
		expect(second.output('Node', 1)).toEqual([
			expect.objectContaining({ json: expect.objectContaining({ alert: 'QuarantineSkipped', figures: { received: 2, kept: 2 } }) }),
		]);
	});
});

describe('Provisioning Log node, without a Data Table (the Data Table operations run against real n8n: test/e2e)', () => {
	test('Format as Table Rows: one row per record from the Done and error outputs, with run, workflow and node; no secret', async () => {
		const secret = 'Initial-Secret-Pw-99';
		scim.faults.push({ status: 400, method: 'POST', bodyIncludes: '"bad@x.org"', times: 1 });
		const json = {
			...chain(
				[envelope('ok@x.org', { createOnly: { password: secret } }), envelope('bad@x.org', { createOnly: { password: secret } })],
				[
					{
						name: 'Provision',
						type: 'provisionUser',
						parameters: { target: 'scim', inputMode: 'envelope' },
						settings: { typeVersion: 2, onError: 'continueErrorOutput' },
					},
					{ name: 'Rows', type: 'provisioningLog', parameters: { operation: 'formatRows' }, after: 'Provision', fromOutput: 0 },
					{ name: 'Failed Rows', type: 'provisioningLog', parameters: { operation: 'formatRows' }, after: 'Provision', fromOutput: 2 },
				],
			),
			id: freshWorkflow(),
			name: 'HR sync',
		};
		const res = await runWorkflow(json, credentials());
		expect(res.error).toBeUndefined();
		const [done] = res.output('Rows').map((i) => i.json);
		const [failed] = res.output('Failed Rows').map((i) => i.json);
		expect(done).toMatchObject({
			workflow_id: json.id,
			workflow: 'HR sync',
			node: 'Provision',
			target_system: 'scim',
			action: 'Create',
			status: 'Success',
			changes: 'password: (none) → "[Redact]"; userName: (none) → "ok@x.org"; displayName: (none) → "ok"',
			error_code: null,
		});
		expect(done.run_id).toMatch(/^\d+$/);
		expect(failed).toMatchObject({
			node: 'Provision',
			action: 'Failed',
			status: 'Failure',
			error_code: 'TargetRejected',
			run_id: done.run_id,
		});
		expect(done.source_key).toBe('userName=ok@x.org');
		expect(failed.source_key).toBe('userName=bad@x.org');
		const { Items: input, ...ours } = res.run.data.resultData.runData;
		expect(JSON.stringify(input)).toContain(secret);
		expect(JSON.stringify(ours)).not.toContain(secret);
	});

	test('an item without a record stops the node, naming it, unless it continues on fail', async () => {
		const json = { ...chain([{ hello: 'world' }], [{ name: 'Rows', type: 'provisioningLog', parameters: { operation: 'formatRows' } }]) };
		const res = await runWorkflow(json, credentials());
		expect(res.error?.message).toBe('Item 0 holds no provisioning-log record');
	});

	test('Get Quarantine Status lists quarantined targets with their kept items; Reset Quarantine lifts them', async () => {
		const wf = freshWorkflow();
		await runWorkflow(provision(wf, users('s', 2)), credentials('wrong-token'));
		const status = await runWorkflow(
			{ ...itemsInto('provisioningLog', { operation: 'quarantineStatus', stateWorkflowId: wf }, [{}]), id: wf },
			credentials(),
		);
		expect(status.output('Node').map((i) => i.json)).toEqual([
			expect.objectContaining({
				workflowId: wf,
				node: 'Node',
				target: `scim:${scim.baseUrl}/Users`,
				quarantined: true,
				reason: 'authentication',
				keptItems: 2,
			}),
		]);
		const reset = await runWorkflow(
			{ ...itemsInto('provisioningLog', { operation: 'resetQuarantine', stateWorkflowId: wf }, [{}]), id: wf },
			credentials(),
		);
		expect(reset.output('Node').map((i) => i.json)).toEqual([{ operation: 'resetQuarantine', workflowId: wf, node: null, reset: 1 }]);
		scim.resetLog();
		const next = await runWorkflow(provision(wf, users('s', 1)), credentials());
		expect(scim.requests.length).toBeGreaterThan(0);
		// s1 is retried first; s0 comes again in this run and supersedes its kept entry, keeping the count of attempts.
		expect(
			next
				.output('Node', DONE)
				.map((i) => [(i.json.matchedBy as any)?.value ?? i.json.targetId, i.json.action, (i.json.retry as any)?.attempt]),
		).toEqual([
			[expect.any(String), 'Create', 2],
			[expect.any(String), 'Create', 2],
		]);
		expect([...scim.store.users.values()].map((u) => u.userName).sort()).toEqual(['s0@x.org', 's1@x.org']);
	});
});
