import { ProvisioningError } from '../errors';
import { isObject, keyIgnoringCase as keyOf, RESERVED_KEYS } from '../util';
import { isCoreSchema } from './schema';

/**
 * A target attribute path as used in mappings: `userName`, `name.givenName`,
 * `emails[type eq "work"].value`, or `urn:…:enterprise:2.0:User:employeeNumber`.
 * Value filters are limited to `sub eq "value"` clauses joined by `and`: enough to address one
 * element of a multi-valued attribute, which is what a mapping needs.
 */
export interface ScimPath {
	/** The extension schema URN, when the path is URN-qualified with a non-core schema. */
	schema?: string;
	attribute: string;
	/** Sub-attribute equalities selecting one element of a multi-valued attribute. */
	filter?: Record<string, string | boolean>;
	subAttribute?: string;
}

const pathCache = new Map<string, ScimPath>();

export function parseScimPath(path: string): ScimPath {
	const cached = pathCache.get(path);
	if (cached) return cached;
	const parsed = parseUncached(path);
	if (pathCache.size < 10000) pathCache.set(path, parsed);
	return parsed;
}

function parseUncached(path: string): ScimPath {
	const invalid = (why: string) => new ProvisioningError('InvalidInput', `Invalid SCIM attribute path "${path}": ${why}`, { field: path });
	let rest = path.trim();
	let schema: string | undefined;
	if (/^urn:/i.test(rest)) {
		const bracket = rest.indexOf('[');
		const head = bracket === -1 ? rest : rest.slice(0, bracket);
		const colon = head.lastIndexOf(':');
		schema = rest.slice(0, colon);
		rest = rest.slice(colon + 1);
		if (isCoreSchema(schema)) schema = undefined;
	}
	const match = /^([A-Za-z_$][\w$-]*)(?:\[(.*)\])?(?:\.([A-Za-z_$][\w$-]*))?$/.exec(rest);
	if (!match) throw invalid('expected attribute, attribute.subAttribute or attribute[filter].subAttribute');
	const [, attribute, filterText, subAttribute] = match;
	if (RESERVED_KEYS.has(attribute) || (subAttribute !== undefined && RESERVED_KEYS.has(subAttribute))) {
		throw invalid('reserved name');
	}
	let filter: Record<string, string | boolean> | undefined;
	if (filterText !== undefined) {
		filter = {};
		for (const clause of filterText.split(/\s+and\s+/i)) {
			const eq = /^\s*([A-Za-z_$][\w$-]*)\s+eq\s+(?:"((?:[^"\\]|\\.)*)"|(true|false))\s*$/i.exec(clause);
			if (!eq) throw invalid(`value filters support only 'sub eq "value"' clauses joined by 'and', not "${clause.trim()}"`);
			filter[eq[1]] = eq[2] !== undefined ? eq[2].replace(/\\(.)/g, '$1') : eq[3].toLowerCase() === 'true';
		}
	}
	return { schema, attribute, filter, subAttribute };
}

function elementMatches(element: unknown, filter: Record<string, string | boolean>): boolean {
	if (!isObject(element)) return false;
	return Object.entries(filter).every(([sub, expected]) => {
		const key = keyOf(element, sub);
		const actual = key === undefined ? undefined : element[key];
		return String(actual).toLowerCase() === String(expected).toLowerCase();
	});
}

function container(resource: Record<string, unknown>, path: ScimPath, create: boolean): Record<string, unknown> | undefined {
	if (!path.schema) return resource;
	const key = keyOf(resource, path.schema);
	if (key !== undefined && isObject(resource[key])) return resource[key] as Record<string, unknown>;
	if (!create) return undefined;
	const ext: Record<string, unknown> = {};
	resource[path.schema] = ext;
	return ext;
}

/** Reads the value at a path; undefined when absent. */
export function readScimPath(resource: Record<string, unknown>, pathText: string): unknown {
	const path = parseScimPath(pathText);
	const base = container(resource, path, false);
	if (!base) return undefined;
	const key = keyOf(base, path.attribute);
	if (key === undefined) return undefined;
	let value = base[key];
	if (path.filter) {
		if (!Array.isArray(value)) return undefined;
		value = value.find((el) => elementMatches(el, path.filter!));
		if (value === undefined) return undefined;
	}
	if (path.subAttribute) {
		if (!isObject(value)) return undefined;
		const subKey = keyOf(value, path.subAttribute);
		return subKey === undefined ? undefined : value[subKey];
	}
	return value;
}

/** Writes a value at a path, creating the extension object or the filtered element as needed. */
export function writeScimPath(resource: Record<string, unknown>, pathText: string, value: unknown): void {
	const path = parseScimPath(pathText);
	const base = container(resource, path, true)!;
	const key = keyOf(base, path.attribute) ?? path.attribute;
	if (path.filter) {
		const list = Array.isArray(base[key]) ? (base[key] as unknown[]) : [];
		base[key] = list;
		let element = list.find((el) => elementMatches(el, path.filter!)) as Record<string, unknown> | undefined;
		if (!element) {
			element = { ...path.filter };
			list.push(element);
		}
		if (path.subAttribute) element[keyOf(element, path.subAttribute) ?? path.subAttribute] = value;
		else Object.assign(element, value);
		return;
	}
	if (path.subAttribute) {
		const parent = isObject(base[key]) ? (base[key] as Record<string, unknown>) : {};
		base[key] = parent;
		parent[keyOf(parent, path.subAttribute) ?? path.subAttribute] = value;
		return;
	}
	base[key] = value;
}

/** Removes the value at a path (the filtered element's sub-attribute, or the whole attribute). */
export function removeScimPath(resource: Record<string, unknown>, pathText: string): void {
	const path = parseScimPath(pathText);
	const base = container(resource, path, false);
	if (!base) return;
	const key = keyOf(base, path.attribute);
	if (key === undefined) return;
	if (path.filter) {
		const list = base[key];
		if (!Array.isArray(list)) return;
		if (path.subAttribute) {
			for (const el of list) if (elementMatches(el, path.filter)) delete (el as Record<string, unknown>)[path.subAttribute];
		} else {
			base[key] = list.filter((el) => !elementMatches(el, path.filter!));
		}
		return;
	}
	if (path.subAttribute) {
		if (isObject(base[key])) delete (base[key] as Record<string, unknown>)[path.subAttribute];
		return;
	}
	delete base[key];
}

/** Quotes a value for a SCIM filter, escaping `"` and `\` (RFC 7644 §3.4.2.2 uses JSON strings). */
export function scimFilterValue(value: string | number | boolean): string {
	if (typeof value === 'boolean' || typeof value === 'number') return String(value);
	return JSON.stringify(value);
}

/** `attr eq "v"`, or `emails[type eq "work" and value eq "v"]` for element paths. */
export function equalityFilter(pathText: string, value: string | number | boolean): string {
	const path = parseScimPath(pathText);
	const prefix = path.schema ? `${path.schema}:` : '';
	if (path.filter) {
		const clauses = Object.entries(path.filter).map(([k, v]) => `${k} eq ${scimFilterValue(v)}`);
		if (path.subAttribute) clauses.push(`${path.subAttribute} eq ${scimFilterValue(value)}`);
		return `${prefix}${path.attribute}[${clauses.join(' and ')}]`;
	}
	const attr = path.subAttribute ? `${path.attribute}.${path.subAttribute}` : path.attribute;
	return `${prefix}${attr} eq ${scimFilterValue(value)}`;
}
