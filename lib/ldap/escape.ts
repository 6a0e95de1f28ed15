/** A value as LDAP strings carry it: booleans as TRUE and FALSE (RFC 4517 Boolean), as they are written. */
export const ldapString = (value: string | number | boolean) => (typeof value === 'boolean' ? (value ? 'TRUE' : 'FALSE') : String(value));

/** RFC 4515 §3: escapes a value for use inside an LDAP search filter. */
export function escapeFilterValue(value: string | number | boolean): string {
	return ldapString(value).replace(/[\\*()\0]/g, (ch) => `\\${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * RFC 4514 §2.4: escapes a value for use as an RDN attribute value in a DN: the special characters anywhere, NUL as
 * \00, a space or '#' first and a space last. Decided on the value's own characters, never on the escaped text.
 */
export function escapeDnValue(value: string | number | boolean): string {
	const chars = [...String(value)];
	return chars
		.map((ch, i) => {
			if (ch === '\0') return '\\00';
			if ('\\,+"<>;='.includes(ch)) return `\\${ch}`;
			if ((ch === ' ' && (i === 0 || i === chars.length - 1)) || (ch === '#' && i === 0)) return `\\${ch}`;
			return ch;
		})
		.join('');
}

/** Trims the spaces around an RDN or value, but not an escaped space at its end ("a\ " keeps its space). */
function trimUnescaped(text: string): string {
	let end = text.length;
	while (end > 0 && text[end - 1] === ' ') {
		let slashes = 0;
		while (end - 2 - slashes >= 0 && text[end - 2 - slashes] === '\\') slashes++;
		if (slashes % 2 === 1) break;
		end--;
	}
	return text.slice(0, end).replace(/^ +/, '');
}

/** Splits a DN into RDN strings, honouring backslash escapes and quoted values. */
export function splitDn(dn: string): string[] {
	const parts: string[] = [];
	let current = '';
	let quoted = false;
	for (let i = 0; i < dn.length; i++) {
		const ch = dn[i];
		if (ch === '\\' && i + 1 < dn.length) {
			current += ch + dn[++i];
			continue;
		}
		if (ch === '"') quoted = !quoted;
		if (ch === ',' && !quoted) {
			parts.push(trimUnescaped(current));
			current = '';
			continue;
		}
		current += ch;
	}
	if (current.trim() !== '' || parts.length) parts.push(trimUnescaped(current));
	return parts;
}

/** A DN in a canonical form for comparisons: attribute names lower-cased, hex escapes decoded. */
export function normaliseDn(dn: string): string {
	return splitDn(dn)
		.map((rdn) => {
			const eq = rdn.indexOf('=');
			if (eq === -1) return rdn.toLowerCase();
			const value = unescapeDnValue(trimUnescaped(rdn.slice(eq + 1)));
			return `${rdn.slice(0, eq).trim().toLowerCase()}=${escapeDnValue(value).toLowerCase()}`;
		})
		.join(',');
}

/** Decodes RFC 4514 escapes; runs of hex escapes are UTF-8 bytes (`\\c3\\a9` is "é"). A quoted value loses its quotes. */
export function unescapeDnValue(value: string): string {
	const quoted = /^"(.*)"$/s.exec(value);
	const text = quoted ? quoted[1] : value;
	return text.replace(/(?:\\[0-9a-fA-F]{2})+|\\(.)/gs, (run: string, single?: string) =>
		single !== undefined ? single : Buffer.from(run.replace(/\\/g, ''), 'hex').toString('utf8'),
	);
}

/** An RDN's attribute=value pairs (several for a multi-valued RDN such as cn=a+uid=b), values unescaped. */
export function rdnParts(rdn: string): Array<{ type: string; value: string }> {
	const parts: string[] = [];
	let current = '';
	let quoted = false;
	for (let i = 0; i < rdn.length; i++) {
		const ch = rdn[i];
		if (ch === '\\' && i + 1 < rdn.length) {
			current += ch + rdn[++i];
			continue;
		}
		if (ch === '"') quoted = !quoted;
		if (ch === '+' && !quoted) {
			parts.push(current);
			current = '';
			continue;
		}
		current += ch;
	}
	parts.push(current);
	return parts.map((part) => {
		const eq = part.indexOf('=');
		if (eq === -1) return { type: '', value: unescapeDnValue(trimUnescaped(part)) };
		return { type: part.slice(0, eq).trim(), value: unescapeDnValue(trimUnescaped(part.slice(eq + 1))) };
	});
}
