/**
 * Which workflows' quarantine a Provisioning Log node may list or reset. A community node cannot see n8n's
 * projects or roles, so an editor of any project could otherwise read every workflow's targets and lift their
 * quarantine. Its own workflow needs nothing more; another workflow (or every one) needs the Provisioning Log API
 * credential, and only the workflows that credential's API key can read in n8n are concerned: n8n's public API
 * applies the key owner's projects and the key's scopes. See the README, "Provisioning Log node".
 */
import { type IExecuteFunctions, NodeOperationError } from 'n8n-workflow';
import { WorkflowAccess } from '../../lib/dataTables/workflowAccess';
import type { GovernanceStore } from '../../lib/provisioning/governance/store';
import { N8N_API_CREDENTIAL } from '../shared/governanceDescriptions';

export type StateWorkflow = 'this' | 'other' | 'all';

async function accessOf(ctx: IExecuteFunctions): Promise<WorkflowAccess> {
	const credentials = await ctx.getCredentials(N8N_API_CREDENTIAL);
	return new WorkflowAccess({ baseUrl: String(credentials.baseUrl ?? ''), apiKey: String(credentials.apiKey ?? '') });
}

/** The ids of the workflows concerned, or a stop that says why not. */
export async function stateWorkflows(ctx: IExecuteFunctions, store: GovernanceStore): Promise<string[]> {
	const own = String(ctx.getWorkflow().id ?? '');
	const named = String(ctx.getNodeParameter('stateWorkflowId', 0, '') ?? '').trim();
	if ((ctx.getNode().typeVersion ?? 1) < 2) {
		if (named === own) return [own];
		throw new NodeOperationError(
			ctx.getNode(),
			`Version 1 of this node may see and reset only its own workflow’s quarantine, not ${named ? `workflow ${named}` : 'every workflow'}`,
			{
				description:
					'Any workflow editor could otherwise read or lift another project’s quarantine. Add the node again (version 2) and choose Workflow → Another Workflow or Every Workflow, with a Provisioning Log API credential whose key can read those workflows in n8n.',
			},
		);
	}
	const which = ctx.getNodeParameter('stateWorkflow', 0, 'this') as StateWorkflow;
	if (which === 'this') return [own];
	if (which === 'other') {
		if (!named) throw new NodeOperationError(ctx.getNode(), 'Name the workflow (its ID, from its URL)');
		if (named === own || (await (await accessOf(ctx)).canRead(named))) return [named];
		throw new NodeOperationError(ctx.getNode(), `The API key of the Provisioning Log API credential cannot read workflow ${named} in n8n`, {
			description:
				'A node sees and resets another workflow’s quarantine only if that key can read the workflow (its owner’s projects, and the workflow:read scope).',
		});
	}
	const access = await accessOf(ctx);
	const ids = [...new Set((await store.listQuarantine()).map((row) => row.scope.workflowId))];
	const allowed: string[] = [];
	for (const id of ids) if (await access.canRead(id)) allowed.push(id);
	return allowed;
}
