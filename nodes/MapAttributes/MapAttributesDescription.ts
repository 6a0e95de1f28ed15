import type { INodeProperties } from 'n8n-workflow';
import { PRESETS } from '../../lib/mapping/presets';
import { SCOPING_OPERATORS } from '../../lib/mapping/scoping';
import { applyProperty, matchPrecedenceProperty, optionsCollection } from '../shared/descriptions';
import { sqlTableProperties } from '../shared/sqlDescriptions';

export const mapAttributesProperties: INodeProperties[] = [
	{
		displayName: 'Preset',
		name: 'preset',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'None (Custom Mapping)', value: 'none' },
			...Object.entries(PRESETS).map(([value, p]) => ({ name: p.name, value, description: p.description })),
		],
		default: 'none',
		description: "Start from ready-made rows; rows below with the same target attribute replace the preset's",
	},
	{
		displayName: 'Mappings',
		name: 'mappings',
		placeholder: 'Add Mapping',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		options: [
			{
				displayName: 'Mapping',
				name: 'mapping',
				values: [
					applyProperty,
					{
						displayName: 'Clear When Empty',
						name: 'clearWhenEmpty',
						type: 'boolean',
						default: false,
						description:
							"Whether an empty value removes the attribute's value in the target (as Entra flows nulls), instead of leaving the old value. Not for rows applied only during creation.",
					},
					{
						displayName: 'Constant Value',
						name: 'constant',
						type: 'string',
						default: '',
					},
					{
						displayName: 'Default Value If Null',
						name: 'defaultValue',
						type: 'string',
						default: '',
						description: 'Set on create only, when the mapping yields nothing (as in Entra)',
					},
					{
						displayName: 'Expression',
						name: 'expression',
						type: 'string',
						default: '',
						placeholder: 'Join(".", [givenName], [surname])',
						description: 'Entra\'s function language: [attribute], "text", and functions such as Join, Switch, Replace, FormatDateTime',
					},
					{
						displayName: 'Mapping Type',
						name: 'type',
						type: 'options',
						options: [
							{
								name: 'Direct',
								value: 'direct',
								description: 'Copy a source attribute',
							},
							{
								name: 'Constant',
								value: 'constant',
							},
							{
								name: 'Expression',
								value: 'expression',
								description: "Entra's function language",
							},
							{
								name: 'None',
								value: 'none',
								description: 'Only the default value, on create',
							},
						],
						default: 'direct',
					},
					matchPrecedenceProperty,
					{
						displayName: 'Reference to Account By',
						name: 'referenceBy',
						type: 'string',
						default: '',
						placeholder: 'employeeNumber, userName, mail',
						description:
							"For an attribute that names another account, such as a manager: the target attribute that account is found by, with this row's value (e.g. the manager's employee ID). The action node writes that account's ID or DN instead, once it exists.",
					},
					{
						displayName: 'Required',
						name: 'required',
						type: 'boolean',
						default: false,
						description: 'Whether an empty value fails the item',
					},
					{
						displayName: 'Source Attribute',
						name: 'source',
						type: 'string',
						default: '',
						placeholder: "givenName, manager.email, emails[type eq 'work'].value",
					},
					{
						displayName: 'Target Attribute',
						name: 'target',
						type: 'string',
						default: '',
						placeholder: 'userName, name.givenName, uid, mail',
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
		placeholder: 'title, departmentNumber',
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
				values: [
					{ displayName: 'Filter Group', name: 'group', type: 'number', default: 1 },
					{ displayName: 'Source Attribute', name: 'attribute', type: 'string', default: '' },
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'options',
						options: SCOPING_OPERATORS.map((o) => ({ name: o, value: o })),
						default: '',
					},
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Check SelectUniqueValue Against',
		name: 'target',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Nothing (No SelectUniqueValue)', value: 'none' },
			{ name: 'SCIM 2.0 App', value: 'scim' },
			{ name: 'LDAP Directory', value: 'ldap' },
			{ name: 'SQL Database', value: 'sql' },
		],
		default: 'none',
		description: 'SelectUniqueValue takes the first candidate not already taken in this target',
	},
	...sqlTableProperties,
	optionsCollection([
		{
			displayName: 'Source Object Path',
			name: 'sourcePath',
			type: 'string',
			default: '',
			placeholder: 'resource',
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
