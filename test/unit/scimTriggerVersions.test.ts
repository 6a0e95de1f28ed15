/** The SCIM Trigger's node versions: version 1's webhook entries must never change (n8n keeps their rows across restarts). */
import type { INodeType, IWebhookDescription } from 'n8n-workflow';
import { ScimTrigger } from '../../nodes/ScimTrigger/ScimTrigger.node';

const node = new ScimTrigger();
const hooks = (version: number) => (node.nodeVersions[version] as INodeType).description.webhooks as IWebhookDescription[];
const shape = (w: IWebhookDescription) => `${w.name} ${w.httpMethod} ${w.path}${w.isFullPath ? ' (full path)' : ''}`;

test('version 1 keeps its 13 entries exactly (an entry removed would leave a webhook row answering 500)', () => {
	expect(hooks(1).map(shape)).toEqual([
		'default GET,POST scim/v2/Users',
		'user GET,PUT,PATCH,DELETE =scim/v2/Users/:id{{$webhookId}} (full path)',
		'usersSearch POST scim/v2/Users/.search',
		'groups GET,POST scim/v2/Groups',
		'group GET,PUT,PATCH,DELETE =scim/v2/Groups/:gid{{$webhookId}} (full path)',
		'groupsSearch POST scim/v2/Groups/.search',
		'search POST scim/v2/.search',
		'serviceProviderConfig GET,POST,PUT,PATCH,DELETE scim/v2/ServiceProviderConfig',
		'resourceTypes GET,POST scim/v2/ResourceTypes',
		'resourceType GET =scim/v2/ResourceTypes/:rt{{$webhookId}} (full path)',
		'schemas GET,POST scim/v2/Schemas',
		'schema GET =scim/v2/Schemas/:sid{{$webhookId}} (full path)',
		'bulk POST scim/v2/Bulk',
	]);
});

test('version 2 is the default: 9 entries, one expression, the collections static (bulkUpload added for issue 20)', () => {
	expect(node.description.defaultVersion).toBe(2);
	expect(hooks(2).map(shape)).toEqual([
		'default GET,POST scim/v2/Users',
		'groups GET,POST scim/v2/Groups',
		'search POST scim/v2/.search',
		'serviceProviderConfig GET,POST,PUT,PATCH,DELETE scim/v2/ServiceProviderConfig',
		'resourceTypes GET,POST scim/v2/ResourceTypes',
		'schemas GET,POST scim/v2/Schemas',
		'bulk POST scim/v2/Bulk',
		'bulkUpload POST scim/v2/bulkUpload',
		'member GET,POST,PUT,PATCH,DELETE =scim/v2/:collection{{$webhookId}}/:id (full path)',
	]);
	for (const version of [1, 2]) {
		const { description } = node.nodeVersions[version] as INodeType;
		expect(description).toMatchObject({
			name: 'scimTrigger',
			version,
			outputs: ['main', 'main', 'main'],
			credentials: [{ name: 'scimTriggerAuthApi' }],
		});
		// The versions differ only in their webhook entries: the panel is the same.
		expect(description.properties.map((p) => p.name)).toEqual([
			'tenantUrl',
			'testTenantUrl',
			'entraNotice',
			'oktaNotice',
			'triggerCredential',
			'options',
		]);
	}
});
