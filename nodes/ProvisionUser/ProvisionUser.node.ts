import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { parseEnvelope } from '../../lib/envelope';
import { ProvisioningError, toProvisioningError } from '../../lib/errors';
import { failedOutcome, type ProvisionInput, provisionUsers } from '../../lib/provisioning/provisionUser';
import { credentialTest } from '../shared/credentialTests';
import { applyProperty, concurrencyOption, dryRunOption, ldapSearchProperties, matchPrecedenceProperty, optionsCollection, targetCredentials, targetProperty } from '../shared/descriptions';
import { shapeOutcomes } from '../shared/output';
import { type TargetKind, targetFromCredentials } from '../shared/targets';
import { envelopeFromRows, type AttributeRow } from './envelopeFromRows';

export class ProvisionUser implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Provision User',
		name: 'provisionUser',
		icon: 'file:provisionUser.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["target"] === "ldap" ? "LDAP directory" : "SCIM app" }}',
		description: 'Create or update accounts in a SCIM app or LDAP directory, matching existing ones first',
		defaults: { name: 'Provision User' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: targetCredentials,
		properties: [
			targetProperty,
			{
				displayName: 'Attributes From',
				name: 'inputMode',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Define Below',
						value: 'define',
						description: 'List the target attributes here, with n8n expressions',
					},
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
						placeholder: 'userName, name.givenName, emails[type eq \'work\'].value, uid, mail',
						description: 'A SCIM attribute path or an LDAP attribute name',
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
			...ldapSearchProperties,
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
					displayName: 'Update Accounts',
					name: 'allowUpdate',
					type: 'boolean',
					default: true,
					description: 'Whether matched accounts are updated; when off they are Skipped with the differences reported',
				},
			]),
		],
	};

	methods = { credentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const kind = this.getNodeParameter('target', 0) as TargetKind;
		const inputMode = this.getNodeParameter('inputMode', 0) as 'define' | 'envelope';
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;

		const inputs: ProvisionInput[] = items.map((item, i) => {
			try {
				if (inputMode === 'envelope') return parseEnvelope(item.json);
				const rows = this.getNodeParameter('attributes.attribute', i, []) as AttributeRow[];
				return envelopeFromRows(rows, { id: String(i) });
			} catch (error) {
				return toProvisioningError(error);
			}
		});

		let outcomes;
		try {
			const target = await targetFromCredentials(this, kind, {
				dnTemplate: kind === 'ldap' ? (this.getNodeParameter('dnTemplate', 0, '') as string) : undefined,
				searchBase: kind === 'ldap' ? (this.getNodeParameter('searchBase', 0, '') as string) : undefined,
				objectFilter: kind === 'ldap' ? (this.getNodeParameter('objectFilter', 0, '') as string) : undefined,
			});
			try {
				outcomes = await provisionUsers(target, inputs, {
					dryRun: options.dryRun === true,
					allowCreate: options.allowCreate !== false,
					allowUpdate: options.allowUpdate !== false,
					concurrency: (options.concurrency as number) || 4,
				});
			} finally {
				await target.close();
			}
		} catch (error) {
			// The target could not even be set up (bad credential): every item fails with that reason.
			const failure = toProvisioningError(error);
			outcomes = inputs.map((input) =>
				failedOutcome(input instanceof ProvisioningError ? input : failure, { system: kind, endpoint: '', dryRun: options.dryRun === true }),
			);
		}
		return [shapeOutcomes(this, outcomes)];
	}
}
