import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeOperationError,
} from 'n8n-workflow';
import { parseEnvelope, type ProvisioningEnvelope } from '../../lib/envelope';
import { envelopeFromRows } from '../ProvisionUser/envelopeFromRows';
import { ProvisioningError, toProvisioningError } from '../../lib/errors';
import {
	countManaged,
	type DeletionThreshold,
	type DeprovisionAction,
	type DeprovisionResult,
	deprovisionItems,
	reconcileLeavers,
} from '../../lib/provisioning/deprovision';
import { failedOutcome, type ProvisionInput } from '../../lib/provisioning/provisionUser';
import type { OpenLdapDisableMethod } from '../../lib/targets/ldapTarget';
import { credentialTest } from '../shared/credentialTests';
import { concurrencyOption, dryRunOption, ldapSearchProperties, optionsCollection, targetCredentials, targetProperty } from '../shared/descriptions';
import { shapeOutcomes } from '../shared/output';
import { type TargetKind, targetFromCredentials } from '../shared/targets';

interface MatchKeyRow {
	attribute?: string;
	value?: unknown;
}

/** One value per line or per semicolon; a single line without DNs may also use commas. */
function splitProtected(text: string): string[] {
	const parts = text.split(/[\n;]/).map((p) => p.trim()).filter(Boolean);
	if (parts.length === 1 && !parts[0].includes('=')) return parts[0].split(',').map((p) => p.trim());
	return parts;
}

