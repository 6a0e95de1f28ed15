import { ProvisioningError } from './errors';
import type { StoreRef } from './storeLocation';
import { hasReservedSegment, isObject as isPlainObject, RESERVED_NAME_REASON } from './util';

export type ScalarValue = string | number | boolean;
/** A value for one target attribute: a scalar, a multi-valued list, or a SCIM complex value. */
export type AttributeValue = ScalarValue | ScalarValue[] | Record<string, unknown> | Array<Record<string, unknown>> | null;
export type AttributeMap = Record<string, AttributeValue>;

export interface EnvelopeSource {
	system?: string;
	/** The source's id of the item (a SCIM Trigger's resource id). */
	id?: string;
	/** The SCIM Trigger store the item came from, signed: the action nodes remember there where it landed (Entra's anchor). */
	store?: StoreRef;
	/** The source no longer holds this user (the IdP deleted it). */
	deleted?: boolean;
}

/** Another account named by a key the target knows: `by` is the target attribute, `value` its value. */
export interface AccountReference {
	by: string;
	value: ScalarValue;
	/** The referenced account's id in the same SCIM Trigger store, when known: its remembered target id is tried first. */
	sourceId?: string;
}

/** One way to find an existing account; keys are tried in array order (Entra's matching precedence). */
export interface MatchKey {
	attribute: string;
	value: ScalarValue | null;
}

/**
 * The contract between Map Attributes and the action nodes (Provision User, Deprovision User, Group Sync).
 * An item's json *is* an envelope when it has an `attributes` object; see README "The provisioning envelope".
 */
export interface ProvisioningEnvelope {
	/** Target attribute values applied on create and on every update. */
	attributes: AttributeMap;
	/** Values set only when the account is created (initial password, DN, objectClass, immutable ids). */
	createOnly?: AttributeMap;
	/** Match keys in precedence order; the first key with a hit wins. */
	matchKeys: MatchKey[];
	/** Attributes to clear in the target (null values are otherwise never sent, as in Entra). */
	clearAttributes?: string[];
	/** Extra attributes whose values are secret and shown as [Redact] in logs. */
	redact?: string[];
	/** Where the item came from, copied into the provisioning log. */
	source?: EnvelopeSource;
	/** Attributes whose value names another account (a manager) by a key; the action node puts that account's id or DN there. */
	references?: Record<string, AccountReference>;
	/** Target attribute → the mapping row that produced it. */
	trace?: Record<string, string>;
}

/** True when a value is "null or empty" in Entra's sense and must not be sent. */
export function isEmptyValue(value: unknown): boolean {
	if (value === null || value === undefined) return true;
	if (typeof value === 'string') return value.length === 0;
	if (Array.isArray(value)) return value.every(isEmptyValue);
	return false;
}

/** Drops null and empty values; removes empty members from multi-valued lists. */
export function compactAttributes(map: AttributeMap | undefined): AttributeMap {
	const out: AttributeMap = {};
	for (const [name, value] of Object.entries(map ?? {})) {
		if (isEmptyValue(value)) continue;
		out[name] = Array.isArray(value) ? ((value as unknown[]).filter((v) => !isEmptyValue(v)) as AttributeValue) : value;
	}
	return out;
}

function refuseReserved(name: string, field: string): void {
	if (hasReservedSegment(name))
		throw new ProvisioningError('InvalidInput', `"${field}": the attribute "${name}" ${RESERVED_NAME_REASON}`, { field });
}

function checkAttributeMap(value: unknown, field: string): AttributeMap {
	if (value === undefined || value === null) return {};
	if (!isPlainObject(value)) {
		throw new ProvisioningError('InvalidInput', `"${field}" must be an object of attribute names to values`, { field });
	}
	for (const [name, v] of Object.entries(value)) {
		if (name.trim() === '') throw new ProvisioningError('InvalidInput', `"${field}" has an empty attribute name`, { field });
		refuseReserved(name, field);
		if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') {
			throw new ProvisioningError('InvalidInput', `"${field}.${name}" has an unsupported value type`, { field: `${field}.${name}` });
		}
	}
	return value as AttributeMap;
}

