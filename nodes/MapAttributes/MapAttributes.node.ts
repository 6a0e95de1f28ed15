import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeOperationError,
} from 'n8n-workflow';
import { toProvisioningError } from '../../lib/errors';
import { sourceObject } from '../../lib/mapping/sourcePath';
import { compileMapping, type MappedItem, type MappingRow } from '../../lib/mapping/mapping';
import { PRESETS, withPreset } from '../../lib/mapping/presets';
import { compileScoping, SCOPING_OPERATORS, type ScopingClause } from '../../lib/mapping/scoping';
import { secretOverrides } from '../../lib/redact';
import { credentialTest } from '../shared/credentialTests';
import { applyProperty, matchPrecedenceProperty, optionsCollection, targetCredentials } from '../shared/descriptions';
import { type TargetKind, targetFromCredentials } from '../shared/targets';

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
	}));
}

function filtersFrom(clauses: ClauseParameters[]): ScopingClause[][] {
	const groups = new Map<number, ScopingClause[]>();
	for (const c of clauses) {
		const group = Number(c.group ?? 1);
		groups.set(group, [...(groups.get(group) ?? []), { attribute: String(c.attribute ?? ''), operator: c.operator || 'EQUALS', value: c.value }]);
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

export class MapAttributes implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Map Attributes',
		name: 'mapAttributes',
		icon: 'file:mapAttributes.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["preset"] === "none" ? "custom mapping" : $parameter["preset"] }}',
		description: "Entra-style attribute mappings (Direct, Constant, Expression with Entra's function language), scoping filters and match keys",
		defaults: { name: 'Map Attributes' },
		inputs: ['main'],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- two outputs: In Scope and Out of Scope
		outputs: ['main', 'main'],
		outputNames: ['In Scope', 'Out of Scope'],
		credentials: targetCredentials,
		properties: [
			{
				displayName: 'Preset',
				name: 'preset',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'None (Custom Mapping)', value: 'none' },
					...Object.entries(PRESETS).map(([value, p]) => ({ name: p.name, value, description: p.description })),
				],
				default: 'none',
				description: 'Start from ready-made rows; rows below with the same target attribute replace the preset\'s',
			},
			{
				displayName: 'Mappings',
				name: 'mappings',
				placeholder: 'Add Mapping',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true, sortable: true },
				default: {},
				options: [
					{
						displayName: 'Mapping',
						name: 'mapping',
						values: [
							applyProperty,
							{
						displayName: 'Constant Value',
						name: 'constant',
						type: 'string',
						default: '',
							},
							{
						displayName: 'Default Value If Null',
						name: 'defaultValue',
						type: 'string',
						default: '',
						description: 'Set on create only, when the mapping yields nothing (as in Entra)',
							},
							{
						displayName: 'Expression',
						name: 'expression',
						type: 'string',
						default: '',
						placeholder: 'Join(".", [givenName], [surname])',
						description: 'Entra\'s function language: [attribute], "text", and functions such as Join, Switch, Replace, FormatDateTime',
							},
							{
						displayName: 'Mapping Type',
						name: 'type',
						type: 'options',
						options: [
									{
										name: 'Direct',
										value: 'direct',
										description: 'Copy a source attribute',
									},
									{
										name: 'Constant',
										value: 'constant',
									},
									{
										name: 'Expression',
										value: 'expression',
										description: 'Entra\'s function language',
									},
									{
										name: 'None',
										value: 'none',
										description: 'Only the default value, on create',
									},
					],
						default: 'direct',
							},
							matchPrecedenceProperty,
							{
						displayName: 'Required',
						name: 'required',
						type: 'boolean',
						default: false,
						description: 'Whether an empty value fails the item',
							},
							{
						displayName: 'Source Attribute',
						name: 'source',
						type: 'string',
						default: '',
						placeholder: 'givenName, manager.email, emails[type eq \'work\'].value',
							},
							{
						displayName: 'Target Attribute',
						name: 'target',
						type: 'string',
						default: '',
						placeholder: 'userName, name.givenName, uid, mail',
							},
					],
					},
				],
			},
			{
				displayName: 'Remove Preset Attributes',
				name: 'removeAttributes',
				type: 'string',
				default: '',
				placeholder: 'title, departmentNumber',
				description: 'Comma-separated target attributes of the preset not to map',
				displayOptions: { hide: { preset: ['none'] } },
			},
			{
				displayName: 'Scoping Filter',
				name: 'scoping',
				placeholder: 'Add Clause',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				description: 'Clauses of the same filter group are ANDed; groups are ORed. Items out of scope go to the second output. A clause on an empty value is false.',
				options: [
					{
						displayName: 'Clause',
						name: 'clause',
						values: [
							{ displayName: 'Filter Group', name: 'group', type: 'number', default: 1 },
							{ displayName: 'Source Attribute', name: 'attribute', type: 'string', default: '' },
							{ displayName: 'Operator', name: 'operator', type: 'options', options: SCOPING_OPERATORS.map((o) => ({ name: o, value: o })), default: '' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
			{
				displayName: 'Check SelectUniqueValue Against',
				name: 'target',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Nothing (No SelectUniqueValue)', value: 'none' },
					{ name: 'SCIM 2.0 App', value: 'scim' },
					{ name: 'LDAP Directory', value: 'ldap' },
				],
				default: 'none',
				description: 'SelectUniqueValue takes the first candidate not already taken in this target',
			},
			optionsCollection([
				{
					displayName: 'Source Object Path',
					name: 'sourcePath',
					type: 'string',
					default: '',
					placeholder: 'resource',
					description: 'Map from an object inside the item, e.g. "resource" for SCIM Trigger events or "body" for webhook calls',
				},
				{
					displayName: 'Treat Missing Fields as Empty',
					name: 'missingAsEmpty',
					type: 'boolean',
					default: false,
					description: 'Whether a Direct mapping from a field the item lacks yields nothing (as in Entra) instead of failing the item',
				},
			]),
		],
	};

	methods = { credentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const node = this.getNode();
		const preset = this.getNodeParameter('preset', 0) as string;
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const sourcePath = String(options.sourcePath ?? '').trim();
		const perItem = hasN8nExpressions(node.parameters.mappings) || hasN8nExpressions(node.parameters.scoping) || hasN8nExpressions(node.parameters.removeAttributes);

		type Compiled = { map: ReturnType<typeof compileMapping>; inScope: ReturnType<typeof compileScoping> };
		const compileFor = (i: number): Compiled => {
			try {
				const rows = withPreset(preset, rowsFrom(this.getNodeParameter('mappings.mapping', i, []) as RowParameters[]), String(this.getNodeParameter('removeAttributes', i, '')).split(','));
				return {
					map: compileMapping(rows, { missingAsEmpty: options.missingAsEmpty === true }),
					inScope: compileScoping(filtersFrom(this.getNodeParameter('scoping.clause', i, []) as ClauseParameters[])),
				};
			} catch (error) {
				// A malformed mapping is the workflow's fault, not an item's: stop before any item runs.
				const e = toProvisioningError(error);
				throw new NodeOperationError(node, e.message, { itemIndex: i, description: `${e.code}${e.field ? ` (${e.field})` : ''}` });
			}
		};
		const shared = perItem ? undefined : compileFor(0);

		const inScope: INodeExecutionData[] = [];
		const outOfScope: INodeExecutionData[] = [];
		const pending: Array<{ mapped: MappedItem; item: INodeExecutionData }> = [];
		for (let i = 0; i < items.length; i++) {
			const json = items[i].json as Record<string, unknown>;
			try {
				const source = sourceObject(json, sourcePath);
				const { map, inScope: test } = shared ?? compileFor(i);
				const mapped = map(source);
				mapped.envelope.source = { id: String(source.id ?? source.externalId ?? i) };
				const out: INodeExecutionData = { json: mapped.envelope as unknown as IDataObject, pairedItem: { item: i } };
				if (mapped.pendingUnique.length) pending.push({ mapped, item: out });
				(test(source) ? inScope : outOfScope).push(out);
			} catch (error) {
				if (error instanceof NodeOperationError) throw error;
				const e = toProvisioningError(error);
				if (!this.continueOnFail()) throw new NodeOperationError(node, `Item ${i}: ${e.message}`, { itemIndex: i, description: `${e.code}${e.field ? ` (field "${e.field}")` : ''}` });
				inScope.push({
					json: { ...secretOverrides(json), message: `Item ${i}: ${e.message}`, error: { code: e.code, reason: e.message, field: e.field, itemIndex: i } },
					pairedItem: { item: i },
				});
			}
		}
		if (pending.length) await resolveUnique.call(this, pending, this.getNodeParameter('target', 0) as TargetKind | 'none');
		return [inScope, outOfScope];
	}
}

/** SelectUniqueValue: the first candidate that neither the target nor an earlier item of this batch holds. */
async function resolveUnique(this: IExecuteFunctions, pending: Array<{ mapped: MappedItem; item: INodeExecutionData }>, kind: TargetKind | 'none'): Promise<void> {
	if (kind === 'none') {
		throw new NodeOperationError(this.getNode(), 'SelectUniqueValue needs a target to check candidates against: set "Check SelectUniqueValue Against"', { itemIndex: 0 });
	}
	const target = await targetFromCredentials(this, kind);
	const taken = new Set<string>();
	try {
		for (const { mapped, item } of pending) {
			for (const unique of mapped.pendingUnique) {
				let chosen: string | undefined;
				for (const candidate of unique.candidates) {
					const key = `${unique.attribute.toLowerCase()}=${candidate.toLowerCase()}`;
					if (taken.has(key)) continue;
					const hits = await target.find({ attribute: unique.attribute, value: candidate }, [unique.attribute]);
					if (hits.length === 0) {
						chosen = candidate;
						taken.add(key);
						break;
					}
				}
				if (chosen === undefined) {
					throw new NodeOperationError(this.getNode(), `Item ${(item.pairedItem as { item: number }).item}: every SelectUniqueValue candidate for ${unique.attribute} is taken (${unique.candidates.join(', ')})`, {
						itemIndex: (item.pairedItem as { item: number }).item,
					});
				}
				const envelope = mapped.envelope;
				envelope.createOnly = { ...(envelope.createOnly ?? {}), [unique.attribute]: chosen };
				envelope.matchKeys = envelope.matchKeys.map((k) => (k.attribute === unique.attribute && k.value === null ? { ...k, value: chosen! } : k));
			}
		}
	} finally {
		await target.close();
	}
}
