import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** An LDAP directory (OpenLDAP, 389-DS, Active Directory). Tested by a real bind (testedBy on the nodes). */
export class LdapDirectoryApi implements ICredentialType {
	name = 'ldapDirectoryApi';

	displayName = 'LDAP Directory API';

	icon = { light: 'file:ldap.svg', dark: 'file:ldap.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-provisioning/n8n-nodes-provisioning#ldap-directory-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Server URLs',
			name: 'urls',
			type: 'string',
			default: '',
			placeholder: 'ldaps://dc1.example.org:636, ldaps://dc2.example.org:636',
			description: 'One or more ldap:// or ldaps:// URLs, separated by commas; later ones are tried when earlier ones do not answer',
			hint: 'e.g. ldaps://dc1.example.org:636',
			required: true,
		},
		{
			displayName: 'Directory Flavour',
			name: 'flavour',
			type: 'options',
			options: [
				{ name: 'OpenLDAP', value: 'openldap', description: 'Disables accounts with the ppolicy overlay or a chosen attribute' },
				{ name: '389 Directory Server', value: '389ds', description: 'Also Red Hat Directory Server; disables with nsAccountLock' },
				{
					name: 'Active Directory',
					value: 'activeDirectory',
					description: 'Writes unicodePwd and userAccountControl; disables with the ACCOUNTDISABLE bit',
				},
			],
			default: 'openldap',
			description: 'Decides how passwords are written and how accounts are disabled',
			hint: 'The directory server software',
		},
		{
			displayName: 'Bind DN',
			name: 'bindDn',
			type: 'string',
			default: '',
			placeholder: 'cn=admin,dc=example,dc=org',
			description: 'The account n8n logs in with; it needs write access where accounts are provisioned',
			hint: 'e.g. cn=admin,dc=example,dc=org or CN=svc-n8n,OU=Service,DC=corp,DC=example',
		},
		{
			displayName: 'Bind Password',
			name: 'bindPassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The password of the bind DN',
			hint: 'The password of the account above',
		},
		{
			displayName: 'Base DN',
			name: 'baseDn',
			type: 'string',
			default: '',
			placeholder: 'dc=example,dc=org',
			description: 'The top of the tree n8n works in; nodes may narrow it with a search base',
			hint: 'e.g. dc=example,dc=org',
			required: true,
		},
		{
			displayName: 'StartTLS',
			name: 'startTls',
			type: 'boolean',
			default: false,
			description: 'Whether to upgrade ldap:// connections to TLS before binding',
			hint: 'Turn on for ldap://…:389 servers that offer TLS; ldaps:// URLs are encrypted already',
		},
		// A CA certificate is public: shown as text so it can be checked.
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field
		{
			displayName: 'CA Certificate',
			name: 'caCertificate',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description: 'PEM certificate of the CA that signed the server certificate, when it is not publicly trusted',
			hint: 'e.g. the PEM text starting with -----BEGIN CERTIFICATE-----; empty for a publicly trusted server',
		},
		{
			displayName: 'Allow Self-Signed Certificates',
			name: 'allowSelfSigned',
			type: 'boolean',
			default: false,
			description: 'Whether to accept any server certificate. Only for lab directories: it allows interception.',
			hint: 'Leave off in production; give the CA certificate instead',
		},
		{
			displayName: 'Connect Timeout (ms)',
			name: 'connectTimeoutMs',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 10000,
			description: 'How long to wait for a server to accept the connection before trying the next URL',
			hint: 'In milliseconds, e.g. 10000 for 10 seconds',
		},
		{
			displayName: 'Operation Timeout (ms)',
			name: 'timeoutMs',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 30000,
			description: 'How long one LDAP operation may take',
			hint: 'In milliseconds, e.g. 30000 for 30 seconds',
		},
	];
}
