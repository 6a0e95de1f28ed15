import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { parseEnvelope } from '../../lib/envelope';
import { uacFlagsFrom } from '../../lib/ldap/flavours';
import { provisionUsers } from '../../lib/provisioning/provisionUser';
import { linkBookFor, storesOf } from '../shared/triggerStore';
import { credentialTest } from '../shared/credentialTests';
import { targetCredentials } from '../shared/descriptions';
import { type AttributeRow, envelopeFromRows } from '../shared/envelopeFromRows';
import { commonOptions, runPerItem } from '../shared/pipeline';
import { type TargetKind, type TargetSettings, targetSettings } from '../shared/targets';
import { provisionUserProperties } from './ProvisionUserDescription';

export class ProvisionUser implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Provision User',
		name: 'provisionUser',
		icon: 'file:provisionUser.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["target"] === "ldap" ? "LDAP directory" : $parameter["target"] === "sql" ? "SQL database" : "SCIM app" }}',
		description: 'Create or update accounts in a SCIM app, LDAP directory or SQL database, matching existing ones first',
		defaults: { name: 'Provision User' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: targetCredentials,
		properties: provisionUserProperties,
	};

	methods = { credentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const kind = this.getNodeParameter('target', 0) as TargetKind;
		const inputMode = this.getNodeParameter('inputMode', 0) as 'define' | 'envelope';
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const { dryRun, concurrency } = commonOptions(this);
		const settings = targetSettings(this, kind, ['dnTemplate', 'searchBase', 'objectFilter']);
		if (kind === 'ldap') {
			settings.moveEntries = this.getNodeParameter('dnTemplateApply', 0, 'create') === 'always';
			settings.dnReferences = (options.dnReferences as TargetSettings['dnReferences']) ?? 'auto';
			settings.mustChangePassword = options.mustChangePassword === true;
			settings.uacFlags = uacFlagsFrom(this.getNodeParameter('accountControl', 0, {}) as Record<string, boolean>);
		}
		const items = await runPerItem(this, {
			kind,
			settings,
			dryRun,
			read: (item, i) =>
				inputMode === 'envelope'
					? parseEnvelope(item.json)
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
		});
		return [items];
	}
}
