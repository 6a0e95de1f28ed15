/**
 * Entra ID's attribute-mapping expression language: a real lexer, parser and evaluator (no eval, no
 * Function). `Join(".", [givenName], [surname])`, `IIF([country]="US", "en-US", "en-GB")`.
 * Functions are checked (name, argument count) when the expression is parsed, before any item runs.
 */
import { ProvisioningError } from '../errors';
import { FUNCTIONS, type MappingValue, type EvalContext } from './functions';
import { sourceAccessor } from './sourcePath';

export const MAX_EXPRESSION_LENGTH = 10000;

export type Node =
	| { type: 'string'; value: string }
	| { type: 'number'; value: number }
	| { type: 'boolean'; value: boolean }
	| { type: 'attribute'; name: string }
	| { type: 'missing' }
	| { type: 'call'; name: string; args: Node[]; position: number }
	| { type: 'compare'; op: '=' | '<>' | '>' | '>=' | '<' | '<='; left: Node; right: Node };

interface Token {
	kind: 'string' | 'number' | 'attribute' | 'name' | 'punct' | 'op' | 'end';
	text: string;
	position: number;
}

export class ExpressionSyntaxError extends ProvisioningError {
	constructor(
		message: string,
		readonly position: number,
	) {
		super('InvalidInput', `${message} at position ${position + 1}`, { field: 'expression' });
	}
}

function tokenize(source: string): Token[] {
	const tokens: Token[] = [];
	let i = 0;
	while (i < source.length) {
		const ch = source[i];
		if (/\s/.test(ch)) {
			i++;
			continue;
		}
		if (ch === '"') {
			let text = '';
			let j = i + 1;
			for (; j < source.length && source[j] !== '"'; j++) {
				// Entra: backslash escapes a backslash or a quote; other backslashes stay (regex patterns).
				if (source[j] === '\\' && (source[j + 1] === '"' || source[j + 1] === '\\')) j++;
				text += source[j];
			}
			if (j >= source.length) throw new ExpressionSyntaxError('Unterminated string: expected a closing "', i);
			tokens.push({ kind: 'string', text, position: i });
			i = j + 1;
			continue;
		}
		if (ch === '[') {
			const end = source.indexOf(']', i + 1);
			if (end === -1) throw new ExpressionSyntaxError('Unterminated attribute: expected ]', i);
			const name = source.slice(i + 1, end).trim();
			if (!name) throw new ExpressionSyntaxError('Empty attribute name []', i);
			tokens.push({ kind: 'attribute', text: name, position: i });
			i = end + 1;
			continue;
		}
		const hex = /^&H([0-9A-Fa-f]+)/.exec(source.slice(i));
		if (hex) {
			tokens.push({ kind: 'number', text: String(parseInt(hex[1], 16)), position: i });
			i += hex[0].length;
			continue;
		}
		const number = /^-?\d+(\.\d+)?/.exec(source.slice(i));
		if (number && (ch !== '-' || !tokens.length || ['punct', 'op'].includes(tokens[tokens.length - 1].kind))) {
			tokens.push({ kind: 'number', text: number[0], position: i });
			i += number[0].length;
			continue;
		}
		const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
		if (name) {
			tokens.push({ kind: 'name', text: name[0], position: i });
			i += name[0].length;
			continue;
		}
		const op = /^(<>|>=|<=|=|>|<)/.exec(source.slice(i));
		if (op) {
			tokens.push({ kind: 'op', text: op[0], position: i });
			i += op[0].length;
			continue;
		}
		if ('(),'.includes(ch)) {
			tokens.push({ kind: 'punct', text: ch, position: i });
			i++;
			continue;
		}
		throw new ExpressionSyntaxError(`Unexpected character "${ch}"`, i);
	}
	tokens.push({ kind: 'end', text: '', position: source.length });
	return tokens;
}

