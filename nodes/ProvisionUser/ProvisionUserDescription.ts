import type { INodeProperties } from 'n8n-workflow';
import {
	applyProperty,
	concurrencyOption,
	dnReferencesOption,
	dryRunOption,
	ldapSearchProperties,
	matchPrecedenceProperty,
	optionsCollection,
	targetCredentialSlot,
	targetProperty,
} from '../shared/descriptions';
import { PICKER_VERSION } from '../shared/pickers';
import { schemaCheckProperty, targetAttributeDropdown } from '../shared/schemaMethods';
import { sqlTableProperties } from '../shared/sqlDescriptions';

export const provisionUserProperties: INodeProperties[] = [
	targetProperty,
	targetCredentialSlot,
	{
		displayName: 'Attributes From',
		name: 'inputMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Define Below',
				value: 'define',
				description: 'List the target attributes here, each with a value (n8n expressions work)',
			},
			{
				name: 'Map Attributes Output (Envelope)',
				value: 'envelope',
				description: 'Each item comes from a Map Attributes node: attributes, create-only values and match keys',
			},
		],
		default: 'define',
		description: 'Where the attributes to write come from',
	},
	{
		displayName: 'Attributes',
		name: 'attributes',
		placeholder: 'Add Attribute',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		description: 'The attributes each account gets. Give at least one a match precedence, so existing accounts are found.',
		displayOptions: { show: { inputMode: ['define'] } },
		options: [
			{
				displayName: 'Attribute',
				name: 'attribute',
				// Read as a row: target attribute, its value, then when and how it is used.
				values: [
					targetAttributeDropdown({
						displayName: 'Target Attribute',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'e.g. userName, name.givenName, uid, mail',
						description:
							'A SCIM attribute path (emails[type eq "work"].value), an LDAP attribute name, or a SQL column (or an attribute in the Column Mapping)',
					}),
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. {{ $json.email }}',
						description: 'An expression returning a list makes the attribute multi-valued; objectClass also accepts a comma-separated list',
					},
					applyProperty,
					matchPrecedenceProperty,
					{
						displayName: 'Secret',
						name: 'secret',
						type: 'boolean',
						default: false,
						description: 'Whether the value is shown as [Redact] in logs (passwords always are)',
					},
				],
			},
		],
	},
	schemaCheckProperty({ show: { inputMode: ['define'] } }, 'attributes.attribute'),
	{
		displayName: 'DN Template',
		name: 'dnTemplate',
		type: 'string',
		default: '',
		placeholder: 'uid={uid},ou=People,dc=example,dc=org',
		description: 'DN of new entries. {attribute} is replaced by that attribute\'s value, escaped. A "dn" attribute overrides it.',
		displayOptions: { show: { target: ['ldap'], '@version': [1, 2] } },
	},
	{
		displayName: 'Container for New Entries',
		name: 'newEntryContainer',
		type: 'string',
		default: '',
		placeholder: 'ou=People,dc=example,dc=org',
		description: 'The OU new entries are created in. Empty: the DN Template below gives the whole DN.',
		displayOptions: { show: { target: ['ldap'], '@version': [PICKER_VERSION] } },
	},
	{
		displayName: 'DN Template',
		name: 'dnTemplate',
		type: 'string',
		default: '',
		placeholder: 'uid={uid}',
		description:
			'The name of new entries in the container above: {attribute} is replaced by that attribute\'s value, escaped. Empty: uid={uid} (cn={cn} on Active Directory). Without a container, the whole DN, e.g. uid={uid},ou=People,dc=example,dc=org. A "dn" attribute overrides it.',
		displayOptions: { show: { target: ['ldap'], '@version': [PICKER_VERSION] } },
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
		description: 'Whether the DN template also moves and renames existing entries, or only places new ones',
		displayOptions: { show: { target: ['ldap'] } },
	},
	{
		displayName: 'Account Control Flags (Active Directory)',
		name: 'accountControl',
		type: 'collection',
		placeholder: 'Add Flag',
		default: {},
		description:
			'The userAccountControl flags set on create and update, each on or off; flags not added here, and every other bit, are kept as they are',
		displayOptions: { show: { target: ['ldap'] } },
		options: [
			{
				displayName: 'Account Disabled',
				name: 'accountDisabled',
				type: 'boolean',
				default: true,
				description: 'Whether the account is disabled (ACCOUNTDISABLE, 0x2); off clears the flag',
			},
			{
				displayName: "Don't Require Kerberos Preauth",
				name: 'dontRequirePreauth',
				type: 'boolean',
				default: true,
				description: 'Whether Kerberos pre-authentication is not required (DONT_REQ_PREAUTH, 0x400000); off clears the flag',
			},
			{
				displayName: 'Not Delegated',
				name: 'notDelegated',
				type: 'boolean',
				default: true,
				description: 'Whether the account is sensitive and cannot be delegated (NOT_DELEGATED, 0x100000); off clears the flag',
			},
			{
				displayName: 'Password Never Expires',
				name: 'passwordNeverExpires',
				type: 'boolean',
				default: true,
				description: 'Whether the password never expires (DONT_EXPIRE_PASSWORD, 0x10000); off clears the flag',
			},
			{
				displayName: 'Password Not Required',
				name: 'passwordNotRequired',
				type: 'boolean',
				default: true,
				description: 'Whether the account may have an empty password (PASSWD_NOTREQD, 0x20); off clears the flag',
			},
			{
				displayName: 'Smartcard Required',
				name: 'smartcardRequired',
				type: 'boolean',
				default: true,
				description: 'Whether interactive logon needs a smart card (SMARTCARD_REQUIRED, 0x40000); off clears the flag',
			},
			{
				displayName: 'Store Password Using Reversible Encryption',
				name: 'reversibleEncryption',
				type: 'boolean',
				default: true,
				description: 'Whether the password is stored with reversible encryption (ENCRYPTED_TEXT_PWD_ALLOWED, 0x80); off clears the flag',
			},
			{
				displayName: 'Trusted for Delegation',
				name: 'trustedForDelegation',
				type: 'boolean',
				default: true,
				description: 'Whether the account is trusted for Kerberos delegation (TRUSTED_FOR_DELEGATION, 0x80000); off clears the flag',
			},
			{
				displayName: 'Use DES Key Only',
				name: 'useDesKeyOnly',
				type: 'boolean',
				default: true,
				description: 'Whether Kerberos uses only DES keys for the account (USE_DES_KEY_ONLY, 0x200000); off clears the flag',
			},
		],
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
