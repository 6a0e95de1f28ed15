import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * An API key of this n8n instance, for the provisioning log kept in a Data Table (n8n's public API is the one door n8n
 * opens to Data Tables for community nodes). A credential of this package rather than n8n's own "n8n API": a community
 * node may use only its own credential types.
 */
export class ProvisioningLogApi implements ICredentialType {
	name = 'provisioningLogApi';

	displayName = 'Provisioning Log API';

	icon = { light: 'file:provisioningLog.svg', dark: 'file:provisioningLog.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-provisioning/n8n-nodes-provisioning#provisioning-log-api';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'An API key of this n8n, from Settings → n8n API, allowed to read and write Data Tables',
			hint: 'e.g. the key shown once when you create it in Settings → n8n API',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://localhost:5678/api/v1',
			placeholder: 'https://n8n.example.org/api/v1',
			description: "This n8n's public API: its address followed by /api/v1",
			hint: 'e.g. https://n8n.example.org/api/v1',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'X-N8N-API-KEY': '={{$credentials.apiKey}}' } },
	};

	// Lists at most one Data Table: proves the key and that this n8n has the Data Table API (2.7 and later).
	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/data-tables', qs: { limit: 1 } },
	};
}
