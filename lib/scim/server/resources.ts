/** Resources as clients send them (cleaned of what the server owns) and as clients see them. */
import type { Resource, ResourceType } from './identityStore';
import { isObject } from '../../util';
import { CORE_GROUP_SCHEMA, CORE_USER_SCHEMA } from '../schema';
import { refuseInheritedKeys } from './inheritedNames';
import { ScimError } from './scimError';
import { validateResource } from './validation';

/** A group's members, each with a value, without duplicates (adding an existing member is not an error). */
export function dedupeMembers(members: unknown): Array<Record<string, unknown>> {
	if (members === undefined || members === null) return [];
	if (!Array.isArray(members)) throw new ScimError(400, 'members must be a list', 'invalidValue');
	const seen = new Set<string>();
	return members.filter((m): m is Record<string, unknown> => {
		if (!isObject(m) || (typeof m.value !== 'string' && typeof m.value !== 'number'))
			throw new ScimError(400, 'Each member needs a value', 'invalidValue');
		const key = String(m.value);
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

/**
 * Client data for a create or replace: server-owned attributes (id, meta, a user's groups) ignored, every attribute
 * validated against the schema and normalised (validation.ts), the password taken out. No key at any depth may be a
 * name objects inherit (inheritedNames.ts), whatever attribute it is under.
 */
export function incoming(type: ResourceType, body: unknown): { data: Record<string, unknown>; password?: unknown } {
	if (!isObject(body)) throw new ScimError(400, 'The body must be a JSON object', 'invalidSyntax');
	refuseInheritedKeys(body, 'invalidSyntax', '');
	const sent: Record<string, unknown> = { ...body };
	delete sent.id;
	delete sent.meta;
	const data = validateResource(type, sent, { mode: 'request' });
	const password = data.password;
	delete data.password;
	if (!Array.isArray(data.schemas) || data.schemas.length === 0) data.schemas = [type === 'User' ? CORE_USER_SCHEMA : CORE_GROUP_SCHEMA];
	if (type === 'Group') data.members = dedupeMembers(data.members);
	return { data, password };
}

const list = (text: string | undefined) =>
	text
		?.split(',')
		.map((a) => a.trim().toLowerCase())
		.filter(Boolean);

/** What a client sees: meta.location added, password never returned, attributes/excludedAttributes honoured. */
export function present(resource: Resource, location: string, query: Record<string, string | undefined>): Record<string, unknown> {
	const out: Record<string, unknown> = { ...resource, meta: { ...resource.meta, location } };
	delete out.password;
	const attributes = list(query.attributes);
	const excluded = list(query.excludedattributes);
	const always = new Set(['id', 'schemas', 'meta']);
	if (attributes?.length) {
		const keep = new Set(attributes.map((a) => a.replace(/^urn:.*:(user|group):/i, '').split('.')[0]));
		for (const key of Object.keys(out))
			if (!always.has(key) && !keep.has(key.toLowerCase()) && !attributes.some((a) => a.startsWith(key.toLowerCase()))) delete out[key];
	}
	if (excluded?.length) for (const key of Object.keys(out)) if (!always.has(key) && excluded.includes(key.toLowerCase())) delete out[key];
	return out;
}
