/**
 * What a workflow editor can see and reset of other workflows' quarantine through the Provisioning Log node
 * (issue 18): a community node cannot check n8n's project permissions, so by default it acts on its own workflow
 * only; another workflow (or every one) only when an n8n API key — the Provisioning Log API credential — can read
 * that workflow through n8n's public API, which applies the key owner's projects and scopes. The API here is a
 * small stand-in answering GET /api/v1/workflows/:id as n8n does (200 when readable, 404 when not, 401 for a
 * wrong key); test/e2e runs against real n8n.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthyState, type QuarantineState } from '../../lib/provisioning/governance/quarantine';
import { openGovernanceStore } from '../../lib/store/governance/openGovernanceStore';
import { itemsInto, runWorkflow } from '../harness/workflow';
import { raceScope } from '../harness/governanceRuns';

const KEY = 'key-of-a-member-of-project-hr';
/** What the key's owner may read in n8n. */
const readable = new Set<string>();
let api: Server;
let baseUrl = '';
beforeAll(async () => {
	api = createServer((req, res) => {
		const match = /^\/api\/v1\/workflows\/([^/?]+)$/.exec(req.url ?? '');
		res.setHeader('Content-Type', 'application/json');
		if (req.headers['x-n8n-api-key'] !== KEY) return void res.writeHead(401).end(JSON.stringify({ message: 'unauthorized' }));
		if (!match || req.method !== 'GET') return void res.writeHead(404).end(JSON.stringify({ message: 'Not Found' }));
		const id = decodeURIComponent(match[1]);
		if (!readable.has(id)) return void res.writeHead(404).end(JSON.stringify({ message: 'Not Found' }));
		res.writeHead(200).end(JSON.stringify({ id, name: id, nodes: [] }));
	});
	await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/api/v1`;
});
afterAll(() => new Promise((resolve) => api.close(resolve)));

const store = () => openGovernanceStore(process.env.N8N_USER_FOLDER!, process.env);
const quarantined: QuarantineState = {
	...healthyState(),
	quarantine: {
		since: '2026-12-01T08:00:00.000Z',
		reason: 'authentication',
		level: 0,
		nextTrialAt: '2026-12-01T08:15:00.000Z',
		failedTrials: 0,
		figures: { operations: 1, failures: 1, authFailures: 1, errors: { AuthenticationFailed: 1 } },
	},
};
let counter = 0;
/** A workflow whose Provision User node has quarantined its target. */
async function quarantinedWorkflow(name: string): Promise<string> {
	const id = `${name}-${Date.now()}-${++counter}`;
	await store().updateQuarantine(raceScope(id, 'provision'), () => ({ state: quarantined, result: undefined }));
	return id;
}

const logCredential = { provisioningLogApi: { id: '9', name: 'n8n API' } };
function statusNode(workflowId: string, parameters: Record<string, unknown>, typeVersion: number) {
	return {
		...itemsInto('provisioningLog', parameters, [{}], { typeVersion, credentials: logCredential }),
		id: workflowId,
	};
}
const run = (json: ReturnType<typeof statusNode>, apiKey = KEY) => runWorkflow(json, { provisioningLogApi: { baseUrl, apiKey } });
const workflowsIn = (res: Awaited<ReturnType<typeof run>>) => res.output('Node').map((i) => i.json.workflowId);

describe('version 1 (saved workflows)', () => {
	test('lists and resets its own workflow’s quarantine as before', async () => {
		const own = await quarantinedWorkflow('own');
		const status = await run(statusNode(own, { operation: 'quarantineStatus', stateWorkflowId: own }, 1));
		expect(workflowsIn(status)).toEqual([own]);
		const reset = await run(statusNode(own, { operation: 'resetQuarantine', stateWorkflowId: own }, 1));
		expect(reset.output('Node').map((i) => i.json.reset)).toEqual([1]);
	});

	test('refuses another workflow’s, or every workflow’s, and changes nothing', async () => {
		const own = await quarantinedWorkflow('own');
		const other = await quarantinedWorkflow('payroll');
		for (const parameters of [
			{ operation: 'quarantineStatus', stateWorkflowId: other },
			{ operation: 'quarantineStatus', stateWorkflowId: '' },
			{ operation: 'resetQuarantine', stateWorkflowId: other },
		]) {
			const res = await run(statusNode(own, parameters, 1));
			expect({ parameters, error: res.error?.message }).toEqual({
				parameters,
				error: expect.stringMatching(/only its own workflow/),
			});
			expect(res.output('Node')).toEqual([]);
		}
		expect((await store().listQuarantine({ workflowId: other })).map((r) => Boolean(r.state.quarantine))).toEqual([true]);
	});
});

describe('version 2', () => {
	test('This Workflow (the default): only the targets of the workflow the node is in', async () => {
		const own = await quarantinedWorkflow('own');
		await quarantinedWorkflow('payroll');
		const status = await run(statusNode(own, { operation: 'quarantineStatus' }, 2));
		expect(workflowsIn(status)).toEqual([own]);
	});

	test('Another Workflow: only one the API key can read in n8n; a wrong key is a set-up error', async () => {
		const own = await quarantinedWorkflow('own');
		const hr = await quarantinedWorkflow('hr');
		const payroll = await quarantinedWorkflow('payroll');
		readable.add(hr);
		const status = await run(statusNode(own, { operation: 'quarantineStatus', stateWorkflow: 'other', stateWorkflowId: hr }, 2));
		expect(workflowsIn(status)).toEqual([hr]);
		const refused = await run(statusNode(own, { operation: 'resetQuarantine', stateWorkflow: 'other', stateWorkflowId: payroll }, 2));
		expect(refused.error?.message).toMatch(/cannot read workflow .*payroll/);
		expect((await store().listQuarantine({ workflowId: payroll })).map((r) => Boolean(r.state.quarantine))).toEqual([true]);
		const wrongKey = await run(statusNode(own, { operation: 'quarantineStatus', stateWorkflow: 'other', stateWorkflowId: hr }, 2), 'wrong');
		expect(wrongKey.error?.message).toMatch(/refused the API key/);
		const reset = await run(statusNode(own, { operation: 'resetQuarantine', stateWorkflow: 'other', stateWorkflowId: hr }, 2));
		expect(reset.output('Node').map((i) => [i.json.workflowId, i.json.reset])).toEqual([[hr, 1]]);
	});

	test('Every Workflow: the workflows the API key can read, and no other', async () => {
		const own = await quarantinedWorkflow('own');
		const hr = await quarantinedWorkflow('hr');
		const payroll = await quarantinedWorkflow('payroll');
		readable.add(hr);
		const status = await run(statusNode(own, { operation: 'quarantineStatus', stateWorkflow: 'all' }, 2));
		expect(workflowsIn(status)).toContain(hr);
		expect(workflowsIn(status)).not.toContain(payroll);
		expect(workflowsIn(status)).not.toContain(own);
	});
});
