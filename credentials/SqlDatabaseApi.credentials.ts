import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** A PostgreSQL or MySQL/MariaDB database holding an application's accounts. Tested by the nodes (testedBy). */
export class SqlDatabaseApi implements ICredentialType {
	name = 'sqlDatabaseApi';

	displayName = 'SQL Database API';

	icon = { light: 'file:sql.svg', dark: 'file:sql.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-provisioning/n8n-nodes-provisioning#sql-databases';

	properties: INodeProperties[] = [
		{
			displayName: 'Engine',
			name: 'engine',
			type: 'options',
			options: [
				{ name: 'PostgreSQL', value: 'postgres', description: 'PostgreSQL 12 or later' },
				{ name: 'MySQL / MariaDB', value: 'mysql', description: 'MySQL 8 or MariaDB 10.5 or later' },
			],
			default: 'postgres',
			description: 'The database server software',
			hint: 'The database server software',
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '',
			placeholder: 'db.example.org',
			description: 'The database server, by name or address',
			hint: 'e.g. db.example.org or 10.0.0.5',
			required: true,
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5432,
			description: 'The port PostgreSQL listens on',
			hint: 'e.g. 5432',
			displayOptions: { show: { engine: ['postgres'] } },
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 3306,
			description: 'The port MySQL or MariaDB listens on',
			hint: 'e.g. 3306',
			displayOptions: { show: { engine: ['mysql'] } },
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: '',
			placeholder: 'app',
			description: "The database holding the application's users table",
			hint: 'e.g. app',
			required: true,
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			placeholder: 'provisioning',
			description: 'The account n8n logs in with; it needs to read and write the users (and groups) tables',
			hint: 'e.g. provisioning',
			required: true,
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The password of the user above',
			hint: 'The password of the account above',
		},
		{
			displayName: 'TLS',
			name: 'tls',
			type: 'boolean',
			default: false,
			description: 'Whether to encrypt the connection',
			hint: 'Turn on for any database outside this machine',
		},
		// A CA certificate is public: shown as text so it can be checked.
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field
		{
			displayName: 'CA Certificate',
			name: 'caCertificate',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			description: 'PEM certificate of the CA that signed the server certificate, when it is not publicly trusted',
			hint: 'e.g. -----BEGIN CERTIFICATE----- … (empty for a publicly trusted certificate)',
			displayOptions: { show: { tls: [true] } },
		},
		// A yes/no switch, not a secret: the rule goes by the word "Certificate" in its name.
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field
		{
			displayName: 'Verify Certificate',
			name: 'verifyCertificate',
			type: 'boolean',
			default: true,
			description:
				'Whether the server certificate must be trusted and match the host. Turn off only for lab databases: it allows interception.',
			hint: 'Leave on outside a lab',
			displayOptions: { show: { tls: [true] } },
		},
		{
			displayName: 'Pool Size',
			name: 'poolSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 64 },
			default: 4,
			description: "Most connections one execution opens; match it to the nodes' concurrency",
			hint: 'e.g. 4',
		},
		{
			displayName: 'Connect Timeout (ms)',
			name: 'connectTimeoutMs',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 10000,
			description: 'How long a login may take before the item fails',
			hint: 'In milliseconds, e.g. 10000 for 10 seconds',
		},
	];
}
