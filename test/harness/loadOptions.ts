/**
 * Calls a node's load methods as n8n's editor backend does (n8n-core's LoadOptionsContext over a one-node
 * workflow, the panel's current parameters and the node's credentials), for tests against real targets.
 */
import { LoadOptionsContext } from 'n8n-core';
import {
	type ICredentialDataDecryptedObject,
	type INodeParameters,
	type INodePropertyOptions,
	type IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { nodeTypes, PACKAGE, TestCredentialsHelper } from './workflow';

export interface LoadOptionsCall {
	/** The node type without the package: provisionUser, mapAttributes. */
	node: string;
	method: string;
	/** The panel's parameters, as the editor sends them. */
	parameters: Record<string, unknown>;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** The parameter asking, e.g. parameters.attributes.attribute[0].name (its row is read with "&…"). */
	path?: string;
	typeVersion?: number;
}

export async function loadOptions(call: LoadOptionsCall): Promise<INodePropertyOptions[]> {
	const type = `${PACKAGE}.${call.node}`;
	const node = {
		id: 'n',
		name: 'Node',
		type,
		typeVersion: call.typeVersion ?? 1,
		position: [0, 0] as [number, number],
		parameters: call.parameters as INodeParameters,
		credentials: {
			scimTargetApi: { id: '1', name: 'SCIM' },
			ldapDirectoryApi: { id: '2', name: 'LDAP' },
			sqlDatabaseApi: { id: '3', name: 'SQL' },
		},
	};
	const workflow = new Workflow({ id: 'load-options', nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(call.credentials),
		currentNodeParameters: call.parameters,
	} as unknown as IWorkflowExecuteAdditionalData;
	const context = new LoadOptionsContext(workflow, node, additionalData, call.path ?? 'parameters.schemaCheck');
	const methods = nodeTypes.getByNameAndVersion(type, node.typeVersion).methods?.loadOptions;
	const method = methods?.[call.method];
	if (!method) throw new Error(`${call.node} has no load method ${call.method}`);
	return method.call(context);
}
