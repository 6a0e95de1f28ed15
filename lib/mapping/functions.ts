/** The 43 functions of Entra's attribute-mapping language, with Entra's semantics (1-based indexes, case-sensitive Switch…). */
import { randomInt, randomUUID } from 'node:crypto';
import { ProvisioningError } from '../errors';
import {
	adTicksFromDate,
	addInterval,
	dateFromAdTicks,
	defaultDateText,
	diffInterval,
	formatNetDate,
	parseDate,
	parseNetDate,
} from './dates';

export type MappingValue = string | number | boolean | Date | null | undefined | MappingValue[] | Marker;

/** IgnoreFlowIfNullOrEmpty: drop the attribute from the flow. */
export class IgnoreFlow {}
/** Redact: the value flows, but logs show [Redact]. */
export class Redacted {
	constructor(readonly value: MappingValue) {}
}
/** SelectUniqueValue: candidates, tried against the target in order; the first free one wins. */
export class UniqueCandidates {
	constructor(readonly candidates: string[]) {}
}
type Marker = IgnoreFlow | Redacted | UniqueCandidates;

export interface EvalContext {
	attribute(name: string): MappingValue;
	now?: () => Date;
}

type Thunk = (ctx: EvalContext) => MappingValue;
export interface FunctionSpec {
	min: number;
	max: number;
	fn: (args: Thunk[], ctx: EvalContext) => MappingValue;
}

const fail = (message: string) => {
	throw new ProvisioningError('InvalidInput', message, { field: 'expression' });
};

/** Unwraps Redact, so a redacted value can still feed other functions. */
const plain = (v: MappingValue): MappingValue => (v instanceof Redacted ? plain(v.value) : v);
const isEmpty = (v: MappingValue): boolean => {
	const p = plain(v);
	return p === null || p === undefined || p === '' || (Array.isArray(p) && p.length === 0);
};
/** Text of a value; dates take Entra's default form. */
export const text = (v: MappingValue): string | null => {
	const p = plain(v);
	if (p === null || p === undefined || p instanceof IgnoreFlow) return null;
	if (p instanceof Date) return defaultDateText(p);
	if (typeof p === 'boolean') return p ? 'True' : 'False';
	if (Array.isArray(p)) return p.length ? text(p[0]) : null;
	if (typeof p === 'object') return JSON.stringify(p);
	return String(p);
};
const num = (v: MappingValue, name: string): number => {
	const n = Number(text(v));
	if (text(v) === null || Number.isNaN(n)) fail(`${name} must be a number, not "${text(v)}"`);
	return n;
};
const bool = (v: MappingValue): boolean => {
	const p = plain(v);
	if (typeof p === 'boolean') return p;
	if (typeof p === 'number') return p !== 0;
	const s = text(p);
	if (s === null) return false;
	if (/^true$/i.test(s)) return true;
	if (/^false$/i.test(s) || s === '') return false;
	const n = Number(s);
	return Number.isNaN(n) ? true : n !== 0;
};
const date = (v: MappingValue): Date => {
	const p = plain(v);
	if (p instanceof Date) return p;
	const s = text(p);
	if (s === null) return fail('a date is required') as never;
	return parseDate(s);
};
const list = (v: MappingValue): MappingValue[] => {
	const p = plain(v);
	if (p === null || p === undefined) return [];
	return Array.isArray(p) ? p : [p];
};
const arg = (args: Thunk[], i: number, ctx: EvalContext): MappingValue => (args[i] ? args[i](ctx) : undefined);

/** Entra's NormalizeDiacritics table, beyond what Unicode decomposition handles. */
const DIACRITIC_SPECIALS: Record<string, string> = {
	ß: 'ss',
	æ: 'ae',
	Æ: 'AE',
	ø: 'oe',
	Ø: 'OE',
	œ: 'oe',
	Œ: 'OE',
	ł: 'l',
	Ł: 'L',
	đ: 'd',
	Đ: 'D',
	ð: 'd',
	Ð: 'D',
	þ: 'th',
	Þ: 'TH',
	ı: 'i',
	ħ: 'h',
	Ħ: 'H',
};
export function normalizeDiacritics(s: string): string {
	return s
		.replace(/[ßæÆøØœŒłŁđĐðÐþÞıħĦ]/g, (c) => DIACRITIC_SPECIALS[c])
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '');
}

