/**
 * Names a JavaScript object or list inherits (`hasOwnProperty`, `toString`, `valueOf`, `__proto__`, `constructor`,
 * `__defineGetter__`, `map`, …) are never SCIM names here. A walker that looks one up on a plain object finds the
 * built-in shared by the whole process, and a write through it changes that built-in for every request (scim-patch
 * walks paths with `obj[name]` and `name in obj`). So every key at every depth of a body or a PATCH value, and every
 * name in a PATCH path, is checked against this one list, ignoring case (SCIM names ignore case, and code that
 * lowercases a name must not land on `map` or `keys` either). What is refused is a 400, before anything walks it.
 */
import { ScimError } from './scimError';

const INHERITED: ReadonlySet<string> = new Set(
	[...Object.getOwnPropertyNames(Object.prototype), ...Object.getOwnPropertyNames(Array.prototype), 'prototype']
		// A list's length is its own property, not an inherited one.
		.filter((name) => name !== 'length')
		.map((name) => name.toLowerCase()),
);

/** Deeper than any SCIM resource (an extension's complex list is 4 levels); also bounds the walk's recursion. */
export const MAX_DEPTH = 32;

export type NameErrorType = 'invalidSyntax' | 'invalidPath';

export const isInheritedName = (name: string): boolean => INHERITED.has(name.toLowerCase());

const refused = (where: string, name: string, scimType: NameErrorType) =>
	new ScimError(
		400,
		`"${where}" uses the reserved name "${name}" (every JavaScript object has it), which is not an attribute name`,
		scimType,
	);

/**
 * The parts of a key as path walkers split keys (scim-patch resolves `a.b` and `urn:…:a` in value keys), and the
 * key itself: the first inherited one, or undefined.
 */
export const inheritedPartOf = (key: string): string | undefined =>
	isInheritedName(key) ? key : key.split(/[.:[\]]/).find(isInheritedName);

/**
 * Throws a 400 when any key, at any depth of `value` (lists included), is or contains an inherited name, or when the
 * value nests deeper than MAX_DEPTH. `where` names the value in the message.
 */
export function refuseInheritedKeys(value: unknown, scimType: NameErrorType, where: string, depth = 0): void {
	if (typeof value !== 'object' || value === null) return;
	if (depth >= MAX_DEPTH) throw new ScimError(400, `"${where}" nests deeper than ${MAX_DEPTH} levels`, 'invalidSyntax');
	if (Array.isArray(value)) {
		value.forEach((element, i) => refuseInheritedKeys(element, scimType, `${where}[${i}]`, depth + 1));
		return;
	}
	for (const key of Object.keys(value)) {
		const at = where ? `${where}.${key}` : key;
		const name = inheritedPartOf(key);
		if (name !== undefined) throw refused(at, name, scimType);
		refuseInheritedKeys((value as Record<string, unknown>)[key], scimType, at, depth + 1);
	}
}

/** A quoted value in a filter, with JSON escapes. */
const QUOTED = /"(?:[^"\\]|\\.)*"/g;

/**
 * Throws 400 invalidPath when a name in a PATCH value filter (`emails[type eq "work"]`) is inherited. Quoted values
 * are values, not names, and are skipped, unless they hold `[`, `]` or `:`, which scim-patch may read as path syntax
 * (it splits paths at the last `:` and at brackets without regard to quotes): then their words are checked too.
 */
export function refuseInheritedFilterNames(path: string, filter: string): void {
	if ((filter.replace(QUOTED, '').match(/"/g) ?? []).length)
		throw new ScimError(400, `The path "${path}" has an unterminated quoted value`, 'invalidPath');
	const names = filter.replace(QUOTED, (quoted) => (/[[\]:]/.test(quoted) ? quoted : ' ')).split(/[^A-Za-z0-9_$]+/);
	const name = names.find((word) => word && isInheritedName(word));
	if (name !== undefined) throw refused(path, name, 'invalidPath');
}
