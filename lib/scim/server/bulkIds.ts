/**
 * RFC 7644 §3.7.2 bulkId references: `"bulkId:<id>"` as a whole string value anywhere in an operation's data (a
 * member's or a manager's value), as a path segment (`/Groups/bulkId:qwerty`), or quoted inside a PATCH filter
 * (`members[value eq "bulkId:qwerty"]`). Walks own properties only; the bulkIds are kept in Maps and Sets, never as
 * object keys, so a bulkId like `__proto__` is just a name.
 */
import { isObject } from '../../util';

const PREFIX = 'bulkId:';
/** A reference quoted inside a longer string: a PATCH value filter. */
const QUOTED = /"bulkId:([^"\\]+)"/g;

function referencesIn(text: string, into: Set<string>): void {
	if (text.startsWith(PREFIX) && text.length > PREFIX.length) into.add(text.slice(PREFIX.length));
	else if (text.includes(`"${PREFIX}`)) for (const match of text.matchAll(QUOTED)) into.add(match[1]);
}

/** Every bulkId that a value (an operation's data) or a path names. */
export function bulkIdReferences(path: string, data: unknown): Set<string> {
	const found = new Set<string>();
	for (const segment of path.split('/')) referencesIn(segment, found);
	const walk = (value: unknown): void => {
		if (typeof value === 'string') referencesIn(value, found);
		else if (Array.isArray(value)) value.forEach(walk);
		else if (isObject(value)) for (const key of Object.keys(value)) walk(value[key]);
	};
	walk(data);
	return found;
}

function resolveText(text: string, ids: ReadonlyMap<string, string>): string {
	if (text.startsWith(PREFIX) && ids.has(text.slice(PREFIX.length))) return ids.get(text.slice(PREFIX.length))!;
	if (!text.includes(`"${PREFIX}`)) return text;
	return text.replace(QUOTED, (quoted, id: string) => (ids.has(id) ? `"${ids.get(id)}"` : quoted));
}

/** A copy of the path and data with every reference replaced by the id its create was given. */
export function resolveBulkIds(path: string, data: unknown, ids: ReadonlyMap<string, string>): { path: string; data: unknown } {
	const copy = (value: unknown): unknown => {
		if (typeof value === 'string') return resolveText(value, ids);
		if (Array.isArray(value)) return value.map(copy);
		if (isObject(value)) {
			// defineProperty, not assignment: an own key named like a setter stays a plain key (the body was refused
			// earlier if it held one; this is belt and braces).
			const out: Record<string, unknown> = {};
			for (const key of Object.keys(value))
				Object.defineProperty(out, key, { value: copy(value[key]), enumerable: true, writable: true, configurable: true });
			return out;
		}
		return value;
	};
	const resolvedPath = path
		.split('/')
		.map((segment) =>
			segment.startsWith(PREFIX) && ids.has(segment.slice(PREFIX.length)) ? ids.get(segment.slice(PREFIX.length))! : segment,
		)
		.join('/');
	return { path: resolvedPath, data: copy(data) };
}
