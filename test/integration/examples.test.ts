/**
 * The shipped example workflows, exactly as they are in examples/ (every node of this package at typeVersion 1, its
 * parameters as saved), run through n8n-core's WorkflowExecute against a real SCIM server. This is what "existing
 * workflows keep loading and running" means for the editor changes: the parameter shapes did not change.
 *
 * Their triggers and the n8n-nodes-base helpers they use (Manual Trigger, Webhook, Code, Stop and Error) are stood in
 * for by small nodes that emit what the real ones would: the real ones run in real n8n in test/e2e.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeOperationError,
	VersionedNodeType,
} from 'n8n-workflow';
import { DeprovisionUser } from '../../nodes/DeprovisionUser/DeprovisionUser.node';
import { DiscoverAccounts } from '../../nodes/DiscoverAccounts/DiscoverAccounts.node';
import { GroupSync } from '../../nodes/GroupSync/GroupSync.node';
import { MapAttributes } from '../../nodes/MapAttributes/MapAttributes.node';
import { ProvisionUser } from '../../nodes/ProvisionUser/ProvisionUser.node';
import { ProvisioningLog } from '../../nodes/ProvisioningLog/ProvisioningLog.node';
import { ScimStore } from '../../nodes/ScimStore/ScimStore.node';
import { ScimTrigger } from '../../nodes/ScimTrigger/ScimTrigger.node';
import { ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import { openStoreAt, registerWebhook, type StoreLocation } from '../../lib/store/openStore';
import { StoreRefSigner } from '../../lib/store/storeRef';
import { runWorkflow, registerNodeType, type WorkflowJson } from '../harness/workflow';
import { ScimTestServer } from '../../dev/scimApp';

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
	'n8n-nodes-base.noOp',
	standIn('noOp', 1, (ctx) => [ctx.getInputData()]),
);
registerNodeType(
	'n8n-nodes-base.scheduleTrigger',
	standIn('scheduleTrigger', 1, () => [[{ json: {} }]], { trigger: true }),
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
	'n8n-nodes-base.limit',
	standIn('limit', 1, (ctx) => [ctx.getInputData().slice(0, Number(ctx.getNodeParameter('maxItems', 0)))], { parameter: 'maxItems' }),
);
/** What the reviewer answers in the Wait node's form, given the item it was shown. */
let formAnswer: (shown: Record<string, unknown>) => Record<string, unknown> = () => ({});
registerNodeType(
	'n8n-nodes-base.wait',
	// A form submission resumes the Wait node with one item: the answers by field label.
	standIn('wait', 1, (ctx) => [[{ json: formAnswer(ctx.getInputData()[0].json) as never, pairedItem: { item: 0 } }]]),
);
registerNodeType(
	'n8n-nodes-provisioning.scimTrigger',
	standIn('scimTrigger', 3, () => scimEvents, { trigger: true }),
);

/** The webhook id the shipped resync workflow's SCIM Store nodes name. */
const TRIGGER_WEBHOOK_ID = '7a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const OUTPUT_OF_EVENT = (event: string) => (event.startsWith('group.') ? 2 : /deactivated|deleted/.test(event) ? 1 : 0);

let scim: ScimTestServer;
let userFolder: string;
let provider: ScimServiceProvider;
/** The SCIM Trigger's own service provider and store (what the stand-in trigger emits comes from it). */
async function push(method: string, path: string, body?: unknown): Promise<INodeExecutionData[][]> {
	const { response, events } = await provider.handle({ method, path, query: {}, headers: {}, body });
	expect(response.status).toBeLessThan(300);
	scimEvents = [[], [], []];
	for (const event of events) scimEvents[OUTPUT_OF_EVENT(event.event)].push({ json: event as never });
	return scimEvents;
}
beforeAll(async () => {
	scim = await ScimTestServer.start();
	userFolder = mkdtempSync(join(tmpdir(), 'examples-'));
	process.env.N8N_USER_FOLDER = userFolder;
	const location: StoreLocation = { kind: 'file', key: 'examples-trigger' };
	provider = new ScimServiceProvider(openStoreAt(location, userFolder, process.env), {
		baseUrl: `https://n8n.example/webhook/${TRIGGER_WEBHOOK_ID}/scim/v2`,
		// As the SCIM Trigger does: its events carry the location signed for its own workflow.
		storeLocation: StoreRefSigner.of(process.env)!.sign(location, example('scim-trigger-to-scim-app.json').id!),
	});
	await registerWebhook(TRIGGER_WEBHOOK_ID, location, userFolder, process.env);
});
afterAll(async () => {
	await scim.stop();
	rmSync(userFolder, { recursive: true, force: true });
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
		'resync-scim-trigger-to-scim-app.json',
		'scim-trigger-to-ldap.json',
	]) {
		const ours = example(file).nodes.filter((n) => n.type.startsWith('n8n-nodes-provisioning.'));
		expect(ours.length).toBeGreaterThan(0);
		for (const node of ours)
			expect({ file, node: node.name, typeVersion: node.typeVersion }).toEqual({ file, node: node.name, typeVersion: 1 });
	}
});

