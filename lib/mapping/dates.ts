/** Dates as Entra handles them: .NET custom format strings, AD integer dates, and its default text form. */
import { ProvisioningError } from '../errors';
import { parseTime } from '../times';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** 1601-01-01 to 1970-01-01 in milliseconds: AD integer dates count 100 ns ticks from 1601. */
const EPOCH_1601_MS = 11644473600000n;

const TOKEN = /yyyy|yy|MMMM|MMM|MM|M|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|f{1,7}|F{1,7}|tt|zzz|zz|z|K|'[^']*'|"[^"]*"|\\.|./g;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Formats a date (UTC) with a .NET custom format string such as "yyyy-MM-ddTHH:mm:ss". */
export function formatNetDate(date: Date, format: string): string {
	return format.replace(TOKEN, (t) => {
		const h = date.getUTCHours();
		switch (t) {
			case 'yyyy':
				return pad(date.getUTCFullYear(), 4);
			case 'yy':
				return pad(date.getUTCFullYear() % 100, 2);
			case 'MMMM':
				return MONTHS[date.getUTCMonth()];
			case 'MMM':
				return MONTHS[date.getUTCMonth()].slice(0, 3);
			case 'MM':
				return pad(date.getUTCMonth() + 1, 2);
			case 'M':
				return String(date.getUTCMonth() + 1);
			case 'dddd':
				return DAYS[date.getUTCDay()];
			case 'ddd':
				return DAYS[date.getUTCDay()].slice(0, 3);
			case 'dd':
				return pad(date.getUTCDate(), 2);
			case 'd':
				return String(date.getUTCDate());
			case 'HH':
				return pad(h, 2);
			case 'H':
				return String(h);
			case 'hh':
				return pad(h % 12 || 12, 2);
			case 'h':
				return String(h % 12 || 12);
			case 'mm':
				return pad(date.getUTCMinutes(), 2);
			case 'm':
				return String(date.getUTCMinutes());
			case 'ss':
				return pad(date.getUTCSeconds(), 2);
			case 's':
				return String(date.getUTCSeconds());
			case 'tt':
				return h < 12 ? 'AM' : 'PM';
			case 'zzz':
				return '+00:00';
			case 'zz':
				return '+00';
			case 'z':
				return '+0';
			case 'K':
				return 'Z';
			default:
				if (/^f+$/i.test(t)) {
					const digits = pad(date.getUTCMilliseconds(), 3).padEnd(7, '0').slice(0, t.length);
					return t[0] === 'F' ? digits.replace(/0+$/, '') : digits;
				}
				if (t.startsWith("'") || t.startsWith('"')) return t.slice(1, -1);
				if (t.startsWith('\\')) return t.slice(1);
				return t;
		}
	});
}

/** Parses text with a .NET custom format string; the result is UTC unless the text carries an offset. */
export function parseNetDate(text: string, format: string): Date {
	const fields: Record<string, number> = { year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, ms: 0, offset: 0 };
	let pm: boolean | undefined;
	let pattern = '';
	const setters: Array<(v: string) => void> = [];
	const numeric = (re: string, set: (n: number) => void) => {
		pattern += `(${re})`;
		setters.push((v) => set(Number(v)));
	};
	for (const t of format.match(TOKEN) ?? []) {
		if (t === 'yyyy') numeric('\\d{4}', (n) => (fields.year = n));
		else if (t === 'yy') numeric('\\d{2}', (n) => (fields.year = 2000 + n));
		else if (t === 'MM' || t === 'M') numeric(t === 'MM' ? '\\d{2}' : '\\d{1,2}', (n) => (fields.month = n));
		else if (t === 'MMM' || t === 'MMMM') {
			pattern += `(${MONTHS.map((m) => (t === 'MMM' ? m.slice(0, 3) : m)).join('|')})`;
			setters.push((v) => (fields.month = MONTHS.findIndex((m) => m.startsWith(v)) + 1));
		} else if (t === 'dd' || t === 'd') numeric(t === 'dd' ? '\\d{2}' : '\\d{1,2}', (n) => (fields.day = n));
		else if (['HH', 'H', 'hh', 'h'].includes(t)) numeric(t.length === 2 ? '\\d{2}' : '\\d{1,2}', (n) => (fields.hour = n));
		else if (t === 'mm' || t === 'm') numeric(t === 'mm' ? '\\d{2}' : '\\d{1,2}', (n) => (fields.minute = n));
		else if (t === 'ss' || t === 's') numeric(t === 'ss' ? '\\d{2}' : '\\d{1,2}', (n) => (fields.second = n));
		else if (/^f+$/i.test(t)) {
			pattern += `(\\d{${t[0] === 'F' ? `0,${t.length}` : t.length}})`;
			setters.push((v) => (fields.ms = Math.round(Number(`0.${v || '0'}`) * 1000)));
		} else if (t === 'tt') {
			pattern += '(AM|PM)';
			setters.push((v) => (pm = v === 'PM'));
		} else if (t === 'zzz' || t === 'zz' || t === 'z' || t === 'K') {
			pattern += '(Z|[+-]\\d{1,2}(?::?\\d{2})?)';
			setters.push((v) => {
				if (v === 'Z') return;
				const m = /([+-])(\d{1,2}):?(\d{2})?/.exec(v)!;
				fields.offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
			});
		} else {
			const literal = t.startsWith("'") || t.startsWith('"') ? t.slice(1, -1) : t.startsWith('\\') ? t.slice(1) : t;
			pattern += literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		}
	}
	const m = new RegExp(`^${pattern}$`).exec(text.trim());
	if (!m) throw new ProvisioningError('InvalidInput', `"${text}" does not match the date format "${format}"`, { field: 'expression' });
	setters.forEach((set, i) => set(m[i + 1]));
	if (pm !== undefined) fields.hour = (fields.hour % 12) + (pm ? 12 : 0);
	const utc =
		Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second, fields.ms) - fields.offset * 60000;
	return new Date(utc);
}

