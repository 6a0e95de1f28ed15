import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * What identity providers (Entra ID, Okta) must present to the SCIM Trigger. Compared in constant time.
 *
 * The token connects nowhere (the IdP presents it to the trigger), so the SCIM Trigger node tests it by strength
 * (testedBy "scimTriggerAuthTest"), as its activation does; the lint rule only sees a credential-level `test`.
 */
// eslint-disable-next-line @n8n/community-nodes/credential-test-required
export class ScimTriggerAuthApi implements ICredentialType {
	name = 'scimTriggerAuthApi';

	displayName = 'SCIM Trigger Auth API';

	icon = { light: 'file:scim.svg', dark: 'file:scim.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-provisioning/n8n-nodes-provisioning#scim-trigger-auth-api';

	properties: INodeProperties[] = [
		{
			displayName:
				'Entra ID and Okta send this token with every request to the SCIM Trigger. Paste it into Entra ID as the Secret Token, or into Okta as the HTTP Header (Bearer) token.',
			name: 'notice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Bearer Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'e.g. 4cT0mJ2x…',
			description: 'A long random value that only n8n and your identity provider know',
			hint: 'At least 16 random characters, e.g. the output of: openssl rand -base64 32 (or -hex 32, or a UUID). Repeats, runs such as abc or 123, a repeated block and words such as "password" are refused: the token needs about 60 bits of randomness.',
		},
		{
			displayName: 'Also Accept Basic Auth',
			name: 'allowBasic',
			type: 'boolean',
			default: false,
			description: 'Whether requests may also log in with a user name and password (Okta can use Basic Auth)',
			hint: 'Leave off for Entra ID, which sends the bearer token',
		},
		{
			displayName: 'Basic Auth User',
			name: 'basicUser',
			type: 'string',
			default: '',
			placeholder: 'e.g. okta-provisioning',
			description: 'The user name the identity provider logs in with',
			hint: 'e.g. okta-provisioning',
			displayOptions: { show: { allowBasic: [true] } },
		},
		{
			displayName: 'Basic Auth Password',
			name: 'basicPassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The password the identity provider logs in with',
			hint: 'A long random value, e.g. from: openssl rand -base64 24',
			displayOptions: { show: { allowBasic: [true] } },
		},
	];
}