function checkMatchKeys(value: unknown): MatchKey[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value))
		throw new ProvisioningError('InvalidInput', '"matchKeys" must be a list of {attribute, value}', { field: 'matchKeys' });
	return value.map((key, i) => {
		if (!isPlainObject(key) || typeof key.attribute !== 'string' || key.attribute.trim() === '') {
			throw new ProvisioningError('InvalidInput', `"matchKeys[${i}]" needs an "attribute" name`, { field: `matchKeys[${i}]` });
		}
		refuseReserved(key.attribute, `matchKeys[${i}]`);
		const v = key.value;
		if (v !== null && v !== undefined && !['string', 'number', 'boolean'].includes(typeof v)) {
			throw new ProvisioningError('InvalidInput', `"matchKeys[${i}].value" must be a string, number or boolean`, {
				field: `matchKeys[${i}].value`,
			});
		}
		return { attribute: key.attribute, value: (v ?? null) as ScalarValue | null };
	});
}

function checkStringList(value: unknown, field: string): string[] | undefined {
	if (value === undefined || value === null) return undefined;
	if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
		throw new ProvisioningError('InvalidInput', `"${field}" must be a list of attribute names`, { field });
	}
	for (const name of value as string[]) refuseReserved(name, field);
	return value as string[];
}

function checkReferences(value: unknown): Record<string, AccountReference> | undefined {
	if (value === undefined || value === null) return undefined;
	if (!isPlainObject(value))
		throw new ProvisioningError('InvalidInput', '"references" must be an object of attribute names to {by, value}', {
			field: 'references',
		});
	const out: Record<string, AccountReference> = {};
	for (const [attribute, ref] of Object.entries(value)) {
		const field = `references.${attribute}`;
		if (!isPlainObject(ref) || typeof ref.by !== 'string' || !ref.by.trim()) {
			throw new ProvisioningError('InvalidInput', `"${field}" needs "by": the target attribute the other account is found by`, { field });
		}
		if (ref.value === null || ref.value === undefined || ref.value === '') continue;
		if (!['string', 'number', 'boolean'].includes(typeof ref.value)) {
			throw new ProvisioningError('InvalidInput', `"${field}.value" must be a string, number or boolean`, { field });
		}
		out[attribute] = {
			by: ref.by,
			value: ref.value as ScalarValue,
			...(typeof ref.sourceId === 'string' ? { sourceId: ref.sourceId } : {}),
		};
	}
	return out;
}

/** True when an item's json looks like an envelope rather than a plain source record. */
export function looksLikeEnvelope(json: unknown): boolean {
	return isPlainObject(json) && isPlainObject(json.attributes);
}

/** The source as given, its store kept only when `trustStore` accepts it (see lib/store/storeRef.ts). */
function checkSource(value: unknown, trustStore?: (store: unknown) => StoreRef | undefined): EnvelopeSource | undefined {
	if (!isPlainObject(value)) return undefined;
	const { store, ...source } = value as Record<string, unknown>;
	const trusted = trustStore?.(store);
	return { ...(source as EnvelopeSource), ...(trusted ? { store: trusted } : {}) };
}

/**
 * Validates an item's json as an envelope, naming the field at fault. `source.store` is data like the rest: it is
 * dropped unless `trustStore` says this workflow may use it.
 */
export function parseEnvelope(json: unknown, trustStore?: (store: unknown) => StoreRef | undefined): ProvisioningEnvelope {
	if (!looksLikeEnvelope(json)) {
		throw new ProvisioningError(
			'InvalidInput',
			'The item is not a provisioning envelope: it has no "attributes" object. Connect Map Attributes before this node, or choose "Define Below" for the attributes.',
			{ field: 'attributes' },
		);
	}
	const obj = json as Record<string, unknown>;
	const source = checkSource(obj.source, trustStore);
	return {
		attributes: checkAttributeMap(obj.attributes, 'attributes'),
		createOnly: checkAttributeMap(obj.createOnly, 'createOnly'),
		matchKeys: checkMatchKeys(obj.matchKeys),
		clearAttributes: checkStringList(obj.clearAttributes, 'clearAttributes'),
		redact: checkStringList(obj.redact, 'redact'),
		source,
		references: checkReferences(obj.references),
		trace: isPlainObject(obj.trace) ? (obj.trace as Record<string, string>) : undefined,
	};
}
