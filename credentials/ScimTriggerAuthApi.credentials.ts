import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** What identity providers (Entra ID, Okta) must present to the SCIM Trigger. Compared in constant time. */
export class ScimTriggerAuthApi implements ICredentialType {
	name = 'scimTriggerAuthApi';

	displayName = 'SCIM Trigger Auth API';

	icon = 'file:scim.svg' as const;

	documentationUrl = 'https://github.com/n8n-nodes-provisioning/n8n-nodes-provisioning#scim-trigger';

	properties: INodeProperties[] = [
		{
			displayName: 'Bearer Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The secret token to paste into Entra ID or Okta. Use a long random value.',
		},
		{
			displayName: 'Also Accept Basic Auth',
			name: 'allowBasic',
			type: 'boolean',
			default: false,
		},
		{
			displayName: 'Basic Auth User',
			name: 'basicUser',
			type: 'string',
			default: '',
			displayOptions: { show: { allowBasic: [true] } },
		},
		{
			displayName: 'Basic Auth Password',
			name: 'basicPassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { allowBasic: [true] } },
		},
	];
}
