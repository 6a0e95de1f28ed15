/** RFC 4515 §3: escapes a value for use inside an LDAP search filter. */
export function escapeFilterValue(value: string | number | boolean): string {
	return String(value).replace(/[\\*()\0]/g, (ch) => `\\${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** RFC 4514 §2.4: escapes a value for use as an RDN attribute value in a DN. */
export function escapeDnValue(value: string | number | boolean): string {
	const text = String(value);
	if (text === '') return '';
	let out = text.replace(/[\\,+"<>;=\0]/g, (ch) => (ch === '\0' ? '\\00' : `\\${ch}`));
	if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
	if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
	return out;
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
			parts.push(current.trim());
			current = '';
			continue;
		}
		current += ch;
	}
	if (current.trim() !== '' || parts.length) parts.push(current.trim());
	return parts;
}

/** A DN in a canonical form for comparisons: attribute names lower-cased, hex escapes decoded. */
export function normaliseDn(dn: string): string {
	return splitDn(dn)
		.map((rdn) => {
			const eq = rdn.indexOf('=');
			if (eq === -1) return rdn.toLowerCase();
			const value = unescapeDnValue(rdn.slice(eq + 1).trim());
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
		return { type: part.slice(0, eq).trim(), value: unescapeDnValue(part.slice(eq + 1).trim()) };
	});
}
