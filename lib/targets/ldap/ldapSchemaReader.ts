/**
 * A directory's account attributes from its own subschema (RFC 4512 §4.2, §5.1): the root DSE names the
 * subschemaSubentry (cn=Subschema on OpenLDAP and 389-DS, CN=Aggregate,CN=Schema,CN=Configuration,… on Active
 * Directory), whose objectClasses and attributeTypes say, for the configured object classes and their superclasses,
 * which attributes an entry MUST have (listed first, required) and MAY have, with syntax and SINGLE-VALUE.
 */
import type { LdapFlavour } from '../../ldap/flavours';
import {
	type AttributeTypeDescription,
	type ObjectClassDescription,
	parseAttributeType,
	parseObjectClass,
} from '../../ldap/subschemaParser';
import { ProvisioningError } from '../../errors';
import { attributeKey, cappedText, SCHEMA_LIMITS, type TargetAttributeInfo, type TargetAttributeList } from '../attributeSchema';
import type { LdapConnection } from './connection';

/** Descriptions read per kind (Active Directory publishes about 1,500 attribute types). */
const MAX_DESCRIPTIONS = 20000;
/** Object classes followed up the superclass chains. */
const MAX_CLASSES = 64;

/** Syntax OIDs by name (RFC 4517 §3.3, and Active Directory's own). */
const SYNTAXES: Record<string, string> = {
	'1.3.6.1.4.1.1466.115.121.1.5': 'Binary',
	'1.3.6.1.4.1.1466.115.121.1.6': 'Bit String',
	'1.3.6.1.4.1.1466.115.121.1.7': 'Boolean',
	'1.3.6.1.4.1.1466.115.121.1.8': 'Certificate',
	'1.3.6.1.4.1.1466.115.121.1.11': 'Country String',
	'1.3.6.1.4.1.1466.115.121.1.12': 'DN',
	'1.3.6.1.4.1.1466.115.121.1.15': 'Directory String',
	'1.3.6.1.4.1.1466.115.121.1.22': 'Facsimile Telephone Number',
	'1.3.6.1.4.1.1466.115.121.1.24': 'Generalized Time',
	'1.3.6.1.4.1.1466.115.121.1.26': 'IA5 String',
	'1.3.6.1.4.1.1466.115.121.1.27': 'Integer',
	'1.3.6.1.4.1.1466.115.121.1.28': 'JPEG',
	'1.3.6.1.4.1.1466.115.121.1.34': 'Name and Optional UID',
	'1.3.6.1.4.1.1466.115.121.1.36': 'Numeric String',
	'1.3.6.1.4.1.1466.115.121.1.38': 'OID',
	'1.3.6.1.4.1.1466.115.121.1.39': 'Other Mailbox',
	'1.3.6.1.4.1.1466.115.121.1.40': 'Octet String',
	'1.3.6.1.4.1.1466.115.121.1.41': 'Postal Address',
	'1.3.6.1.4.1.1466.115.121.1.44': 'Printable String',
	'1.3.6.1.4.1.1466.115.121.1.50': 'Telephone Number',
	'1.3.6.1.4.1.1466.115.121.1.53': 'UTC Time',
	'1.2.840.113556.1.4.903': 'DN-Binary',
	'1.2.840.113556.1.4.904': 'DN-String',
	'1.2.840.113556.1.4.905': 'Case-Sensitive String',
	'1.2.840.113556.1.4.906': 'Large Integer',
	'1.2.840.113556.1.4.907': 'Security Descriptor',
};

/** Active Directory fills these in itself, though its schema lists them as MUST (top, securityPrincipal). */
const AD_SERVER_FILLED = new Set(['instancetype', 'ntsecuritydescriptor', 'objectcategory', 'objectsid', 'objectguid']);

/** The object classes accounts get when nothing else says: what the flavours' presets write. */
export function defaultObjectClasses(flavour: LdapFlavour): string[] {
	return flavour === 'activeDirectory' ? ['user'] : ['inetOrgPerson'];
}

/** Object classes named in a filter's (objectClass=…) equalities, e.g. (&(objectClass=inetOrgPerson)(uid=*)). */
export function objectClassesInFilter(filter: string): string[] {
	const found = [...String(filter ?? '').matchAll(/\(\s*objectClass\s*=\s*([A-Za-z][\w-]{0,127})\s*\)/gi)].map((m) => m[1]);
	return [...new Set(found)];
}

function indexBy<T extends { oid: string; names: string[] }>(items: T[]): Map<string, T> {
	const map = new Map<string, T>();
	for (const item of items) for (const key of [item.oid, ...item.names]) if (!map.has(key.toLowerCase())) map.set(key.toLowerCase(), item);
	return map;
}

