import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';
import { ReferenceResolver } from '../../lib/scim/server/events';
import type { Resource, ResourceType } from '../../lib/scim/resource';
import { locateTriggerStore, openTriggerLinks, openTriggerStore } from '../shared/stores';
import { webhookIdOf } from '../shared/tenantUrl';
import { signedStoreRef } from '../shared/triggerStore';
import { scimStoreProperties } from './ScimStoreDescription';

export class ScimStore implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SCIM Store',
		name: 'scimStore',
		icon: { light: 'file:scimStore.svg', dark: 'file:scimStore.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle:
			'={{ {"users": "All users", "groups": "All groups", "user": "One user", "deletedUsers": "Deleted users"}[$parameter["operation"]] }}',
		description: "Read the users and groups a SCIM Trigger holds, to resync a target with the IdP's state",
		defaults: { name: 'SCIM Store' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		properties: scimStoreProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const tenantUrl = this.getNodeParameter('tenantUrl', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as 'users' | 'groups' | 'user' | 'deletedUsers';
		const webhookId = webhookIdOf(tenantUrl);
		if (!webhookId) {
			throw new NodeOperationError(this.getNode(), `"${tenantUrl}" is not a SCIM Trigger tenant URL`, {
				description: 'Paste the URL ending in /scim/v2 that the SCIM Trigger shows (the one given to Entra ID or Okta), or its webhook ID.',
			});
		}
		const location = await locateTriggerStore(this, webhookId);
		if (!location) {
			throw new NodeOperationError(this.getNode(), `No SCIM Trigger with webhook ${webhookId} has answered a request on this n8n yet`, {
				description:
					'Activate the workflow with the SCIM Trigger and let the IdP (or a test request) reach it once; then its store can be read here.',
			});
		}
		const store = openTriggerStore(this, location);
		// Signed for this workflow: the nodes that take these items read and remember through it.
		const ref = signedStoreRef(this, location) as unknown as IDataObject;
		if (operation === 'deletedUsers') {
			// Remembered where they were provisioned, gone from the store: envelopes that match by the remembered id only.
			const provisioned = await openTriggerLinks(this, location).sources('User');
			const gone = [];
			for (const id of provisioned) if (!(await store.get('User', id))) gone.push(id);
			return [
				gone.map((id) => ({
					json: { attributes: {}, matchKeys: [], source: { id, store: ref, deleted: true } },
					pairedItem: { item: 0 },
				})),
			];
		}
		const type: ResourceType = operation === 'groups' ? 'Group' : 'User';
		let resources: Resource[];
		if (operation === 'user') {
			const userName = String(this.getNodeParameter('userName', 0) ?? '').trim();
			resources = await store.findByName('User', userName);
			if (!resources.length) throw new NodeOperationError(this.getNode(), `The SCIM Trigger holds no user "${userName}"`, { itemIndex: 0 });
		} else {
			resources = await store.list(type);
		}
		const resolver = new ReferenceResolver((t, id) => store.get(t, id));
		const items: INodeExecutionData[] = [];
		for (const resource of resources) {
			const copy: Record<string, unknown> = { ...resource };
			delete copy.password;
			items.push({
				json: {
					event: type === 'User' ? 'user.sync' : 'group.sync',
					resourceType: type,
					resourceId: resource.id,
					resource: (await resolver.enrichResource(copy)) as IDataObject,
					store: ref,
				},
				pairedItem: { item: 0 },
			});
		}
		return [items];
	}
}
