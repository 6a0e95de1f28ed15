/**
 * A SCIM app's User attributes from its own discovery documents (RFC 7643 §6 /ResourceTypes, §7 /Schemas): the
 * core User schema, the enterprise extension and every extension the User resource type lists, flattened into the
 * paths users type (name.givenName, emails[type eq "work"].value, urn:…:enterprise:2.0:User:department). An app
 * that publishes no /Schemas gets RFC 7643's User schema, said so in the list. The documents come from a server we
 * do not control: only own properties are read, names must look like SCIM names, and every list is capped.
 */
import type { ScimClient } from '../../scim/client';
import { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../../scim/schema';
import { COMMON_ATTRIBUTES, ENTERPRISE_USER_SCHEMA as ENTERPRISE_DEFINITION, USER_SCHEMA } from '../../scim/server/schemas';
import { cappedText, own, SCHEMA_LIMITS, type TargetAttributeInfo, type TargetAttributeList } from '../attributeSchema';

/** RFC 7643 §2.1 ATTRNAME (with the $ of $ref). */
const ATTRIBUTE_NAME = /^[A-Za-z$][\w$-]{0,127}$/;
const SCHEMA_URN = /^urn:[A-Za-z0-9][\w.:-]{0,250}$/i;
/** Canonical type values offered per multi-valued attribute. */
const MAX_CANONICAL_VALUES = 12;
const MAX_SCHEMAS = 50;
const MAX_ATTRIBUTES_PER_SCHEMA = 500;
const MAX_SUB_ATTRIBUTES = 60;
/** Largest discovery document read. */
export const MAX_DISCOVERY_BYTES = 4 * 1024 * 1024;

/** One attribute definition as read from the wire; undefined when it is not a usable SCIM attribute. */
interface Definition {
	name: string;
	type: string;
	multiValued: boolean;
	required: boolean;
	mutability?: string;
	description?: string;
	canonicalValues: string[];
	subAttributes: Definition[];
}

function definition(raw: unknown, depth: number): Definition | undefined {
	const name = own(raw, 'name');
	if (typeof name !== 'string' || !ATTRIBUTE_NAME.test(name)) return undefined;
	const type = String(cappedText(own(raw, 'type'), 32) ?? 'string');
	const subs = own(raw, 'subAttributes');
	const canonical = own(raw, 'canonicalValues');
	return {
		name,
		type,
		multiValued: own(raw, 'multiValued') === true,
		required: own(raw, 'required') === true,
		mutability: cappedText(own(raw, 'mutability'), 32),
		description: cappedText(own(raw, 'description'), SCHEMA_LIMITS.descriptionLength),
		canonicalValues: Array.isArray(canonical)
			? canonical.filter((v): v is string => typeof v === 'string' && /^[\w.-]{1,64}$/.test(v)).slice(0, MAX_CANONICAL_VALUES)
			: [],
		// RFC 7643 allows one level of sub-attributes; deeper ones are not followed.
		subAttributes:
			depth === 0 && Array.isArray(subs)
				? subs
						.slice(0, MAX_SUB_ATTRIBUTES)
						.map((s) => definition(s, depth + 1))
						.filter((d): d is Definition => !!d)
				: [],
	};
}

function info(path: string, d: Definition, source: string, required: boolean, parent?: Definition): TargetAttributeInfo {
	const mutability = d.mutability ?? parent?.mutability;
	return {
		name: path,
		displayName: parent ? `${parent.name}.${d.name}` : d.name,
		type: d.type,
		multiValued: d.multiValued,
		required,
		// Some apps spell the characteristics in capitals (READ_ONLY).
		readOnly: mutability?.replace(/_/g, '').toLowerCase() === 'readonly',
		...(mutability ? { mutability } : {}),
		...(d.description ? { description: d.description } : {}),
		source,
	};
}

/** The paths of one schema's attributes: simple ones as they are, complex ones by their sub-attributes. */
export function flattenSchema(urn: string, attributes: unknown[]): TargetAttributeInfo[] {
	const prefix = urn.toLowerCase() === CORE_USER_SCHEMA.toLowerCase() ? '' : `${urn}:`;
	const out: TargetAttributeInfo[] = [];
	for (const raw of attributes.slice(0, MAX_ATTRIBUTES_PER_SCHEMA)) {
		const d = definition(raw, 0);
		if (!d) continue;
		const subs = d.subAttributes.filter((s) => s.name !== '$ref');
		if (d.type.toLowerCase() !== 'complex' || subs.length === 0) {
			out.push(info(prefix + d.name, d, urn, d.required));
			continue;
		}
		if (!d.multiValued) {
			// name.givenName: a sub-attribute is required only where its attribute is.
			for (const s of subs) out.push(info(`${prefix}${d.name}.${s.name}`, s, urn, d.required && s.required, d));
			continue;
		}
		// The whole list (emails as a list of objects), then one element per canonical type: emails[type eq "work"].value.
		out.push(info(prefix + d.name, d, urn, d.required));
		const types = subs.find((s) => s.name === 'type')?.canonicalValues ?? [];
		for (const type of types) {
			for (const s of subs) {
				if (s.name === 'type') continue;
				out.push(info(`${prefix}${d.name}[type eq "${type}"].${s.name}`, { ...s, multiValued: false }, urn, false, d));
			}
		}
	}
	return out;
}

/** The resources of a discovery answer: a ListResponse's Resources, or a bare array as some apps send. */
function resourcesOf(body: unknown): unknown[] {
	const list = Array.isArray(body) ? body : own(body, 'Resources');
	return Array.isArray(list) ? list.slice(0, MAX_SCHEMAS * 4) : [];
}

/** The schema URNs of the User resource type: its schema and its extensions, core first. */
export function userSchemaUrns(resourceTypes: unknown, schemaIds: string[]): string[] {
	const user = resourcesOf(resourceTypes).find(
		(t) =>
			own(t, 'name') === 'User' ||
			own(t, 'id') === 'User' ||
			own(t, 'endpoint') === '/Users' ||
			String(own(t, 'schema')).toLowerCase() === CORE_USER_SCHEMA.toLowerCase(),
	);
	const extensions = own(user, 'schemaExtensions');
	const listed = Array.isArray(extensions)
		? extensions.map((e) => own(e, 'schema')).filter((s): s is string => typeof s === 'string' && SCHEMA_URN.test(s))
		: // No resource types: the extensions of User are the schemas named like one.
			schemaIds.filter((id) => id.toLowerCase() !== CORE_USER_SCHEMA.toLowerCase() && /:User$/i.test(id));
	return [CORE_USER_SCHEMA, ...new Set(listed)].slice(0, MAX_SCHEMAS);
}

/**
 * id and externalId belong to every resource (RFC 7643 §3.1) but to no schema document, so apps do not list
 * them: externalId is the client's, and a usual match key.
 */
const commonAttributes = () =>
	flattenSchema(
		CORE_USER_SCHEMA,
		COMMON_ATTRIBUTES.filter((a) => a.name === 'id' || a.name === 'externalId'),
	);

const FALLBACK_NOTE =
	"RFC 7643's standard User schema: this app publishes no /Schemas, so attributes not listed here are allowed (warned, not refused)";

/** RFC 7643's User schema and the enterprise extension, for apps that publish none. */
export function fallbackUserAttributes(why = FALLBACK_NOTE): TargetAttributeList {
	return {
		origin: 'fallback',
		note: why,
		attributes: [
			...commonAttributes(),
			...flattenSchema(CORE_USER_SCHEMA, USER_SCHEMA.attributes),
			...flattenSchema(ENTERPRISE_USER_SCHEMA, ENTERPRISE_DEFINITION.attributes),
		],
	};
}

/** The User attributes from /Schemas and /ResourceTypes answers; the fallback when /Schemas has no core User. */
export function parseScimSchemas(schemas: unknown, resourceTypes: unknown): TargetAttributeList {
	const byId = new Map<string, unknown>();
	for (const s of resourcesOf(schemas)) {
		const id = own(s, 'id');
		if (typeof id === 'string' && SCHEMA_URN.test(id) && !byId.has(id.toLowerCase())) byId.set(id.toLowerCase(), s);
	}
	if (!byId.has(CORE_USER_SCHEMA.toLowerCase())) return fallbackUserAttributes();
	const urns = userSchemaUrns(
		resourceTypes,
		[...byId.values()].map((s) => String(own(s, 'id'))),
	);
	const attributes: TargetAttributeInfo[] = [];
	const seen = new Set<string>();
	const used: string[] = [];
	for (const urn of urns) {
		const schema = byId.get(urn.toLowerCase());
		const list = own(schema, 'attributes');
		if (!Array.isArray(list)) continue;
		used.push(urn);
		for (const a of flattenSchema(String(own(schema, 'id')), list)) {
			const key = a.name.toLowerCase();
			if (seen.has(key) || attributes.length >= SCHEMA_LIMITS.attributes) continue;
			seen.add(key);
			attributes.push(a);
		}
	}
	for (const a of commonAttributes()) if (!seen.has(a.name.toLowerCase())) attributes.push(a);
	const extensions = used.length - 1;
	return {
		origin: 'live',
		note: `The app's own schema (/Schemas): core User${extensions ? ` and ${extensions} extension${extensions === 1 ? '' : 's'}` : ''}`,
		attributes,
	};
}

/** Statuses with which an app says it has no discovery document. */
const NOT_PUBLISHED = [400, 403, 404, 405, 406, 500, 501];

async function discovery(client: ScimClient, path: string): Promise<unknown> {
	const response = await client.request({
		method: 'GET',
		path,
		idempotent: true,
		acceptStatus: NOT_PUBLISHED,
		maxResponseBytes: MAX_DISCOVERY_BYTES,
	});
	return response.status >= 200 && response.status < 300 ? response.data : undefined;
}

/** Reads the app's User attributes; a 401 or an unreachable app fails, an app without /Schemas falls back. */
export async function readScimAttributes(client: ScimClient): Promise<TargetAttributeList> {
	const schemas = await discovery(client, '/Schemas');
	if (schemas === undefined || resourcesOf(schemas).length === 0) return fallbackUserAttributes();
	const resourceTypes = await discovery(client, '/ResourceTypes');
	return parseScimSchemas(schemas, resourceTypes);
}
