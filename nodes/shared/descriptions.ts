import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import { LDAP_CREDENTIAL, SCIM_CREDENTIAL, SQL_CREDENTIAL } from './targets';

/** The target credentials, shown according to the "Target" parameter. */
export const targetCredentials: INodeCredentialDescription[] = [
	{
		name: SCIM_CREDENTIAL,
		required: true,
		displayOptions: { show: { target: ['scim'] } },
		testedBy: 'scimTargetApiTest',
	},
	{
		name: LDAP_CREDENTIAL,
		required: true,
		displayOptions: { show: { target: ['ldap'] } },
		testedBy: 'ldapDirectoryApiTest',
	},
	{
		name: SQL_CREDENTIAL,
		required: true,
		displayOptions: { show: { target: ['sql'] } },
		testedBy: 'sqlDatabaseApiTest',
	},
];

export const targetProperty: INodeProperties = {
	displayName: 'Target',
	name: 'target',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'SCIM 2.0 App', value: 'scim', description: 'Slack, GitHub, Zoom, Atlassian, or any SCIM 2.0 service provider' },
		{ name: 'LDAP Directory', value: 'ldap', description: 'OpenLDAP, 389 Directory Server or Active Directory' },
		{ name: 'SQL Database', value: 'sql', description: 'An application’s users table in PostgreSQL or MySQL/MariaDB' },
	],
	default: 'scim',
};

export const ldapSearchProperties: INodeProperties[] = [
	{
		displayName: 'Search Base',
		name: 'searchBase',
		type: 'string',
		default: '',
		placeholder: 'ou=People,dc=example,dc=org',
		description: "Where accounts are matched; empty means the credential's base DN",
		displayOptions: { show: { target: ['ldap'] } },
	},
	{
		displayName: 'Object Filter',
		name: 'objectFilter',
		type: 'string',
		default: '(objectClass=inetOrgPerson)',
		description: 'Limits matching to account entries. For Active Directory use (&(objectCategory=person)(objectClass=user)).',
		displayOptions: { show: { target: ['ldap'] } },
	},
];

/** The options every action node shares. */
export const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 64 },
	default: 4,
	description: 'How many items are worked on at once',
};

export function dryRunOption(description: string): INodeProperties {
	return { displayName: 'Dry Run', name: 'dryRun', type: 'boolean', default: false, description };
}

/** The "Options" collection of an action node. */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return { displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, options };
}

/** Entra's "Apply this mapping": always, or only when the account is created. */
export const applyProperty: INodeProperties = {
	displayName: 'Apply',
	name: 'apply',
	type: 'options',
	options: [
		{ name: 'Always', value: 'always' },
		{ name: 'Only During Creation', value: 'create' },
	],
	default: 'always',
};

/** Entra's matching precedence for a row. */
export const matchPrecedenceProperty: INodeProperties = {
	displayName: 'Match Precedence',
	name: 'matchPrecedence',
	type: 'number',
	default: 0,
	description: 'Match existing accounts by this attribute. 1 is tried first, then 2, and so on; 0 means not used for matching.',
};

/** LDAP: who makes group memberships and manager DNs follow an entry that moved or was renamed. */
export const dnReferencesOption: INodeProperties = {
	displayName: 'References After a Move (LDAP)',
	name: 'dnReferences',
	type: 'options',
	options: [
		{
			name: 'Automatic',
			value: 'auto',
			description: 'Active Directory maintains them itself; for other directories this node rewrites them',
		},
		{
			name: 'Rewritten by This Node',
			value: 'rewrite',
			description: 'Group members (member, uniqueMember), manager and secretary holding the old DN get the new one',
		},
		{
			name: 'Maintained by the Directory',
			value: 'server',
			description: "The directory does it: OpenLDAP's refint overlay, 389-DS's referential integrity plugin",
		},
	],
	default: 'auto',
	description: 'When an LDAP entry moves to another OU or is renamed, who updates the DNs other entries hold of it',
};
