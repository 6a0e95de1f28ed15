/** The mapping compiler as it was before issue 19 (one object built key by key per item): the oracle of test/unit/mappingDifferential.test.ts. */
import type { AccountReference, AttributeMap, AttributeValue, MatchKey, ProvisioningEnvelope, ScalarValue } from '../../lib/envelope';
import { ProvisioningError } from '../../lib/errors';
import { isSecretAttribute } from '../../lib/redact';
import { defaultDateText } from '../../lib/mapping/dates';
import { compileExpression, type Compiled } from '../../lib/mapping/expression';
import { type EvalContext, IgnoreFlow, type MappingValue, Redacted, UniqueCandidates } from '../../lib/mapping/functions';
import { MISSING, sourceAccessor } from '../../lib/mapping/sourcePath';

export type MappingType = 'direct' | 'constant' | 'expression' | 'none';

export interface MappingRow {
	target: string;
	type: MappingType;
	/** Direct: the source path. */
	source?: string;
	/** Constant: the value. */
	constant?: string;
	/** Expression: Entra syntax. */
	expression?: string;
	/** Applied on create only, when the mapping yields nothing (as in Entra). */
	defaultValue?: string;
	apply?: 'always' | 'create';
	/** 1 is tried first; 0 or empty means not a match key. */
	matchPrecedence?: number;
	required?: boolean;
	/** Direct only: an absent source field is empty rather than an error (optional HR columns, SCIM attributes). */
	optional?: boolean;
	/**
	 * The value names another account (a manager) by this target attribute; the action node writes that account's id
	 * or DN instead. For a Direct path into a SCIM reference ({value, userName, …}), its value is the source id too.
	 */
	referenceBy?: string;
	/**
	 * An empty result clears the target attribute (Entra's null flow): it goes to the envelope's clearAttributes, so the
	 * action node removes the value. Off by default: empty values are never sent. Not for create-only rows, and a row
	 * with a default value keeps the default's create-only meaning.
	 */
	clearWhenEmpty?: boolean;
}

export interface MappingOptions {
	/** Direct paths into absent fields count as empty instead of failing the item. */
	missingAsEmpty?: boolean;
	now?: () => Date;
}

/** SelectUniqueValue candidates the caller must check against the target before using the envelope. */
export interface PendingUnique {
	attribute: string;
	candidates: string[];
}

export interface MappedItem {
	envelope: ProvisioningEnvelope;
	pendingUnique: PendingUnique[];
}

interface CompiledRow {
	row: MappingRow;
	label: string;
	evaluate: (item: Record<string, unknown>, ctx: EvalContext) => MappingValue;
	/** Reference rows from a Direct path: the id of the SCIM reference object the path reads from, if any. */
	referenceId?: (item: Record<string, unknown>) => string | undefined;
	/** Precomputed per row: the trace text and whether the target is secret. */
	trace: string;
	secret: boolean;
}

const describe = (row: MappingRow, index: number) => `Mapping row ${index + 1} (${row.target || 'no target'})`;

/** Flattens an evaluated value into what an envelope holds. */
function toAttributeValue(value: MappingValue): AttributeValue {
	if (value === undefined || value === null) return null;
	if (value instanceof Date) return defaultDateText(value);
	if (Array.isArray(value)) {
		const flat = value.map(toAttributeValue).filter((v) => v !== null && v !== '');
		return flat as AttributeValue;
	}
	if (typeof value === 'object') return value as unknown as AttributeValue;
	return value as ScalarValue;
}

