/**
 * Typed validation of what clients write, against the one schema definition in schemas.ts (the same documents
 * /Schemas publishes). It runs on the body of a POST or PUT and on the result of a PATCH, before anything is
 * stored, and returns the resource normalised:
 * - attribute names take the schema's spelling (`Active` → `active`); a name given twice is refused;
 * - "True"/"False" strings (Entra's legacy booleans, any case) become booleans wherever a boolean is expected;
 * - null means unassigned (RFC 7644 §3.5.2.3) and is dropped, in lists too;
 * - one complex value where a list of them is expected becomes a one-element list (a list of strings likewise);
 * - a manager given as a plain id string (Entra) becomes `{ value }`;
 * - everything else of the wrong type is 400 invalidValue naming the attribute: a string where an object or a list
 *   of objects is expected, an object where a string is, a number for a string, "maybe" for a boolean, an invalid
 *   dateTime or binary value, a list for a single-valued attribute;
 * - unknown attributes and sub-attributes are refused (400 invalidSyntax in a body, invalidPath from a PATCH), and so
 *   is every name a JavaScript object inherits (inheritedNames.ts), at any depth;
 * - extension schemas other than the enterprise one are any JSON object without inherited names (not typed: Entra's
 *   and Okta's custom extensions are not described here); a core schema URN as a key is refused.
 * Canonical values are published but not enforced (RFC 7643 §7 makes them suggestions). Error messages never
 * contain the values themselves (a password may be among them).
 */
