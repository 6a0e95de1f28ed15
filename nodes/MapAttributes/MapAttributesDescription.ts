import type { INodeProperties } from 'n8n-workflow';
import { PRESETS } from '../../lib/mapping/presets';
import type { ScopingOperator } from '../../lib/mapping/scoping';
import { applyProperty, matchPrecedenceProperty, optionsCollection, targetCredentialSlot } from '../shared/descriptions';
import { schemaCheckProperty, targetAttributeDropdown } from '../shared/schemaMethods';
import { sqlTableProperties } from '../shared/sqlDescriptions';

export const presetProperty: INodeProperties = {
	displayName: 'Preset',
	name: 'preset',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'None (Custom Mapping)', value: 'none', description: 'Only the mapping rows below' },
		...Object.entries(PRESETS).map(([value, p]) => ({ name: p.name, value, description: p.description })),
	],
	default: 'none',
	description: "Start from ready-made rows; rows below with the same target attribute replace the preset's",
};

/** Short preset names for the node's subtitle on the canvas. */
export const PRESET_SUBTITLES: Record<string, string> = {
	none: 'Custom mapping',
	scimToOpenLdap: 'SCIM → OpenLDAP',
	scimToActiveDirectory: 'SCIM → Active Directory',
	hrCsvToScim: 'HR CSV → SCIM',
	scimPassthrough: 'SCIM → SCIM',
	hrInboundToOpenLdap: 'HR inbound → OpenLDAP',
	hrInboundToActiveDirectory: 'HR inbound → Active Directory',
	hrInboundToScim: 'HR inbound → SCIM',
};

/** What each scoping operator does, in the words of the row's help text. */
const OPERATORS: Record<ScopingOperator, string> = {
	EQUALS: 'The attribute (or one of its values) is exactly the value',
	'NOT EQUALS': 'No value of the attribute is exactly the value',
	'IS TRUE': 'The attribute is true (or "true")',
	'IS FALSE': 'The attribute is false (or "false")',
	'IS NULL': 'The attribute is missing or empty',
	'IS NOT NULL': 'The attribute has a value',
	'REGEX MATCH': 'A value of the attribute matches the regular expression',
	'NOT REGEX MATCH': 'No value of the attribute matches the regular expression',
	Greater_Than: 'The attribute is a number greater than the value (an integer)',
	Greater_Than_OR_EQUALS: 'The attribute is a number greater than or equal to the value (an integer)',
	ENDS_WITH: 'A value of the attribute ends with the value (ignoring case)',
	Includes: 'A value of the attribute contains the value (ignoring case)',
	'&': 'The attribute, as a number, has one of the bits of the value set (bitwise AND)',
	'!&': 'The attribute, as a number, has none of the bits of the value set',
};
const UNARY_OPERATORS: ScopingOperator[] = ['IS TRUE', 'IS FALSE', 'IS NULL', 'IS NOT NULL'];

const TARGET_ATTRIBUTE: INodeProperties = {
	displayName: 'Target Attribute',
	name: 'target',
	type: 'string',
	default: '',
	placeholder: 'e.g. userName, name.givenName, uid, mail',
	description: 'The attribute to fill: a SCIM path such as emails[type eq "work"].value, an LDAP attribute, or a SQL column',
};

