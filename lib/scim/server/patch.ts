/**
 * PATCH for a SCIM service provider: Entra's and Okta's non-RFC forms are normalised here, in one place,
 * then scim-patch applies the operations to a copy, so a failing operation changes nothing (atomic).
 *
 * scim-patch walks paths and value keys through the prototype chain (`obj[name] || (obj[name] = {})`, `name in obj`),
 * so a name like `hasOwnProperty.call` would write into a built-in shared by the whole process. It is only ever given
 * paths of the RFC 7644 grammar (which it splits as we do) and values whose every name was checked (inheritedNames.ts).
 */
import { type ScimPatchOperation, scimPatch } from 'scim-patch';
import { asList, cloneJson as clone, isObject, keyIgnoringCase } from '../../util';
import { ENTERPRISE_USER_SCHEMA, isCoreSchema, withoutCoreSchema } from '../schema';
import { inheritedPartOf, refuseInheritedFilterNames, refuseInheritedKeys } from './inheritedNames';
import { ScimError } from './scimError';
import { checkOperationValue, extendsOtherType } from './validation';

/** Attributes the server owns or derives: clients cannot set them (RFC 7643 §3.1, §4.1.2). */
const SERVER_OWNED = new Set(['id', 'meta']);
/** RFC 7644 §3.5.2 PATH: `[URI ":"] ATTRNAME ["[" valFilter "]"] ["." subAttr]`; the URI holds no brackets, quotes or spaces. */
const PATH = /^(?:([A-Za-z][\w+.-]*:[^[\]"\s]*):)?([A-Za-z_$][\w$-]*)(?:\[(.*)\])?(?:\.([A-Za-z_$][\w$-]*))?$/s;

/** An operation scim-patch applies, or the removal of a whole extension (which scim-patch cannot address). */
export type PatchOperation = ScimPatchOperation | { op: 'removeExtension'; schema: string };

interface RawOperation {
	op?: unknown;
	path?: unknown;
	value?: unknown;
}

/** "True"/"False" strings where SCIM wants booleans (Entra sends active as "False"). */
function booleanish(path: string, value: unknown): unknown {
	if (typeof value === 'string' && /^(active|.*:active)$/i.test(path) && /^(true|false)$/i.test(value))
		return value.toLowerCase() === 'true';
	return value;
}

/** Throws 400 invalidPath unless the path has the RFC grammar and none of its names is one objects inherit. */
function checkPath(path: string): void {
	const match = PATH.exec(path);
	if (!match)
		throw new ScimError(400, `The path "${path}" is not an attribute path ([urn:…:]attribute[filter][.subAttribute])`, 'invalidPath');
	const [, uri, attribute, filter, sub] = match;
	const name = [uri ?? '', attribute, sub ?? ''].map(inheritedPartOf).find((n) => n !== undefined);
	if (name !== undefined)
		throw new ScimError(400, `The path "${path}" uses the reserved name "${name}" (every JavaScript object has it)`, 'invalidPath');
	if (filter !== undefined) refuseInheritedFilterNames(path, filter);
}

/** `urn:…:2.0:User`: a path naming a whole extension schema (of either resource type), not an attribute in one. */
const isWholeExtension = (path: string) => /^urn:[^[\]"\s]*:(user|group)$/i.test(path);

/** Entra's and Okta's forms, rewritten as RFC 7644 operations. */
export function normaliseOperations(raw: unknown, resourceType: 'User' | 'Group'): PatchOperation[] {
	if (!Array.isArray(raw) || raw.length === 0) throw new ScimError(400, 'A PATCH needs a non-empty "Operations" list', 'invalidSyntax');
	const out: PatchOperation[] = [];
	for (const [index, entry] of raw.entries()) {
		if (!isObject(entry)) throw new ScimError(400, `Operations[${index}] is not an object`, 'invalidSyntax');
		const { op: rawOp, path: rawPath, value: rawValue } = entry as RawOperation;
		const op = String(rawOp ?? '').toLowerCase();
		if (!['add', 'replace', 'remove'].includes(op))
			throw new ScimError(400, `Operations[${index}].op must be add, replace or remove, not "${String(rawOp)}"`, 'invalidSyntax');
		let path = rawPath === undefined || rawPath === null || String(rawPath).trim() === '' ? undefined : String(rawPath).trim();
		let value = rawValue;
		refuseInheritedKeys(value, 'invalidPath', `Operations[${index}].value`);
		// A core schema prefix, in any case, means the core attribute; the core schema itself means the resource.
		if (path !== undefined) path = withoutCoreSchema(path);
		if (path !== undefined && isCoreSchema(path)) {
			if (op === 'remove') throw new ScimError(400, `Operations[${index}]: a whole resource cannot be removed`, 'invalidPath');
			path = undefined;
		}

		if (path !== undefined && isWholeExtension(path)) {
			out.push(...wholeExtension(op, path, value, resourceType));
			continue;
		}
		if (path !== undefined) checkPath(path);

		if (op === 'remove') {
			if (!path) throw new ScimError(400, `Operations[${index}]: remove needs a path`, 'noTarget');
			// Legacy Entra member removal: {"op":"Remove","path":"members","value":[{"value":"<id>"}]} removes only those members.
			if (/^members$/i.test(path) && Array.isArray(value) && value.length) {
				for (const member of value) {
					const id = isObject(member) ? member.value : member;
					if (typeof id !== 'string' && typeof id !== 'number')
						throw new ScimError(400, `Operations[${index}]: a member to remove needs a value`, 'invalidValue');
					out.push({ op: 'remove', path: `members[value eq ${JSON.stringify(String(id))}]` });
				}
				continue;
			}
			out.push({ op: 'remove', path });
			continue;
		}

		if (path === undefined) {
			if (!isObject(value)) throw new ScimError(400, `Operations[${index}]: without a path the value must be an object`, 'invalidValue');
			// Okta sends the id (and sometimes meta) inside the value: server-owned, ignored.
			const entries = Object.entries(value).filter(([k]) => !SERVER_OWNED.has(k.toLowerCase()));
			// An extension the value's own `schemas` lists is one whole (`urn:contoso:employee` has no `:User` to tell it).
			const schemasKey = keyIgnoringCase(value, 'schemas');
			const listed = new Set(asList(schemasKey === undefined ? undefined : value[schemasKey]).map((s) => String(s).toLowerCase()));
			// Dotted and URN keys become separate operations, which scim-patch understands one by one.
			for (const [key, v] of entries)
				out.push(
					...(/^urn:/i.test(key) && listed.has(key.toLowerCase()) && !isCoreSchema(key)
						? wholeExtension(op, key, v, resourceType)
						: normaliseOperations([{ op, path: key, value: v }], resourceType)),
				);
			continue;
		}

		if (SERVER_OWNED.has(path.toLowerCase()) || /^meta\./i.test(path)) continue;
		if (resourceType === 'User' && /^groups(\[|\.|$)/i.test(path))
			throw new ScimError(400, "A user's groups are read-only; change memberships through /Groups", 'mutability');
		value = booleanish(path, value);
		// Manager as a plain id string (Entra), cleared with "".
		if (/^manager$/i.test(path) || path.toLowerCase() === `${ENTERPRISE_USER_SCHEMA}:manager`.toLowerCase()) {
			path = `${ENTERPRISE_USER_SCHEMA}:manager`;
			if (value === '' || value === null) {
				out.push({ op: 'remove', path });
				continue;
			}
			if (typeof value === 'string') value = { value };
		}
		// Clearing with "" or null means removing (RFC 7644 §3.5.2.3 treats null as unassigned).
		if (value === null || value === '') {
			out.push({ op: 'remove', path });
			continue;
		}
		if (/^roles$/i.test(path) && Array.isArray(value)) value = value.map((role, i) => rolesValue(role, index, i));
		checkOperationValue(resourceType, path, value);
		out.push({ op: op as 'add' | 'replace', path, value } as ScimPatchOperation);
	}
	return out;
}

/**
 * A path naming a whole extension (`urn:…:enterprise:2.0:User`): scim-patch would split it at its last colon and
 * store the value under `urn:…:2.0` → `User`, untyped. Its attributes become one operation each, typed like any other;
 * null or "" removes the extension, as remove does.
 */
function wholeExtension(op: string, schema: string, value: unknown, resourceType: 'User' | 'Group'): PatchOperation[] {
	checkPath(schema);
	if (extendsOtherType(schema, resourceType))
		throw new ScimError(400, `"${schema}" extends another resource type than ${resourceType}s`, 'invalidPath');
	if (op === 'remove' || value === null || value === '') return [{ op: 'removeExtension', schema }];
	if (!isObject(value))
		throw new ScimError(
			400,
			`Attribute "${schema}" must be an object, not ${Array.isArray(value) ? 'a list' : typeof value}`,
			'invalidValue',
		);
	return Object.entries(value).flatMap(([key, v]) => normaliseOperations([{ op, path: `${schema}:${key}`, value: v }], resourceType));
}

/** Entra sends some roles values as JSON text: parsed, and text that is not JSON is the client's error. */
function rolesValue(role: unknown, operation: number, index: number): unknown {
	if (typeof role !== 'string' || !role.trim().startsWith('{')) return role;
	let parsed: unknown;
	try {
		parsed = JSON.parse(role);
	} catch {
		throw new ScimError(400, `Operations[${operation}]: roles[${index}] looks like JSON but is not valid JSON`, 'invalidValue');
	}
	refuseInheritedKeys(parsed, 'invalidPath', `Operations[${operation}].value[${index}]`);
	return parsed;
}

/** Drops attributes left null or empty, so a cleared attribute is absent rather than "". */
export function prune(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(prune).filter((v) => v !== undefined);
	if (!isObject(value)) return value === null || value === '' ? undefined : value;
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(value)) {
		const p = prune(v);
		if (p === undefined) continue;
		if (Array.isArray(p) && p.length === 0 && k !== 'members') continue;
		if (isObject(p) && Object.keys(p).length === 0 && k !== 'meta') continue;
		out[k] = p;
	}
	return out;
}

/** Applies a PATCH request body to a resource, all operations or none. Returns the new resource. */
export function applyPatch<T extends Record<string, unknown>>(resource: T, body: unknown, resourceType: 'User' | 'Group'): T {
	if (!isObject(body)) throw new ScimError(400, 'The PATCH body must be a JSON object', 'invalidSyntax');
	const operations = normaliseOperations(body.Operations ?? body.operations, resourceType);
	const working = clone(resource) as Record<string, unknown>;
	let patched = working;
	try {
		for (const operation of operations) {
			if (operation.op === 'removeExtension') {
				for (const key of Object.keys(patched)) if (key.toLowerCase() === operation.schema.toLowerCase()) delete patched[key];
			} else patched = scimPatch(patched as never, [operation], { mutateDocument: true, treatMissingAsAdd: true }) as never;
		}
	} catch (error) {
		if (error instanceof ScimError) throw error;
		const name = (error as Error).constructor?.name ?? '';
		const scimType =
			name === 'NoTarget' || name === 'FilterArrayTargetNotFound' || name === 'FilterOnEmptyArray'
				? 'noTarget'
				: name === 'NoPathInScimPatchOp'
					? 'noTarget'
					: 'invalidPath';
		throw new ScimError(400, `PATCH failed: ${(error as Error).message}`, scimType);
	}
	if (!isObject(patched)) throw new ScimError(400, 'The PATCH left no resource', 'invalidValue');
	const result = prune(patched) as T;
	// The server owns these, whatever the operations said.
	(result as Record<string, unknown>).id = resource.id;
	if (resource.meta !== undefined) (result as Record<string, unknown>).meta = resource.meta;
	if (typeof (result as Record<string, unknown>).active === 'string')
		(result as Record<string, unknown>).active = booleanish('active', (result as Record<string, unknown>).active);
	return result;
}
