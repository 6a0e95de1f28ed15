import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';
import { parseEnvelope, type ProvisioningEnvelope } from '../../lib/envelope';
import { ProvisioningError } from '../../lib/errors';
import { type DeprovisionAction, type DeprovisionResult, deprovisionItems } from '../../lib/provisioning/deprovision';
import { thresholdAlert } from '../../lib/provisioning/governance/alerts';
import { envelopeKeeping } from '../../lib/provisioning/governance/keys';
import { anchorFirst } from '../../lib/provisioning/anchor';
import { reconcileLeavers } from '../../lib/provisioning/reconcile';
import type { DeletionThreshold } from '../../lib/provisioning/threshold';
import type { OpenLdapDisableMethod } from '../../lib/targets/ldap/ldapTarget';
import { credentialTest } from '../shared/credentialTests';
import { onlyForTarget, optionName, targetName } from '../shared/descriptions';
import { envelopeFromRows } from '../shared/envelopeFromRows';
import { alertItems, isGoverned, runContext } from '../shared/governance';
import { governanceProperties, logCredentialDisplay, versionedOutputs } from '../shared/governanceDescriptions';
import { listSearch } from '../shared/listSearch';
import { ACTION_PICKERS, locatorText, PICKER_VERSION, withPickers } from '../shared/pickers';
import { commonOptions, governedRun, readInputs, runBatch, shapeRun, withAlerts, withTarget } from '../shared/pipeline';
import { type TargetKind, type TargetSettings, targetSettings } from '../shared/targets';
import { linkBookFor, storesOf, storeTrust } from '../shared/triggerStore';
import { deprovisionUserProperties, operationProperty } from './DeprovisionUserDescription';

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
		icon: { light: 'file:deprovisionUser.svg', dark: 'file:deprovisionUser.dark.svg' },
		group: ['output'],
		// Version 2: the provisioning log in a Data Table, quarantine, retry of failed items, and the Alerts output.
		// Version 3: tables, columns, OUs, groups and the log's Data Table are pickers (nodes/shared/pickers.ts).
		version: [1, 2, PICKER_VERSION],
		defaultVersion: PICKER_VERSION,
		// "SCIM 2.0 App · Disable", "LDAP Directory · Reconcile: Disable"
		subtitle: `={{ ${targetName} + " · " + ($parameter["mode"] === "reconcile" ? "Reconcile: " : "") + ${optionName(operationProperty)} }}`,
		description:
			'Disable, delete or reactivate accounts (leavers); reconcile leavers against the source, with accidental-deletion protection',
		defaults: { name: 'Deprovision User' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Short enough for the canvas ("Needs Approval" was cut off there); version 2 adds Alerts.
		outputs: versionedOutputs(['Done', 'To Approve'], ['Done', 'To Approve', 'Alerts']),
		// The target's credential (testedBy: a real connection), and for version 2 the n8n API key of the Data Table log.
		credentials: [
			{ name: 'scimTargetApi', required: true, displayOptions: onlyForTarget('scim'), testedBy: 'scimTargetApiTest' },
			{ name: 'ldapDirectoryApi', required: true, displayOptions: onlyForTarget('ldap'), testedBy: 'ldapDirectoryApiTest' },
			{ name: 'sqlDatabaseApi', required: true, displayOptions: onlyForTarget('sql'), testedBy: 'sqlDatabaseApiTest' },
			{ name: 'provisioningLogApi', required: true, displayOptions: logCredentialDisplay },
		],
		properties: withPickers([...deprovisionUserProperties, ...governanceProperties], ACTION_PICKERS),
	};

	methods = { credentialTest, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const kind = this.getNodeParameter('target', 0) as TargetKind;
		const mode = this.getNodeParameter('mode', 0) as 'perItem' | 'reconcile';
		const action = this.getNodeParameter('operation', 0) as DeprovisionAction;
		const inputMode = this.getNodeParameter('inputMode', 0) as 'define' | 'envelope';
		const thresholdParams = this.getNodeParameter('threshold', 0, {}) as IDataObject;
		const { dryRun, concurrency } = commonOptions(this);
		const text = (name: string) => locatorText(this.getNodeParameter(name, 0, ''));

		const trust = storeTrust(this);
		const inputs = readInputs(this, (item, i) => {
			if (inputMode === 'envelope') return parseEnvelope(item.json, trust);
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

		const { run, context } = await withTarget(this, kind, settings, async (target) => {
			const context = runContext(this, target);
			if (mode === 'perItem') {
				const links = nodeOptions.rememberTargetIds === false ? undefined : linkBookFor(this, target, storesOf(inputs));
				// A password reset is never kept for a retry: the passwords are read per input item, in input order.
				const noRetry = action === 'resetPassword';
				const run = await governedRun(this, target, inputs, { kind, dryRun, keep: envelopeKeeping, noRetry }, async (toRun) => {
					const result: DeprovisionResult = await runBatch(
						this,
						target,
						toRun,
						dryRun,
						() => deprovisionItems(target, toRun, { ...options, links }),
						(outcomes) => ({ outcomes, staged: false, destructive: 0 }),
					);
					return { outcomes: result.outcomes, result };
				});
				return { run, context };
			}
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
			// A listing reconcile needs that fails stops the run before anything changes (governedRun says so with runError).
			const run = await governedRun(this, target, inputs, { kind, dryRun, keep: envelopeKeeping, noRetry: true }, async () => {
				const anchor = text('anchorAttribute') || undefined;
				const result = await reconcileLeavers(
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
				return { outcomes: result.outcomes, result };
			});
			return { run, context };
		});

		const result = run.result;
		if (result?.staged && thresholdParams.onExceeded === 'error') {
			const error = new NodeOperationError(
				this.getNode(),
				`Accidental-deletion threshold exceeded: ${result.alert}. Nothing was changed.`,
				{
					itemIndex: 0,
					description: 'Review the planned disables and deletes, then turn on "Approve This Run" to apply them.',
				},
			);
			throw withAlerts(error, run.alerts);
		}
		// Reconcile records describe target accounts, not input items: they pair with the first source item.
		const shaped = shapeRun(this, run, mode === 'reconcile' ? () => 0 : undefined);
		const approval = result?.staged ? shaped.filter((item) => /^Staged/.test(String(item.json.action))) : [];
		for (const item of approval) item.json.alert = result!.alert!;
		const done = shaped.filter((item) => !approval.includes(item));
		if (!isGoverned(this)) return [done, approval];
		const alerts = [...run.alerts];
		if (result?.staged) {
			alerts.push(thresholdAlert(result.alert!, { staged: approval.length, managed: result.managed }, context, new Date().toISOString()));
		}
		return [done, approval, alertItems(alerts)];
	}
}
