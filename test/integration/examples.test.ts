/**
 * The shipped example workflows, exactly as they are in examples/ (every node of this package at typeVersion 1, its
 * parameters as saved), run through n8n-core's WorkflowExecute against a real SCIM server. This is what "existing
 * workflows keep loading and running" means for the editor changes: the parameter shapes did not change.
 *
 * Their triggers and the n8n-nodes-base helpers they use (Manual Trigger, Webhook, Code, Stop and Error) are stood in
 * for by small nodes that emit what the real ones would: the real ones run in real n8n in test/e2e.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeOperationError,
} from 'n8n-workflow';
import { runWorkflow, registerNodeType, type WorkflowJson } from '../harness/workflow';
import { ScimTestServer } from '../servers/scimServer';

const ROOT = join(__dirname, '..', '..');
const example = (file: string): WorkflowJson & { nodes: Array<{ type: string; typeVersion: number; name: string }> } =>
	JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));

/** A stand-in node: `emit` gives its output items (per output) from its parameters. */
function standIn(
	name: string,
	outputs: number,
	emit: (ctx: IExecuteFunctions) => INodeExecutionData[][],
	{ trigger = false, parameter }: { trigger?: boolean; parameter?: string } = {},
): INodeType {
	return {
		description: {
			displayName: name,
			name,
			group: ['input'],
			version: [1, 2],
			description: `Stands in for ${name}`,
			defaults: { name },
			inputs: trigger ? [] : ['main'],
			outputs: Array(outputs).fill('main'),
			// n8n keeps only the parameters a node declares.
			properties: parameter ? [{ displayName: parameter, name: parameter, type: 'string', default: '' }] : [],
		} as unknown as INodeTypeDescription,
		async execute(this: IExecuteFunctions) {
			return emit(this);
		},
	};
}

let webhookBody: Record<string, unknown> = {};
let scimEvents: INodeExecutionData[][] = [[], [], []];

registerNodeType(
	'n8n-nodes-base.manualTrigger',
	standIn('manualTrigger', 1, () => [[{ json: {} }]], { trigger: true }),
);
registerNodeType(
	'n8n-nodes-base.webhook',
	standIn('webhook', 1, () => [[{ json: { headers: {}, params: {}, query: {}, body: webhookBody } }]], { trigger: true }),
);
registerNodeType(
	'n8n-nodes-base.code',
	// The examples' Code nodes return literal lists of items.
	standIn(
		'code',
		1,
		(ctx) => [
			(new Function(String(ctx.getNodeParameter('jsCode', 0)))() as INodeExecutionData[]).map((item) => ({
				...item,
				pairedItem: { item: 0 },
			})),
		],
		{ parameter: 'jsCode' },
	),
);
registerNodeType(
	'n8n-nodes-base.stopAndError',
	standIn(
		'stopAndError',
		1,
		(ctx) => {
			throw new NodeOperationError(ctx.getNode(), String(ctx.getNodeParameter('errorMessage', 0)));
		},
		{ parameter: 'errorMessage' },
	),
);
registerNodeType(
	'n8n-nodes-provisioning.scimTrigger',
	standIn('scimTrigger', 3, () => scimEvents, { trigger: true }),
);

let scim: ScimTestServer;
beforeAll(async () => {
	scim = await ScimTestServer.start();
});
afterAll(async () => {
	await scim.stop();
});
beforeEach(() => {
	scim.store.users.clear();
	scim.store.groups.clear();
	scim.resetLog();
});

const credentials = () => ({
	scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, extraHeaders: '{}', timeoutMs: 5000 },
});
const users = () => [...scim.store.users.values()] as Array<Record<string, unknown>>;

test('the examples are saved at typeVersion 1, as workflows made before this version were', () => {
	for (const file of [
		'scim-trigger-to-scim-app.json',
		'hr-webhook-to-scim.json',
		'hr-webhook-map-attributes-to-scim.json',
		'sample-hr-import-to-scim.json',
		'group-sync-scim.json',
		'reconcile-leavers-scim.json',
	]) {
		const ours = example(file).nodes.filter((n) => n.type.startsWith('n8n-nodes-provisioning.'));
		expect(ours.length).toBeGreaterThan(0);
		for (const node of ours)
			expect({ file, node: node.name, typeVersion: node.typeVersion }).toEqual({ file, node: node.name, typeVersion: 1 });
	}
});

