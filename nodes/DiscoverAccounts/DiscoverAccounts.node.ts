import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';
import { type EnvelopeSource, parseEnvelope, type ProvisioningEnvelope } from '../../lib/envelope';
import { ProvisioningError } from '../../lib/errors';
import { anchorKey } from '../../lib/provisioning/anchor';
import { type Classified, type DiscoverSource, discoverAccounts, type Discovery } from '../../lib/provisioning/discover';
import { linkAccount, linkableSource, unlinkAccount } from '../../lib/provisioning/linkAccount';
import { linkedSource } from '../../lib/provisioning/links';
import { secretOverrides } from '../../lib/redact';
import type { Target } from '../../lib/targets/target';
import { isObject, parseJson } from '../../lib/util';
import { credentialTest } from '../shared/credentialTests';
import { onlyForTarget, optionName, targetName } from '../shared/descriptions';
import { envelopeFromRows } from '../shared/envelopeFromRows';
import { failureItem, runError } from '../shared/failures';
import { readInputs, withTarget } from '../shared/pipeline';
import { openTriggerLinks } from '../shared/stores';
import { type TargetKind, type TargetSettings, targetSettings } from '../shared/targets';
import { linkBookFor, storesOf, storeTrust } from '../shared/triggerStore';
import { discoverAccountsProperties, operationProperty } from './DiscoverAccountsDescription';

type Operation = 'discover' | 'link' | 'unlink';

/** One value per line or per semicolon; a single line without DNs may also use commas (as Deprovision User reads it). */
function splitProtected(text: string): string[] {
	const parts = text
		.split(/[\n;]/)
		.map((p) => p.trim())
		.filter(Boolean);
	if (parts.length === 1 && !parts[0].includes('=')) return parts[0].split(',').map((p) => p.trim());
	return parts;
}

/** An input item's json as outputs may show it: its secret fields redacted. */
const shown = (json: IDataObject) => ({ ...json, ...secretOverrides(json) }) as IDataObject;

