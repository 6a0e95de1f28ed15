import type { INodeProperties } from 'n8n-workflow';
import {
	concurrencyOption,
	dnReferencesOption,
	dryRunOption,
	ldapSearchProperties,
	optionsCollection,
	targetProperty,
} from '../shared/descriptions';
import { sqlGroupProperties, sqlTableProperties } from '../shared/sqlDescriptions';

export const deprovisionUserProperties: INodeProperties[] = [
	targetProperty,
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Per Item', value: 'perItem', description: 'Each input item names an account to deprovision' },
			{
				name: 'Reconcile Leavers',
				value: 'reconcile',
				description: 'The input items are the complete source; accounts in the managed scope that none of them match are deprovisioned',
			},
		],
		default: 'perItem',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Delete',
				value: 'delete',
				description: 'SCIM DELETE or LDAP delete; an account already gone counts as done',
				action: 'Delete accounts',
			},
			{
				name: 'Disable',
				value: 'disable',
				description: 'SCIM active=false; LDAP per directory flavour (as Entra does)',
				action: 'Disable accounts',
			},
			{ name: 'Reactivate', value: 'enable', description: 'Enable a disabled account again', action: 'Reactivate accounts' },
			{ name: 'Remove From All Groups', value: 'removeFromGroups', action: 'Remove accounts from all groups' },
		],
		default: 'disable',
	},
	{
		displayName: 'Identify Accounts From',
		name: 'inputMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Define Below', value: 'define' },
			{ name: 'Map Attributes Output (Envelope)', value: 'envelope' },
		],
		default: 'define',
	},
	{
		displayName: 'Match Keys',
		name: 'matchKeys',
		placeholder: 'Add Match Key',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		description: 'Tried in this order; the first key that finds an account wins',
		displayOptions: { show: { inputMode: ['define'] } },
		options: [
			{
				displayName: 'Match Key',
				name: 'key',
				values: [
					{ displayName: 'Target Attribute', name: 'attribute', type: 'string', default: '', placeholder: 'userName, externalId, uid, dn' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	...ldapSearchProperties,
	...sqlTableProperties,
	...sqlGroupProperties({ operation: ['delete', 'removeFromGroups'] }, true),
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
	{
		displayName: 'OpenLDAP Disable Method',
		name: 'openLdapDisable',
		type: 'options',
		options: [
			{ name: 'Password Policy Lock (pwdAccountLockedTime)', value: 'ppolicy' },
			{ name: 'Set an Attribute', value: 'attribute' },
			{ name: 'Move to a Disabled OU', value: 'move' },
		],
		default: 'ppolicy',
		description: 'How OpenLDAP accounts are disabled. Active Directory uses userAccountControl and 389-DS nsAccountLock.',
		displayOptions: { show: { target: ['ldap'] } },
	},
	{
		displayName: 'Disable Attribute',
		name: 'disableAttribute',
		type: 'string',
		default: 'employeeType',
		displayOptions: { show: { target: ['ldap'], openLdapDisable: ['attribute'] } },
	},
	{
		displayName: 'Disabled Value',
		name: 'disableValue',
		type: 'string',
		default: 'disabled',
		displayOptions: { show: { target: ['ldap'], openLdapDisable: ['attribute'] } },
	},
	{
		displayName: 'Disabled OU',
		name: 'disabledContainer',
		type: 'string',
		default: '',
		placeholder: 'ou=Disabled,dc=example,dc=org',
		displayOptions: { show: { target: ['ldap'], openLdapDisable: ['move'] } },
	},
	{
		displayName: 'Enabled OU',
		name: 'enabledContainer',
		type: 'string',
		default: '',
		placeholder: 'ou=People,dc=example,dc=org',
		description: 'Where reactivated accounts are moved back to',
		displayOptions: { show: { target: ['ldap'], openLdapDisable: ['move'] } },
	},
	{
		displayName: 'Accidental-Deletion Threshold',
		name: 'threshold',
		type: 'collection',
		placeholder: 'Add Limit',
		default: {},
		description:
			'Disables and deletes are counted together. If a run would exceed a limit nothing is changed and every planned action goes to "Needs Approval".',
		options: [
			{
				displayName: 'Approve This Run',
				name: 'approved',
				type: 'boolean',
				default: false,
				description: 'Whether to apply the run even though it exceeds the threshold',
			},
			{ displayName: 'Maximum Count', name: 'maxCount', type: 'number', default: 500, typeOptions: { minValue: 0 } },
			{
				displayName: 'Maximum Percentage',
				name: 'maxPercent',
				type: 'number',
				default: 10,
				description: 'Of the accounts in the managed scope',
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
			},
		],
	},
	optionsCollection([
		concurrencyOption,
		{ ...dnReferencesOption, displayOptions: { show: { '/target': ['ldap'], '/openLdapDisable': ['move'] } } },
		dryRunOption('Whether to only report what would be disabled or deleted'),
		{
			displayName: 'Remember Target IDs',
			name: 'rememberTargetIds',
			type: 'boolean',
			default: true,
			description:
				'Whether users from a SCIM Trigger are matched first by the ID Provision User remembered for them in this target, and forgotten once deleted',
		},
		{
			displayName: 'When the Source Deleted the User',
			name: 'whenSourceDeleted',
			type: 'options',
			options: [
				{ name: 'Disable the Account', value: 'disable', description: 'The same as any leaver' },
				{
					name: 'Delete the Account',
					value: 'delete',
					description: 'A user the IdP deleted (not just deactivated) is deleted in the target, as Entra does on a hard delete',
				},
			],
			default: 'disable',
			description: 'For SCIM Trigger users that the trigger no longer holds, when the operation is Disable',
		},
	]),
];
