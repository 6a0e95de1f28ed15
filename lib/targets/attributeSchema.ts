/**
 * What a target says about its own account attributes, in one shape for every target: the SCIM app's /Schemas,
 * the directory's subschema, the table's catalog. The editor lists these (Target Attribute) and checks mapping
 * rows against them; executions never read them.
 */

/** One attribute, named by the path users type in a mapping row. */
export interface TargetAttributeInfo {
	/** The path users type: name.givenName, emails[type eq "work"].value, urn:…:enterprise:2.0:User:department, mail, login. */
	name: string;
	/** A short label (the schema's own name, an LDAP attribute's first NAME, a column name). */
	displayName: string;
	/** The schema's type: SCIM string/boolean/…, an LDAP syntax name, a SQL column type. */
	type: string;
	multiValued: boolean;
	/** A create needs it (SCIM required, LDAP MUST, SQL NOT NULL without default). */
	required: boolean;
	/** The target sets it itself (SCIM readOnly, LDAP NO-USER-MODIFICATION, SQL generated column). */
	readOnly: boolean;
	/** SCIM mutability, when the schema gives it. */
	mutability?: string;
	description?: string;
	/** Where it comes from: a SCIM schema URN, an LDAP object class, a SQL table (or column mapping). */
	source: string;
	/** Other names that mean the same attribute (LDAP: cn and commonName). */
	aliases?: string[];
}

export interface TargetAttributeList {
	attributes: TargetAttributeInfo[];
	/** "live": the target's own schema; "fallback": a standard schema because the target publishes none. */
	origin: 'live' | 'fallback';
	/** Said in the editor's list: which schema this is, and for a fallback why. */
	note: string;
}

/** Caps that keep a hostile or broken schema from costing more than a listing is worth. */
export const SCHEMA_LIMITS = {
	/** Attributes in one list. */
	attributes: 2000,
	/** Characters of a name or type kept. */
	nameLength: 256,
	/** Characters of a description kept. */
	descriptionLength: 500,
};

/** Text cut to a length, or undefined for anything that is not a string. */
export function cappedText(value: unknown, length: number): string | undefined {
	if (typeof value !== 'string') return undefined;
	return value.length > length ? `${value.slice(0, length - 1)}…` : value;
}

/** An own property of a parsed JSON object (never one inherited through __proto__ or a prototype). */
export function own(value: unknown, key: string): unknown {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
	return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** An own property, looked up without case (SCIM attribute names are case-insensitive). */
export function ownIgnoringCase(value: unknown, key: string): unknown {
	const exact = own(value, key);
	if (exact !== undefined || typeof value !== 'object' || value === null) return exact;
	const found = Object.keys(value).find((k) => k.toLowerCase() === key.toLowerCase());
	return found === undefined ? undefined : own(value, found);
}

/** The case-insensitive key under which an attribute is found (LDAP and SQL names, SCIM paths). */
export const attributeKey = (name: string): string => name.trim().toLowerCase();
