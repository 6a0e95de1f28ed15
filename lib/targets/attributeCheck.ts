/**
 * Mapping rows checked against a target's schema before any run: a target attribute the schema does not know, a
 * required attribute no row fills, a list (or a second row) into a single-valued attribute, a row on an attribute
 * the target sets itself. Against a fallback schema (an app that publishes none) every finding is a warning: the
 * app may well know attributes the standard does not.
 */
import { parseScimPath } from '../scim/path';
import { attributeKey, type TargetAttributeInfo, type TargetAttributeList } from './attributeSchema';

export type SchemaKind = 'scim' | 'ldap' | 'sql';

export interface RowToCheck {
	/** The target attribute as typed. */
	target: string;
	/** The row's value is a list (an array, an expression building one, Entra's Split). */
	listValue?: boolean;
}

export interface SchemaFinding {
	level: 'error' | 'warning';
	attribute?: string;
	message: string;
}

/** Rows whose target is an n8n expression cannot be checked before the run. */
export const isExpression = (text: string) => text.startsWith('=') || text.includes('{{');

/**
 * The key an attribute is known by: SCIM paths without case and with any element filter
 * (emails[type eq "custom"].value is the same attribute as emails[type eq "work"].value), LDAP names without
 * attribute options (userCertificate;binary), SQL columns without case.
 */
export function attributeKeyOf(kind: SchemaKind, name: string): string | undefined {
	const text = name.trim();
	if (!text) return undefined;
	if (kind === 'ldap') return attributeKey(text.split(';')[0]);
	if (kind === 'sql') return attributeKey(text);
	try {
		const path = parseScimPath(text);
		const sub = path.subAttribute ? `.${path.subAttribute}` : '';
		return `${path.schema ? `${path.schema}:` : ''}${path.attribute}${path.filter ? '[]' : ''}${sub}`.toLowerCase();
	} catch {
		return undefined;
	}
}

/** The list's attributes by every key they are known by (names and aliases). */
export function indexAttributes(kind: SchemaKind, list: TargetAttributeList): Map<string, TargetAttributeInfo> {
	const index = new Map<string, TargetAttributeInfo>();
	for (const info of list.attributes) {
		for (const name of [info.name, ...(info.aliases ?? [])]) {
			const key = attributeKeyOf(kind, name);
			if (key && !index.has(key)) index.set(key, info);
		}
	}
	return index;
}

/** Whether a row's value will be a list: an array, an n8n expression building one, or Entra's Split(). */
export function looksLikeList(value: unknown): boolean {
	if (Array.isArray(value)) return true;
	if (typeof value !== 'string') return false;
	const text = value.trim();
	if (/^split\s*\(/i.test(text)) return true;
	const body = /^=?\s*\{\{([\s\S]*)\}\}\s*$/.exec(text)?.[1]?.trim() ?? '';
	return body.startsWith('[') || /\.split\(\s*[^)]*\)\s*$/.test(body);
}

/** The top attribute of a SCIM path key ("emails[].value" → "emails"), for required complex attributes. */
const topOf = (key: string) => key.replace(/(\[\]|\.[^.:]*)+$/, '');

export function checkRows(kind: SchemaKind, list: TargetAttributeList, rows: RowToCheck[]): SchemaFinding[] {
	const level = list.origin === 'live' ? 'error' : 'warning';
	const index = indexAttributes(kind, list);
	const findings: SchemaFinding[] = [];
	const written = new Map<string, number>();
	const keys = new Set<string>();
	for (const row of rows) {
		const target = String(row.target ?? '').trim();
		if (!target || isExpression(target)) continue;
		// LDAP's DN is the entry's name, not an attribute of its schema.
		if (kind === 'ldap' && target.toLowerCase() === 'dn') continue;
		const key = attributeKeyOf(kind, target);
		const info = key === undefined ? undefined : index.get(key);
		if (!key || !info) {
			findings.push({
				level,
				attribute: target,
				message:
					list.origin === 'live'
						? `"${target}" is not an attribute of the target's schema`
						: `"${target}" is not in the standard schema (allowed: the target publishes none)`,
			});
			continue;
		}
		keys.add(key);
		keys.add(attributeKeyOf(kind, info.name) ?? key);
		if (info.readOnly) findings.push({ level: 'warning', attribute: target, message: `"${target}" is set by the target itself` });
		if (!info.multiValued && row.listValue) {
			findings.push({ level, attribute: target, message: `"${target}" holds one value, but the row gives a list` });
		}
		const exact = target.toLowerCase().replace(/\s+/g, ' ');
		written.set(exact, (written.get(exact) ?? 0) + 1);
		if (!info.multiValued && written.get(exact) === 2) {
			findings.push({ level, attribute: target, message: `"${target}" holds one value, but several rows write it` });
		}
	}
	const tops = new Set([...keys].map(topOf));
	for (const info of list.attributes) {
		if (!info.required || info.readOnly) continue;
		const key = attributeKeyOf(kind, info.name);
		if (!key || keys.has(key)) continue;
		// A required complex attribute (SCIM name, emails) is filled by any row on one of its parts.
		if (info.type.toLowerCase() === 'complex' && tops.has(topOf(key))) continue;
		findings.push({ level, attribute: info.name, message: `"${info.name}" is required, and no row fills it` });
	}
	return findings;
}
