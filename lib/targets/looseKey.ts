/**
 * Loose match keys, for targets whose comparison the client cannot reproduce exactly (a SCIM app's, an LDAP
 * server's matching rules). Two values any such comparison could find equal (case, accents and width, spaces and
 * invisible characters, dashes, leading zeros, a DN spelt differently) share a loose key; the target's own lookup
 * then decides between values that share one. Being too loose costs a lookup; never a wrong answer.
 */
import { rdnParts, splitDn, unescapeDnValue } from '../ldap/escape';

/** Marks, controls and format characters, separators and spaces, dashes: what comparisons commonly ignore. */
const IGNORED = /[\p{M}\p{C}\p{Z}\s\p{Pd}\uFFFC]/gu;

const ASCII = /^[\x20-\x7e]*$/;

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
	const text = String(value);
	// Printable ASCII (most values) needs no Unicode normalisation: the same key, several times faster.
	const folded = ASCII.test(text)
		? text.toLowerCase().replace(/[ -]/g, '')
		: wire(text).normalize('NFKD').toUpperCase().toLowerCase().normalize('NFKD').replace(IGNORED, '');
	return canonicalNumber(folded) ?? folded;
}

/**
 * For LDAP, where a value may be a DN (a "dn" key, a manager): read as a DN, escapes decoded, quotes left out, the
 * values of a multi-valued RDN in order, so one DN spelt with escapes, hex, quotes, spaces or another order has one key.
 * Text that is not a DN reads as plain parts and keeps its key. Not covered: attribute types written as OIDs, '#' BER
 * values, and compatibility forms of the special characters (a full-width comma is a comma to caseIgnoreMatch).
 */
export function looseLdapKey(value: string | number | boolean): string {
	const raw = String(value);
	if (ASCII.test(raw) && !/[,+\\"=]/.test(raw)) return looseKey(raw);
	const text = wire(raw)
		.replace(/[\t\n\r\v\f\x85]/g, ' ')
		.replace(/[\p{Cc}\p{Cf}]/gu, '');
	return splitDn(text)
		.map((rdn) => {
			const parts = rdnParts(rdn);
			if (parts.some((part) => !part.type)) return looseKey(unescapeDnValue(rdn).replace(/"/g, ''));
			return parts
				.map((part) => `${looseKey(part.type)}=${looseKey(part.value.replace(/"/g, ''))}`)
				.sort()
				.join('+');
		})
		.join(',');
}
