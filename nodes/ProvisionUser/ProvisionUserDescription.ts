import type { INodeProperties } from 'n8n-workflow';
import {
	applyProperty,
	concurrencyOption,
	dryRunOption,
	ldapSearchProperties,
	matchPrecedenceProperty,
	optionsCollection,
	targetCredentialSlot,
	targetProperty,
} from '../shared/descriptions';
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
					{
						displayName: 'Target Attribute',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'e.g. userName, name.givenName, uid, mail',
						description:
							'A SCIM attribute path (emails[type eq "work"].value), an LDAP attribute name, or a SQL column (or an attribute in the Column Mapping)',
					},
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
	{
		displayName: 'DN Template',
		name: 'dnTemplate',
		type: 'string',
		default: '',
		placeholder: 'uid={uid},ou=People,dc=example,dc=org',
		description: 'DN of new entries. {attribute} is replaced by that attribute\'s value, escaped. A "dn" attribute overrides it.',
		displayOptions: { show: { target: ['ldap'] } },
	},
	...ldapSearchProperties,
	...sqlTableProperties,
	optionsCollection([
		concurrencyOption,
		{
			displayName: 'Create Accounts',
			name: 'allowCreate',
			type: 'boolean',
			default: true,
			description: 'Whether unmatched items create accounts; when off they are Skipped',
		},
		dryRunOption('Whether to only report what would change, writing nothing'),
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
