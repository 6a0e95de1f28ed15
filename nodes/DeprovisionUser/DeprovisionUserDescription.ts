import type { INodeProperties } from 'n8n-workflow';
import {
	concurrencyOption,
	dnReferencesOption,
	dryRunOption,
	ldapSearchProperties,
	optionsCollection,
	targetCredentialSlot,
	targetProperty,
} from '../shared/descriptions';
import { sqlGroupProperties, sqlTableProperties } from '../shared/sqlDescriptions';
import { reconcileScopeProperties, thresholdProperty } from './reconcileProperties';

export const modeProperty: INodeProperties = {
	displayName: 'Mode',
	name: 'mode',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Per Item', value: 'perItem', description: 'Each input item names one account to deprovision (a leaver event)' },
		{
			name: 'Reconcile Leavers',
			value: 'reconcile',
			description:
				'The input items are the complete source (e.g. an HR export); accounts in the managed scope that none of them match are deprovisioned',
		},
	],
	default: 'perItem',
	description: 'Whether the items name the accounts to change, or are the full list of people who should keep theirs',
};

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Delete',
			value: 'delete',
			description: 'SCIM DELETE, LDAP delete or SQL DELETE; an account already gone counts as done',
			action: 'Delete accounts',
		},
		{
			name: 'Disable',
			value: 'disable',
			description:
				"SCIM active=false; in LDAP the way the directory flavour disables accounts (as Entra does); in SQL the table's active column",
			action: 'Disable accounts',
		},
		{ name: 'Reactivate', value: 'enable', description: 'Enable a disabled account again', action: 'Reactivate accounts' },
		{
			name: 'Remove From All Groups',
			value: 'removeFromGroups',
			description: 'Take the account out of every group that lists it; the account itself stays',
			action: 'Remove accounts from all groups',
		},
		{
			name: 'Reset Password (Active Directory)',
			value: 'resetPassword',
			description: 'Set a new password (unicodePwd) over LDAPS or StartTLS, refused on an unencrypted connection; per item',
			action: 'Reset account passwords',
		},
	],
	default: 'disable',
	description: 'What happens to each account found',
};

export const deprovisionUserProperties: INodeProperties[] = [
	targetProperty,
	targetCredentialSlot,
	modeProperty,
	operationProperty,
	{
		displayName: 'New Password',
		name: 'newPassword',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		description:
			'The password each matched account gets (an expression can give one per item). It is sent only to the directory: never in the output, the provisioning log or an error.',
		displayOptions: { show: { operation: ['resetPassword'] } },
	},
	{
		displayName: 'Must Change Password at Next Logon',
		name: 'resetMustChangePassword',
		type: 'boolean',
		default: true,
		description: 'Whether the user must choose a new password at next logon (pwdLastSet 0)',
		displayOptions: { show: { operation: ['resetPassword'] } },
	},
	{
		displayName: 'Identify Accounts From',
		name: 'inputMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Define Below', value: 'define', description: 'Match keys listed here, with values from each item (n8n expressions work)' },
			{
				name: 'Map Attributes Output (Envelope)',
				value: 'envelope',
				description: 'Each item comes from a Map Attributes node and carries its match keys',
			},
		],
		default: 'define',
		description: 'How each item says which account it means',
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
					{
						displayName: 'Target Attribute',
						name: 'attribute',
						type: 'string',
						default: '',
						placeholder: 'e.g. userName, externalId, uid, dn',
						description: 'The account attribute to look the value up in',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. {{ $json.email }}',
						description: 'The value an account must have in that attribute',
					},
				],
			},
		],
	},
	...ldapSearchProperties,
	...sqlTableProperties,
	...sqlGroupProperties({ operation: ['delete', 'removeFromGroups'] }, true),
	...reconcileScopeProperties,
	{
		displayName: 'OpenLDAP Disable Method',
		name: 'openLdapDisable',
		type: 'options',
		options: [
			{
				name: 'Password Policy Lock (pwdAccountLockedTime)',
				value: 'ppolicy',
				description: 'Needs the ppolicy overlay; the account cannot bind until unlocked',
			},
			{ name: 'Set an Attribute', value: 'attribute', description: 'Write a chosen value into a chosen attribute' },
			{ name: 'Move to a Disabled OU', value: 'move', description: 'Move the entry into another container' },
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
		description: 'The attribute that marks an account disabled, e.g. employeeType',
		displayOptions: { show: { target: ['ldap'], openLdapDisable: ['attribute'] } },
	},
	{
		displayName: 'Disabled Value',
		name: 'disableValue',
		type: 'string',
		default: 'disabled',
		description: 'The value written into it, e.g. disabled',
		displayOptions: { show: { target: ['ldap'], openLdapDisable: ['attribute'] } },
	},
	{
		displayName: 'Disabled OU',
		name: 'disabledContainer',
		type: 'string',
		default: '',
		placeholder: 'ou=Disabled,dc=example,dc=org',
		description: 'Where disabled accounts are moved',
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
	thresholdProperty,
	optionsCollection([
		concurrencyOption,
		{
			displayName: 'Delete Disabled Accounts After (Days)',
			name: 'deleteDisabledAfterDays',
			type: 'number',
			default: 30,
			typeOptions: { minValue: 0 },
			description:
				"Delayed deletion (Entra's soft delete, then a hard delete): leavers are disabled first, and a leaver disabled for more than this many days is deleted. The deletes count toward the accidental-deletion threshold.",
			displayOptions: { show: { '/mode': ['reconcile'], '/operation': ['disable'] } },
		},
		{
			displayName: 'Disabled Time Attribute',
			name: 'disabledTimeAttribute',
			type: 'string',
			default: '',
			placeholder: 'pwdEndTime, extensionAttribute15, urn:…:User:disabledAt, disabled_at',
			description:
				'Where a disable records its time, for delayed deletion: an LDAP attribute (GeneralizedTime, cleared on reactivation), a SCIM attribute path (ISO time) or a SQL timestamp column (cleared on reactivation). Empty: OpenLDAP with the password-policy lock uses pwdEndTime; other directories read modifyTimestamp and SCIM apps meta.lastModified, the last change (a later change restarts the wait); SQL records none.',
		},
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
