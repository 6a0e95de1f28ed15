import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** A SCIM 2.0 service provider that accounts are provisioned into. Tested by the nodes (testedBy): a real SCIM call. */
export class ScimTargetApi implements ICredentialType {
	name = 'scimTargetApi';

	displayName = 'SCIM Target API';

	icon = { light: 'file:scim.svg', dark: 'file:scim.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-provisioning/n8n-nodes-provisioning#scim-target-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://app.example.com/scim/v2',
			description: "The app's SCIM endpoint, without /Users at the end",
			hint: 'e.g. https://api.slack.com/scim/v2 or https://app.example.com/scim/v2',
			required: true,
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Bearer Token', value: 'bearer', description: 'Authorization: Bearer <token>; most SCIM apps' },
				{ name: 'Basic Auth', value: 'basic', description: 'A user name and password' },
				{
					name: 'OAuth2 Client Credentials',
					value: 'oauth2ClientCredentials',
					description: 'A token fetched from a token URL with a client ID and secret',
				},
				{ name: 'Custom Header', value: 'header', description: 'A header of your choice, e.g. X-API-Key' },
				{ name: 'None', value: 'none', description: 'No authentication (test servers only)' },
			],
			default: 'bearer',
			description: 'How n8n proves itself to the app',
			hint: "Use what the app's SCIM documentation names, usually a bearer token",
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The SCIM or API token the app issued',
			hint: "Created in the app's admin settings, e.g. Slack: Settings → SCIM token",
			displayOptions: { show: { authentication: ['bearer'] } },
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			placeholder: 'e.g. scim-provisioning',
			description: 'The user name n8n logs in with',
			hint: 'e.g. scim-provisioning',
			displayOptions: { show: { authentication: ['basic'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The password n8n logs in with',
			hint: 'The password of the user above',
			displayOptions: { show: { authentication: ['basic'] } },
		},
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: '',
			placeholder: 'https://login.example.com/oauth2/token',
			description: 'Where n8n fetches an access token',
			hint: 'e.g. https://login.example.com/oauth2/token',
			displayOptions: { show: { authentication: ['oauth2ClientCredentials'] } },
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			placeholder: 'e.g. 0oa1b2c3d4',
			description: 'The client ID the app issued for n8n',
			hint: 'e.g. 0oa1b2c3d4',
			displayOptions: { show: { authentication: ['oauth2ClientCredentials'] } },
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The client secret that goes with the client ID',
			hint: 'Issued with the client ID',
			displayOptions: { show: { authentication: ['oauth2ClientCredentials'] } },
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: '',
			placeholder: 'e.g. scim.write',
			description: 'Scopes to request, separated by spaces; empty requests none',
			hint: 'e.g. scim.read scim.write',
			displayOptions: { show: { authentication: ['oauth2ClientCredentials'] } },
		},
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: '',
			placeholder: 'X-API-Key',
			description: 'The header that carries the secret',
			hint: 'e.g. X-API-Key',
			displayOptions: { show: { authentication: ['header'] } },
		},
		// The header carries the app's secret API key, so it is a password field.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Header Value',
			name: 'headerValue',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The secret sent in that header',
			hint: 'e.g. the API key the app issued',
			displayOptions: { show: { authentication: ['header'] } },
		},
		{
			displayName: 'Extra Headers',
			name: 'extraHeaders',
			// Text, not n8n's JSON editor: that editor shows a new credential's {} as an empty field marked invalid.
			type: 'string',
			default: '{}',
			placeholder: '{"X-Tenant": "acme"}',
			description: 'Headers sent with every request, as a JSON object; {} for none',
			hint: 'A JSON object, e.g. {"X-Tenant": "acme"}',
		},
		{
			displayName: 'Timeout (ms)',
			name: 'timeoutMs',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 30000,
			description: 'How long one request may take before it is retried or fails',
			hint: 'In milliseconds, e.g. 30000 for 30 seconds',
		},
	];
}
