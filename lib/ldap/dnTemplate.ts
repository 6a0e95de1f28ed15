import type { AttributeMap } from '../envelope';
import { ProvisioningError } from '../errors';
import { escapeDnValue, splitDn } from './escape';

/**
 * Fills a DN template such as `uid={uid},ou=People,dc=example,dc=org`. Each `{attribute}` is
 * replaced by that attribute's value, escaped per RFC 4514, so values can never add RDNs.
 */
export function renderDnTemplate(template: string, attributes: AttributeMap): string {
	if (!template || !template.trim()) {
		throw new ProvisioningError(
			'Configuration',
			'No DN template is set: new LDAP entries need one, for example uid={uid},ou=People,dc=example,dc=org',
			{ field: 'dnTemplate' },
		);
	}
	const lookup = new Map(Object.entries(attributes).map(([k, v]) => [k.toLowerCase(), v]));
	const dn = template.replace(/\{([^{}]+)\}/g, (_, name: string) => {
		const raw = lookup.get(name.trim().toLowerCase());
		const value = Array.isArray(raw) ? raw[0] : raw;
		if (value === undefined || value === null || value === '' || typeof value === 'object') {
			throw new ProvisioningError('MissingDnValue', `The DN template needs a value for "${name.trim()}", and the item has none`, {
				field: name.trim(),
			});
		}
		return escapeDnValue(value as string | number | boolean);
	});
	assertValidDn(dn);
	return dn;
}

/** Rejects strings that are not a sequence of attr=value RDNs. */
export function assertValidDn(dn: string): void {
	const rdns = splitDn(dn);
	if (rdns.length === 0 || rdns.some((rdn) => !/^[A-Za-z][\w-]*(\.[\w-]+)*\s*=/.test(rdn) || /^[^=]+=\s*$/.test(rdn))) {
		throw new ProvisioningError('InvalidDn', `"${dn}" is not a valid DN`, { field: 'dn' });
	}
}

/** The attribute names an RDN is built from, e.g. `uid` for `uid=jdoe,ou=People,…`. */
export function rdnAttribute(dn: string): string {
	const first = splitDn(dn)[0] ?? '';
	return first.slice(0, first.indexOf('=')).trim();
}
