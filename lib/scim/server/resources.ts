/** Resources as clients send them (cleaned of what the server owns) and as clients see them. */
import type { Resource, ResourceType } from '../../store/identityStore';
import { isObject, RESERVED_KEYS } from '../../util';
import { CORE_GROUP_SCHEMA, CORE_USER_SCHEMA } from '../schema';
import { ScimError } from './scimError';

/** RFC 7643 attributes; extension schemas (any urn: key) are accepted too. */
const KNOWN_ATTRIBUTES: Record<ResourceType, Set<string>> = {
	User: new Set(
		[
			'schemas',
			'id',
			'meta',
			'externalId',
			'userName',
			'name',
			'displayName',
			'nickName',
			'profileUrl',
			'title',
			'userType',
			'preferredLanguage',
			'locale',
			'timezone',
			'active',
			'password',
			'emails',
			'phoneNumbers',
			'ims',
			'photos',
			'addresses',
			'groups',
			'entitlements',
			'roles',
			'x509Certificates',
		].map((a) => a.toLowerCase()),
	),
	Group: new Set(['schemas', 'id', 'meta', 'externalId', 'displayName', 'members'].map((a) => a.toLowerCase())),
};

export function assertKnownAttributes(
	type: ResourceType,
	data: Record<string, unknown>,
	scimType: 'invalidSyntax' | 'invalidPath' = 'invalidSyntax',
): void {
	for (const key of Object.keys(data)) {
		if (/^urn:/i.test(key)) continue;
		if (!KNOWN_ATTRIBUTES[type].has(key.toLowerCase())) throw new ScimError(400, `Unknown ${type} attribute "${key}"`, scimType);
	}
}

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

/** Client data for a create or replace, cleaned of what the server owns; the password is taken out. */
export function incoming(type: ResourceType, body: unknown): { data: Record<string, unknown>; password?: unknown } {
	if (!isObject(body)) throw new ScimError(400, 'The body must be a JSON object', 'invalidSyntax');
	const data: Record<string, unknown> = { ...body };
	for (const key of Object.keys(data)) {
		if (RESERVED_KEYS.has(key)) throw new ScimError(400, `"${key}" is not an attribute`, 'invalidSyntax');
	}
	assertKnownAttributes(type, data);
	delete data.id;
	delete data.meta;
	if (type === 'User') delete data.groups;
	const password = data.password;
	delete data.password;
	if (!Array.isArray(data.schemas)) data.schemas = [type === 'User' ? CORE_USER_SCHEMA : CORE_GROUP_SCHEMA];
	if (typeof data.active === 'string' && /^(true|false)$/i.test(data.active)) data.active = data.active.toLowerCase() === 'true';
	if (type === 'User' && (typeof data.userName !== 'string' || !data.userName.trim()))
		throw new ScimError(400, 'userName is required', 'invalidValue');
	if (type === 'Group' && (typeof data.displayName !== 'string' || !data.displayName.trim()))
		throw new ScimError(400, 'displayName is required', 'invalidValue');
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