const empty = (v: AttributeValue) => v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** Compiles rows, rejecting unknown functions, bad argument counts and malformed expressions up front. */
export function compileMapping(rows: MappingRow[], options: MappingOptions = {}): (item: Record<string, unknown>) => MappedItem {
	const seen = new Set<string>();
	const compiled: CompiledRow[] = rows.map((row, index) => ({
		...compileRow(row, index),
		trace:
			row.type === 'direct'
				? `Direct: ${row.source}`
				: row.type === 'constant'
					? 'Constant'
					: row.type === 'expression'
						? `Expression: ${row.expression}`
						: 'None (default)',
		secret: isSecretAttribute(row.target),
	}));
	function compileRow(row: MappingRow, index: number): Omit<CompiledRow, 'trace' | 'secret'> {
		const label = describe(row, index);
		const field = `mappings[${index}]`;
		const bad = (reason: string) => new ProvisioningError('InvalidInput', `${label}: ${reason}`, { field });
		if (!row.target?.trim()) throw bad('no target attribute');
		if (seen.has(row.target)) throw bad(`"${row.target}" is mapped twice`);
		seen.add(row.target);
		switch (row.type) {
			case 'direct': {
				const path = row.source?.trim();
				if (!path) throw bad('a Direct mapping needs a source attribute');
				const read = sourceAccessor(path);
				const parent = row.referenceBy && /\.[^.[\]]+$/.test(path) ? sourceAccessor(path.replace(/\.[^.[\]]+$/, '')) : undefined;
				return {
					row,
					label,
					referenceId: parent
						? (item) => {
								const ref = parent(item) as { value?: unknown } | typeof MISSING;
								return ref !== MISSING && ref && typeof ref === 'object' && typeof ref.value === 'string' ? ref.value : undefined;
							}
						: undefined,
					evaluate: (item) => {
						const value = read(item);
						if (value !== MISSING) return value as MappingValue;
						if (options.missingAsEmpty || row.optional || (row.defaultValue !== undefined && row.defaultValue !== '')) return null;
						throw bad(`the item has no field "${path}" (turn on "Treat Missing Fields as Empty" if it is optional)`);
					},
				};
			}
			case 'constant': {
				const value = row.constant ?? '';
				return { row, label, evaluate: () => value };
			}
			case 'expression': {
				let fn: Compiled;
				try {
					fn = compileExpression(row.expression ?? '');
				} catch (error) {
					throw bad((error as Error).message);
				}
				return {
					row,
					label,
					evaluate: (_item, ctx) => {
						try {
							return fn(ctx);
						} catch (error) {
							throw bad((error as Error).message);
						}
					},
				};
			}
			case 'none':
				return { row, label, evaluate: () => null };
			default:
				throw bad(`unknown mapping type "${String(row.type)}"`);
		}
	}
	const precedence = compiled
		.filter((c) => Number(c.row.matchPrecedence) > 0)
		.sort((a, b) => Number(a.row.matchPrecedence) - Number(b.row.matchPrecedence));

	return (item) => {
		const attributes: AttributeMap = {};
		const createOnly: AttributeMap = {};
		const redact: string[] = [];
		const trace: Record<string, string> = {};
		const pendingUnique: PendingUnique[] = [];
		const references: Record<string, AccountReference> = {};
		const clear: string[] = [];
		// One context per item, shared by every expression row.
		const ctx: EvalContext = {
			attribute: (name) => {
				const v = sourceAccessor(name)(item);
				return v === MISSING ? null : (v as MappingValue);
			},
			now: options.now,
		};
		for (const { row, label, evaluate, trace: rowTrace, secret, referenceId } of compiled) {
			let value = evaluate(item, ctx);
			if (value instanceof IgnoreFlow) continue;
			if (value instanceof Redacted) {
				redact.push(row.target);
				value = value.value;
			}
			const onCreate = row.apply === 'create' || row.type === 'none';
			if (value instanceof UniqueCandidates) {
				if (value.candidates.length === 0)
					throw new ProvisioningError('MissingRequiredValue', `${label}: SelectUniqueValue produced no candidate`, { field: row.target });
				pendingUnique.push({ attribute: row.target, candidates: value.candidates });
				trace[row.target] = `${row.type}: SelectUniqueValue`;
				continue;
			}
			let result = toAttributeValue(value);
			if (empty(result) && row.defaultValue !== undefined && row.defaultValue !== '') {
				createOnly[row.target] = row.defaultValue;
				trace[row.target] = `${label}: default value (create only)`;
				continue;
			}
			if (empty(result)) {
				if (row.required) throw new ProvisioningError('MissingRequiredValue', `${label}: a required value is empty`, { field: row.target });
				if (row.clearWhenEmpty && !onCreate) {
					clear.push(row.target);
					trace[row.target] = `${rowTrace} (empty: cleared)`;
				}
				continue;
			}
			if (Array.isArray(result) && row.target.toLowerCase() !== 'objectclass' && result.length === 1) result = result[0] as AttributeValue;
			if (row.referenceBy) {
				if (typeof result === 'object')
					throw new ProvisioningError('InvalidInput', `${label}: a reference needs one key value, not a list or an object`, {
						field: row.target,
					});
				const sourceId = referenceId?.(item);
				references[row.target] = { by: row.referenceBy, value: result as ScalarValue, ...(sourceId ? { sourceId } : {}) };
				trace[row.target] = `${rowTrace} (reference by ${row.referenceBy})`;
				continue;
			}
			(onCreate ? createOnly : attributes)[row.target] = result;
			trace[row.target] = rowTrace;
			if (secret && !redact.includes(row.target)) redact.push(row.target);
		}
		const matchKeys: MatchKey[] = precedence.map(({ row }) => {
			const v = attributes[row.target] ?? createOnly[row.target];
			const scalar = Array.isArray(v) ? v[0] : v;
			return {
				attribute: row.target,
				value: scalar === undefined || scalar === null || typeof scalar === 'object' ? null : (scalar as ScalarValue),
			};
		});
		const envelope: ProvisioningEnvelope = { attributes, createOnly, matchKeys, redact, trace };
		if (Object.keys(references).length) envelope.references = references;
		if (clear.length) envelope.clearAttributes = clear;
		return { envelope, pendingUnique };
	};
}
