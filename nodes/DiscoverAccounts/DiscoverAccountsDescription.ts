import type { INodeProperties } from 'n8n-workflow';
import { ldapSearchProperties, optionsCollection, targetCredentialSlot, targetProperty } from '../shared/descriptions';
import { sqlTableProperties } from '../shared/sqlDescriptions';
import { deprovisionUserProperties } from '../DeprovisionUser/DeprovisionUserDescription';
import { reconcileScopeProperties } from '../DeprovisionUser/reconcileProperties';

const forDiscover = { show: { operation: ['discover'] } };
const forLinks = { show: { operation: ['link', 'unlink'] } };

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Discover Accounts',
			value: 'discover',
			description:
				'The input items are the complete source: every account in the target is classified (linked, matched, disputed, orphan, protected, pending deletion) and source items without one are listed (missing). Writes nothing.',
			action: 'Discover and classify accounts',
		},
		{
			name: 'Link Account',
			value: 'link',
			description: 'Remember that a source item owns a target account, so matching uses it from then on. Writes only the link.',
			action: 'Link an account to a source item',
		},
		{
			name: 'Unlink Account',
			value: 'unlink',
			description: 'Forget the remembered account of a source item. Writes only the link.',
			action: 'Unlink an account from a source item',
		},
	],
	default: 'discover',
	description: 'Whether to classify what is in the target, or to record or remove a link after a review',
};

/** Deprovision User's settings that say how an account reads as disabled (OpenLDAP's method and its attribute or OU). */
const disableMethodProperties = deprovisionUserProperties
	.filter((p) => ['openLdapDisable', 'disableAttribute', 'disableValue', 'disabledContainer', 'enabledContainer'].includes(p.name))
	.map((p) => ({ ...p, description: `${p.description ?? ''} (read only here: how a disabled account is recognised)`.trim() }));

/** Reconcile's scope, anchor and protection settings, for discovery (every account is classified: no anchored-only scope). */
const scopeProperties = reconcileScopeProperties
	.filter((p) => p.name !== 'includeUnanchored')
	.map((p) =>
		p.name === 'anchorAttribute'
			? {
					...p,
					description:
						'The attribute Provision User records the source key in (employeeNumber, externalId). An account holding a source item’s anchor value is linked to it.',
					displayOptions: forDiscover,
				}
			: { ...p, displayOptions: forDiscover },
	);

export const discoverAccountsProperties: INodeProperties[] = [
	targetProperty,
	targetCredentialSlot,
	operationProperty,
	{
		displayName: 'Identify Source Items From',
		name: 'inputMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Define Below', value: 'define', description: 'Match keys listed here, with values from each item (n8n expressions work)' },
			{
				name: 'Map Attributes Output (Envelope)',
				value: 'envelope',
				description: 'Each item comes from a Map Attributes node (or a SCIM Store through one) and carries its match keys',
			},
		],
		default: 'define',
		description: 'How each source item says which account would be its own',
		displayOptions: forDiscover,
	},
	{
		displayName: 'Match Keys',
		name: 'matchKeys',
		placeholder: 'Add Match Key',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		description: 'Tried in this order, as Provision User tries them; the first key that finds an account decides',
		displayOptions: { show: { operation: ['discover'], inputMode: ['define'] } },
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
						placeholder: 'e.g. userName, externalId, uid, mail',
						description: 'The account attribute to compare the value with',
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
	{
		displayName: 'Account ID',
		name: 'accountId',
		type: 'string',
		default: '={{ $json.account.id }}',
		required: true,
		description: 'The target account: its SCIM ID, DN or row key, e.g. from a Discover Accounts item',
		displayOptions: { show: { operation: ['link'] } },
	},
	{
		displayName: 'Source Item',
		name: 'sourceItem',
		type: 'json',
		default: '={{ $json.source }}',
		required: true,
		description:
			'The source item that owns the account: a Map Attributes envelope of a SCIM Trigger (or SCIM Store) user, or its "source" ({store, ID}). Links are kept beside the SCIM Trigger’s store.',
		displayOptions: forLinks,
	},
	...ldapSearchProperties,
	...sqlTableProperties,
	...scopeProperties,
	...disableMethodProperties,
	optionsCollection([
		{
			displayName: 'Delete Disabled Accounts After (Days)',
			name: 'deleteDisabledAfterDays',
			type: 'number',
			default: 30,
			typeOptions: { minValue: 0 },
			description:
				'The delay your reconcile uses for delayed deletion: a disabled orphan is reported as pending deletion, with the date it is deleted',
			displayOptions: { show: { '/operation': ['discover'] } },
		},
		{
			displayName: 'Disabled Time Attribute',
			name: 'disabledTimeAttribute',
			type: 'string',
			default: '',
			placeholder: 'pwdEndTime, extensionAttribute15, urn:…:User:disabledAt, disabled_at',
			description: 'Where your Deprovision User records the time of a disable (its option of the same name); empty for its default',
			displayOptions: { show: { '/operation': ['discover'] } },
		},
		{
			displayName: 'Remember Target IDs',
			name: 'rememberTargetIds',
			type: 'boolean',
			default: true,
			description:
				'Whether source items from a SCIM Trigger are linked by the ID remembered for them in this target (as Provision User matches them)',
			displayOptions: { show: { '/operation': ['discover'] } },
		},
	]),
];
