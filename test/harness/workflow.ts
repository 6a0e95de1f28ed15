import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	type ICredentialDataDecryptedObject,
	ICredentialsHelper,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { DeprovisionUser } from '../../nodes/DeprovisionUser/DeprovisionUser.node';
import { DiscoverAccounts } from '../../nodes/DiscoverAccounts/DiscoverAccounts.node';
import { GroupSync } from '../../nodes/GroupSync/GroupSync.node';
import { MapAttributes } from '../../nodes/MapAttributes/MapAttributes.node';
import { ProvisionUser } from '../../nodes/ProvisionUser/ProvisionUser.node';
import { ProvisioningLog } from '../../nodes/ProvisioningLog/ProvisioningLog.node';
import { ScimStore } from '../../nodes/ScimStore/ScimStore.node';

/** Emits the items given in its "items" parameter: the stand-in for whatever upstream node feeds ours. */
class TestItems implements INodeType {
	description = {
		displayName: 'Test Items',
		name: 'testItems',
		group: ['input'],
		version: 1,
		description: 'Emits fixed items',
		defaults: { name: 'Test Items' },
		inputs: [],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as unknown;
		const list = (typeof raw === 'string' ? JSON.parse(raw) : raw) as object[];
		return [list.map((json) => ({ json: json as INodeExecutionData['json'] }))];
	}
}

export const PACKAGE = 'n8n-nodes-provisioning';

const registry: Record<string, INodeType> = {
	[`${PACKAGE}.provisionUser`]: new ProvisionUser(),
	[`${PACKAGE}.deprovisionUser`]: new DeprovisionUser(),
	[`${PACKAGE}.discoverAccounts`]: new DiscoverAccounts(),
	[`${PACKAGE}.groupSync`]: new GroupSync(),
	[`${PACKAGE}.mapAttributes`]: new MapAttributes(),
	[`${PACKAGE}.scimStore`]: new ScimStore(),
	[`${PACKAGE}.provisioningLog`]: new ProvisioningLog(),
	'test.items': new TestItems(),
};

/** Adds a node type (e.g. one of n8n-nodes-base's, for benchmarks) to the runner. */
export function registerNodeType(type: string, node: INodeType): void {
	registry[type] = node;
}

/** Versioned node types (n8n-nodes-base's Set, …) hand out the implementation for the requested version. */
function versioned(type: string, version?: number): INodeType {
	const node = registry[type] as INodeType & { nodeVersions?: Record<number, INodeType>; currentVersion?: number };
	if (!node?.nodeVersions) return node;
	return node.nodeVersions[version ?? node.currentVersion!] ?? node.nodeVersions[node.currentVersion!];
}

export const nodeTypes: INodeTypes = {
	getByName: (type: string) => registry[type],
	getByNameAndVersion: (type: string, version?: number) => versioned(type, version),
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly credentials: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}
	getParentTypes(): string[] {
		return [];
	}
	async authenticate(): Promise<never> {
		throw new Error('not used');
	}
	async preAuthentication(): Promise<undefined> {
		return undefined;
	}
	async getCredentials(): Promise<never> {
		throw new Error('not used');
	}
	async getDecrypted(_additionalData: unknown, _nodeCredentials: unknown, type: string): Promise<ICredentialDataDecryptedObject> {
		const found = this.credentials[type];
		if (!found) throw new Error(`No test credential of type ${type}`);
		return found;
	}
	async updateCredentials(): Promise<void> {}
	async updateCredentialsOauthTokenData(): Promise<void> {}
	getCredentialsProperties(): [] {
		return [];
	}
}

export interface WorkflowJson {
	/** The workflow's id (default "test-workflow"): state kept per workflow (quarantine, retries) is kept apart by it. */
	id?: string;
	name?: string;
	nodes: IWorkflowBase['nodes'];
	connections: IWorkflowBase['connections'];
}

export interface WorkflowResult {
	run: IRun;
	/** Output items of a node, per output index, from its first run. */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** The execution error, when the workflow failed. */
	error?: Error;
}

let executionCounter = 0;

