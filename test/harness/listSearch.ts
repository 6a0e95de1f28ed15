/**
 * Calls a node's list search (`methods.listSearch`) as n8n's editor does: n8n-core's own LoadOptionsContext over the
 * node as the editor holds it (its current parameters), with test credentials.
 */
import { LoadOptionsContext } from 'n8n-core';
import {
	type ICredentialDataDecryptedObject,
	type INode,
	type INodeListSearchResult,
	type INodeParameters,
	type IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { nodeTypes, PACKAGE, TestCredentialsHelper } from './workflow';

export interface ListSearchCall {
	nodeType: string;
	typeVersion: number;
	parameters: INodeParameters;
	credentials: Record<string, ICredentialDataDecryptedObject>;
}

const CREDENTIAL_REFS = {
	scimTargetApi: { id: '1', name: 'SCIM' },
	ldapDirectoryApi: { id: '2', name: 'LDAP' },
	sqlDatabaseApi: { id: '3', name: 'SQL' },
	provisioningLogApi: { id: '4', name: 'n8n API' },
};

/** One page of a list search, as the editor would get it for `filter` and `paginationToken`. */
export async function listSearch(
	call: ListSearchCall,
	method: string,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const type = `${PACKAGE}.${call.nodeType}`;
	const node: INode = {
		id: 'n',
		name: 'Node',
		type,
		typeVersion: call.typeVersion,
		position: [0, 0],
		parameters: call.parameters,
		credentials: CREDENTIAL_REFS,
	};
	const workflow = new Workflow({ id: 'w', nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(call.credentials),
		currentNodeParameters: call.parameters,
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		variables: {},
	} as unknown as IWorkflowExecuteAdditionalData;
	const context = new LoadOptionsContext(workflow, node, additionalData, `parameters.${method}`);
	const nodeType = nodeTypes.getByNameAndVersion(type, call.typeVersion);
	const search = nodeType.methods?.listSearch?.[method];
	if (!search) throw new Error(`${call.nodeType} has no list search "${method}"`);
	return search.call(context, filter, paginationToken);
}

/** Every page of a list search, following the pagination tokens. */
export async function listAll(call: ListSearchCall, method: string, filter?: string): Promise<{ values: string[]; pages: number }> {
	const values: string[] = [];
	let token: string | undefined;
	let pages = 0;
	do {
		const page = await listSearch(call, method, filter, token);
		values.push(...page.results.map((r) => String(r.value)));
		token = page.paginationToken as string | undefined;
		pages++;
	} while (token && pages < 1000);
	return { values, pages };
}
