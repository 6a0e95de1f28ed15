import { ProvisioningError } from '../errors';
import { readScimPath } from '../scim/path';

const MISSING = Symbol('missing');
export type Lookup = unknown | typeof MISSING;
export { MISSING };

/**
 * Reads a Direct mapping's source path from an item: an exact key first (keys may contain dots or URNs),
 * then dot and bracket paths (`manager.email`, `emails[0].value`, `["urn:…:User"].employeeNumber`), and
 * SCIM value paths (`emails[type eq "work"].value`) and flattened extension names (`urn:…:csv:1.0:User:HireDate`).
 * Returns MISSING when the path is absent.
 */
export function readSourcePath(item: Record<string, unknown>, path: string): Lookup {
	return sourceAccessor(path)(item);
}

const has = Object.prototype.hasOwnProperty;
const accessors = new Map<string, (item: Record<string, unknown>) => Lookup>();

/** Compiles a path once into a reader; mappings call these per item, so the parsing happens once. */
export function sourceAccessor(path: string): (item: Record<string, unknown>) => Lookup {
	let accessor = accessors.get(path);
	if (accessor) return accessor;
	// SCIM paths: value filters, and Entra's flattened extension names (`urn:…:enterprise:2.0:User:employeeNumber`).
	if (/^urn:/i.test(path) || /\[[^\]]*\s(eq)\s/i.test(path)) {
		accessor = (item) => {
			if (has.call(item, path)) return item[path];
			const value = readScimPath(item, path);
			return value === undefined ? MISSING : value;
		};
	} else {
		const segments: string[] = [];
		const re = /\[\s*(?:"([^"]*)"|'([^']*)'|(\d+))\s*\]|([^.[\]]+)/g;
		let m: RegExpExecArray | null;
		while ((m = re.exec(path))) segments.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
		const unsafe = segments.some((s) => s === '__proto__' || s === 'constructor' || s === 'prototype');
		accessor = (item) => {
			if (has.call(item, path)) return item[path];
			if (unsafe) return MISSING;
			let current: unknown = item;
			for (const segment of segments) {
				if (current === null || typeof current !== 'object' || !has.call(current, segment)) return MISSING;
				current = (current as Record<string, unknown>)[segment];
			}
			return current;
		};
	}
	if (accessors.size < 10000) accessors.set(path, accessor);
	return accessor;
}

/** The object a mapping reads: the item itself, or an object inside it ("resource" of a SCIM Trigger event). */
export function sourceObject(json: Record<string, unknown>, path: string): Record<string, unknown> {
	if (!path) return json;
	const nested = sourceAccessor(path)(json);
	if (nested === null || typeof nested !== 'object' || Array.isArray(nested)) {
		throw new ProvisioningError('InvalidInput', `The item has no object at "${path}"`, { field: 'sourcePath' });
	}
	return nested as Record<string, unknown>;
}
