/**
 * The SCIM Trigger's filter parsing before issue 18: Entra's forms and unquoted values rewritten by regexes, then
 * scim2-parse-filter. Kept only as an oracle (the differential test) and a baseline (`npm run bench -- filter`):
 * the regexes backtrack over long words, so it is quadratic in the filter's length.
 */
import { type Filter, parse } from 'scim2-parse-filter';

const OPS = 'eq|ne|co|sw|ew|gt|ge|lt|le';

export function oldNormalise(text: string): string {
	let out = text.trim();
	out = out.replace(
		new RegExp(`([A-Za-z][\\w.:-]*)\\[([^\\[\\]]*)\\]\\.(\\w+)\\s+(${OPS})\\s+("(?:[^"\\\\]|\\\\.)*"|[^\\s()\\[\\]]+)`, 'gi'),
		(_, attr, inner, sub, op, value) => `${attr}[${inner} and ${sub} ${op} ${value}]`,
	);
	out = out.replace(new RegExp(`\\b(${OPS})\\s+(?!")([^\\s()\\[\\]"]+)`, 'gi'), (whole, op, value: string) =>
		/^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/i.test(value)
			? `${op.toLowerCase()} ${value}`
			: `${op.toLowerCase()} ${JSON.stringify(value)}`,
	);
	return out;
}

export const oldParseFilter = (text: string): Filter => parse(oldNormalise(text));
