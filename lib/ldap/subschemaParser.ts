/**
 * RFC 4512 §4.1 schema descriptions, as a subschema subentry publishes them in objectClasses and attributeTypes:
 *   ( 2.5.6.6 NAME 'person' SUP top STRUCTURAL MUST ( sn $ cn ) MAY ( userPassword $ telephoneNumber ) )
 *   ( 2.5.4.3 NAME ( 'cn' 'commonName' ) SUP name SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{32768} SINGLE-VALUE )
 * One linear pass per description, capped in length and tokens. Lenient where servers differ: Active Directory
 * quotes its SYNTAX OIDs, some servers quote SUP or leave out the spaces around parentheses. ldapts has no parser.
 */

/** Longest description read; longer ones are skipped (no real schema element comes near it). */
export const MAX_DESCRIPTION_LENGTH = 16384;
/** Most tokens per description. */
const MAX_TOKENS = 2048;

type Token = { kind: 'open' | 'close' | 'dollar' } | { kind: 'word' | 'quoted'; text: string };

/** Keywords that stand alone (no value follows). */
const FLAGS = new Set(['OBSOLETE', 'SINGLE-VALUE', 'COLLECTIVE', 'NO-USER-MODIFICATION', 'ABSTRACT', 'STRUCTURAL', 'AUXILIARY']);

/** qdstring escapes (RFC 4512 §4.1): \27 is ', \5C is \. */
const unescape = (text: string) => text.replace(/\\(27|5c)/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

function tokenize(text: string): Token[] | undefined {
	const tokens: Token[] = [];
	let i = 0;
	while (i < text.length) {
		if (tokens.length > MAX_TOKENS) return undefined;
		const c = text[i];
		if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
		else if (c === '(' || c === ')' || c === '$') {
			tokens.push({ kind: c === '(' ? 'open' : c === ')' ? 'close' : 'dollar' });
			i++;
		} else if (c === "'") {
			const end = text.indexOf("'", i + 1);
			if (end === -1) return undefined;
			tokens.push({ kind: 'quoted', text: unescape(text.slice(i + 1, end)) });
			i = end + 1;
		} else {
			let end = i;
			while (end < text.length && !" \t\n\r()$'".includes(text[end])) end++;
			tokens.push({ kind: 'word', text: text.slice(i, end) });
			i = end;
		}
	}
	return tokens;
}

/** A parsed description: its OID and each keyword with its values (none for flags). */
export interface SchemaDescription {
	oid: string;
	fields: Map<string, string[]>;
}

/** Parses one description; undefined when it is not one (malformed, too long). */
export function parseDescription(text: string): SchemaDescription | undefined {
	if (typeof text !== 'string' || text.length > MAX_DESCRIPTION_LENGTH) return undefined;
	const tokens = tokenize(text);
	if (!tokens || tokens.length < 3 || tokens[0].kind !== 'open' || tokens[tokens.length - 1].kind !== 'close') return undefined;
	const first = tokens[1];
	if (first.kind !== 'word' && first.kind !== 'quoted') return undefined;
	const fields = new Map<string, string[]>();
	let i = 2;
	const end = tokens.length - 1;
	while (i < end) {
		const keyword = tokens[i];
		if (keyword.kind !== 'word') return undefined;
		const name = keyword.text.toUpperCase();
		i++;
		if (FLAGS.has(name)) {
			fields.set(name, []);
			continue;
		}
		const values: string[] = [];
		const next = tokens[i];
		if (next?.kind === 'open') {
			// A list: ( a $ b ) for OIDs, ( 'a' 'b' ) for names.
			i++;
			while (i < end && tokens[i].kind !== 'close') {
				const t = tokens[i];
				if (t.kind === 'word' || t.kind === 'quoted') values.push(t.text);
				else if (t.kind !== 'dollar') return undefined;
				i++;
			}
			if (tokens[i]?.kind !== 'close') return undefined;
			i++;
		} else if (next?.kind === 'word' || next?.kind === 'quoted') {
			values.push(next.text);
			i++;
		} else return undefined;
		if (!fields.has(name)) fields.set(name, values);
	}
	return { oid: first.text, fields };
}

export interface AttributeTypeDescription {
	oid: string;
	names: string[];
	description?: string;
	superior?: string;
	/** The syntax OID without its length bound ({256}). */
	syntax?: string;
	singleValue: boolean;
	/** Set by the server only (NO-USER-MODIFICATION) or an operational attribute (USAGE other than userApplications). */
	noUserModification: boolean;
}

export interface ObjectClassDescription {
	oid: string;
	names: string[];
	description?: string;
	superiors: string[];
	kind: 'ABSTRACT' | 'STRUCTURAL' | 'AUXILIARY';
	must: string[];
	may: string[];
}

const one = (d: SchemaDescription, key: string) => d.fields.get(key)?.[0];

export function parseAttributeType(text: string): AttributeTypeDescription | undefined {
	const d = parseDescription(text);
	if (!d) return undefined;
	const usage = one(d, 'USAGE');
	return {
		oid: d.oid,
		names: d.fields.get('NAME') ?? [],
		description: one(d, 'DESC'),
		superior: one(d, 'SUP'),
		syntax: one(d, 'SYNTAX')?.replace(/\{\d*\}$/, ''),
		singleValue: d.fields.has('SINGLE-VALUE'),
		noUserModification: d.fields.has('NO-USER-MODIFICATION') || (usage !== undefined && usage !== 'userApplications'),
	};
}

export function parseObjectClass(text: string): ObjectClassDescription | undefined {
	const d = parseDescription(text);
	if (!d) return undefined;
	return {
		oid: d.oid,
		names: d.fields.get('NAME') ?? [],
		description: one(d, 'DESC'),
		superiors: d.fields.get('SUP') ?? [],
		kind: d.fields.has('ABSTRACT') ? 'ABSTRACT' : d.fields.has('AUXILIARY') ? 'AUXILIARY' : 'STRUCTURAL',
		must: d.fields.get('MUST') ?? [],
		may: d.fields.get('MAY') ?? [],
	};
}
