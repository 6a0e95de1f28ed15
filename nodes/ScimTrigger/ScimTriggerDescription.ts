import type { INodeProperties } from 'n8n-workflow';
import { optionsCollection } from '../shared/descriptions';

export const scimTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Paste the SCIM endpoint into Entra ID or Okta as the tenant URL: the production URL of this node without the trailing "/Users". Requests are answered here, from the trigger\'s own store; the workflow receives one item per accepted change.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	optionsCollection([
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
			default: 1024,
			description: 'Larger requests are refused with 413',
		},
		{
			displayName: 'Max Results',
			name: 'maxResults',
			type: 'number',
			default: 1000,
			description: 'Most resources one list request returns',
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
				{ name: 'File on This Machine', value: 'file' },
				{ name: 'Shared PostgreSQL Database', value: 'postgres', description: 'The PostgreSQL database n8n itself runs on' },
			],
			default: 'auto',
			description: 'Where the users and groups the IdP pushed are kept',
		},
	]),
];