export const mapAttributesProperties: INodeProperties[] = [
	presetProperty,
	{
		displayName: 'Mappings',
		name: 'mappings',
		placeholder: 'Add Mapping',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		description: 'One row per target attribute: where its value comes from, and how it is used',
		options: [
			{
				displayName: 'Mapping',
				name: 'mapping',
				// A row reads as a mapping: target attribute ← mapping type ← source, constant or Entra expression; each
				// row shows only the field its type uses.
				// eslint-disable-next-line n8n-nodes-base/node-param-fixed-collection-type-unsorted-items
				values: [
					// Free text without a target; with one, its schema's attributes (same name: saved rows are unchanged).
					{ ...TARGET_ATTRIBUTE, displayOptions: { show: { '/target': ['none'] } } },
					{ ...targetAttributeDropdown(TARGET_ATTRIBUTE), displayOptions: { hide: { '/target': ['none'] } } },
					{
						displayName: 'Mapping Type',
						name: 'type',
						type: 'options',
						options: [
							{ name: 'Direct', value: 'direct', description: 'Copy a source attribute as it is' },
							{ name: 'Constant', value: 'constant', description: 'Always the same text' },
							{
								name: 'Entra Expression',
								value: 'expression',
								description: 'Computed with Entra\'s function language, e.g. Join(".", [givenName], [surname])',
							},
							{ name: 'None', value: 'none', description: 'Only the default value, when the account is created' },
						],
						default: 'direct',
						description: 'Where the value comes from',
					},
					{
						displayName: 'Source Attribute',
						name: 'source',
						type: 'string',
						default: '',
						placeholder: 'e.g. givenName, manager.email, emails[type eq "work"].value',
						description: 'The attribute of the input item to copy',
						displayOptions: { show: { type: ['direct'] } },
					},
					{
						displayName: 'Constant Value',
						name: 'constant',
						type: 'string',
						default: '',
						placeholder: 'e.g. Employee',
						description: 'The text every account gets',
						displayOptions: { show: { type: ['constant'] } },
					},
					{
						// Not "Expression": n8n's own Fixed/Expression switch sits beside every field.
						displayName: 'Entra Expression',
						name: 'expression',
						type: 'string',
						typeOptions: { rows: 2 },
						default: '',
						placeholder: 'e.g. Join(".", [givenName], [surname])',
						description:
							'Entra\'s function language, as in Entra ID\'s attribute mappings: [attribute], "text", and functions such as Join, Switch, Replace, FormatDateTime',
						displayOptions: { show: { type: ['expression'] } },
					},
					{
						displayName: 'Default Value If Null',
						name: 'defaultValue',
						type: 'string',
						default: '',
						placeholder: 'e.g. Unknown',
						description: 'Set on create only, when the mapping yields nothing (as in Entra)',
					},
					{ ...applyProperty, displayOptions: { hide: { type: ['none'] } } },
					matchPrecedenceProperty,
					{
						displayName: 'Reference to Account By',
						name: 'referenceBy',
						type: 'string',
						default: '',
						placeholder: 'employeeNumber, userName, mail',
						description:
							"For an attribute that names another account, such as a manager: the target attribute that account is found by, with this row's value (e.g. the manager's employee ID). The action node writes that account's ID or DN instead, once it exists.",
						displayOptions: { hide: { type: ['none'] } },
					},
					{
						displayName: 'Required',
						name: 'required',
						type: 'boolean',
						default: false,
						description: 'Whether an empty value fails the item',
					},
					{
						displayName: 'Clear When Empty',
						name: 'clearWhenEmpty',
						type: 'boolean',
						default: false,
						description:
							"Whether an empty value removes the attribute's value in the target (as Entra flows nulls), instead of leaving the old value. Not for rows applied only during creation.",
						displayOptions: { hide: { type: ['none'] } },
					},
				],
			},
		],
	},
	{
		displayName: 'Remove Preset Attributes',
		name: 'removeAttributes',
		type: 'string',
		default: '',
		placeholder: 'e.g. title, departmentNumber',
		description: 'Comma-separated target attributes of the preset not to map',
		displayOptions: { hide: { preset: ['none'] } },
	},
	{
		displayName: 'Scoping Filter',
		name: 'scoping',
		placeholder: 'Add Clause',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		description:
			'Clauses of the same filter group are ANDed; groups are ORed. Items out of scope go to the second output. A clause on an empty value is false.',
		options: [
			{
				displayName: 'Clause',
				name: 'clause',
				// Reads as a condition: attribute, operator, value; then the group it belongs to.
				values: [
					{
						displayName: 'Source Attribute',
						name: 'attribute',
						type: 'string',
						default: '',
						placeholder: 'e.g. department, active',
						description: 'The attribute of the input item to test',
					},
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'options',
						options: Object.entries(OPERATORS).map(([value, description]) => ({ name: value, value, description })),
						default: 'EQUALS',
						description: "How the attribute is compared (Entra's scoping operators)",
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. Engineering',
						description: 'What the attribute is compared with',
						displayOptions: { hide: { operator: UNARY_OPERATORS } },
					},
					{
						displayName: 'Filter Group',
						name: 'group',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 1,
						description: 'Clauses with the same number must all be true; an item is in scope when any group is',
					},
				],
			},
		],
	},
	{
		displayName: 'Target',
		name: 'target',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'None', value: 'none', description: 'Target Attributes are typed; SelectUniqueValue cannot be used' },
			{
				name: 'SCIM 2.0 App',
				value: 'scim',
				description: "Target Attributes listed from the app's schema; SelectUniqueValue skips candidates the app has taken",
			},
			{
				name: 'LDAP Directory',
				value: 'ldap',
				description: "Target Attributes listed from the directory's schema; SelectUniqueValue skips candidates already taken",
			},
			{
				name: 'SQL Database',
				value: 'sql',
				description: "Target Attributes listed from the table's columns; SelectUniqueValue skips candidates already taken",
			},
		],
		default: 'none',
		description:
			'The target the rows are for (optional): its schema lists the Target Attributes and checks the rows in the editor, and SelectUniqueValue takes the first candidate not already taken in it. Reading the schema never writes.',
	},
	targetCredentialSlot,
	schemaCheckProperty({ hide: { target: ['none'] } }, 'mappings.mapping'),
	...sqlTableProperties,
	optionsCollection([
		{
			displayName: 'Source Object Path',
			name: 'sourcePath',
			type: 'string',
			default: '',
			placeholder: 'e.g. resource',
			description: 'Map from an object inside the item, e.g. "resource" for SCIM Trigger events or "body" for webhook calls',
		},
		{
			displayName: 'Read Current State of SCIM Trigger Events',
			name: 'readCurrentState',
			type: 'boolean',
			default: true,
			description:
				'Whether SCIM Trigger events (Source Object Path "resource" or "before") are mapped from the user or group as the trigger\'s store holds it now, rather than as the event saw it. Executions that run out of order then still converge; a user the store no longer holds is Out of Scope.',
		},
		{
			displayName: 'Treat Missing Fields as Empty',
			name: 'missingAsEmpty',
			type: 'boolean',
			default: false,
			description: 'Whether a Direct mapping from a field the item lacks yields nothing (as in Entra) instead of failing the item',
		},
	]),
];