/**
 * CDate: ISO 8601, the date-with-offset form Workday sends ("2012-03-16-07:00"), Entra's own text ("3/16/2012 7:00:00
 * AM") and what else JavaScript reads; a time without an offset is UTC, as in Entra.
 */
export function parseDate(text: string): Date {
	const s = text.trim();
	const dateWithOffset = /^(\d{4}-\d{2}-\d{2})([+-]\d{2}:\d{2})$/.exec(s);
	const date = parseTime(dateWithOffset ? `${dateWithOffset[1]}T00:00:00${dateWithOffset[2]}` : s);
	if (!date) throw new ProvisioningError('InvalidInput', `"${text}" is not a date`, { field: 'expression' });
	return date;
}

/** The text Entra produces for a DateTime: "3/23/2012 7:00:00 AM" (UTC). */
export function defaultDateText(date: Date): string {
	return formatNetDate(date, 'M/d/yyyy h:mm:ss tt');
}

/** AD integer date (100 ns ticks since 1601, as in lastLogonTimestamp and accountExpires) to a date. */
export function dateFromAdTicks(value: string | number): Date {
	const ticks = BigInt(String(value).trim());
	return new Date(Number(ticks / 10000n - EPOCH_1601_MS));
}

/** A date to AD ticks, as text (the number exceeds JavaScript's exact integers). */
export function adTicksFromDate(date: Date): string {
	return ((BigInt(date.getTime()) + EPOCH_1601_MS) * 10000n).toString();
}

/** DateAdd/DateDiff intervals: yyyy, q, m, y, d, w, ww, h, n, s. */
export function addInterval(date: Date, interval: string, amount: number): Date {
	const d = new Date(date.getTime());
	switch (interval) {
		case 'yyyy':
			d.setUTCFullYear(d.getUTCFullYear() + amount);
			return d;
		case 'q':
			d.setUTCMonth(d.getUTCMonth() + 3 * amount);
			return d;
		case 'm':
			d.setUTCMonth(d.getUTCMonth() + amount);
			return d;
		case 'y':
		case 'd':
		case 'w':
			return new Date(d.getTime() + amount * 86400000);
		case 'ww':
			return new Date(d.getTime() + amount * 7 * 86400000);
		case 'h':
			return new Date(d.getTime() + amount * 3600000);
		case 'n':
			return new Date(d.getTime() + amount * 60000);
		case 's':
			return new Date(d.getTime() + amount * 1000);
		default:
			throw new ProvisioningError('InvalidInput', `Unknown date interval "${interval}"; use yyyy, q, m, y, d, w, ww, h, n or s`, {
				field: 'expression',
			});
	}
}

export function diffInterval(interval: string, from: Date, to: Date): number {
	const ms = to.getTime() - from.getTime();
	switch (interval) {
		case 'yyyy':
			return to.getUTCFullYear() - from.getUTCFullYear();
		case 'q':
			return Math.trunc((to.getUTCFullYear() * 12 + to.getUTCMonth() - (from.getUTCFullYear() * 12 + from.getUTCMonth())) / 3);
		case 'm':
			return to.getUTCFullYear() * 12 + to.getUTCMonth() - (from.getUTCFullYear() * 12 + from.getUTCMonth());
		case 'y':
		case 'd':
		case 'w':
			return Math.trunc(ms / 86400000);
		case 'ww':
			return Math.trunc(ms / (7 * 86400000));
		case 'h':
			return Math.trunc(ms / 3600000);
		case 'n':
			return Math.trunc(ms / 60000);
		case 's':
			return Math.trunc(ms / 1000);
		default:
			throw new ProvisioningError('InvalidInput', `Unknown date interval "${interval}"; use yyyy, q, m, y, d, w, ww, h, n or s`, {
				field: 'expression',
			});
	}
}