function roleName(role: MappingValue): string | null {
	const p = plain(role);
	if (p && typeof p === 'object' && !Array.isArray(p) && !(p instanceof Date)) {
		const o = p as unknown as Record<string, unknown>;
		return String(o.displayName ?? o.value ?? o.name ?? o.id ?? '');
	}
	return text(p);
}

/** Entra's Replace: five modes, picked by which of its seven parameters are present. */
function replace(args: Thunk[], ctx: EvalContext): MappingValue {
	const [source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template] = [0, 1, 2, 3, 4, 5, 6].map(
		(i) => text(arg(args, i, ctx)),
	);
	const replacementAttribute = replacementAttributeName ? text(ctx.attribute(replacementAttributeName)) : null;
	if (oldValue !== null && oldValue !== '' && template !== null) {
		return template.split(oldValue).join(source ?? '');
	}
	if (oldValue !== null && oldValue !== '') {
		if (source === null) return null;
		return source.split(oldValue).join(replacementValue ?? '');
	}
	if (regexPattern) {
		if (source === null) return null;
		let regex: RegExp;
		try {
			regex = new RegExp(regexPattern, 'g');
		} catch (error) {
			return fail(`invalid regexPattern "${regexPattern}": ${(error as Error).message}`);
		}
		const replacement = replacementValue ?? replacementAttribute ?? '';
		// .NET writes named group references as ${name}; JavaScript as $<name>. $1 works in both.
		if (!regexGroupName) return source.replace(regex, replacement.replace(/\$\{(\w+)\}/g, '$$<$1>'));
		return source.replace(regex, (...m) => {
			const whole = m[0] as string;
			const groups = m[m.length - 1] as Record<string, string> | undefined;
			const group = groups?.[regexGroupName];
			if (group === undefined) return whole;
			return whole.replace(group, replacement);
		});
	}
	return source;
}

