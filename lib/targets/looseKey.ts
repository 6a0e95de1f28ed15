/**
 * Loose match keys, for targets whose comparison the client cannot reproduce exactly (a SCIM app's, an LDAP
 * server's matching rules). Two values any such comparison could find equal (case, accents and width, spaces and
 * invisible characters, dashes, leading zeros, a DN spelt differently) share a loose key; the target's own lookup
 * then decides between values that share one. Being too loose costs a lookup; never a wrong answer.
 */
import { rdnParts, splitDn } from '../ldap/escape';

/** Marks, controls and format characters, separators and spaces, dashes: what comparisons commonly ignore. */
const IGNORED = /[\p{M}\p{C}\p{Z}\s\p{Pd}\uFFFC]/gu;

/** The string as it travels to the target (UTF-8): a lone surrogate becomes U+FFFD, as the server receives it. */
export const wire = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

/** "042" and "42", "1.50" and "1.5", "+7" and "7": one number. */
function canonicalNumber(text: string): string | undefined {
	const m = /^\+?(\d*)(?:\.(\d*))?$/.exec(text);
	if (!m || (m[1] === '' && !m[2])) return undefined;
	const whole = m[1].replace(/^0+(?=\d)/, '') || '0';
	const fraction = (m[2] ?? '').replace(/0+$/, '');
	return fraction ? `${whole}.${fraction}` : whole;
}

export function looseKey(value: string | number | boolean): string {
	const folded = wire(String(value)).normalize('NFKD').toUpperCase().toLowerCase().normalize('NFKD').replace(IGNORED, '');
	return canonicalNumber(folded) ?? folded;
}

/**
 * For LDAP, where a value may be a DN (a "dn" key, a manager): escapes decoded, attribute types left out, the
 * values of a multi-valued RDN in order. Applied to every value alike, so values that are not DNs stay comparable.
 */
export function looseLdapKey(value: string | number | boolean): string {
	const text = wire(String(value))
		.normalize('NFKC')
		.replace(/[\p{Cc}\p{Cf}]/gu, '');
	const rdns = splitDn(text).map((rdn) =>
		rdnParts(rdn)
			.map((part) => looseKey(part.value))
			.sort()
			.join('+'),
	);
	return rdns.join(',');
}
