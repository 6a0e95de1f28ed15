import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	NodeOperationError,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { parseEnvelope, type ProvisioningEnvelope } from '../../lib/envelope';
import { ProvisioningError } from '../../lib/errors';
import { type DeprovisionAction, type DeprovisionResult, deprovisionItems } from '../../lib/provisioning/deprovision';
import { anchorFirst } from '../../lib/provisioning/anchor';
import { reconcileLeavers } from '../../lib/provisioning/reconcile';
import type { DeletionThreshold } from '../../lib/provisioning/threshold';
import type { OpenLdapDisableMethod } from '../../lib/targets/ldap/ldapTarget';
import { credentialTest } from '../shared/credentialTests';
import { targetCredentials } from '../shared/descriptions';
import { envelopeFromRows } from '../shared/envelopeFromRows';
import { runError, shapeOutcomes } from '../shared/failures';
import { commonOptions, readInputs, runBatch, withTarget } from '../shared/pipeline';
import { type TargetKind, type TargetSettings, targetSettings } from '../shared/targets';
import { linkBookFor, storesOf } from '../shared/triggerStore';
import { deprovisionUserProperties } from './DeprovisionUserDescription';

interface MatchKeyRow {
	attribute?: string;
	value?: unknown;
}

/** One value per line or per semicolon; a single line without DNs may also use commas. */
function splitProtected(text: string): string[] {
	const parts = text
		.split(/[\n;]/)
		.map((p) => p.trim())
		.filter(Boolean);
	if (parts.length === 1 && !parts[0].includes('=')) return parts[0].split(',').map((p) => p.trim());
	return parts;
}

function thresholdFrom(params: IDataObject): DeletionThreshold {
	return {
		maxCount: params.maxCount === undefined ? undefined : Number(params.maxCount),
		maxPercent: params.maxPercent === undefined ? undefined : Number(params.maxPercent),
		approved: params.approved === true,
	};
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
		properties: deprovisionUserProperties,
	};

	methods = { credentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const kind = this.getNodeParameter('target', 0) as TargetKind;
		const mode = this.getNodeParameter('mode', 0) as 'perItem' | 'reconcile';
		const action = this.getNodeParameter('operation', 0) as DeprovisionAction;
		const inputMode = this.getNodeParameter('inputMode', 0) as 'define' | 'envelope';
		const thresholdParams = this.getNodeParameter('threshold', 0, {}) as IDataObject;
		const { dryRun, concurrency } = commonOptions(this);
		const text = (name: string) => String(this.getNodeParameter(name, 0, '') ?? '').trim();

		const inputs = readInputs(this, (item, i) => {
			if (inputMode === 'envelope') return parseEnvelope(item.json);
			// Match key rows are in precedence order.
			const rows = this.getNodeParameter('matchKeys.key', i, []) as MatchKeyRow[];
			return envelopeFromRows(
				rows.map((row, n) => ({ name: row.attribute, value: row.value, matchPrecedence: n + 1 })),
				{ id: String(i) },
			);
		});
		const settings = targetSettings(this, kind, ['searchBase', 'objectFilter']);
		const nodeOptions = this.getNodeParameter('options', 0, {}) as IDataObject;
		settings.disabledTimeAttribute = String(nodeOptions.disabledTimeAttribute ?? '').trim() || undefined;
		// SQL: the disabled-time attribute is a timestamp column of the users table.
		if (settings.sql && settings.disabledTimeAttribute) settings.sql.users.disabledAtColumn = settings.disabledTimeAttribute;
		if (kind === 'ldap') {
			settings.dnReferences = (nodeOptions.dnReferences as TargetSettings['dnReferences']) ?? 'auto';
			const type = (text('openLdapDisable') || 'ppolicy') as OpenLdapDisableMethod['type'];
			settings.openLdapDisable = {
				type,
				attribute: text('disableAttribute'),
				value: text('disableValue'),
				disabledContainer: text('disabledContainer'),
				enabledContainer: text('enabledContainer'),
			};
		}
		// Reset Password: each item's new password, evaluated per item; it goes to the target and nowhere else.
		const passwords =
			action === 'resetPassword' ? this.getInputData().map((_, i) => String(this.getNodeParameter('newPassword', i, '') ?? '')) : undefined;
		const options = {
			action,
			dryRun,
			passwords,
			mustChangePassword: action === 'resetPassword' && this.getNodeParameter('resetMustChangePassword', 0, false) === true,
			concurrency,
			threshold: thresholdFrom(thresholdParams),
			deleteWhenSourceDeleted: nodeOptions.whenSourceDeleted === 'delete',
		};

		const result: DeprovisionResult = await withTarget(this, kind, settings, async (target) => {
			if (mode === 'perItem') {
				const links = nodeOptions.rememberTargetIds === false ? undefined : linkBookFor(this, target, storesOf(inputs));
				const run = () => deprovisionItems(target, inputs, { ...options, links });
				return runBatch(this, target, inputs, dryRun, run, (outcomes) => ({ outcomes, staged: false, destructive: 0 }));
			}
			try {
				// An unidentified source user would look like a leaver: the whole run stops before anything changes.
				const bad = inputs.findIndex((input) => input instanceof ProvisioningError);
				if (bad !== -1) {
					const reason = (inputs[bad] as ProvisioningError).message;
					throw new NodeOperationError(
						this.getNode(),
						`Item ${bad}: ${reason}. Reconcile needs every source user identified; nothing was changed.`,
						{ itemIndex: bad },
					);
				}
				const anchor = text('anchorAttribute') || undefined;
				return await reconcileLeavers(
					target,
					(inputs as ProvisioningEnvelope[]).map((e) => anchorFirst(e, anchor).matchKeys),
					{
						...options,
						scopeFilter: text('scopeFilter') || undefined,
						protectedValues: splitProtected(text('protectedValues')),
						protectedFilter: text('protectedFilter') || undefined,
						anchor,
						includeUnanchored: this.getNodeParameter('includeUnanchored', 0, false) === true,
						deleteDisabledAfterDays:
							nodeOptions.deleteDisabledAfterDays === undefined || nodeOptions.deleteDisabledAfterDays === ''
								? undefined
								: Number(nodeOptions.deleteDisabledAfterDays),
					},
				);
			} catch (error) {
				// The listing reconcile needs failed: the run stops before anything changes.
				throw runError(this, error);
			}
		});

		if (result.staged && thresholdParams.onExceeded === 'error') {
			throw new NodeOperationError(this.getNode(), `Accidental-deletion threshold exceeded: ${result.alert}. Nothing was changed.`, {
				itemIndex: 0,
				description: 'Review the planned disables and deletes, then turn on "Approve This Run" to apply them.',
			});
		}
		// Reconcile records describe target accounts, not input items: they pair with the first source item.
		const shaped = shapeOutcomes(this, result.outcomes, mode === 'reconcile' ? () => 0 : undefined);
		if (!result.staged) return [shaped, []];
		const approval = shaped.filter((item) => /^Staged/.test(String(item.json.action)));
		for (const item of approval) item.json.alert = result.alert!;
		return [shaped.filter((item) => !approval.includes(item)), approval];
	}
}
