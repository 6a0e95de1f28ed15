/**
 * Deprovision User's Reconcile Leavers settings: which accounts a reconcile manages and may never touch, and the
 * accidental-deletion threshold that holds back a run making too many disables and deletes.
 */
import type { INodeProperties } from 'n8n-workflow';

export const reconcileScopeProperties: INodeProperties[] = [
	{
		displayName: 'Managed Scope Filter',
		name: 'scopeFilter',
		type: 'string',
		default: '',
		placeholder: '(employeeType=staff) or: active eq true',
		description:
			'Only accounts matching this target-native filter are reconciled (an LDAP filter within the search base, or a SCIM filter)',
		displayOptions: { show: { mode: ['reconcile'] } },
	},
	{
		displayName: 'Anchor Attribute',
		name: 'anchorAttribute',
		type: 'string',
		default: '',
		placeholder: 'employeeNumber, externalId',
		description:
			'The attribute Provision User records the source key in. Source users are matched by it first, and only accounts carrying it are reconciled: accounts the package never created are left alone.',
		displayOptions: { show: { mode: ['reconcile'] } },
	},
	{
		displayName: 'Reconcile Accounts Without the Anchor',
		name: 'includeUnanchored',
		type: 'boolean',
		default: false,
		description: 'Whether accounts without the anchor attribute are reconciled too (they may be leavers the package never created)',
		displayOptions: { show: { mode: ['reconcile'] } },
	},
	{
		displayName: 'Protected Accounts',
		name: 'protectedValues',
		type: 'string',
		default: '',
		typeOptions: { rows: 3 },
		placeholder: 'breakglass@example.org\nuid=svc-backup,ou=People,dc=example,dc=org',
		description:
			'IDs, DNs, user names or match-attribute values that are never touched (break-glass and service accounts), one per line or separated by semicolons',
		displayOptions: { show: { mode: ['reconcile'] } },
	},
	{
		displayName: 'Protected Accounts Filter',
		name: 'protectedFilter',
		type: 'string',
		default: '',
		placeholder: '(employeeType=service)',
		description: 'Accounts matching this target-native filter are never touched',
		displayOptions: { show: { mode: ['reconcile'] } },
	},
];

export const thresholdProperty: INodeProperties = {
	displayName: 'Accidental-Deletion Threshold',
	name: 'threshold',
	type: 'collection',
	placeholder: 'Add Limit',
	default: {},
	description:
		'Disables and deletes are counted together. If a run would exceed a limit nothing is changed and every planned action goes to "To Approve".',
	options: [
		{
			displayName: 'Approve This Run',
			name: 'approved',
			type: 'boolean',
			default: false,
			description: 'Whether to apply the run even though it exceeds the threshold',
		},
		{
			displayName: 'Maximum Count',
			name: 'maxCount',
			type: 'number',
			default: 500,
			typeOptions: { minValue: 0 },
			description: 'Most disables and deletes one run may make, e.g. 500',
		},
		{
			displayName: 'Maximum Percentage',
			name: 'maxPercent',
			type: 'number',
			default: 10,
			description: 'Most disables and deletes one run may make, as a percentage of the accounts in the managed scope, e.g. 10',
		},
		{
			displayName: 'When Exceeded',
			name: 'onExceeded',
			type: 'options',
			options: [
				{
					name: 'Route to Needs Approval Output',
					value: 'output',
					description: 'Wire it to Stop and Error to alert through an error workflow',
				},
				{ name: 'Stop the Workflow With an Error', value: 'error', description: 'The execution fails, so n8n runs the error workflow' },
			],
			default: 'output',
			description: 'What happens when a run would exceed a limit',
		},
	],
};
