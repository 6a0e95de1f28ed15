import type { INodeProperties } from 'n8n-workflow';
import {
	concurrencyOption,
	dryRunOption,
	ldapSearchProperties,
	optionsCollection,
	targetCredentialSlot,
	targetProperty,
} from '../shared/descriptions';
import { sqlGroupProperties, sqlTableProperties } from '../shared/sqlDescriptions';

const defineOnly = { show: { groupsFrom: ['define'] } };

export const membershipModeProperty: INodeProperties = {
	displayName: 'Membership Mode',
	name: 'mode',
	type: 'options',
	noDataExpression: true,
	displayOptions: defineOnly,
	options: [
		{ name: 'Authoritative', value: 'authoritative', description: 'The group ends up with exactly these members' },
		{ name: 'Additive', value: 'additive', description: 'Only add members; never remove' },
		{ name: 'Remove Listed', value: 'removeListed', description: 'Remove only the members listed' },
	],
	default: 'authoritative',
	description: 'What the listed members mean for the group',
};

export const groupSyncProperties: INodeProperties[] = [
	targetProperty,
	targetCredentialSlot,
	{
		displayName: 'Groups From',
		name: 'groupsFrom',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Define Below', value: 'define', description: 'Each item is a group: name, external ID and members set below' },
			{
				name: 'SCIM Trigger Group Changes',
				value: 'events',
				description:
					"The SCIM Trigger's Group Changes output (or SCIM Store groups): created and changed groups get all their members, membership events just the members they name, deleted groups are deleted",
			},
		],
		default: 'define',
		description: 'Where the groups come from: set in this node from each item, or the SCIM Trigger’s group events',
	},
	{
		displayName: 'Group Name',
		name: 'displayName',
		type: 'string',
		default: '={{ $json.displayName }}',
		required: true,
		description: 'The group to create or update, e.g. Engineering. By default the displayName of each item.',
		displayOptions: defineOnly,
	},
	{
		displayName: 'External ID',
		name: 'externalId',
		type: 'string',
		default: '={{ $json.externalId }}',
		description: "The source's stable group ID; groups are matched by it first, then by name (so renames are followed)",
		displayOptions: defineOnly,
	},
	{
		displayName: 'Members',
		name: 'members',
		type: 'string',
		default: '={{ $json.members }}',
		description:
			'A list (or comma-separated text) of user identifiers, or objects: {"user": …}, {"ID": …} or {"dn": …} for a target reference, {"group": "Name"} for a nested group of this batch',
		displayOptions: defineOnly,
	},
	{
		displayName: 'Find Members By',
		name: 'memberKey',
		type: 'options',
		options: [
			{ name: 'User Name', value: 'userName', description: "The member's SCIM userName" },
			{ name: 'External ID', value: 'externalId', description: "The member's SCIM externalId" },
		],
		default: 'userName',
		description:
			'Members the target is not yet known to hold are looked up by this key of the SCIM Trigger user, through the Member Identifier Attribute. Members Provision User has provisioned from the same trigger are named by their remembered target ID, without a lookup.',
		displayOptions: { show: { groupsFrom: ['events'] } },
	},
	{
		displayName: 'Member Identifier Attribute',
		name: 'memberAttribute',
		type: 'string',
		default: '',
		placeholder: 'userName (SCIM), uid (LDAP) or a column (SQL)',
		description:
			'Target user attribute that member identifiers are looked up by. Empty means userName for SCIM, uid for LDAP and the key column for SQL.',
	},
	membershipModeProperty,
	{
		displayName: 'Nested Groups',
		name: 'nestedGroups',
		type: 'options',
		options: [
			{ name: 'Flatten Into Users', value: 'flatten', description: 'Members of nested groups become direct members; cycles are reported' },
			{ name: 'Sync as Nested Groups', value: 'nest', description: 'Groups become members of groups (not for posixGroup)' },
		],
		default: 'flatten',
		description: 'What a group listed as a member of another group becomes',
	},
	{
		displayName: 'Chunk Size',
		name: 'chunkSize',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 100,
		description: 'Most members added or removed per request (AWS IAM Identity Center allows 100)',
	},
	{
		displayName: 'Group Schema',
		name: 'groupSchema',
		type: 'options',
		options: [
			{ name: 'groupOfNames (Member DN)', value: 'groupOfNames', description: 'OpenLDAP and 389-DS: members as DNs in "member"' },
			{
				name: 'groupOfUniqueNames (uniqueMember DN)',
				value: 'groupOfUniqueNames',
				description: 'Members as DNs in "uniqueMember"',
			},
			{ name: 'posixGroup (memberUid)', value: 'posixGroup', description: 'Unix groups: members as uids in "memberUid"' },
			{
				name: 'Active Directory Group (Member DN, Ranged Reads)',
				value: 'activeDirectory',
				description: 'Members as DNs in "member", read in ranges for large groups',
			},
		],
		default: 'groupOfNames',
		description: 'The object class of groups in the directory',
		displayOptions: { show: { target: ['ldap'] } },
	},
	{
		displayName: 'Group Search Base',
		name: 'groupSearchBase',
		type: 'string',
		default: '',
		placeholder: 'ou=Groups,dc=example,dc=org',
		description: "Where existing groups are looked for. Empty means the credential's base DN.",
		displayOptions: { show: { target: ['ldap'] } },
	},
	{
		displayName: 'Group DN Template',
		name: 'groupDnTemplate',
		type: 'string',
		default: '',
		placeholder: 'cn={displayName},ou=Groups,dc=example,dc=org',
		description: 'DN of new groups; {displayName} is replaced by the group name, escaped',
		displayOptions: { show: { target: ['ldap'] } },
	},
	{
		displayName: 'External ID Attribute',
		name: 'externalIdAttribute',
		type: 'string',
		default: '',
		placeholder: 'description',
		description: "LDAP attribute holding the source's group ID; empty matches by name only",
		displayOptions: { show: { target: ['ldap'] } },
	},
	{
		displayName: 'GID Number',
		name: 'gidNumber',
		type: 'string',
		default: '={{ $json.gidNumber }}',
		description: 'The numeric group ID, e.g. 5001. Required to create a posixGroup.',
		displayOptions: { show: { target: ['ldap'], groupSchema: ['posixGroup'] } },
	},
	{
		displayName: 'Empty Group Member',
		name: 'placeholderMember',
		type: 'string',
		default: '',
		description: "Member DN used when a group has none: groupOfNames and groupOfUniqueNames must have one. Empty means the group's own DN.",
		displayOptions: { show: { target: ['ldap'], groupSchema: ['groupOfNames', 'groupOfUniqueNames'] } },
	},
	...ldapSearchProperties,
	...sqlTableProperties,
	...sqlGroupProperties({}),
	optionsCollection([concurrencyOption, dryRunOption('Whether to only report the membership diff')]),
];
