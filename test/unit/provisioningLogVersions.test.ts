/**
 * The Provisioning Log node's versions (issue 18): version 2 adds "Workflow" to the quarantine operations, and its
 * n8n API credential shows where it is needed — the Data Table operations, and the quarantine of another workflow —
 * while saved version 1 nodes keep their parameters and never ask for it on the quarantine operations.
 */
import { type INode, NodeHelpers } from 'n8n-workflow';
import { ProvisioningLog } from '../../nodes/ProvisioningLog/ProvisioningLog.node';

const description = new ProvisioningLog().description;

/** The parameters n8n's editor keeps for a node, and whether it shows the API credential. */
function editor(typeVersion: number, parameters: Record<string, unknown>) {
	const node = { typeVersion, parameters: {} } as unknown as INode;
	const values = NodeHelpers.getNodeParameters(description.properties, parameters as never, true, false, node, description)!;
	return { values, credentialShown: NodeHelpers.displayParameter(values, description.credentials![0], node, description) };
}

test('new nodes get version 2; saved version 1 nodes keep Workflow ID (their own workflow by default)', () => {
	expect(description.version).toEqual([1, 2]);
	expect(description.defaultVersion).toBe(2);
	expect(editor(1, { operation: 'quarantineStatus' }).values).toMatchObject({ stateWorkflowId: '={{ $workflow.id }}' });
	expect(editor(2, { operation: 'quarantineStatus' }).values).toMatchObject({ stateWorkflow: 'this' });
	expect(editor(2, { operation: 'quarantineStatus' }).values).not.toHaveProperty('stateWorkflowId');
	expect(editor(2, { operation: 'resetQuarantine', stateWorkflow: 'other' }).values).toMatchObject({ stateWorkflowId: '' });
});

test.each([
	[1, { operation: 'query' }, true],
	[1, { operation: 'quarantineStatus' }, false],
	[1, { operation: 'resetQuarantine' }, false],
	[2, { operation: 'prune' }, true],
	[2, { operation: 'formatRows' }, false],
	[2, { operation: 'quarantineStatus' }, false],
	[2, { operation: 'quarantineStatus', stateWorkflow: 'other' }, true],
	[2, { operation: 'resetQuarantine', stateWorkflow: 'all' }, true],
])('version %s with %j: the API credential shown: %s', (version, parameters, shown) => {
	expect(editor(version, parameters).credentialShown).toBe(shown);
});
