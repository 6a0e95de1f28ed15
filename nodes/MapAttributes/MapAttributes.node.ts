import {
	type IDataObject,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
} from 'n8n-workflow';
import { compileMapping, type MappedItem, type MappingRow } from '../../lib/mapping/mapping';
import { withPreset } from '../../lib/mapping/presets';
import { compileScoping, type ScopingClause } from '../../lib/mapping/scoping';
import { resolveUniqueValues } from '../../lib/mapping/selectUnique';
import { sourceObject } from '../../lib/mapping/sourcePath';
import { ProvisioningError } from '../../lib/errors';
import { looksLikeList } from '../../lib/targets/attributeCheck';
import { rowsOf } from '../shared/loadContext';
import { schemaLoadMethods, type SchemaRows } from '../shared/schemaMethods';
import { credentialTest } from '../shared/credentialTests';
import { onlyForTarget, optionName } from '../shared/descriptions';
import { configurationError, failureItem, readItem } from '../shared/failures';
import { withTarget } from '../shared/pipeline';
import { asTriggerItem, currentStates, storeTrust } from '../shared/triggerStore';
import { type TargetKind, targetSettings } from '../shared/targets';
import { mapAttributesProperties, PRESET_SUBTITLES, presetProperty } from './MapAttributesDescription';

/** A mapping row as the node's parameters hold it: any field may be missing. */
type RowParameters = Partial<MappingRow>;

interface ClauseParameters {
	group?: number;
	attribute?: string;
	operator?: ScopingClause['operator'];
	value?: string;
}

function rowsFrom(parameters: RowParameters[]): MappingRow[] {
	return parameters.map((p) => ({
		target: String(p.target ?? '').trim(),
		type: p.type ?? 'direct',
		source: p.source,
		constant: p.constant,
		expression: p.expression,
		defaultValue: p.defaultValue,
		apply: p.apply,
		matchPrecedence: Number(p.matchPrecedence ?? 0),
		required: p.required === true,
		referenceBy: String(p.referenceBy ?? '').trim() || undefined,
		clearWhenEmpty: p.clearWhenEmpty === true,
	}));
}

function filtersFrom(clauses: ClauseParameters[]): ScopingClause[][] {
	const groups = new Map<number, ScopingClause[]>();
	for (const c of clauses) {
		const group = Number(c.group ?? 1);
		groups.set(group, [
			...(groups.get(group) ?? []),
			{ attribute: String(c.attribute ?? ''), operator: c.operator || 'EQUALS', value: c.value },
		]);
	}
	return [...groups.keys()].sort((a, b) => a - b).map((g) => groups.get(g)!);
}

/** True when the user wrote n8n {{ }} expressions in the rows: they must then be read per item. */
function hasN8nExpressions(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasN8nExpressions);
	if (value && typeof value === 'object') return Object.values(value).some(hasN8nExpressions);
	return false;
}

/** The rows as the mapping will hold them (preset rows included), for the editor's schema listing and check. */
function editorRows(ctx: ILoadOptionsFunctions): MappingRow[] {
	const preset = String(ctx.getCurrentNodeParameter('preset') ?? 'none');
	const removed = String(ctx.getCurrentNodeParameter('removeAttributes') ?? '').split(',');
	return withPreset(preset, rowsFrom(rowsOf(ctx, 'mappings', 'mapping') as RowParameters[]), removed);
}

const mapAttributesRows: SchemaRows = {
	currentField: '&target',
	rows: (ctx) =>
		editorRows(ctx).map((r) => ({
			target: r.target,
			listValue: r.type === 'expression' ? looksLikeList(r.expression) : r.type === 'constant' ? looksLikeList(r.constant) : false,
		})),
	objectClassValues: (ctx) =>
		editorRows(ctx)
			.filter((r) => r.target.toLowerCase() === 'objectclass')
			.map((r) => (r.type === 'expression' ? r.expression : r.constant)),
};

/** The number of mapping rows, for the subtitle. */
const ROWS = '(($parameter["mappings"] || {})["mapping"] || []).length';

