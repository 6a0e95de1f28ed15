/** Node parameters of the SQL target: the users table (every action node) and the group tables (Group Sync, Deprovision). */
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

const forSql: IDisplayOptions = { show: { target: ['sql'] } };

/** The users table: where accounts live and how attributes map to columns. */
export const sqlTableProperties: INodeProperties[] = [
	{
		displayName: 'Table',
		name: 'sqlTable',
		type: 'string',
		default: 'users',
		required: true,
		placeholder: 'users or app.users',
		description: 'The table holding the accounts, optionally with its schema (PostgreSQL) or database (MySQL)',
		displayOptions: forSql,
	},
	{
		displayName: 'Key Column',
		name: 'sqlKeyColumn',
		type: 'string',
		default: 'id',
		description: 'Primary key of the table: the account’s target ID. The database generates it unless an attribute maps to it.',
		displayOptions: forSql,
	},
	{
		displayName: 'Column Mapping',
		name: 'sqlColumns',
		placeholder: 'Add Column',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Attributes stored in a column of another name; every other attribute goes to the column of its own name',
		displayOptions: forSql,
		options: [
			{
				displayName: 'Column',
				name: 'mapping',
				values: [
					{ displayName: 'Attribute', name: 'attribute', type: 'string', default: '', placeholder: 'name.givenName' },
					{ displayName: 'Column', name: 'column', type: 'string', default: '', placeholder: 'given_name' },
				],
			},
		],
	},
	{
		displayName: 'Multi-Valued Attributes',
		name: 'sqlMultiValued',
		placeholder: 'Add Multi-Valued Attribute',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Attributes with several values: one row per value in a child table, or a JSON array in a column',
		displayOptions: forSql,
		options: [
			{
				displayName: 'Attribute',
				name: 'attribute',
				values: [
					{ displayName: 'Attribute', name: 'attribute', type: 'string', default: '', placeholder: 'roles' },
					{
						displayName: 'Child Table',
						name: 'table',
						type: 'string',
						default: '',
						placeholder: 'user_roles',
						description: 'Table with one row per value. Empty means a JSON array in the column named below (or like the attribute).',
					},
					{
						displayName: 'JSON Column',
						name: 'column',
						type: 'string',
						default: '',
						description: 'Without a child table: the column holding the JSON array; empty means the column named like the attribute',
					},
					{ displayName: 'User Key Column', name: 'userKeyColumn', type: 'string', default: 'user_id' },
					{ displayName: 'Value Column', name: 'valueColumn', type: 'string', default: 'value' },
				],
			},
		],
	},
	{
		displayName: 'Account State',
		name: 'sqlAccountState',
		type: 'collection',
		placeholder: 'Add Column',
		default: {},
		description: 'Set these the same on every node that uses this table',
		displayOptions: forSql,
		options: [
			{
				displayName: 'Active Column',
				name: 'activeColumn',
				type: 'string',
				default: 'active',
				description: 'Column saying whether the account is enabled (Disable and Reactivate set it)',
			},
			{ displayName: 'Enabled Value', name: 'enabledValue', type: 'string', default: 'true' },
			{ displayName: 'Disabled Value', name: 'disabledValue', type: 'string', default: 'false', placeholder: 'false or disabled' },
			{
				displayName: 'Soft-Delete Column',
				name: 'softDeleteColumn',
				type: 'string',
				default: 'deleted_at',
				description:
					'Timestamp column: Delete sets it to now instead of removing the row, and rows where it is set are no longer accounts (not matched, listed or resolved as members)',
			},
		],
	},
];

/**
 * The groups table and the membership table, shown where groups are used. `optional`: the tables are empty by
 * default (Deprovision User, where only Remove From All Groups and hard deletes need them).
 */
export function sqlGroupProperties(show: IDisplayOptions['show'], optional = false): INodeProperties[] {
	const displayOptions: IDisplayOptions = { show: { ...show, target: ['sql'] } };
	const properties: INodeProperties[] = [
		{
			displayName: 'Groups Table',
			name: 'sqlGroupsTable',
			type: 'string',
			default: 'groups',
			placeholder: 'groups',
			displayOptions,
		},
		{ displayName: 'Group Key Column', name: 'sqlGroupKeyColumn', type: 'string', default: 'id', displayOptions },
		{ displayName: 'Group Name Column', name: 'sqlGroupNameColumn', type: 'string', default: 'name', displayOptions },
		{
			displayName: 'Group External ID Column',
			name: 'sqlGroupExternalIdColumn',
			type: 'string',
			default: '',
			description: "Column holding the source's group ID; empty matches groups by name only",
			displayOptions,
		},
		{
			displayName: 'Membership Table',
			name: 'sqlMembershipTable',
			type: 'string',
			default: 'group_members',
			placeholder: 'group_members',
			description: 'One row per membership: the group’s key and the user’s key',
			displayOptions,
		},
		{ displayName: 'Membership Group Column', name: 'sqlMembershipGroupColumn', type: 'string', default: 'group_id', displayOptions },
		{ displayName: 'Membership User Column', name: 'sqlMembershipUserColumn', type: 'string', default: 'user_id', displayOptions },
	];
	const tables = ['sqlGroupsTable', 'sqlMembershipTable'];
	return optional ? properties.map((p) => (tables.includes(p.name) ? { ...p, default: '' } : p)) : properties;
}
