import type { INodeProperties } from 'n8n-workflow';
import { optionsCollection } from '../shared/descriptions';
import { tenantUrlExpression } from '../shared/tenantUrl';

/** The trigger's parameters; the tenant URLs are computed from n8n's URL settings when n8n loads the node. */
export function scimTriggerProperties(env: Record<string, string | undefined>): INodeProperties[] {
	return [
		{
			// Shown, never read: n8n decides the URL. The editor fills in this node's webhook id and shows the result below.
			displayName: 'Tenant URL',
			name: 'tenantUrl',
			type: 'string',
			default: tenantUrlExpression(env, 'production'),
			description:
				'Paste this into Entra ID (Tenant URL) or Okta (SCIM connector base URL). It answers once the workflow is active (published).',
		},
		{
			displayName: 'Test Tenant URL',
			name: 'testTenantUrl',
			type: 'string',
			default: tenantUrlExpression(env, 'test'),
			description: 'Answers one request while the editor listens (Execute Step), to see an event here. IdPs need the Tenant URL above.',
		},
		{
			displayName:
				'Entra ID: Enterprise application → Provisioning → Admin Credentials. Tenant URL: the URL above. Secret Token: the Bearer Token of the credential below. Then Test Connection.',
			name: 'entraNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName:
				'Okta: your app → Provisioning → Integration. SCIM connector base URL: the URL above. Unique identifier field for users: userName. Authentication Mode: HTTP Header, with the Bearer Token of the credential below.',
			name: 'oktaNotice',
			type: 'notice',
			default: '',
		},
		{ displayName: 'Credential', name: 'triggerCredential', type: 'credentials', default: '' },
		optionsCollection([
			{
				displayName: 'Bulk Max Operations',
				name: 'bulkMaxOperations',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 1000,
				description:
					'Most operations one /Bulk request may hold (RFC 7644 maxOperations); more is refused with 413. Its size limit is Max Body Size.',
			},
			{
				displayName: 'Bulk Upload Matching Attribute',
				name: 'uploadMatchingAttribute',
				type: 'string',
				default: 'externalId',
				placeholder: 'e.g. externalId, userName, employeeNumber',
				description:
					"For Entra-style bulk uploads (…/bulkUpload): the attribute a record is matched on in the trigger's store, to create or update the user",
			},
			{
				displayName: 'Bulk Upload Max Records',
				name: 'uploadMaxRecords',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 50,
				description: 'Most records one bulk upload may hold (Entra allows 50); more is refused with 413',
			},
			{
				displayName: 'Forward Passwords',
				name: 'forwardPasswords',
				type: 'boolean',
				default: false,
				description:
					'Whether passwords sent on create (Okta does) are passed to the workflow. They are never stored or returned, but n8n saves execution data, so only turn this on if you must.',
			},
			{
				displayName: 'Max Body Size (KB)',
				name: 'maxBodyKb',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 1024,
				description: 'Larger requests are refused with 413, e.g. 1024 for 1 MB',
			},
			{
				displayName: 'Max Results',
				name: 'maxResults',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 1000,
				description: 'Most resources one list request returns, e.g. 1000',
			},
			{
				displayName: 'Store',
				name: 'store',
				type: 'options',
				options: [
					{
						name: 'Automatic',
						value: 'auto',
						description: 'The PostgreSQL database of n8n when n8n runs on it (queue mode), otherwise a file store',
					},
					{
						name: 'File on This Machine',
						value: 'file',
						description: "A journal file in n8n's user folder; one n8n process serves the trigger",
					},
					{
						name: 'Shared PostgreSQL Database',
						value: 'postgres',
						description: 'The PostgreSQL database n8n itself runs on, shared by every n8n process',
					},
				],
				default: 'auto',
				description: 'Where the users and groups the IdP pushed are kept',
			},
		]),
	];
}
