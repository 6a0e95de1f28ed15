/** LDAP search filters built from configuration and item data (RFC 4515), never by pasting raw values. */
import { FilterParser } from 'ldapts';
import { ProvisioningError } from '../errors';
import { escapeFilterValue } from './escape';

/** Attribute descriptions are letters, digits, hyphens and options; anything else could alter a filter. */
export function safeAttributeName(name: string): string {
	if (!/^[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*$|^\d+(\.\d+)+$/.test(name)) {
		throw new ProvisioningError('InvalidInput', `"${name}" is not a valid LDAP attribute name`, { field: name });
	}
	return name;
}

/** Wraps a bare filter in parentheses and rejects malformed ones, which ldapts would otherwise read leniently. */
export function normaliseFilter(filter: string, field = 'filter'): string {
	const trimmed = filter.trim();
	const wrapped = trimmed.startsWith('(') ? trimmed : `(${trimmed})`;
	let depth = 0;
	for (const ch of wrapped.replace(/\\./g, '')) {
		depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
		if (depth < 0) break;
	}
	let parsed = depth === 0;
	if (parsed) {
		try {
			parsed = FilterParser.parseString(wrapped).toString().length > 0;
		} catch {
			parsed = false;
		}
	}
	if (!parsed) throw new ProvisioningError('Configuration', `"${filter}" is not a valid LDAP filter (RFC 4515)`, { field });
	return wrapped;
}

/** `(attribute=value)` with the value escaped. */
export const equalityFilter = (attribute: string, value: string | number | boolean) =>
	`(${safeAttributeName(attribute)}=${escapeFilterValue(value)})`;

/** `(&scope(|(attribute=v1)(attribute=v2)…))`: one search for a batch of values. */
export const anyOfFilter = (scope: string, attribute: string, values: Array<string | number | boolean>) =>
	`(&${scope}(|${values.map((v) => equalityFilter(attribute, v)).join('')}))`;

/** `(&scope filter)` for an optional extra filter. */
export const withinScope = (scope: string, filter?: string) => (filter ? `(&${scope}${normaliseFilter(filter)})` : scope);