// Not usable as an AI tool: it transforms the items it receives, so there is nothing for an agent to call it with.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class MapAttributes implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Map Attributes',
		name: 'mapAttributes',
		icon: { light: 'file:mapAttributes.svg', dark: 'file:mapAttributes.dark.svg' },
		group: ['transform'],
		version: 1,
		// "SCIM → SCIM", "Custom mapping · 8 rows"
		subtitle: `={{ ${optionName(presetProperty, PRESET_SUBTITLES)} + (${ROWS} ? " · " + ${ROWS} + (${ROWS} === 1 ? " row" : " rows") : "") }}`,
		description:
			"Entra-style attribute mappings (Direct, Constant, Entra Expression with Entra's function language), scoping filters and match keys",
		defaults: { name: 'Map Attributes' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['In Scope', 'Out of Scope'],
		credentials: [
			{ name: 'scimTargetApi', required: true, displayOptions: onlyForTarget('scim'), testedBy: 'scimTargetApiTest' },
			{ name: 'ldapDirectoryApi', required: true, displayOptions: onlyForTarget('ldap'), testedBy: 'ldapDirectoryApiTest' },
			{ name: 'sqlDatabaseApi', required: true, displayOptions: onlyForTarget('sql'), testedBy: 'sqlDatabaseApiTest' },
		],
		properties: mapAttributesProperties,
	};

	methods = { credentialTest, loadOptions: schemaLoadMethods(mapAttributesRows) };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const preset = this.getNodeParameter('preset', 0) as string;
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const sourcePath = String(options.sourcePath ?? '').trim();
		// A parameter as the workflow holds it (not copied, expressions unresolved): read, never changed.
		const raw = (name: string, fallback: unknown) => this.getNodeParameter(name, 0, fallback, { rawExpressions: true });
		const perItem =
			hasN8nExpressions(raw('mappings', {})) || hasN8nExpressions(raw('scoping', {})) || hasN8nExpressions(raw('removeAttributes', ''));
		// Without n8n expressions the rows are the same for every item: read as they are, once (n8n's resolution
		// copies them, and getNode copies the whole node).
		const parameter = (name: string, i: number, fallback: unknown) =>
			perItem ? this.getNodeParameter(name, i, fallback) : raw(name, fallback);

		type Compiled = { map: ReturnType<typeof compileMapping>; inScope: ReturnType<typeof compileScoping> };
		const compileFor = (i: number): Compiled => {
			try {
				const rows = rowsFrom(parameter('mappings.mapping', i, []) as RowParameters[]);
				const removed = String(parameter('removeAttributes', i, '')).split(',');
				return {
					map: compileMapping(withPreset(preset, rows, removed), { missingAsEmpty: options.missingAsEmpty === true }),
					inScope: compileScoping(filtersFrom(parameter('scoping.clause', i, []) as ClauseParameters[])),
				};
			} catch (error) {
				// A malformed mapping is the workflow's fault, not an item's: stop before any item runs.
				throw configurationError(this, error, i);
			}
		};
		const shared = perItem ? undefined : compileFor(0);

		// SCIM Trigger events are mapped from the user as the store holds it now: executions that run out of
		// order then converge. A user the store no longer holds is out of scope. An item whose store reference is not
		// signed for this workflow is a plain item: no store is read.
		const fromEvents = sourcePath === 'resource' || sourcePath === 'before';
		const trust = fromEvents ? storeTrust(this) : undefined;
		const events = trust ? items.map((item) => asTriggerItem(item.json, trust)) : [];
		const current = options.readCurrentState === false || !events.some(Boolean) ? [] : await currentStates(this, events);

		// Each item ends in exactly one place: In Scope (output 0), Out of Scope (1), or a failure. One function maps
		// every item (no closure, wrapper or list per item: a batch can hold many thousands).
		const placed: Array<INodeExecutionData | ProvisioningError> = new Array(items.length);
		const output = new Uint8Array(items.length);
		const unique: Array<{ index: number; mapped: MappedItem }> = [];
		const mapItem = (i: number): INodeExecutionData => {
			const event = events[i];
			const now = current[i];
			if (now?.error)
				this.logger.warn(`Map Attributes: the SCIM Trigger store could not be read (${now.error.message}); mapping the event as sent`);
			const gone = !!event && !!now && !now.error && !now.resource;
			const source =
				now?.resource ??
				(gone ? (event!.before ?? event!.resource ?? {}) : sourceObject(items[i].json as Record<string, unknown>, sourcePath));
			const { map, inScope } = shared ?? compileFor(i);
			const mapped = map(
				source,
				event
					? { id: event.resourceId, store: event.store, ...(gone ? { deleted: true } : {}) }
					: { id: String(source.id ?? source.externalId ?? i) },
			);
			output[i] = !gone && inScope(source) ? 0 : 1;
			if (mapped.pendingUnique.length) unique.push({ index: i, mapped });
			return { json: mapped.envelope as unknown as IDataObject, pairedItem: { item: i } };
		};
		for (let i = 0; i < items.length; i++) placed[i] = readItem(mapItem, i);
		if (unique.length) {
			const kind = this.getNodeParameter('target', 0) as TargetKind | 'none';
			if (kind === 'none') {
				throw configurationError(
					this,
					new ProvisioningError('Configuration', 'SelectUniqueValue needs a target to check candidates against: set "Target"', {
						field: 'target',
					}),
				);
			}
			const errors = await withTarget(this, kind, targetSettings(this, kind, []), (target) =>
				resolveUniqueValues(
					target.users,
					unique.map((u) => u.mapped),
				),
			);
			errors.forEach((error, n) => error && (placed[unique[n].index] = error));
		}
		const outputs: INodeExecutionData[][] = [[], []];
		for (let i = 0; i < placed.length; i++) {
			const p = placed[i];
			if (p instanceof ProvisioningError) outputs[0].push(failureItem(this, p, i));
			else outputs[output[i]].push(p);
		}
		return outputs;
	}
}