/** Runs a workflow through n8n-core's real WorkflowExecute, with the given credentials. */
export async function runWorkflow(
	json: WorkflowJson,
	credentials: Record<string, ICredentialDataDecryptedObject>,
): Promise<WorkflowResult> {
	const workflowId = json.id ?? 'test-workflow';
	const workflow = new Workflow({
		id: workflowId,
		name: json.name ?? 'test',
		nodes: json.nodes,
		connections: json.connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const executionId = String(++executionCounter);
	const workflowData = {
		id: workflowId,
		name: json.name ?? 'test',
		nodes: json.nodes,
		connections: json.connections,
		active: false,
		settings: {},
	} as unknown as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(credentials),
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		variables: {},
		logAiEvent: () => undefined,
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		startRunnerTask: async () => {
			throw new Error('not used');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
	const destinations = new Set(Object.values(json.connections).flatMap((c) => (c.main ?? []).flat().map((d) => d?.node)));
	const start = json.nodes.find((n) => !destinations.has(n.name));
	const run = await new WorkflowExecute(additionalData, 'manual').run(workflow, start);
	const runData = run.data.resultData.runData;
	return {
		run,
		error: run.data.resultData.error as Error | undefined,
		output: (nodeName, outputIndex = 0) => runData[nodeName]?.[0]?.data?.main?.[outputIndex] ?? [],
	};
}

/** A two-node workflow: fixed items into one of our nodes. */
export function itemsInto(
	nodeType: string,
	parameters: Record<string, unknown>,
	items: object[],
	settings: Record<string, unknown> = {},
): WorkflowJson {
	const credentials = {
		scimTargetApi: { id: '1', name: 'SCIM' },
		ldapDirectoryApi: { id: '2', name: 'LDAP' },
		sqlDatabaseApi: { id: '3', name: 'SQL' },
	};
	return {
		nodes: [
			{ id: 'a', name: 'Items', type: 'test.items', typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(items) } },
			{
				id: 'b',
				name: 'Node',
				type: `${PACKAGE}.${nodeType}`,
				typeVersion: 1,
				position: [200, 0],
				parameters: parameters as never,
				credentials,
				...settings,
			},
		],
		connections: { Items: { main: [[{ node: 'Node', type: 'main' as never, index: 0 }]] } },
	};
}

export interface ItemFailure {
	code: string;
	field?: string;
	reason: string;
	itemIndex: number;
	provisioningLog?: Record<string, unknown>;
}

/** The failure an error-output item carries, in either of the two shapes our nodes emit (see nodes/shared/output.ts). */
export function errorOf(item: INodeExecutionData): ItemFailure {
	const inline = item.json.error;
	if (inline && typeof inline === 'object') return inline as unknown as ItemFailure;
	const context = ((item.error as { context?: Record<string, unknown> } | undefined)?.context ?? {}) as Record<string, unknown>;
	const message = String(item.error?.message ?? inline ?? '');
	return {
		code: String(context.code),
		field: context.field as string | undefined,
		reason: message.replace(/^Item \d+: /, ''),
		itemIndex: Number(context.itemIndex),
		provisioningLog: context.provisioningLog as Record<string, unknown>,
	};
}

export interface ChainStep {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	settings?: Record<string, unknown>;
	/** Which output of the previous step feeds this one (default 0). */
	fromOutput?: number;
	/** The step it hangs off (default: the previous step). */
	after?: string;
}

/** Fixed items into a chain of our nodes, e.g. Map Attributes → Provision User. */
export function chain(items: object[], steps: ChainStep[]): WorkflowJson {
	const credentials = {
		scimTargetApi: { id: '1', name: 'SCIM' },
		ldapDirectoryApi: { id: '2', name: 'LDAP' },
		sqlDatabaseApi: { id: '3', name: 'SQL' },
	};
	const nodes: WorkflowJson['nodes'] = [
		{ id: 'items', name: 'Items', type: 'test.items', typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(items) } },
	];
	const connections: WorkflowJson['connections'] = {};
	let previous = 'Items';
	steps.forEach((step, i) => {
		nodes.push({
			id: `n${i}`,
			name: step.name,
			type: step.type.includes('.') ? step.type : `${PACKAGE}.${step.type}`,
			typeVersion: 1,
			position: [200 * (i + 1), 0],
			parameters: step.parameters as never,
			credentials,
			...(step.settings ?? {}),
		});
		const from = step.after ?? previous;
		const output = step.fromOutput ?? 0;
		connections[from] ??= { main: [] };
		const main = connections[from].main as Array<Array<{ node: string; type: never; index: number }>>;
		while (main.length <= output) main.push([]);
		main[output].push({ node: step.name, type: 'main' as never, index: 0 });
		previous = step.name;
	});
	return { nodes, connections };
}
