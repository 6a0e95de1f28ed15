import type { INodeCredentialDescription, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NODE_VERSIONS } from './pickers';
import type { TargetKind } from './targets';

/** Every value a node's "target" parameter can take (Map Attributes adds "none"). */
const TARGET_VALUES = ['scim', 'ldap', 'sql', 'none'];

/**
 * Shows a target credential only while "Target" is set to its kind. Written so that n8n's editor keeps "Target" a
 * visible parameter: when credentials are shown by a parameter's value (`show: { target }`), the editor takes that
 * parameter for the node's authentication field, hides it, and lets the newest credential of either type pick the
 * target silently; when credentials carry no `show` at all, "Create new credential" opens the first credential type
 * whatever the target. So: hidden for the other targets, shown for every node version.
 */
export function onlyForTarget(kind: TargetKind): INodeCredentialDescription['displayOptions'] {
	return {
		// Every version of the nodes (a unit test keeps this in step with them).
		show: { '@version': NODE_VERSIONS },
		hide: { target: TARGET_VALUES.filter((value) => value !== kind) },
	};
}

export const targetProperty: INodeProperties = {
	displayName: 'Target',
	name: 'target',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'SCIM 2.0 App',
			value: 'scim',
			description: 'Slack, GitHub, Zoom, Atlassian or any SCIM 2.0 service provider, through a SCIM Target API credential',
		},
		{
			name: 'LDAP Directory',
			value: 'ldap',
			description: 'OpenLDAP, 389 Directory Server or Active Directory, through an LDAP Directory API credential',
		},
		{
			name: 'SQL Database',
			value: 'sql',
			description: 'An application’s users table in PostgreSQL or MySQL/MariaDB, through a SQL Database API credential',
		},
	],
	default: 'scim',
	description: 'Where accounts are written. The credential below says which app or directory, and how to reach it.',
	hint: 'Choose or create its credential just below',
};

/** Where n8n places the credential select: right under "Target", which decides its type. */
export const targetCredentialSlot: INodeProperties = {
	displayName: 'Credential',
	name: 'targetCredential',
	type: 'credentials',
	default: '',
};

export const ldapSearchProperties: INodeProperties[] = [
	{
		displayName: 'Search Base',
		name: 'searchBase',
		type: 'string',
		default: '',
		placeholder: 'ou=People,dc=example,dc=org',
		description: "Where existing accounts are looked for. Empty means the credential's base DN.",
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
	description: 'How many items are worked on at once, e.g. 4. Lower it when the target limits requests.',
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
		{ name: 'Always', value: 'always', description: 'On create and on every update' },
		{
			name: 'Only During Creation',
			value: 'create',
			description: 'Set once, when the account is created: an initial password, an immutable ID',
		},
	],
	default: 'always',
	description: 'When this value is written to the account',
};

/** Entra's matching precedence for a row. */
export const matchPrecedenceProperty: INodeProperties = {
	displayName: 'Match Precedence',
	name: 'matchPrecedence',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	description: 'Match existing accounts by this attribute: 1 is tried first, then 2, and so on. 0 means it is not used for matching.',
};

/**
 * An n8n expression (for a node's subtitle) that shows the name of the option a parameter is set to, not its
 * stored value: `{ scim: "SCIM 2.0 App" }[$parameter["target"]]`. Unknown values show as they are.
 */
export function optionName(parameter: INodeProperties, names?: Record<string, string>): string {
	const map = names ?? Object.fromEntries((parameter.options as INodePropertyOptions[]).map((o) => [String(o.value), o.name]));
	const expression = `(${JSON.stringify(map)}[$parameter["${parameter.name}"]] || $parameter["${parameter.name}"])`;
	// "}}" would end the {{ }} around it early.
	if (expression.includes('}}')) throw new Error(`Subtitle expression for ${parameter.name} contains "}}"`);
	return expression;
}

/** The subtitle part naming the target: "SCIM 2.0 App", "LDAP Directory". */
export const targetName = optionName(targetProperty);

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
