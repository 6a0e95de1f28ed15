/** Entra-style attribute mappings compiled once per execution into an item → envelope function. */
import type {
	AccountReference,
	AttributeMap,
	AttributeValue,
	EnvelopeSource,
	MatchKey,
	ProvisioningEnvelope,
	ScalarValue,
} from '../envelope';
import { ProvisioningError } from '../errors';
import { isSecretAttribute, scrubSecrets } from '../redact';
import { hasReservedSegment, RESERVED_NAME_REASON } from '../util';
import { compileExpression, type Compiled } from './expression';
// From values, not the functions index: its re-exports are getters, and these are checked per row per item.
import { type EvalContext, IgnoreFlow, type MappingValue, Redacted, UniqueCandidates } from './functions/values';
import { empty, ItemContext, nonEmptyScalar, toAttributeValue } from './itemValues';
import { MISSING, sourceAccessor } from './sourcePath';

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
	pendingUnique: readonly PendingUnique[];
}

const NO_PENDING: readonly PendingUnique[] = Object.freeze([]);

interface CompiledRow {
	row: MappingRow;
	label: string;
	evaluate: (item: Record<string, unknown>, ctx: EvalContext) => MappingValue;
	/** Reference rows from a Direct path: the id of the SCIM reference object the path reads from, if any. */
	referenceId?: (item: Record<string, unknown>) => string | undefined;
	/** Precomputed per row: the trace text and whether the target is secret. */
	trace: string;
	secret: boolean;
	/** Applied on create only: Apply "create", or a None row (its default value). */
	onCreate: boolean;
	/** objectClass keeps a list of one as a list. */
	keepsLists: boolean;
	/** Not a reference: a plain value is the row's value as it is. */
	plain: boolean;
}

const describe = (row: MappingRow, index: number) => `Mapping row ${index + 1} (${row.target || 'no target'})`;

/** Maps one item; `source`, when given, is the envelope's source (built into the envelope with the rest). */
export type Mapping = (item: Record<string, unknown>, source?: EnvelopeSource) => MappedItem;

