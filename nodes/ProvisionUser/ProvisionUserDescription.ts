import type { INodeProperties } from 'n8n-workflow';
import {
	applyProperty,
	concurrencyOption,
	dnReferencesOption,
	dryRunOption,
	ldapSearchProperties,
	matchPrecedenceProperty,
	optionsCollection,
	targetProperty,
} from '../shared/descriptions';
import { sqlTableProperties } from '../shared/sqlDescriptions';

export const provisionUserProperties: INodeProperties[] = [
	targetProperty,
	{
		displayName: 'Attributes From',
		name: 'inputMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Define Below', value: 'define', description: 'List the target attributes here, with n8n expressions' },
			{
				name: 'Map Attributes Output (Envelope)',
				value: 'envelope',
				description: 'Items already hold attributes, create-only values and match keys',
			},
		],
		default: 'define',
	},
	{
		displayName: 'Attributes',
		name: 'attributes',
		placeholder: 'Add Attribute',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		displayOptions: { show: { inputMode: ['define'] } },
		options: [
			{
				displayName: 'Attribute',
				name: 'attribute',
				values: [
					applyProperty,
					matchPrecedenceProperty,
					{
						displayName: 'Secret',
						name: 'secret',
						type: 'boolean',
						default: false,
						description: 'Whether the value is shown as [Redact] in logs (passwords always are)',
					},
					{
						displayName: 'Target Attribute',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: "userName, name.givenName, emails[type eq 'work'].value, uid, mail",
						description: 'A SCIM attribute path, an LDAP attribute name, or a SQL column (or an attribute in the Column Mapping)',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'An expression returning a list makes the attribute multi-valued; objectClass also accepts a comma-separated list',
					},
				],
			},
		],
	},
	{
		displayName: 'DN Template',
		name: 'dnTemplate',
		type: 'string',
		default: '',
		placeholder: 'uid={uid},ou=People,dc=example,dc=org',
		description: 'DN of new entries. {attribute} is replaced by that attribute\'s value, escaped. A "dn" attribute overrides it.',
		displayOptions: { show: { target: ['ldap'] } },
	},
	{
		displayName: 'Apply DN Template',
		name: 'dnTemplateApply',
		type: 'options',
		options: [
			{ name: 'Only During Creation', value: 'create', description: 'Existing entries stay where they are' },
			{
				name: 'Always (Move and Rename Entries)',
				value: 'always',
				description:
					'An entry whose template DN changed (a new department OU, a new name) is moved and renamed in one modify DN; group memberships follow',
			},
		],
		default: 'create',
		displayOptions: { show: { target: ['ldap'] } },
	},
	...ldapSearchProperties,
	...sqlTableProperties,
	optionsCollection([
		{
			displayName: 'Anchor Attribute',
			name: 'anchorAttribute',
			type: 'string',
			default: '',
			placeholder: 'employeeNumber, externalId',
			description:
				'A target attribute that records the source key on the account (map it in the attributes). Accounts are matched by it before any other key, so a user whose user name and email change together is updated, not duplicated.',
		},
		concurrencyOption,
		{
			displayName: 'Create Accounts',
			name: 'allowCreate',
			type: 'boolean',
			default: true,
			description: 'Whether unmatched items create accounts; when off they are Skipped',
		},
		{ ...dnReferencesOption, displayOptions: { show: { '/target': ['ldap'] } } },
		dryRunOption('Whether to only report what would change, writing nothing'),
		{
			displayName: 'Must Change Password at Next Logon',
			name: 'mustChangePassword',
			type: 'boolean',
			default: false,
			description: 'Whether new Active Directory accounts must set a new password when they first log on (pwdLastSet 0)',
			displayOptions: { show: { '/target': ['ldap'] } },
		},
		{
			displayName: 'Remember Target IDs',
			name: 'rememberTargetIds',
			type: 'boolean',
			default: true,
			description:
				"Whether users that came from a SCIM Trigger are remembered by their ID in this target (as Entra does) in the trigger's store: they are matched by it first, so a user whose every match key changed is updated, not duplicated, and Group Sync names them without a lookup",
		},
		{
			displayName: 'Update Accounts',
			name: 'allowUpdate',
			type: 'boolean',
			default: true,
			description: 'Whether matched accounts are updated; when off they are Skipped with the differences reported',
		},
	]),
];
