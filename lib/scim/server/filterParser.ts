/**
 * SCIM filter text → tree, in one linear pass (RFC 7644 §3.4.2.2, plus the forms real clients send). A tokenizer
 * reads every character once; a recursive-descent parser (precedence `or` < `and` < `not`) builds the tree that
 * `matchesFilter` evaluates. Limits on length, comparisons and nesting are checked as it goes, so a hostile filter
 * costs at most its own length and never overflows the stack.
 *
 * Accepted beyond the RFC grammar, as Entra ID and Okta send them: `emails[type eq "work"].value eq "x"` (read as
 * `emails[type eq "work" and value eq "x"]`: one element must match both), unquoted values (`externalId eq 123abc`),
 * operators and keywords in any case, `not x eq 1` without parentheses.
 */

export type Filter = Comparison | Presence | Logical | Negation | ValuePath;
export interface Comparison {
	op: 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
	attrPath: string;
	compValue: string | number | boolean | null;
}
export interface Presence {
	op: 'pr';
	attrPath: string;
}
export interface Logical {
	op: 'and' | 'or';
	filters: Filter[];
}
export interface Negation {
	op: 'not';
	filter: Filter;
}
export interface ValuePath {
	op: '[]';
	attrPath: string;
	valFilter: Filter;
}

export interface FilterLimits {
	/** Characters of filter text. */
	maxLength: number;
	/** Comparisons (`attr op value`, `attr pr`). */
	maxComparisons: number;
	/** Nested parentheses, value-path brackets and `not`s. */
	maxDepth: number;
}
export const NO_LIMITS: FilterLimits = { maxLength: Infinity, maxComparisons: Infinity, maxDepth: Infinity };

/** A filter that is not valid, or is over a limit (`limit` set). */
export class FilterSyntaxError extends Error {
	constructor(
		message: string,
		readonly limit = false,
	) {
		super(message);
		this.name = 'FilterSyntaxError';
	}
}

const COMPARE_OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
/** An attribute path: ATTRNAME, sub-attributes and schema URNs (`urn:…:User:manager.value`). */
const ATTR_PATH = /^[A-Za-z0-9_][-\w.:/%]*$/;
const SUB_ATTR = /^[A-Za-z][-\w]*$/;
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/;

type Token =
	| { kind: '(' | ')' | '['; at: number }
	/** `]`, with the sub-attribute of Entra's `].value` when one follows. */
	| { kind: ']'; at: number; sub?: string }
	| { kind: 'word'; at: number; text: string }
	| { kind: 'string'; at: number; value: string };

const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
/** Characters that end a word: space, brackets, quote. */
const endsWord = (c: number) => isSpace(c) || c === 40 || c === 41 || c === 91 || c === 93 || c === 34;

/** Whether `text` is `word` in any case (compared only when the lengths match: values may be long). */
const isWord = (text: string, word: string) => text.length === word.length && text.toLowerCase() === word;

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The JSON string between quotes at `start` (the opening quote) and `end` (the closing one); other escapes stay as written. */
function decodeString(text: string, start: number, end: number): string {
	const body = text.slice(start + 1, end);
	if (!body.includes('\\')) return body;
	let out = '';
	for (let i = 0; i < body.length; i++) {
		const c = body[i];
		if (c !== '\\' || i + 1 >= body.length) {
			out += c;
			continue;
		}
		const next = body[i + 1];
		const hex = next === 'u' ? body.slice(i + 2, i + 6) : '';
		if (ESCAPES[next] !== undefined) {
			out += ESCAPES[next];
			i++;
		} else if (/^[0-9a-fA-F]{4}$/.test(hex)) {
			out += String.fromCharCode(Number.parseInt(hex, 16));
			i += 5;
		} else out += c;
	}
	return out;
}

/** A word quoted for an error message, cut short: errors never echo a huge filter. */
const quote = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

const describe = (t: Token | undefined) =>
	!t
		? 'the end of the filter'
		: `${t.kind === 'word' ? quote(t.text) : t.kind === 'string' ? 'a string' : `"${t.kind}"`} at character ${t.at + 1}`;

/** Reads one token at a time (the parser looks one ahead), so parsing allocates little beyond the tree. */
class Lexer {
	private pos = 0;
	private current: Token | undefined;
	private scanned = false;

	constructor(private readonly text: string) {}

	peek(): Token | undefined {
		if (!this.scanned) {
			this.current = this.scan();
			this.scanned = true;
		}
		return this.current;
	}

	advance(): void {
		this.peek();
		this.scanned = false;
	}

	private scan(): Token | undefined {
		const text = this.text;
		let i = this.pos;
		while (i < text.length && isSpace(text.charCodeAt(i))) i++;
		if (i >= text.length) {
			this.pos = i;
			return undefined;
		}
		const at = i;
		const c = text.charCodeAt(i);
		let token: Token;
		if (c === 40 || c === 41 || c === 91) {
			token = { kind: c === 40 ? '(' : c === 41 ? ')' : '[', at };
			i++;
		} else if (c === 93) {
			i++;
			if (text[i] !== '.') token = { kind: ']', at };
			else {
				const from = ++i;
				while (i < text.length && !endsWord(text.charCodeAt(i))) i++;
				const sub = text.slice(from, i);
				if (!SUB_ATTR.test(sub)) throw new FilterSyntaxError(`${quote(`].${sub}`)} at character ${at + 1} is not a sub-attribute`);
				token = { kind: ']', at, sub };
			}
		} else if (c === 34) {
			i++;
			while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1;
			if (i >= text.length) throw new FilterSyntaxError(`The string that starts at character ${at + 1} has no closing quote`);
			token = { kind: 'string', at, value: decodeString(text, at, i) };
			i++;
		} else {
			while (i < text.length && !endsWord(text.charCodeAt(i))) i++;
			token = { kind: 'word', at, text: text.slice(at, i) };
		}
		this.pos = i;
		return token;
	}
}