import { hasOwn, isObject } from '../../util';
import { CORE_SCHEMA_PREFIX, ENTERPRISE_USER_SCHEMA as ENTERPRISE, isCoreSchema, withoutCoreSchema } from '../schema';
import { inheritedPartOf, refuseInheritedKeys } from './inheritedNames';
import { type AttributeDefinition, COMMON_ATTRIBUTES, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './schemas';
import { ScimError } from './scimError';

export type ResourceKind = 'User' | 'Group';

export interface ValidationOptions {
	/** 'request' for a POST/PUT body, 'patch' for the result of a PATCH (errors then name paths, as RFC 7644 §3.5.2 does). */
	mode: 'request' | 'patch';
	/**
	 * The stored resource a PATCH started from: a top-level attribute the PATCH left exactly as it was is kept as
	 * stored, unchecked, so data stored before typed validation existed does not make every later PATCH of that
	 * resource fail (Entra would quarantine the app over a user's disable). What a PATCH changes is always checked.
	 */
	unchangedFrom?: Record<string, unknown>;
}

type Index = Map<string, AttributeDefinition>;
const indexOf = (attributes: AttributeDefinition[]): Index => new Map(attributes.map((a) => [a.name.toLowerCase(), a]));

const SERVER_OWNED = new Set(['id', 'meta']);
const COMMON = indexOf(COMMON_ATTRIBUTES.filter((a) => !SERVER_OWNED.has(a.name)));
const TOP: Record<ResourceKind, Index> = {
	User: new Map([...COMMON, ...indexOf(USER_SCHEMA.attributes)]),
	Group: new Map([...COMMON, ...indexOf(GROUP_SCHEMA.attributes)]),
};
const ENTERPRISE_INDEX = indexOf(ENTERPRISE_USER_SCHEMA.attributes);
const SUB_INDEX = new WeakMap<AttributeDefinition, Index>();
const subIndex = (definition: AttributeDefinition): Index => {
	let index = SUB_INDEX.get(definition);
	if (!index) SUB_INDEX.set(definition, (index = indexOf(definition.subAttributes ?? [])));
	return index;
};

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

const kindOf = (value: unknown): string =>
	Array.isArray(value)
		? 'a list'
		: isObject(value)
			? 'an object'
			: typeof value === 'string'
				? 'a string'
				: typeof value === 'number'
					? 'a number'
					: typeof value === 'boolean'
						? 'a boolean'
						: typeof value;

const invalid = (path: string, expected: string, value: unknown) =>
	new ScimError(400, `Attribute "${path}" must be ${expected}, not ${kindOf(value)}`, 'invalidValue');

const expectation: Record<AttributeDefinition['type'], string> = {
	string: 'a string',
	boolean: 'a boolean (true or false)',
	decimal: 'a number',
	integer: 'an integer',
	dateTime: 'a dateTime (xsd:dateTime, e.g. 2024-01-31T09:00:00Z)',
	reference: 'a reference (a URI string)',
	binary: 'base64-encoded binary text',
	complex: 'an object',
};

/** One value of a simple type, normalised; throws invalidValue naming `path`. */
function simple(definition: AttributeDefinition, value: unknown, path: string): unknown {
	switch (definition.type) {
		case 'boolean':
			if (typeof value === 'boolean') return value;
			if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
			break;
		case 'string':
		case 'reference':
			if (typeof value === 'string') return value;
			break;
		case 'binary':
			if (typeof value === 'string' && BASE64.test(value)) return value;
			break;
		case 'dateTime':
			if (typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) return value;
			break;
		case 'integer':
			if (typeof value === 'number' && Number.isInteger(value)) return value;
			break;
		case 'decimal':
			if (typeof value === 'number' && Number.isFinite(value)) return value;
			break;
	}
	throw invalid(path, expectation[definition.type], value);
}

/** `urn:…:2.0:User` on a Group (the enterprise extension included), `urn:…:Group` on a User. */
export const extendsOtherType = (urn: string, type: ResourceKind): boolean =>
	urn.slice(urn.lastIndexOf(':') + 1).toLowerCase() === (type === 'User' ? 'group' : 'user');

class Validator {
	constructor(
		private readonly type: ResourceKind,
		private readonly options: ValidationOptions,
	) {}

	private unknown(path: string): ScimError {
		return new ScimError(400, `Unknown ${this.type} attribute "${path}"`, this.scimType);
	}

	/** Names a JavaScript object inherits are never attributes (inheritedNames.ts). */
	private refuseInherited(path: string): void {
		const name = inheritedPartOf(path);
		if (name !== undefined)
			throw new ScimError(400, `"${path}" uses the reserved name "${name}" (every JavaScript object has it)`, this.scimType);
	}

	private get scimType() {
		return this.options.mode === 'patch' ? 'invalidPath' : 'invalidSyntax';
	}

	/** An extension schema not described here: any JSON object whose names, at any depth, are not inherited ones. */
	private extension(key: string, value: unknown): Record<string, unknown> {
		if (!isObject(value)) throw invalid(key, expectation.complex, value);
		refuseInheritedKeys(value, this.scimType, key);
		return value;
	}

	private required(path: string, topLevel: boolean): ScimError {
		if (this.options.mode === 'patch' && topLevel) return new ScimError(400, `${path} cannot be removed`, 'mutability');
		return new ScimError(400, `${path} is required`, 'invalidValue');
	}

	/** One attribute of an object: the schema's spelling, its type; `seen` catches a name given twice in other cases. */
	attribute(key: string, value: unknown, index: Index, prefix: string, out: Record<string, unknown>, seen: Set<string>): void {
		this.refuseInherited(`${prefix}${key}`);
		const definition = index.get(key.toLowerCase());
		if (!definition) throw this.unknown(`${prefix}${key}`);
		if (seen.has(definition.name)) throw new ScimError(400, `Attribute "${prefix}${definition.name}" is given twice`, 'invalidSyntax');
		seen.add(definition.name);
		const checked = this.value(definition, value, `${prefix}${definition.name}`);
		if (checked !== undefined) out[definition.name] = checked;
	}

	/** Every required attribute of `index` has a value in `out`. */
	requireAll(index: Index, prefix: string, out: Record<string, unknown>): void {
		for (const definition of index.values()) {
			if (!definition.required) continue;
			const present = out[definition.name];
			if (present === undefined || (typeof present === 'string' && !present.trim()))
				throw this.required(`${prefix}${definition.name}`, prefix === '');
		}
	}

	/** The attributes of one object against an index. */
	attributes(data: Record<string, unknown>, index: Index, prefix: string): Record<string, unknown> {
		const out: Record<string, unknown> = {};
		const seen = new Set<string>();
		for (const [key, value] of Object.entries(data)) this.attribute(key, value, index, prefix, out, seen);
		this.requireAll(index, prefix, out);
		return out;
	}

	/** A value of an attribute: null is unassigned (dropped); lists and complex values checked element by element. */
	value(definition: AttributeDefinition, value: unknown, path: string): unknown {
		if (value === null || value === undefined) return undefined;
		if (definition.multiValued) {
			const list = Array.isArray(value) ? value : isObject(value) || definition.type !== 'complex' ? [value] : undefined;
			if (!list) throw invalid(path, 'a list of objects', value);
			const out: unknown[] = [];
			list.forEach((element, i) => {
				if (Array.isArray(element)) throw invalid(`${path}[${i}]`, expectation[definition.type], element);
				const checked = this.single(definition, element, `${path}[${i}]`);
				if (checked !== undefined) out.push(checked);
			});
			return out;
		}
		if (Array.isArray(value)) throw invalid(path, `${expectation[definition.type]} (it is single-valued)`, value);
		return this.single(definition, value, path);
	}

	single(definition: AttributeDefinition, value: unknown, path: string): unknown {
		if (value === null || value === undefined) return undefined;
		if (definition.type !== 'complex') return simple(definition, value, path);
		// Entra's manager as a plain id string (the PATCH form, accepted in bodies too): the id is its value.
		if (typeof value === 'string' && !definition.multiValued && subIndex(definition).has('value')) return value ? { value } : undefined;
		if (!isObject(value)) throw invalid(path, expectation.complex, value);
		return this.attributes(value, subIndex(definition), `${path}.`);
	}

	resource(data: Record<string, unknown>): Record<string, unknown> {
		const out: Record<string, unknown> = {};
		const seen = new Set<string>();
		const index = TOP[this.type];
		const previous = this.options.unchangedFrom;
		for (const [key, value] of Object.entries(data)) {
			const unchanged =
				previous && !SERVER_OWNED.has(key) && hasOwn(previous, key) && JSON.stringify(previous[key]) === JSON.stringify(value);
			if (!unchanged) this.refuseInherited(key);
			if (unchanged) {
				out[key] = value;
				seen.add(index.get(key.toLowerCase())?.name ?? key);
			} else if (SERVER_OWNED.has(key.toLowerCase())) {
				// The server's own (a PATCH result carries them); another spelling from a client is ignored.
				if (SERVER_OWNED.has(key)) out[key] = value;
			} else if (/^urn:/i.test(key)) {
				if (isCoreSchema(key)) throw new ScimError(400, `"${key}" is not an attribute: core attributes go at the top level`, this.scimType);
				if (CORE_SCHEMA_PREFIX.test(key) || key.toLowerCase().startsWith(`${ENTERPRISE.toLowerCase()}:`))
					throw new ScimError(400, `"${key}" is an attribute path, not a key: nest it under its schema`, this.scimType);
				if (extendsOtherType(key, this.type))
					throw new ScimError(400, `"${key}" extends another resource type than ${this.type}s`, this.scimType);
				if (this.type === 'User' && key.toLowerCase() === ENTERPRISE.toLowerCase()) {
					if (seen.has(ENTERPRISE)) throw new ScimError(400, `Attribute "${ENTERPRISE}" is given twice`, 'invalidSyntax');
					seen.add(ENTERPRISE);
					if (value === null || value === undefined) continue;
					if (!isObject(value)) throw invalid(ENTERPRISE, expectation.complex, value);
					out[ENTERPRISE] = this.attributes(value, ENTERPRISE_INDEX, `${ENTERPRISE}:`);
				} else if (value !== null && value !== undefined) out[key] = this.extension(key, value);
			} else if (this.type === 'User' && key.toLowerCase() === 'groups') {
				// Read-only (RFC 7643 §4.1.2): a client's copy is ignored; memberships change through /Groups.
			} else this.attribute(key, value, index, '', out, seen);
		}
		this.requireAll(index, '', out);
		return out;
	}
}

/** Validates and normalises a whole resource (see the top of this file); throws a 400 ScimError naming the attribute. */
export function validateResource(type: ResourceKind, data: Record<string, unknown>, options: ValidationOptions): Record<string, unknown> {
	return new Validator(type, options).resource(data);
}

const OPERATION_PATH = /^([A-Za-z$][\w$-]*)(\[[^\]]*\])?(?:\.([A-Za-z$][\w$-]*))?$/;

