import { readScimPath } from '../scim/path';

const MISSING = Symbol('missing');
export type Lookup = unknown | typeof MISSING;
export { MISSING };

/**
 * Reads a Direct mapping's source path from an item: an exact key first (keys may contain dots or URNs),
 * then dot and bracket paths (`manager.email`, `emails[0].value`, `["urn:…:User"].employeeNumber`), and
 * SCIM value paths (`emails[type eq "work"].value`). Returns MISSING when the path is absent.
 */
export function readSourcePath(item: Record<string, unknown>, path: string): Lookup {
	if (Object.prototype.hasOwnProperty.call(item, path)) return item[path];
	if (/\[[^\]]*\s(eq)\s/i.test(path)) {
		const value = readScimPath(item, path);
		return value === undefined ? MISSING : value;
	}
	const segments: string[] = [];
	const re = /\[\s*(?:"([^"]*)"|'([^']*)'|(\d+))\s*\]|([^.[\]]+)/g;
	let m: RegExpExecArray | null;
	while ((m = re.exec(path))) segments.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
	let current: unknown = item;
	for (const segment of segments) {
		if (current === null || typeof current !== 'object') return MISSING;
		if (segment === '__proto__' || segment === 'constructor' || segment === 'prototype') return MISSING;
		if (!Object.prototype.hasOwnProperty.call(current, segment)) return MISSING;
		current = (current as Record<string, unknown>)[segment];
	}
	return current;
}
