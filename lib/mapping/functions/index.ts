/** The 43 functions of Entra's attribute-mapping language, with Entra's semantics (1-based indexes, case-sensitive Switch…). */
import { randomUUID } from 'node:crypto';
import { adTicksFromDate, addInterval, dateFromAdTicks, diffInterval, formatNetDate, parseDate, parseNetDate } from '../dates';
import { normalizeDiacritics, randomString, replace, roleName } from './text';
import {
	arg,
	bool,
	date,
	fail,
	type FunctionSpec,
	IgnoreFlow,
	isEmpty,
	list,
	type MappingValue,
	num,
	plain,
	Redacted,
	spec,
	text,
	unary,
	UniqueCandidates,
} from './values';

export { IgnoreFlow, Redacted, UniqueCandidates, text, type EvalContext, type FunctionSpec, type MappingValue } from './values';
export { normalizeDiacritics } from './text';

/** Join's step: empty values are skipped, the separator goes between the others. */
const joined = (out: string | undefined, separator: string, s: string | null) =>
	s === null || s === '' ? out : out === undefined ? s : out + separator + s;

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
		let out: string | undefined;
		for (let i = 1; i < a.length; i++) {
			const v = plain(a[i](c));
			if (Array.isArray(v)) for (const x of v) out = joined(out, separator, text(x));
			else out = joined(out, separator, text(v));
		}
		return out ?? '';
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
	Redact: spec(1, 1, (args, ctx) => {
		const value = args[0](ctx);
		if (value !== null && value !== undefined) ctx.secrets?.push(...(Array.isArray(value) ? value : [value]).map(String));
		return new Redacted(value);
	}),
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
