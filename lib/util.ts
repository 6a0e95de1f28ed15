/** Small helpers every part of the core shares. */

export type PlainObject = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export const isObject = (value: unknown): value is PlainObject => typeof value === 'object' && value !== null && !Array.isArray(value);

export const unique = <T>(values: Iterable<T>): T[] => [...new Set(values)];

/** Splits a list into consecutive slices of at most `size` elements. */
export const chunks = <T>(list: T[], size: number): T[][] =>
	Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/** A value as a list: undefined and null are empty, a scalar is one element. */
export const asList = <T>(value: T | T[] | undefined | null): T[] =>
	value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];

/** Parsed JSON text, or undefined when the text is not JSON. */
export function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** A deep copy of JSON data. */
export const cloneJson = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** Whether `key` is an own property of `obj` (never one it inherits); reads no property a request could have changed. */
export const hasOwn = (obj: object, key: string): boolean => Object.getOwnPropertyDescriptor(obj, key) !== undefined;

/** The key of `obj` that equals `name` ignoring case (SCIM and LDAP names are case-insensitive). */
export function keyIgnoringCase(obj: PlainObject, name: string): string | undefined {
	if (Object.prototype.hasOwnProperty.call(obj, name)) return name;
	const lower = name.toLowerCase();
	return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

/** Names that must never become object keys or path segments (prototype pollution). */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/** True when an attribute name or any segment of its path (`a.b`, `a[b]`, `urn:…:b`) is a reserved key. */
export function hasReservedSegment(name: string): boolean {
	return name.split(/[.[\]:"\s]+/).some((segment) => RESERVED_KEYS.has(segment));
}

export const RESERVED_NAME_REASON = 'is a reserved name (__proto__, constructor and prototype cannot be attribute names)';

/** JSON with every object's keys sorted: the same value whatever order its keys came in (PostgreSQL's jsonb has its own). */
export const canonicalJson = (value: unknown): string =>
	JSON.stringify(value, (_key, v: unknown) =>
		typeof v === 'object' && v !== null && !Array.isArray(v)
			? Object.fromEntries(
					Object.keys(v)
						.sort()
						.map((k) => [k, (v as Record<string, unknown>)[k]]),
				)
			: v,
	);