/** Compiles rows, rejecting unknown functions, bad argument counts and malformed expressions up front. */
export function compileMapping(rows: MappingRow[], options: MappingOptions = {}): Mapping {
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
		onCreate: row.apply === 'create' || row.type === 'none',
		keepsLists: row.target?.toLowerCase() === 'objectclass',
		plain: !row.referenceBy,
	}));
	function compileRow(row: MappingRow, index: number): Omit<CompiledRow, 'trace' | 'secret' | 'onCreate' | 'keepsLists' | 'plain'> {
		const label = describe(row, index);
		const field = `mappings[${index}]`;
		const bad = (reason: string) => new ProvisioningError('InvalidInput', `${label}: ${reason}`, { field });
		if (!row.target?.trim()) throw bad('no target attribute');
		if (hasReservedSegment(row.target)) throw bad(`the target attribute ${RESERVED_NAME_REASON}`);
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
							throw bad(scrubSecrets((error as Error).message, ctx.secrets ?? []));
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

	// One context for every item, pointed at each in turn: a mapping runs one item at a time, synchronously.
	const ctx = new ItemContext(options.now);
	// The usual item: every row yields a plain value, so its trace and attributes have the same keys in the same
	// order for every item. They are cloned from these templates and the values written in as the rows yield them;
	// an item that leaves the usual way at some row has the rows before it written out afresh, then goes key by key.
	const traceTemplate: Record<string, string> = {};
	const attributesTemplate: AttributeMap = {};
	for (const c of compiled) {
		traceTemplate[c.row.target] = c.trace;
		if (!c.onCreate) attributesTemplate[c.row.target] = null;
	}
	return (item, source) => {
		ctx.item = item;
		if (ctx.secrets.length) ctx.secrets.length = 0;
		let usual = true;
		let attributes: AttributeMap = { ...attributesTemplate };
		let trace: Record<string, string> = { ...traceTemplate };
		const createOnly: AttributeMap = {};
		const redact: string[] = [];
		// Rare: made when first needed (a mapping runs for every item of a batch).
		let pendingUnique: PendingUnique[] | undefined;
		let references: Record<string, AccountReference> | undefined;
		let clear: string[] | undefined;
		for (let r = 0; r < compiled.length; r++) {
			const c = compiled[r];
			let value = c.evaluate(item, ctx);
			// The most usual of all: a text, number or boolean that is not empty, for a row that names no account.
			if (c.plain && nonEmptyScalar(value)) {
				(c.onCreate ? createOnly : attributes)[c.row.target] = value;
				if (!usual) trace[c.row.target] = c.trace;
				if (c.secret && !redact.includes(c.row.target)) redact.push(c.row.target);
				continue;
			}
			const { row, label, trace: rowTrace, secret, referenceId, onCreate, keepsLists } = c;
			const ignored = value instanceof IgnoreFlow;
			if (!ignored && value instanceof Redacted) {
				redact.push(row.target);
				value = value.value;
			}
			let result = ignored || value instanceof UniqueCandidates ? undefined : toAttributeValue(value);
			if (result !== undefined && !empty(result) && !row.referenceBy) {
				// The usual way: a value for the row's target (one value, not a list of one, except objectClass).
				if (Array.isArray(result) && result.length === 1 && !keepsLists) result = result[0] as AttributeValue;
				(onCreate ? createOnly : attributes)[row.target] = result;
				if (!usual) trace[row.target] = rowTrace;
				if (secret && !redact.includes(row.target)) redact.push(row.target);
				continue;
			}
			if (usual) {
				// The first row off the usual way: the rows before it, written out afresh in order.
				usual = false;
				const written = attributes;
				trace = {};
				attributes = {};
				for (let k = 0; k < r; k++) {
					trace[compiled[k].row.target] = compiled[k].trace;
					if (!compiled[k].onCreate) attributes[compiled[k].row.target] = written[compiled[k].row.target];
				}
			}
			if (ignored) continue;
			if (value instanceof UniqueCandidates) {
				if (value.candidates.length === 0)
					throw new ProvisioningError('MissingRequiredValue', `${label}: SelectUniqueValue produced no candidate`, { field: row.target });
				(pendingUnique ??= []).push({ attribute: row.target, candidates: value.candidates });
				trace[row.target] = `${row.type}: SelectUniqueValue`;
				continue;
			}
			if (empty(result!) && row.defaultValue !== undefined && row.defaultValue !== '') {
				createOnly[row.target] = row.defaultValue;
				trace[row.target] = `${label}: default value (create only)`;
				continue;
			}
			if (empty(result!)) {
				if (row.required) throw new ProvisioningError('MissingRequiredValue', `${label}: a required value is empty`, { field: row.target });
				if (row.clearWhenEmpty && !onCreate) {
					(clear ??= []).push(row.target);
					trace[row.target] = `${rowTrace} (empty: cleared)`;
				}
				continue;
			}
			// What is left is a reference: it names another account by one key value.
			if (Array.isArray(result) && result.length === 1 && !keepsLists) result = result[0] as AttributeValue;
			if (typeof result === 'object')
				throw new ProvisioningError('InvalidInput', `${label}: a reference needs one key value, not a list or an object`, {
					field: row.target,
				});
			const sourceId = referenceId?.(item);
			(references ??= {})[row.target] = { by: row.referenceBy!, value: result as ScalarValue, ...(sourceId ? { sourceId } : {}) };
			trace[row.target] = `${rowTrace} (reference by ${row.referenceBy})`;
		}
		const matchKeys: MatchKey[] = [];
		for (const { row } of precedence) {
			const v = attributes[row.target] ?? createOnly[row.target];
			const scalar = Array.isArray(v) ? v[0] : v;
			matchKeys.push({
				attribute: row.target,
				value: scalar === undefined || scalar === null || typeof scalar === 'object' ? null : (scalar as ScalarValue),
			});
		}
		// Built whole when it can be (a property added later costs each envelope a second allocation); the source
		// stays the last key either way.
		const envelope: ProvisioningEnvelope =
			source && !references && !clear
				? { attributes, createOnly, matchKeys, redact, trace, source }
				: { attributes, createOnly, matchKeys, redact, trace };
		if (references) envelope.references = references;
		if (clear) envelope.clearAttributes = clear;
		if (source && (references || clear)) envelope.source = source;
		return { envelope, pendingUnique: pendingUnique ?? NO_PENDING };
	};
}