test('HR webhook → Provision User: creates, then leaves alone', async () => {
	webhookBody = {
		employeeId: 'E42',
		firstName: 'Ada',
		lastName: 'Lovelace',
		email: 'ada@example.org',
		jobTitle: 'Analyst',
		department: 'Research',
	};
	const first = await runWorkflow(example('hr-webhook-to-scim.json'), credentials());
	expect(first.error).toBeUndefined();
	expect(first.output('Provision User')[0].json).toMatchObject({ action: 'Create', status: 'Success' });
	expect(users()).toEqual([expect.objectContaining({ userName: 'ada@example.org', externalId: 'E42', title: 'Analyst' })]);
	const again = await runWorkflow(example('hr-webhook-to-scim.json'), credentials());
	expect(again.output('Provision User')[0].json).toMatchObject({ action: 'NoChange' });
});

test('HR webhook → Map Attributes → Provision User: the Entra expressions map, the user is created', async () => {
	webhookBody = { EmployeeID: 'W7', FirstName: 'Zoë', LastName: 'Saldaña', JobTitle: 'DATA ANALYST', Department: 'RND', Status: 'Active' };
	const run = await runWorkflow(example('hr-webhook-map-attributes-to-scim.json'), credentials());
	expect(run.error).toBeUndefined();
	expect(run.output('Provision User')[0].json).toMatchObject({ action: 'Create', status: 'Success' });
	expect(users()[0]).toMatchObject({ userName: 'zoe.saldana@example.org', externalId: 'W7', title: 'Data Analyst', active: true });
});

test('SCIM Trigger → Map Joiners → Provision User, Map Leavers → Deprovision User', async () => {
	const resource = {
		id: 'r1',
		userName: 'grace@example.org',
		externalId: 'G1',
		active: true,
		name: { givenName: 'Grace', familyName: 'Hopper' },
	};
	scimEvents = [[{ json: { event: 'user.created', resource } }], [], []];
	const joined = await runWorkflow(example('scim-trigger-to-scim-app.json'), credentials());
	expect(joined.error).toBeUndefined();
	expect(joined.output('Provision User')[0].json).toMatchObject({ action: 'Create', status: 'Success' });
	expect(users()[0]).toMatchObject({ userName: 'grace@example.org', active: true });
	scimEvents = [[], [{ json: { event: 'user.deactivated', resource: { ...resource, active: false }, before: resource } }], []];
	const left = await runWorkflow(example('scim-trigger-to-scim-app.json'), credentials());
	expect(left.error).toBeUndefined();
	expect(left.output('Deprovision User')[0].json).toMatchObject({ action: 'Disable', status: 'Success' });
	expect(users()[0]).toMatchObject({ active: false });
});

test('Sample HR import → Provision User: three accounts', async () => {
	const run = await runWorkflow(example('sample-hr-import-to-scim.json'), credentials());
	expect(run.error).toBeUndefined();
	expect(run.output('Provision User').map((i) => i.json.action)).toEqual(['Create', 'Create', 'Create']);
	expect(
		users()
			.map((u) => u.userName)
			.sort(),
	).toEqual(['ada.lovelace@example.org', 'alan.turing@example.org', 'grace.hopper@example.org']);
});

test('Groups → Group Sync: groups created with their members, nested groups flattened', async () => {
	await runWorkflow(example('sample-hr-import-to-scim.json'), credentials());
	const run = await runWorkflow(example('group-sync-scim.json'), credentials());
	expect(run.error).toBeUndefined();
	expect(run.output('Group Sync').map((i) => [i.json.action, i.json.status])).toEqual([
		['Create', 'Success'],
		['Create', 'Success'],
	]);
	const groups = [...scim.store.groups.values()] as unknown as Array<{ displayName: string; members?: unknown[] }>;
	expect(groups.map((g) => [g.displayName, g.members?.length]).sort()).toEqual([
		['Engineering', 3],
		['Research', 2],
	]);
});

test('Reconcile leavers, with approval: a dry run lists the leaver; past the threshold it stops for approval', async () => {
	await runWorkflow(example('sample-hr-import-to-scim.json'), credentials());
	const run = await runWorkflow(example('reconcile-leavers-scim.json'), credentials());
	// Alan Turing is not in the current employees: one leaver of three accounts is over the 20% threshold.
	const alan = users().find((u) => u.userName === 'alan.turing@example.org')!;
	expect(run.output('Deprovision Leavers', 1).map((i) => [i.json.action, i.json.targetId, i.json.dryRun])).toEqual([
		['StagedDisable', alan.id, true],
	]);
	expect(String(run.error?.message)).toMatch(/threshold|exceed/i);
	expect(users().every((u) => u.active !== false)).toBe(true);
});
