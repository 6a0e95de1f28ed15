import type { AttributeMap } from '../envelope';
import { ProvisioningError } from '../errors';
import { escapeDnValue, normaliseDn, splitDn } from './escape';

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

/** The RDN template of new entries placed in a container without a DN template: what each directory names them by. */
export const defaultRdnTemplate = (flavour: string): string => (flavour === 'activeDirectory' ? 'cn={cn}' : 'uid={uid}');

/**
 * The DN of a new entry: the template filled in, then the container for new entries after it when there is one. The
 * container is a DN as picked, so it is appended as it is, never read as a template (a `{` in it stays a `{`).
 */
export function placeNewEntry(template: string, container: string | undefined, attributes: AttributeMap): string {
	const dn = renderDnTemplate(template, attributes);
	return container ? `${dn},${container}` : dn;
}

/** A container for new entries is a DN, and the DN template then names only the part before it. */
export function assertPlacement(template: string, container: string | undefined, baseDn: string): void {
	if (!container) return;
	try {
		assertValidDn(container);
	} catch {
		throw new ProvisioningError('Configuration', `The Container for New Entries "${container}" is not a DN`, {
			field: 'newEntryContainer',
		});
	}
	const tail = normaliseDn(baseDn);
	const whole = normaliseDn(template);
	if (
		tail &&
		(whole === tail || whole.endsWith(`,${tail}`) || whole === normaliseDn(container) || whole.endsWith(`,${normaliseDn(container)}`))
	)
		throw new ProvisioningError(
			'Configuration',
			`With a Container for New Entries the DN Template names only the part before it, e.g. ${defaultRdnTemplate('')}: "${template}" already names where the entry goes`,
			{ field: 'dnTemplate' },
		);
}