/** This package's nodes by type name: the versions each has, and the credential types each version takes. */
const OUR_NODES = new Map(
	[
		new MapAttributes(),
		new ProvisionUser(),
		new DeprovisionUser(),
		new DiscoverAccounts(),
		new GroupSync(),
		new ScimTrigger(),
		new ScimStore(),
		new ProvisioningLog(),
	].map((node) => {
		const versions: Record<number, INodeTypeDescription> =
			node instanceof VersionedNodeType
				? Object.fromEntries(Object.entries(node.nodeVersions).map(([v, type]) => [v, type.description]))
				: Object.fromEntries([node.description.version].flat().map((v) => [v, node.description]));
		return [`n8n-nodes-provisioning.${node.description.name}` as string, versions] as const;
	}),
);

test('every example: a unique id and webhook ids, connections between its own nodes, our nodes at versions they have, credentials by reference only', () => {
	type Node = {
		id: string;
		name: string;
		type: string;
		typeVersion: number;
		webhookId?: string;
		parameters?: object;
		credentials?: object;
	};
	const files = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
	const workflowIds = new Map<string, string>();
	const webhookIds = new Map<string, string>();
	const secretLike = /token|password|secret|apikey/i;
	for (const file of files) {
		const wf = example(file) as WorkflowJson & {
			name?: string;
			settings?: { executionOrder?: string };
			nodes: Node[];
			connections: Record<string, { main: Array<Array<{ node: string }>> }>;
		};
		const where = (what: string) => `${file}: ${what}`;
		expect({ file, name: typeof wf.name === 'string' && wf.name.length > 0, order: wf.settings?.executionOrder }).toEqual({
			file,
			name: true,
			order: 'v1',
		});
		expect(workflowIds.get(wf.id!) ?? file).toBe(file);
		workflowIds.set(wf.id!, file);
		const names = wf.nodes.map((n) => n.name);
		expect(new Set(names).size).toBe(names.length);
		expect(new Set(wf.nodes.map((n) => n.id)).size).toBe(names.length);
		for (const [from, { main }] of Object.entries(wf.connections)) {
			expect({ file, from, known: names.includes(from) }).toEqual({ file, from, known: true });
			for (const target of main.flat())
				expect({ file, target: target.node, known: names.includes(target.node) }).toEqual({ file, target: target.node, known: true });
		}
		for (const node of wf.nodes) {
			if (node.webhookId) {
				// Two active workflows with one webhook id would fight over its URL.
				expect(webhookIds.get(node.webhookId) ?? where(node.name)).toBe(where(node.name));
				webhookIds.set(node.webhookId, where(node.name));
			}
			for (const [type, ref] of Object.entries(node.credentials ?? {}))
				expect({ at: where(`${node.name} ${type}`), keys: Object.keys(ref as object).sort() }).toEqual({
					at: where(`${node.name} ${type}`),
					keys: ['id', 'name'],
				});
			JSON.stringify(node.parameters ?? {}, (key, value) => {
				if (secretLike.test(key) && typeof value === 'string' && value !== '' && !value.startsWith('='))
					throw new Error(where(`${node.name} has a literal secret in "${key}"`));
				return value;
			});
			if (!node.type.startsWith('n8n-nodes-provisioning.')) continue;
			const versions = OUR_NODES.get(node.type);
			expect({ at: where(node.name), type: node.type, known: !!versions }).toEqual({ at: where(node.name), type: node.type, known: true });
			const description = versions![node.typeVersion];
			expect({ at: where(node.name), typeVersion: node.typeVersion, supported: !!description }).toEqual({
				at: where(node.name),
				typeVersion: node.typeVersion,
				supported: true,
			});
			const accepted = (description.credentials ?? []).map((c) => c.name);
			for (const type of Object.keys(node.credentials ?? {}))
				expect({ at: where(node.name), credential: type, accepted: accepted.includes(type) }).toEqual({
					at: where(node.name),
					credential: type,
					accepted: true,
				});
		}
	}
	expect(files).toEqual(expect.arrayContaining(['hr-bulk-to-scim-app.json', 'hr-bulk-to-ldap.json']));
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

test('SCIM Trigger → Map Users → Provision User / Deprovision User, and Group Sync: joiner, group, leaver', async () => {
	const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
	const flagship = example('scim-trigger-to-scim-app.json');
	const created = await push('POST', '/Users', {
		userName: 'grace@example.org',
		externalId: 'G1',
		active: true,
		name: { givenName: 'Grace', familyName: 'Hopper' },
	});
	const triggerId = String(created[0][0].json.resourceId);
	const joined = await runWorkflow(flagship, credentials());
	expect(joined.error).toBeUndefined();
	expect(joined.output('Provision User')[0].json).toMatchObject({ action: 'Create', status: 'Success' });
	expect(users()).toEqual([expect.objectContaining({ userName: 'grace@example.org', externalId: 'G1', active: true })]);

	await push('POST', '/Groups', { displayName: 'Engineering', members: [{ value: triggerId }] });
	const grouped = await runWorkflow(flagship, credentials());
	expect(grouped.error).toBeUndefined();
	expect(grouped.output('Group Sync')[0].json).toMatchObject({ action: 'Create', status: 'Success' });
	const groups = [...scim.store.groups.values()] as unknown as Array<{ displayName: string; members?: Array<{ value: string }> }>;
	expect(groups.map((g) => [g.displayName, g.members?.map((m) => m.value)])).toEqual([['Engineering', [users()[0].id]]]);

	const left = await push('PATCH', `/Users/${triggerId}`, PATCH([{ op: 'replace', path: 'active', value: false }]));
	expect(left[1]).toHaveLength(1);
	const disabled = await runWorkflow(flagship, credentials());
	expect(disabled.error).toBeUndefined();
	expect(disabled.output('Deprovision User')[0].json).toMatchObject({ action: 'Disable', status: 'Success' });
	expect(users()[0]).toMatchObject({ active: false });
});

test('Resync from the SCIM Store: brings the app to the store’s state; a second run writes nothing', async () => {
	await push('POST', '/Users', { userName: 'resync.one@example.org', externalId: 'R1', active: true, name: { familyName: 'One' } });
	await push('POST', '/Users', { userName: 'resync.two@example.org', externalId: 'R2', active: false, name: { familyName: 'Two' } });
	const resync = example('resync-scim-trigger-to-scim-app.json');
	const first = await runWorkflow(resync, credentials());
	expect(first.error).toBeUndefined();
	expect(users().find((u) => u.userName === 'resync.one@example.org')).toMatchObject({ active: true });
	expect(first.output('Provision User').every((i) => ['Create', 'NoChange', 'Update'].includes(String(i.json.action)))).toBe(true);
	scim.resetLog();
	const second = await runWorkflow(resync, credentials());
	expect(second.error).toBeUndefined();
	expect(second.output('Provision User').map((i) => i.json.action)).toEqual(first.output('Provision User').map(() => 'NoChange'));
	expect(scim.writes()).toEqual([]);
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

test('Discover Accounts with a review: a disputed account goes to the form, the chosen owner is linked, a rerun shows it linked', async () => {
	// Two app accounts carry one store user's externalId: both disputed; the reviewer names that user for the first.
	for (const userName of ['dup.one@example.org', 'dup.two@example.org'])
		await fetch(`${scim.baseUrl}/Users`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json' },
			body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, externalId: 'DUP1', active: true }),
		});
	await push('POST', '/Users', { userName: 'dup.owner@example.org', externalId: 'DUP1', active: true });
	scim.resetLog();
	let shown: Record<string, unknown> = {};
	formAnswer = (item) => {
		shown = item;
		const [candidate] = item.candidates as Array<{ sourceIndex: number }>;
		return { 'Source item number': candidate.sourceIndex };
	};
	const review = example('discover-accounts-review-scim.json');
	const first = await runWorkflow(review, credentials());
	expect(first.error).toBeUndefined();
	const situations = (run: typeof first) =>
		Object.fromEntries(
			run
				.output('Discover Accounts')
				.map((i) => [
					(i.json.account as { attributes: { userName: string } } | null)?.attributes.userName ?? `source ${i.json.sourceIndex}`,
					i.json.situation,
				]),
		);
	expect(situations(first)).toMatchObject({ 'dup.one@example.org': 'disputed', 'dup.two@example.org': 'disputed' });
	expect(first.output('Discover Accounts', 1)).toHaveLength(2);
	const linked = (shown.account as { id: string }).id;
	expect(first.output('Link the Chosen Owner').map((i) => [i.json.action, i.json.status, i.json.accountId])).toEqual([
		['Link', 'Success', linked],
	]);
	const again = await runWorkflow(review, credentials());
	const chosen = again.output('Discover Accounts').find((i) => (i.json.account as { id: string } | null)?.id === linked)!;
	expect([chosen.json.situation, chosen.json.linkedBy]).toEqual(['linked', 'remembered']);
	expect(scim.writes()).toEqual([]);
});
