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

test('new nodes get version 3 (the Data Table picker); saved version 1 nodes keep Workflow ID (their own workflow by default)', () => {
	expect(description.version).toEqual([1, 2, 3]);
	expect(description.defaultVersion).toBe(3);
	expect(editor(3, { operation: 'quarantineStatus' }).values).toMatchObject({ stateWorkflow: 'this' });
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
	[3, { operation: 'query' }, true],
	[3, { operation: 'formatRows' }, false],
	[3, { operation: 'quarantineStatus' }, false],
	[3, { operation: 'quarantineStatus', stateWorkflow: 'other' }, true],
])('version %s with %j: the API credential shown: %s', (version, parameters, shown) => {
	expect(editor(version, parameters).credentialShown).toBe(shown);
});

test('the Data Table is a string in versions 1 and 2 and a picker in version 3, with the same default table', () => {
	expect(editor(2, { operation: 'query' }).values.logTable).toBe('provisioning_log');
	expect(editor(3, { operation: 'query' }).values.logTable).toEqual({ __rl: true, mode: 'name', value: 'provisioning_log' });
	const saved = { __rl: true, mode: 'list', value: 'dt1', cachedResultName: 'provisioning_log' };
	expect(editor(3, { operation: 'prune', logTable: saved }).values.logTable).toEqual(saved);
});
