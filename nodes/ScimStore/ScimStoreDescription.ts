import type { INodeProperties } from 'n8n-workflow';

export const scimStoreProperties: INodeProperties[] = [
	{
		displayName:
			"Reads the users and groups a SCIM Trigger holds: what Entra ID or Okta last pushed. Feed them to Map Attributes → Provision User, Deprovision User (reconcile) and Group Sync (SCIM Trigger Group Changes) to bring a target back to exactly the IdP's state, with no IdP involved.",
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'SCIM Trigger Tenant URL',
		name: 'tenantUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://n8n.example.org/webhook/7a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/scim/v2',
		description:
			'The tenant URL you gave Entra ID or Okta for the SCIM Trigger (or just its webhook ID). The trigger must have answered at least one request on this n8n.',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Get All Users', value: 'users', description: 'Every user, active or not, one item each', action: 'Get all users' },
			{ name: 'Get All Groups', value: 'groups', description: 'Every group with its members, one item each', action: 'Get all groups' },
			{ name: 'Get a User', value: 'user', description: 'One user by userName (on-demand provisioning)', action: 'Get a user' },
			{
				name: 'Get Deleted Users',
				value: 'deletedUsers',
				description:
					'Users the nodes provisioned from this trigger that it no longer holds (the IdP deleted them), ready for Deprovision User',
				action: 'Get deleted users',
			},
		],
		default: 'users',
	},
	{
		displayName: 'User Name',
		name: 'userName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'ada@example.org',
		description: 'The userName of the user, compared without regard to case',
		displayOptions: { show: { operation: ['user'] } },
	},
];
