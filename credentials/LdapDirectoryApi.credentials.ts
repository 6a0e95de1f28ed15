import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** An LDAP directory (OpenLDAP, 389-DS, Active Directory). Tested by a real bind (testedBy on the nodes). */
export class LdapDirectoryApi implements ICredentialType {
	name = 'ldapDirectoryApi';

	displayName = 'LDAP Directory API';

	icon = 'file:ldap.svg' as const;

	documentationUrl = 'https://github.com/n8n-nodes-provisioning/n8n-nodes-provisioning#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Server URLs',
			name: 'urls',
			type: 'string',
			default: '',
			placeholder: 'ldaps://dc1.example.org:636, ldaps://dc2.example.org:636',
			description: 'One or more ldap:// or ldaps:// URLs, separated by commas; later ones are tried when earlier ones do not answer',
			required: true,
		},
		{
			displayName: 'Directory Flavour',
			name: 'flavour',
			type: 'options',
			options: [
				{ name: 'OpenLDAP', value: 'openldap' },
				{ name: '389 Directory Server', value: '389ds' },
				{ name: 'Active Directory', value: 'activeDirectory' },
			],
			default: 'openldap',
			description: 'Decides how passwords are written and how accounts are disabled',
		},
		{
			displayName: 'Bind DN',
			name: 'bindDn',
			type: 'string',
			default: '',
			placeholder: 'cn=admin,dc=example,dc=org',
		},
		{
			displayName: 'Bind Password',
			name: 'bindPassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Base DN',
			name: 'baseDn',
			type: 'string',
			default: '',
			placeholder: 'dc=example,dc=org',
			required: true,
		},
		{
			displayName: 'StartTLS',
			name: 'startTls',
			type: 'boolean',
			default: false,
			description: 'Whether to upgrade ldap:// connections to TLS before binding',
		},
		{
			displayName: 'CA Certificate',
			name: 'caCertificate',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			description: 'PEM certificate of the CA that signed the server certificate, when it is not publicly trusted',
		},
		{
			displayName: 'Allow Self-Signed Certificates',
			name: 'allowSelfSigned',
			type: 'boolean',
			default: false,
			description: 'Whether to accept any server certificate. Only for lab directories: it allows interception.',
		},
		{
			displayName: 'Connect Timeout (Ms)',
			name: 'connectTimeoutMs',
			type: 'number',
			default: 10000,
		},
		{
			displayName: 'Operation Timeout (Ms)',
			name: 'timeoutMs',
			type: 'number',
			default: 30000,
		},
	];
}