export class DeprovisionUser implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Deprovision User',
		name: 'deprovisionUser',
		icon: 'file:deprovisionUser.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ($parameter["mode"] === "reconcile" ? " leavers (reconcile)" : "") }}',
		description: 'Disable, delete or reactivate accounts; reconcile leavers against the source, with accidental-deletion protection',
		defaults: { name: 'Deprovision User' },
		inputs: ['main'],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- two outputs: Done and Needs Approval
		outputs: ['main', 'main'],
		outputNames: ['Done', 'Needs Approval'],
		credentials: targetCredentials,
		properties: [
			targetProperty,
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Per Item', value: 'perItem', description: 'Each input item names an account to deprovision' },
					{
						name: 'Reconcile Leavers',
						value: 'reconcile',
						description: 'The input items are the complete source; accounts in the managed scope that none of them match are deprovisioned',
					},
				],
				default: 'perItem',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Delete', value: 'delete', description: 'SCIM DELETE or LDAP delete; an account already gone counts as done', action: 'Delete accounts' },
					{ name: 'Disable', value: 'disable', description: 'SCIM active=false; LDAP per directory flavour (as Entra does)', action: 'Disable accounts' },
					{ name: 'Reactivate', value: 'enable', description: 'Enable a disabled account again', action: 'Reactivate accounts' },
					{ name: 'Remove From All Groups', value: 'removeFromGroups', action: 'Remove accounts from all groups' },
				],
				default: 'disable',
			},
			{
				displayName: 'Identify Accounts From',
				name: 'inputMode',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Define Below', value: 'define' },
					{ name: 'Map Attributes Output (Envelope)', value: 'envelope' },
				],
				default: 'define',
			},
			{
				displayName: 'Match Keys',
				name: 'matchKeys',
				placeholder: 'Add Match Key',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true, sortable: true },
				default: {},
				description: 'Tried in this order; the first key that finds an account wins',
				displayOptions: { show: { inputMode: ['define'] } },
				options: [
					{
						displayName: 'Match Key',
						name: 'key',
						values: [
							{ displayName: 'Target Attribute', name: 'attribute', type: 'string', default: '', placeholder: 'userName, externalId, uid, dn' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
			...ldapSearchProperties,
			{
				displayName: 'Managed Scope Filter',
				name: 'scopeFilter',
				type: 'string',
				default: '',
				placeholder: '(employeeType=staff) or: active eq true',
				description: 'Only accounts matching this target-native filter are reconciled (an LDAP filter within the search base, or a SCIM filter)',
				displayOptions: { show: { mode: ['reconcile'] } },
			},
			{
				displayName: 'Protected Accounts',
				name: 'protectedValues',
				type: 'string',
				default: '',
				typeOptions: { rows: 3 },
				placeholder: 'breakglass@example.org\nuid=svc-backup,ou=People,dc=example,dc=org',
				description: 'IDs, DNs, user names or match-attribute values that are never touched (break-glass and service accounts), one per line or separated by semicolons',
				displayOptions: { show: { mode: ['reconcile'] } },
			},
			{
				displayName: 'Protected Accounts Filter',
				name: 'protectedFilter',
				type: 'string',
				default: '',
				placeholder: '(employeeType=service)',
				description: 'Accounts matching this target-native filter are never touched',
				displayOptions: { show: { mode: ['reconcile'] } },
			},
			{
				displayName: 'OpenLDAP Disable Method',
				name: 'openLdapDisable',
				type: 'options',
				options: [
					{ name: 'Password Policy Lock (pwdAccountLockedTime)', value: 'ppolicy' },
					{ name: 'Set an Attribute', value: 'attribute' },
					{ name: 'Move to a Disabled OU', value: 'move' },
				],
				default: 'ppolicy',
				description: 'How OpenLDAP accounts are disabled. Active Directory uses userAccountControl and 389-DS nsAccountLock.',
				displayOptions: { show: { target: ['ldap'] } },
			},
			{
				displayName: 'Disable Attribute',
				name: 'disableAttribute',
				type: 'string',
				default: 'employeeType',
				displayOptions: { show: { target: ['ldap'], openLdapDisable: ['attribute'] } },
			},
			{
				displayName: 'Disabled Value',
				name: 'disableValue',
				type: 'string',
				default: 'disabled',
				displayOptions: { show: { target: ['ldap'], openLdapDisable: ['attribute'] } },
			},
			{
				displayName: 'Disabled OU',
				name: 'disabledContainer',
				type: 'string',
				default: '',
				placeholder: 'ou=Disabled,dc=example,dc=org',
				displayOptions: { show: { target: ['ldap'], openLdapDisable: ['move'] } },
			},
			{
				displayName: 'Enabled OU',
				name: 'enabledContainer',
				type: 'string',
				default: '',
				placeholder: 'ou=People,dc=example,dc=org',
				description: 'Where reactivated accounts are moved back to',
				displayOptions: { show: { target: ['ldap'], openLdapDisable: ['move'] } },
			},
			{
				displayName: 'Accidental-Deletion Threshold',
				name: 'threshold',
				type: 'collection',
				placeholder: 'Add Limit',
				default: {},
				description: 'Disables and deletes are counted together. If a run would exceed a limit nothing is changed and every planned action goes to "Needs Approval".',
				options: [
					{ displayName: 'Approve This Run', name: 'approved', type: 'boolean', default: false, description: 'Whether to apply the run even though it exceeds the threshold' },
					{ displayName: 'Maximum Count', name: 'maxCount', type: 'number', default: 500, typeOptions: { minValue: 0 } },
					{ displayName: 'Maximum Percentage', name: 'maxPercent', type: 'number', default: 10, description: 'Of the accounts in the managed scope' },
					{
						displayName: 'When Exceeded',
						name: 'onExceeded',
						type: 'options',
						options: [
							{ name: 'Route to Needs Approval Output', value: 'output', description: 'Wire it to Stop and Error to alert through an error workflow' },
							{ name: 'Stop the Workflow With an Error', value: 'error', description: 'The execution fails, so n8n runs the error workflow' },
						],
						default: 'output',
					},
				],
			},
			optionsCollection([concurrencyOption, dryRunOption('Whether to only report what would be disabled or deleted')]),
		],
	};

	methods = { credentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const kind = this.getNodeParameter('target', 0) as TargetKind;
		const mode = this.getNodeParameter('mode', 0) as 'perItem' | 'reconcile';
		const action = this.getNodeParameter('operation', 0) as DeprovisionAction;
		const inputMode = this.getNodeParameter('inputMode', 0) as 'define' | 'envelope';
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const thresholdParams = this.getNodeParameter('threshold', 0, {}) as IDataObject;
		const threshold: DeletionThreshold = {
			maxCount: thresholdParams.maxCount === undefined ? undefined : Number(thresholdParams.maxCount),
			maxPercent: thresholdParams.maxPercent === undefined ? undefined : Number(thresholdParams.maxPercent),
			approved: thresholdParams.approved === true,
		};
		const param = (name: string) => (kind === 'ldap' || ['scopeFilter', 'protectedValues', 'protectedFilter'].includes(name) ? String(this.getNodeParameter(name, 0, '') ?? '') : '');

		const inputs: ProvisionInput[] = items.map((item, i) => {
			try {
				if (inputMode === 'envelope') return parseEnvelope(item.json);
				// Match key rows are in precedence order; they reuse Provision User's row reader.
				const rows = this.getNodeParameter('matchKeys.key', i, []) as MatchKeyRow[];
				return envelopeFromRows(rows.map((row, n) => ({ name: row.attribute, value: row.value, matchPrecedence: n + 1 })), { id: String(i) });
			} catch (error) {
				return toProvisioningError(error);
			}
		});

		let openLdapDisable: OpenLdapDisableMethod | undefined;
		if (kind === 'ldap') {
			const type = param('openLdapDisable') as OpenLdapDisableMethod['type'];
			openLdapDisable = { type: type || 'ppolicy', attribute: param('disableAttribute'), value: param('disableValue'), disabledContainer: param('disabledContainer'), enabledContainer: param('enabledContainer') };
		}

		let result: DeprovisionResult;
		const common = { action, dryRun: options.dryRun === true, concurrency: (options.concurrency as number) || 4, threshold };
		try {
			const target = await targetFromCredentials(this, kind, { searchBase: param('searchBase'), objectFilter: param('objectFilter'), openLdapDisable });
			try {
				if (mode === 'reconcile') {
					const bad = inputs.findIndex((input) => input instanceof ProvisioningError);
					if (bad !== -1) {
						throw new NodeOperationError(this.getNode(), `Item ${bad}: ${(inputs[bad] as ProvisioningError).message}. Reconcile needs every source user identified; nothing was changed.`, {
							itemIndex: bad,
						});
					}
					result = await reconcileLeavers(target, (inputs as ProvisioningEnvelope[]).map((e) => e.matchKeys), {
						...common,
						scopeFilter: param('scopeFilter') || undefined,
						protectedValues: splitProtected(param('protectedValues')),
						protectedFilter: param('protectedFilter') || undefined,
					});
				} else {
					result = await deprovisionItems(target, inputs, { ...common, managedCount: () => countManaged(target) });
				}
			} finally {
				await target.close();
			}
		} catch (error) {
			if (error instanceof NodeOperationError) throw error;
			const failure = toProvisioningError(error);
			if (mode === 'reconcile' || failure.code === 'Configuration') {
				throw new NodeOperationError(this.getNode(), failure.message, { itemIndex: 0, description: `${failure.code}${failure.field ? ` (field "${failure.field}")` : ''}` });
			}
			result = { outcomes: inputs.map((input) => failedOutcome(input instanceof ProvisioningError ? input : failure, { system: kind, endpoint: '' })), staged: false, destructive: 0 };
		}

		if (result.staged && thresholdParams.onExceeded === 'error') {
			throw new NodeOperationError(this.getNode(), `Accidental-deletion threshold exceeded: ${result.alert}. Nothing was changed.`, {
				itemIndex: 0,
				description: 'Review the planned disables and deletes, then turn on "Approve This Run" to apply them.',
			});
		}
		// Reconcile records describe target accounts, not input items: pair them with the first source item.
		const shaped = mode === 'reconcile' ? result.outcomes.map((o) => ({ json: o.record as unknown as IDataObject, pairedItem: { item: 0 } })) : shapeOutcomes(this, result.outcomes);
		if (!result.staged) return [shaped, []];
		const approval = shaped.filter((item) => /^Staged/.test(String(item.json.action)));
		for (const item of approval) item.json.alert = result.alert!;
		return [shaped.filter((item) => !approval.includes(item)), approval];
	}
}
