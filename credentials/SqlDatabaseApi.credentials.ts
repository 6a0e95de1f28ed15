import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** A PostgreSQL or MySQL/MariaDB database holding an application's accounts. Tested by the nodes (testedBy). */
export class SqlDatabaseApi implements ICredentialType {
	name = 'sqlDatabaseApi';

	displayName = 'SQL Database API';

	icon = 'file:sql.svg' as const;

	documentationUrl = 'https://github.com/n8n-nodes-provisioning/n8n-nodes-provisioning#sql-databases';

	properties: INodeProperties[] = [
		{
			displayName: 'Engine',
			name: 'engine',
			type: 'options',
			options: [
				{ name: 'PostgreSQL', value: 'postgres' },
				{ name: 'MySQL / MariaDB', value: 'mysql' },
			],
			default: 'postgres',
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '',
			placeholder: 'db.example.org',
			required: true,
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5432,
			displayOptions: { show: { engine: ['postgres'] } },
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 3306,
			displayOptions: { show: { engine: ['mysql'] } },
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'TLS',
			name: 'tls',
			type: 'boolean',
			default: false,
			description: 'Whether to encrypt the connection',
		},
		{
			displayName: 'CA Certificate',
			name: 'caCertificate',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			description: 'PEM certificate of the CA that signed the server certificate, when it is not publicly trusted',
			displayOptions: { show: { tls: [true] } },
		},
		{
			displayName: 'Verify Certificate',
			name: 'verifyCertificate',
			type: 'boolean',
			default: true,
			description:
				'Whether the server certificate must be trusted and match the host. Turn off only for lab databases: it allows interception.',
			displayOptions: { show: { tls: [true] } },
		},
		{
			displayName: 'Pool Size',
			name: 'poolSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 64 },
			default: 4,
			description: "Most connections one execution opens; match it to the nodes' concurrency",
		},
		{
			displayName: 'Connect Timeout (Ms)',
			name: 'connectTimeoutMs',
			type: 'number',
			default: 10000,
		},
	];
}