/**
 * The value of one PATCH add/replace checked against the attribute its path names, before the operation runs: a
 * library applying a wrong-typed value can drop it silently (a string "replacing" a list of objects), which the
 * check of the result alone would not see. Paths the schema does not describe are left to the check of the result.
 */
export function checkOperationValue(type: ResourceKind, path: string, value: unknown): void {
	const validator = new Validator(type, { mode: 'patch' });
	let rest = withoutCoreSchema(path);
	let index = TOP[type];
	let prefix = '';
	if (type === 'User' && rest.toLowerCase().startsWith(ENTERPRISE.toLowerCase())) {
		rest = rest.slice(ENTERPRISE.length);
		if (rest === '') {
			if (value !== null && !isObject(value)) throw invalid(ENTERPRISE, expectation.complex, value);
			return;
		}
		if (!rest.startsWith(':')) return;
		rest = rest.slice(1);
		index = ENTERPRISE_INDEX;
		prefix = `${ENTERPRISE}:`;
	}
	const match = OPERATION_PATH.exec(rest);
	const definition = match && index.get(match[1].toLowerCase());
	if (!match || !definition || definition.mutability === 'readOnly') return;
	const [, , filter, sub] = match;
	const name = `${prefix}${definition.name}`;
	if (sub) {
		const subDefinition = subIndex(definition).get(sub.toLowerCase());
		if (subDefinition) validator.value(subDefinition, value, `${name}.${subDefinition.name}`);
	} else if (filter && definition.multiValued) validator.single(definition, value, name);
	else if (!filter) validator.value(definition, value, name);
}