export class DiscoverAccounts implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Discover Accounts',
		name: 'discoverAccounts',
		icon: { light: 'file:discoverAccounts.svg', dark: 'file:discoverAccounts.dark.svg' },
		group: ['input'],
		version: 1,
		// "LDAP Directory · Discover Accounts"
		subtitle: `={{ ${targetName} + " · " + ${optionName(operationProperty)} }}`,
		description:
			'Classify every account in a target against the source: linked, matched, disputed, orphan, protected, pending deletion, missing; link or unlink after a review',
		defaults: { name: 'Discover Accounts' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [
			{ type: NodeConnectionTypes.Main, displayName: 'Accounts' },
			{ type: NodeConnectionTypes.Main, displayName: 'To Review' },
			{ type: NodeConnectionTypes.Main, displayName: 'Summary' },
		],
		credentials: [
			{ name: 'scimTargetApi', required: true, displayOptions: onlyForTarget('scim'), testedBy: 'scimTargetApiTest' },
			{ name: 'ldapDirectoryApi', required: true, displayOptions: onlyForTarget('ldap'), testedBy: 'ldapDirectoryApiTest' },
			{ name: 'sqlDatabaseApi', required: true, displayOptions: onlyForTarget('sql'), testedBy: 'sqlDatabaseApiTest' },
		],
		properties: discoverAccountsProperties,
	};

	methods = { credentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const kind = this.getNodeParameter('target', 0) as TargetKind;
		const operation = this.getNodeParameter('operation', 0) as Operation;
		const nodeOptions = this.getNodeParameter('options', 0, {}) as IDataObject;
		const text = (name: string) => String(this.getNodeParameter(name, 0, '') ?? '').trim();
		const settings = targetSettings(this, kind, ['searchBase', 'objectFilter']);
		settings.disabledTimeAttribute = String(nodeOptions.disabledTimeAttribute ?? '').trim() || undefined;
		if (settings.sql && settings.disabledTimeAttribute) settings.sql.users.disabledAtColumn = settings.disabledTimeAttribute;
		if (kind === 'ldap') {
			const type = (text('openLdapDisable') || 'ppolicy') as NonNullable<TargetSettings['openLdapDisable']>['type'];
			settings.openLdapDisable = {
				type,
				attribute: text('disableAttribute'),
				value: text('disableValue'),
				disabledContainer: text('disabledContainer'),
				enabledContainer: text('enabledContainer'),
			};
		}
		if (operation !== 'discover') return [await withTarget(this, kind, settings, (target) => linkItems(this, target, operation)), [], []];

		const trust = storeTrust(this);
		const inputMode = this.getNodeParameter('inputMode', 0) as 'define' | 'envelope';
		const inputs = readInputs(this, (item, i) => {
			if (inputMode === 'envelope') return parseEnvelope(item.json, trust);
			const rows = this.getNodeParameter('matchKeys.key', i, []) as Array<{ attribute?: string; value?: unknown }>;
			return envelopeFromRows(
				rows.map((row, n) => ({ name: row.attribute, value: row.value, matchPrecedence: n + 1 })),
				{ id: String(i) },
			);
		});
		// Every source item must be read: one left out would make its account look like an orphan.
		const bad = inputs.findIndex((input) => input instanceof ProvisioningError);
		if (bad !== -1) {
			throw new NodeOperationError(this.getNode(), `Item ${bad}: ${(inputs[bad] as ProvisioningError).message}`, { itemIndex: bad });
		}
		const envelopes = inputs as ProvisioningEnvelope[];
		const anchor = text('anchorAttribute') || undefined;
		const sources: DiscoverSource[] = envelopes.map((e) => {
			const anchorValue = anchor ? anchorKey(e, anchor)?.value : undefined;
			return {
				keys: anchor ? e.matchKeys.filter((k) => k.attribute.toLowerCase() !== anchor.toLowerCase()) : e.matchKeys,
				...(anchorValue === undefined || anchorValue === null ? {} : { anchor: anchorValue }),
				linked: linkedSource(e.source),
			};
		});
		const delay = nodeOptions.deleteDisabledAfterDays;
		let discovery: Discovery;
		let target: Target['system'] = kind;
		let endpoint = '';
		try {
			discovery = await withTarget(this, kind, settings, (t) => {
				target = t.system;
				endpoint = t.endpoint;
				const links = nodeOptions.rememberTargetIds === false ? undefined : linkBookFor(this, t, storesOf(envelopes));
				return discoverAccounts(t, sources, {
					scopeFilter: text('scopeFilter') || undefined,
					protectedValues: splitProtected(text('protectedValues')),
					protectedFilter: text('protectedFilter') || undefined,
					anchor,
					deleteDisabledAfterDays: delay === undefined || delay === '' ? undefined : Number(delay),
					links,
				});
			});
		} catch (error) {
			throw runError(this, error);
		}
		const items = this.getInputData();
		const where = { system: target, endpoint };
		const sourceOf = (i: number | null) => (i === null ? null : shown(items[i].json));
		const toItem = (c: Classified): INodeExecutionData => ({
			json: {
				situation: c.situation,
				reason: c.reason,
				target: where,
				account: c.account as unknown as IDataObject,
				sourceIndex: c.sourceIndex,
				source: sourceOf(c.sourceIndex),
				matchedKeys: c.matchedKeys as unknown as IDataObject[],
				linkedBy: c.linkedBy,
				candidates: c.candidates.map((k) => ({ ...k, source: sourceOf(k.sourceIndex) })) as unknown as IDataObject[],
				deletionDue: c.deletionDue,
			},
			pairedItem: { item: c.sourceIndex ?? 0 },
		});
		const accounts = discovery.items.map(toItem);
		const summary = {
			target: where,
			total: discovery.items.length,
			accounts: discovery.accounts,
			sources: discovery.sources,
			counts: discovery.counts,
			at: discovery.at,
		};
		return [accounts, accounts.filter((i) => i.json.situation === 'disputed'), [{ json: summary, pairedItem: { item: 0 } }]];
	}
}

/** The `{store, id}` a Source Item parameter names (an envelope, or its `source`), when it is a trusted trigger store's. */
function sourceOfParameter(value: unknown, trust: ReturnType<typeof storeTrust>): EnvelopeSource | undefined {
	const parsed = typeof value === 'string' ? parseJson(value) : value;
	if (!isObject(parsed)) return undefined;
	const source = isObject(parsed.source) ? parsed.source : parsed;
	const store = trust(source.store);
	return store && typeof source.id === 'string' && source.id ? { store, id: source.id } : undefined;
}

/** Link Account / Unlink Account: one link written or removed per item; the account must exist to be linked. */
async function linkItems(ctx: IExecuteFunctions, target: Target, operation: 'link' | 'unlink'): Promise<INodeExecutionData[]> {
	const trust = storeTrust(ctx);
	const out: INodeExecutionData[] = [];
	const where = { system: target.system, endpoint: target.endpoint };
	for (let i = 0; i < ctx.getInputData().length; i++) {
		try {
			const source = linkableSource(sourceOfParameter(ctx.getNodeParameter('sourceItem', i), trust));
			const links = openTriggerLinks(ctx, source.store);
			let accountId: string | null = null;
			if (operation === 'link')
				accountId = await linkAccount(target, links, source.id, String(ctx.getNodeParameter('accountId', i, '') ?? ''));
			else await unlinkAccount(target, links, source.id);
			out.push({
				json: { action: operation === 'link' ? 'Link' : 'Unlink', status: 'Success', accountId, sourceId: source.id, target: where },
				pairedItem: { item: i },
			});
		} catch (error) {
			out.push(failureItem(ctx, error, i));
		}
	}
	return out;
}