/** Parses an expression and checks every function name and argument count. */
export function parseExpression(source: string): Node {
	if (source.length > MAX_EXPRESSION_LENGTH) {
		throw new ProvisioningError(
			'InvalidInput',
			`The expression is ${source.length} characters long; Entra's limit is ${MAX_EXPRESSION_LENGTH}`,
			{ field: 'expression' },
		);
	}
	const tokens = tokenize(source);
	let pos = 0;
	const peek = () => tokens[pos];
	const expect = (text: string, what: string) => {
		const t = tokens[pos];
		if (t.text !== text || t.kind === 'string')
			throw new ExpressionSyntaxError(`Expected ${what} but found ${t.kind === 'end' ? 'the end' : `"${t.text}"`}`, t.position);
		pos++;
	};

	const primary = (): Node => {
		const t = tokens[pos];
		if (t.kind === 'string') {
			pos++;
			return { type: 'string', value: t.text };
		}
		if (t.kind === 'number') {
			pos++;
			return { type: 'number', value: Number(t.text) };
		}
		if (t.kind === 'attribute') {
			pos++;
			return { type: 'attribute', name: t.text };
		}
		if (t.kind === 'name') {
			pos++;
			if (peek().text !== '(') {
				if (/^(true|false)$/i.test(t.text)) return { type: 'boolean', value: t.text.toLowerCase() === 'true' };
				// VBA comparison constants, as in InStr("repEated", "e", 3, vbBinaryCompare).
				if (/^(vbTextCompare|vbBinaryCompare)$/.test(t.text)) return { type: 'string', value: t.text };
				throw new ExpressionSyntaxError(
					`Expected "(" after function name ${t.text} (attributes go in [brackets], text in "quotes")`,
					peek().position,
				);
			}
			const spec = FUNCTIONS[t.text];
			if (!spec) {
				const near = Object.keys(FUNCTIONS).find((f) => f.toLowerCase() === t.text.toLowerCase());
				throw new ExpressionSyntaxError(
					`Unknown function ${t.text}${near ? ` (function names are case-sensitive: did you mean ${near}?)` : ''}`,
					t.position,
				);
			}
			pos++;
			const args: Node[] = [];
			if (peek().text !== ')' || peek().kind === 'string') {
				for (;;) {
					// Entra allows empty arguments: FormatDateTime([x], , "yyyyMMdd", "yyyy-MM-dd").
					if ((peek().text === ',' || peek().text === ')') && peek().kind === 'punct') args.push({ type: 'missing' });
					else args.push(comparison());
					if (peek().text === ',' && peek().kind === 'punct') {
						pos++;
						continue;
					}
					break;
				}
			}
			expect(')', `"," or ")" in the arguments of ${t.text}`);
			const supplied = args.length;
			if (supplied < spec.min || supplied > spec.max) {
				const range = spec.min === spec.max ? `${spec.min}` : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
				throw new ExpressionSyntaxError(
					`${t.text} takes ${range} argument${spec.max === 1 && spec.min === 1 ? '' : 's'}, not ${supplied}`,
					t.position,
				);
			}
			return { type: 'call', name: t.text, args, position: t.position };
		}
		if (t.kind === 'punct' && t.text === '(') {
			pos++;
			const inner = comparison();
			expect(')', '")"');
			return inner;
		}
		throw new ExpressionSyntaxError(
			`Expected a value, an [attribute] or a function but found ${t.kind === 'end' ? 'the end' : `"${t.text}"`}`,
			t.position,
		);
	};

	const comparison = (): Node => {
		const left = primary();
		if (peek().kind === 'op') {
			const op = tokens[pos++].text as Extract<Node, { type: 'compare' }>['op'];
			return { type: 'compare', op, left, right: primary() };
		}
		return left;
	};

	const tree = comparison();
	if (peek().kind !== 'end')
		throw new ExpressionSyntaxError(`Unexpected "${peek().text}" after the end of the expression`, peek().position);
	return tree;
}

function compare(op: string, left: MappingValue, right: MappingValue): boolean {
	let a = left;
	let b = right;
	if (a === null || a === undefined || b === null || b === undefined) return op === '<>' ? a !== b : op === '=' ? a === b : false;
	// Booleans compare as .NET prints them ("True"/"False"), as in IIF([active]="False", …).
	if (typeof a === 'boolean') a = a ? 'True' : 'False';
	if (typeof b === 'boolean') b = b ? 'True' : 'False';
	const na = Number(a);
	const nb = Number(b);
	const numeric = typeof a !== 'boolean' && typeof b !== 'boolean' && a !== '' && b !== '' && !Number.isNaN(na) && !Number.isNaN(nb);
	const x: string | number = numeric ? na : String(a);
	const y: string | number = numeric ? nb : String(b);
	switch (op) {
		case '=':
			return x === y;
		case '<>':
			return x !== y;
		case '>':
			return x > y;
		case '>=':
			return x >= y;
		case '<':
			return x < y;
		default:
			return x <= y;
	}
}

/** A parsed expression compiled into a closure: compiled once per execution, run per item. */
export type Compiled = (ctx: EvalContext) => MappingValue;

export function compile(node: Node): Compiled {
	switch (node.type) {
		case 'string':
		case 'number':
		case 'boolean': {
			const value = node.value;
			return () => value;
		}
		case 'missing':
			return () => undefined;
		case 'attribute': {
			const name = node.name;
			// The path is compiled here, once, not looked up per item.
			const read = sourceAccessor(name);
			return (ctx) => ctx.attribute(name, read);
		}
		case 'compare': {
			const left = compile(node.left);
			const right = compile(node.right);
			const op = node.op;
			return (ctx) => compare(op, left(ctx), right(ctx));
		}
		case 'call': {
			const spec = FUNCTIONS[node.name];
			const args = node.args.map(compile);
			const name = node.name;
			return (ctx) => {
				try {
					return spec.fn(args, ctx);
				} catch (error) {
					if (error instanceof ProvisioningError) throw error;
					throw new ProvisioningError('InvalidInput', `${name}: ${(error as Error).message}`, { field: 'expression' });
				}
			};
		}
	}
}

export function compileExpression(source: string): Compiled {
	return compile(parseExpression(source));
}