/** The syntax of a type, following SUP when the type names none (cn inherits name's). */
function syntaxOf(type: AttributeTypeDescription, types: Map<string, AttributeTypeDescription>): string | undefined {
	let current: AttributeTypeDescription | undefined = type;
	for (let depth = 0; current && depth < 10; depth++) {
		if (current.syntax) return current.syntax;
		current = current.superior ? types.get(current.superior.toLowerCase()) : undefined;
	}
	return undefined;
}

/** The attributes of entries of the given classes, MUST first; pure, for the unit tests and the reader alike. */
export function attributesForClasses(
	attributeTypeTexts: string[],
	objectClassTexts: string[],
	wanted: string[],
	flavour: LdapFlavour = 'openldap',
): TargetAttributeList {
	const types = indexBy(
		attributeTypeTexts
			.slice(0, MAX_DESCRIPTIONS)
			.map(parseAttributeType)
			.filter((t): t is AttributeTypeDescription => !!t && t.names.length > 0),
	);
	const classes = indexBy(
		objectClassTexts
			.slice(0, MAX_DESCRIPTIONS)
			.map(parseObjectClass)
			.filter((c): c is ObjectClassDescription => !!c),
	);
	const visited: ObjectClassDescription[] = [];
	const missing: string[] = [];
	const queue = [...wanted];
	while (queue.length && visited.length < MAX_CLASSES) {
		const name = queue.shift()!;
		const found = classes.get(name.toLowerCase());
		if (!found) {
			if (wanted.includes(name)) missing.push(name);
			continue;
		}
		if (visited.includes(found)) continue;
		visited.push(found);
		queue.push(...found.superiors);
	}
	const out = new Map<string, TargetAttributeInfo>();
	const add = (name: string, required: boolean, objectClass: ObjectClassDescription) => {
		const type = types.get(name.toLowerCase());
		const key = attributeKey(type?.names[0] ?? name);
		if (out.has(key) || out.size >= SCHEMA_LIMITS.attributes) return;
		const serverFilled = flavour === 'activeDirectory' && AD_SERVER_FILLED.has(key);
		const syntax = type ? syntaxOf(type, types) : undefined;
		const description = cappedText(type?.description, SCHEMA_LIMITS.descriptionLength);
		out.set(key, {
			name: type?.names[0] ?? name,
			displayName: type?.names[0] ?? name,
			type: syntax ? (SYNTAXES[syntax] ?? syntax) : 'unknown syntax',
			multiValued: !type?.singleValue,
			required: required && !serverFilled,
			readOnly: !!type?.noUserModification || serverFilled,
			...(description ? { description } : {}),
			source: objectClass.names[0] ?? objectClass.oid,
			...(type && type.names.length > 1 ? { aliases: type.names.slice(1) } : {}),
		});
	};
	for (const c of visited) for (const name of c.must) add(name, true, c);
	for (const c of visited) for (const name of c.may) add(name, false, c);
	const classNames = visited.map((c) => c.names[0] ?? c.oid);
	const note =
		`The directory's schema for ${classNames.join(', ') || 'no object class'}: MUST attributes first` +
		(missing.length ? `; not in the schema: ${missing.join(', ')}` : '');
	return { origin: 'live', note, attributes: [...out.values()] };
}

/** Values of an entry's attribute, looked up without case (servers differ in how they spell them). */
function values(entry: Record<string, unknown> | undefined, name: string): string[] {
	if (!entry) return [];
	const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
	const raw = key === undefined ? undefined : entry[key];
	const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
	return list.filter((v): v is string => typeof v === 'string').slice(0, MAX_DESCRIPTIONS);
}

/** Reads the subschema over an open connection and lists the attributes of the given object classes. */
export async function readLdapAttributes(
	connection: LdapConnection,
	objectClasses: string[],
	flavour: LdapFlavour,
): Promise<TargetAttributeList> {
	const base = { scope: 'base' as const, filter: '(objectClass=*)' };
	const [root] = await connection.search('schema read', '', { ...base, attributes: ['subschemaSubentry'] });
	const subentry = values(root, 'subschemaSubentry')[0];
	if (!subentry) {
		throw new ProvisioningError('Configuration', 'The directory names no subschemaSubentry in its root DSE, so its schema cannot be read', {
			field: 'schema',
		});
	}
	const [schema] = await connection.search('schema read', subentry, { ...base, attributes: ['attributeTypes', 'objectClasses'] });
	return attributesForClasses(values(schema, 'attributeTypes'), values(schema, 'objectClasses'), objectClasses, flavour);
}