function randomString(length: number, minNumbers: number, minSpecial: number, minCapital: number, minLower: number, avoid: string): string {
	const keep = (chars: string) => [...chars].filter((c) => !avoid.includes(c)).join('');
	const sets = {
		digits: keep('0123456789'),
		special: keep('!#$%&()*+,-./:;<=>?@[]^_{|}~'),
		upper: keep('ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
		lower: keep('abcdefghijklmnopqrstuvwxyz'),
	};
	if (minNumbers + minSpecial + minCapital + minLower > length) fail(`RandomString's minimums add up to more than its length ${length}`);
	const pick = (set: string) => (set ? set[randomInt(set.length)] : fail('RandomString: every character of a required class is avoided'));
	const chars: string[] = [
		...Array.from({ length: minNumbers }, () => pick(sets.digits)),
		...Array.from({ length: minSpecial }, () => pick(sets.special)),
		...Array.from({ length: minCapital }, () => pick(sets.upper)),
		...Array.from({ length: minLower }, () => pick(sets.lower)),
	] as string[];
	const all = sets.digits + sets.special + sets.upper + sets.lower;
	while (chars.length < length) chars.push(pick(all) as string);
	for (let i = chars.length - 1; i > 0; i--) {
		const j = randomInt(i + 1);
		[chars[i], chars[j]] = [chars[j], chars[i]];
	}
	return chars.join('');
}

const spec = (min: number, max: number, fn: FunctionSpec['fn']): FunctionSpec => ({ min, max, fn });
const unary = (fn: (v: MappingValue) => MappingValue) => spec(1, 1, (a, c) => fn(a[0](c)));

export const FUNCTIONS: Record<string, FunctionSpec> = {
	Append: spec(2, 2, (a, c) => {
		const s = text(a[0](c));
		return s === null || s === '' ? null : s + (text(a[1](c)) ?? '');
	}),
	AppRoleAssignmentsComplex: unary((v) =>
		list(v)
			.map(roleName)
			.filter((r): r is string => !!r)
			.map((r) => ({ primary: false, type: 'WindowsAzureActiveDirectoryRole', display: r, value: r }) as unknown as MappingValue),
	),
	BitAnd: spec(2, 2, (a, c) => num(a[0](c), 'BitAnd value1') & num(a[1](c), 'BitAnd value2')),
	CBool: unary((v) => bool(v)),
	CDate: unary((v) => (isEmpty(v) ? null : date(v))),
	Coalesce: spec(1, Infinity, (a, c) => {
		for (const t of a) {
			const v = t(c);
			if (!isEmpty(v)) return v;
		}
		return null;
	}),
	ConvertToBase64: unary((v) => (text(v) === null ? null : Buffer.from(text(v)!, 'utf16le').toString('base64'))),
	ConvertToUTF8Hex: unary((v) => (text(v) === null ? null : Buffer.from(text(v)!, 'utf8').toString('hex').toUpperCase())),
	Count: unary((v) => list(v).length),
	CStr: unary((v) => text(v)),
	DateAdd: spec(3, 3, (a, c) => addInterval(date(a[2](c)), text(a[0](c)) ?? '', num(a[1](c), 'DateAdd value'))),
	DateDiff: spec(3, 3, (a, c) => diffInterval(text(a[0](c)) ?? '', date(a[1](c)), date(a[2](c)))),
	DateFromNum: unary((v) => (isEmpty(v) ? null : dateFromAdTicks(text(v)!))),
	FormatDateTime: spec(3, 4, (a, c) => {
		// FormatDateTime(source, [dateTimeStyles], inputFormat, outputFormat): the styles argument is optional.
		const [source, inputFormat, outputFormat] = a.length === 4 ? [a[0](c), a[2](c), a[3](c)] : [a[0](c), a[1](c), a[2](c)];
		const s = text(source);
		if (s === null || s === '') return null;
		const parsed =
			plain(source) instanceof Date ? (plain(source) as Date) : text(inputFormat) ? parseNetDate(s, text(inputFormat)!) : parseDate(s);
		return formatNetDate(parsed, text(outputFormat) ?? 'M/d/yyyy h:mm:ss tt');
	}),
	Guid: spec(0, 0, () => randomUUID()),
	IgnoreFlowIfNullOrEmpty: unary((v) => (isEmpty(v) ? new IgnoreFlow() : v)),
	IIF: spec(3, 3, (a, c) => (bool(a[0](c)) ? a[1](c) : a[2](c))),
	InStr: spec(2, 4, (a, c) => {
		const hay = text(a[0](c));
		const needle = text(a[1](c));
		if (hay === null || needle === null) return null;
		const start = a[2] && !isEmpty(a[2](c)) ? num(a[2](c), 'InStr start') : 1;
		const textCompare = /^vbTextCompare$/i.test(text(arg(a, 3, c)) ?? '');
		const index = (textCompare ? hay.toLowerCase() : hay).indexOf(textCompare ? needle.toLowerCase() : needle, Math.max(0, start - 1));
		return index + 1;
	}),
	IsNull: unary((v) => plain(v) === null || plain(v) === undefined),
	IsNullOrEmpty: unary((v) => isEmpty(v)),
	IsPresent: unary((v) => !isEmpty(v)),
	IsString: unary((v) => typeof plain(v) === 'string'),
	Item: spec(2, 2, (a, c) => {
		const values = list(a[0](c));
		const i = num(a[1](c), 'Item index');
		return i >= 1 && i <= values.length ? values[i - 1] : null;
	}),
	Join: spec(2, Infinity, (a, c) => {
		// A plain loop: Join is the most used function, and runs per item per row.
		const separator = text(a[0](c)) ?? '';
		let out = '';
		let first = true;
		const add = (v: MappingValue) => {
			const s = text(v);
			if (s === null || s === '') return;
			out = first ? s : out + separator + s;
			first = false;
		};
		for (let i = 1; i < a.length; i++) {
			const v = plain(a[i](c));
			if (Array.isArray(v)) for (const x of v) add(x);
			else add(v);
		}
		return out;
	}),
	Left: spec(2, 2, (a, c) => {
		const s = text(a[0](c));
		const n = num(a[1](c), 'Left numChars');
		return s === null ? null : s.slice(0, Math.max(0, n));
	}),
	Mid: spec(3, 3, (a, c) => {
		const s = text(a[0](c));
		const start = num(a[1](c), 'Mid start');
		const length = num(a[2](c), 'Mid length');
		return s === null ? null : s.substr(Math.max(0, start - 1), Math.max(0, length));
	}),
	NormalizeDiacritics: unary((v) => (text(v) === null ? null : normalizeDiacritics(text(v)!))),
	Not: unary((v) => !bool(v)),
	Now: spec(0, 0, (_a, c) => (c.now ? c.now() : new Date())),
	NumFromDate: unary((v) => (isEmpty(v) ? null : adTicksFromDate(date(v)))),
	PCase: spec(1, 2, (a, c) => {
		const s = text(a[0](c));
		if (s === null) return null;
		const separators = text(arg(a, 1, c));
		const isSeparator = (ch: string) => (separators ? separators.includes(ch) : /[\s\-_.,;:/\\()&]/.test(ch));
		let out = '';
		let start = true;
		for (const ch of s) {
			out += start ? ch.toUpperCase() : ch.toLowerCase();
			start = isSeparator(ch);
		}
		return out;
	}),
	RandomString: spec(5, 6, (a, c) =>
		randomString(
			num(a[0](c), 'RandomString length'),
			num(a[1](c), 'minNumbers'),
			num(a[2](c), 'minSpecialCharacters'),
			num(a[3](c), 'minCapital'),
			num(a[4](c), 'minLower'),
			text(arg(a, 5, c)) ?? '',
		),
	),
	Redact: unary((v) => new Redacted(v)),
	RemoveDuplicates: unary((v) => {
		const seen = new Set<string>();
		return list(v).filter((x) => {
			const key = text(x) ?? '';
			if (seen.has(key)) return false;
			seen.add(key);
			return true;
		});
	}),
	Replace: spec(7, 7, replace),
	SelectUniqueValue: spec(
		2,
		Infinity,
		(a, c) => new UniqueCandidates(a.map((t) => text(t(c))).filter((s): s is string => s !== null && s !== '')),
	),
	SingleAppRoleAssignment: unary((v) => {
		const first = list(v)[0];
		return first === undefined ? null : roleName(first);
	}),
	Split: spec(2, 2, (a, c) => {
		const s = text(a[0](c));
		return s === null ? null : s.split(text(a[1](c)) ?? ',');
	}),
	StripSpaces: unary((v) => (text(v) === null ? null : text(v)!.replace(/ /g, ''))),
	Switch: spec(2, Infinity, (a, c) => {
		if ((a.length - 2) % 2 !== 0) fail('Switch needs key/value pairs after the source and the default');
		const source = text(a[0](c));
		for (let i = 2; i + 1 < a.length; i += 2) if (text(a[i](c)) === source) return a[i + 1](c);
		return a[1](c);
	}),
	ToLower: spec(1, 2, (a, c) => {
		const s = text(a[0](c));
		const culture = text(arg(a, 1, c));
		return s === null ? null : culture ? s.toLocaleLowerCase(culture) : s.toLowerCase();
	}),
	ToUpper: spec(1, 2, (a, c) => {
		const s = text(a[0](c));
		const culture = text(arg(a, 1, c));
		return s === null ? null : culture ? s.toLocaleUpperCase(culture) : s.toUpperCase();
	}),
	Word: spec(3, 3, (a, c) => {
		const s = text(a[0](c));
		if (s === null) return null;
		const n = num(a[1](c), 'Word number');
		const delimiters = text(a[2](c)) ?? ' ';
		const words: string[] = [];
		let current = '';
		for (const ch of s) {
			if (delimiters.includes(ch)) {
				if (current) words.push(current);
				current = '';
			} else current += ch;
		}
		if (current) words.push(current);
		return n >= 1 && n <= words.length ? words[n - 1] : null;
	}),
};