class Parser {
	private comparisons = 0;

	constructor(
		private readonly lexer: Lexer,
		private readonly limits: FilterLimits,
	) {}

	parse(): Filter {
		const filter = this.or(0);
		if (this.peek()) throw new FilterSyntaxError(`Expected "and", "or" or the end, found ${describe(this.peek())}`);
		return filter;
	}

	private peek(): Token | undefined {
		return this.lexer.peek();
	}

	private keyword(word: string): boolean {
		const t = this.peek();
		return t?.kind === 'word' && isWord(t.text, word);
	}

	private deeper(depth: number): number {
		if (depth + 1 > this.limits.maxDepth)
			throw new FilterSyntaxError(`The filter nests deeper than ${this.limits.maxDepth} levels (parentheses, brackets and "not")`, true);
		return depth + 1;
	}

	private or(depth: number): Filter {
		const filters = [this.and(depth)];
		while (this.keyword('or')) {
			this.lexer.advance();
			filters.push(this.and(depth));
		}
		return filters.length === 1 ? filters[0] : { op: 'or', filters };
	}

	private and(depth: number): Filter {
		const filters = [this.unary(depth)];
		while (this.keyword('and')) {
			this.lexer.advance();
			filters.push(this.unary(depth));
		}
		return filters.length === 1 ? filters[0] : { op: 'and', filters };
	}

	private unary(depth: number): Filter {
		const t = this.peek();
		if (this.keyword('not')) {
			this.lexer.advance();
			return { op: 'not', filter: this.unary(this.deeper(depth)) };
		}
		if (t?.kind === '(') {
			this.lexer.advance();
			const inner = this.or(this.deeper(depth));
			this.expect(')');
			return inner;
		}
		if (t?.kind === 'word') {
			this.lexer.advance();
			return this.attributeExpression(t.text, t.at, depth);
		}
		throw new FilterSyntaxError(`Expected an attribute, "not" or "(", found ${describe(t)}`);
	}

	private expect(kind: ')' | ']'): Token {
		const t = this.peek();
		if (t?.kind !== kind) throw new FilterSyntaxError(`Expected "${kind}", found ${describe(t)}`);
		this.lexer.advance();
		return t;
	}

	private attributeExpression(attrPath: string, at: number, depth: number): Filter {
		if (!ATTR_PATH.test(attrPath)) throw new FilterSyntaxError(`${quote(attrPath)} at character ${at + 1} is not an attribute path`);
		if (this.peek()?.kind !== '[') return this.comparison(attrPath);
		this.lexer.advance();
		const inner = this.or(this.deeper(depth));
		const close = this.expect(']') as { sub?: string };
		if (!close.sub) return { op: '[]', attrPath, valFilter: inner };
		// Entra: attr[filter].sub op value means one element matches both.
		const sub = this.comparison(close.sub);
		const filters = inner.op === 'and' ? [...inner.filters, sub] : [inner, sub];
		return { op: '[]', attrPath, valFilter: { op: 'and', filters } };
	}

	private comparison(attrPath: string): Comparison | Presence {
		const t = this.peek();
		const op = t?.kind === 'word' && t.text.length === 2 ? t.text.toLowerCase() : '';
		if (op !== 'pr' && !COMPARE_OPS.has(op))
			throw new FilterSyntaxError(`Expected an operator after ${quote(attrPath)}, found ${describe(t)}`);
		this.lexer.advance();
		if (++this.comparisons > this.limits.maxComparisons)
			throw new FilterSyntaxError(`The filter has more than ${this.limits.maxComparisons} comparisons`, true);
		if (op === 'pr') return { op, attrPath };
		return { op: op as Comparison['op'], attrPath, compValue: this.value(attrPath, op) };
	}

	private value(attrPath: string, op: string): Comparison['compValue'] {
		const t = this.peek();
		this.lexer.advance();
		if (t?.kind === 'string') return t.value;
		if (t?.kind !== 'word') throw new FilterSyntaxError(`Expected a value after ${quote(`${attrPath} ${op}`)}, found ${describe(t)}`);
		if (isWord(t.text, 'true') || isWord(t.text, 'false')) return t.text.length === 4;
		if (isWord(t.text, 'null')) return null;
		return JSON_NUMBER.test(t.text) ? Number(t.text) : t.text;
	}
}

/** Parses a filter; throws FilterSyntaxError for invalid filters and filters over a limit. */
export function parseFilter(text: string, limits: FilterLimits = NO_LIMITS): Filter {
	if (text.length > limits.maxLength)
		throw new FilterSyntaxError(
			`The filter has ${text.length.toLocaleString('en-US')} characters; the limit is ${limits.maxLength.toLocaleString('en-US')} characters`,
			true,
		);
	const lexer = new Lexer(text);
	if (!lexer.peek()) throw new FilterSyntaxError('The filter is empty');
	return new Parser(lexer, limits).parse();
}
