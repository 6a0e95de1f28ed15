import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
} from 'n8n-workflow';
import { parseEnvelope } from '../../lib/envelope';
import { uacFlagsFrom } from '../../lib/ldap/flavours';
import { envelopeKeeping } from '../../lib/provisioning/governance/keys';
import { provisionUsers } from '../../lib/provisioning/provisionUser';
import { looksLikeList } from '../../lib/targets/attributeCheck';
import { linkBookFor, storesOf, storeTrust } from '../shared/triggerStore';
import { credentialTest } from '../shared/credentialTests';
import { onlyForTarget, targetName } from '../shared/descriptions';
import { type AttributeRow, envelopeFromRows } from '../shared/envelopeFromRows';
import { governanceProperties, logCredentialDisplay, versionedOutputs } from '../shared/governanceDescriptions';
import { listSearch } from '../shared/listSearch';
import { ACTION_PICKERS, locatorExpression, PICKER_VERSION, withPickers } from '../shared/pickers';
import { commonOptions, runPerItem } from '../shared/pipeline';
import { rowsOf } from '../shared/loadContext';
import { schemaLoadMethods, type SchemaRows } from '../shared/schemaMethods';
import { type TargetKind, type TargetSettings, targetSettings } from '../shared/targets';
import { provisionUserProperties } from './ProvisionUserDescription';

/** For LDAP targets the search base, else the container of new entries (picked, or in the DN template); for SQL targets the table. */
const WHERE = `($parameter["target"] === "ldap" ? (${locatorExpression('searchBase')} || ${locatorExpression('newEntryContainer')} || ($parameter["dnTemplate"] || "").split(",").slice(1).join(",")) : $parameter["target"] === "sql" ? (${locatorExpression('sqlTable')} || "") : "")`;

/** Define Below's rows, for the editor's schema listing and check. */
const provisionUserRows: SchemaRows = {
	currentField: '&name',
	rows: (ctx) => rowsOf(ctx, 'attributes', 'attribute').map((r) => ({ target: String(r.name ?? ''), listValue: looksLikeList(r.value) })),
	objectClassValues: (ctx) =>
		rowsOf(ctx, 'attributes', 'attribute')
			.filter((r) => String(r.name ?? '').toLowerCase() === 'objectclass')
			.map((r) => r.value),
};

export class ProvisionUser implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Provision User',
		name: 'provisionUser',
		icon: { light: 'file:provisionUser.svg', dark: 'file:provisionUser.dark.svg' },
		group: ['output'],
		// Version 2: the provisioning log in a Data Table, quarantine, retry of failed items, and the Alerts output.
		// Version 3: tables, columns, OUs and the log's Data Table are pickers (nodes/shared/pickers.ts).
		version: [1, 2, PICKER_VERSION],
		defaultVersion: PICKER_VERSION,
		// "SCIM 2.0 App", "LDAP Directory · ou=People,dc=example,dc=org", "SQL Database · app_users", "… · dry run"
		subtitle: `={{ ${targetName} + (${WHERE} ? " · " + ${WHERE} : "") + (($parameter["options"] || {})["dryRun"] ? " · dry run" : "") }}`,
		description:
			'Create or update accounts in a SCIM app, LDAP directory or SQL database (joiners and movers), matching existing ones first',
		defaults: { name: 'Provision User' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: versionedOutputs([''], ['Done', 'Alerts']),
		// The target's credential (testedBy: a real connection), and for version 2 the n8n API key of the Data Table log.
		credentials: [
			{ name: 'scimTargetApi', required: true, displayOptions: onlyForTarget('scim'), testedBy: 'scimTargetApiTest' },
			{ name: 'ldapDirectoryApi', required: true, displayOptions: onlyForTarget('ldap'), testedBy: 'ldapDirectoryApiTest' },
			{ name: 'sqlDatabaseApi', required: true, displayOptions: onlyForTarget('sql'), testedBy: 'sqlDatabaseApiTest' },
			{ name: 'provisioningLogApi', required: true, displayOptions: logCredentialDisplay },
		],
		properties: withPickers([...provisionUserProperties, ...governanceProperties], ACTION_PICKERS),
	};

	methods = { credentialTest, listSearch, loadOptions: schemaLoadMethods(provisionUserRows) };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const kind = this.getNodeParameter('target', 0) as TargetKind;
		const inputMode = this.getNodeParameter('inputMode', 0) as 'define' | 'envelope';
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const { dryRun, concurrency } = commonOptions(this);
		const settings = targetSettings(this, kind, ['dnTemplate', 'newEntryContainer', 'searchBase', 'objectFilter']);
		if (kind === 'ldap') {
			settings.moveEntries = this.getNodeParameter('dnTemplateApply', 0, 'create') === 'always';
			settings.dnReferences = (options.dnReferences as TargetSettings['dnReferences']) ?? 'auto';
			settings.mustChangePassword = options.mustChangePassword === true;
			settings.uacFlags = uacFlagsFrom(this.getNodeParameter('accountControl', 0, {}) as Record<string, boolean>);
		}
		const trust = storeTrust(this);
		return runPerItem(this, {
			kind,
			settings,
			dryRun,
			read: (item, i) =>
				inputMode === 'envelope'
					? parseEnvelope(item.json, trust)
					: envelopeFromRows(this.getNodeParameter('attributes.attribute', i, []) as AttributeRow[], { id: String(i) }),
			run: (target, inputs) =>
				provisionUsers(target, inputs, {
					dryRun,
					concurrency,
					allowCreate: options.allowCreate !== false,
					allowUpdate: options.allowUpdate !== false,
					anchor: String(options.anchorAttribute ?? '').trim() || undefined,
					links: options.rememberTargetIds === false ? undefined : linkBookFor(this, target, storesOf(inputs)),
				}),
			keep: envelopeKeeping,
		});
	}
}
