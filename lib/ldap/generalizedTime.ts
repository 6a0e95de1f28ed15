/** LDAP GeneralizedTime (RFC 4517 §3.3.13) as disabled-time stamps are written and read. */
import { parseIsoTime } from '../times';

/** 2026-11-30T08:33:05.123Z → 20261130083305Z (whole seconds, UTC). */
export function toGeneralizedTime(date: Date): string {
	return date
		.toISOString()
		.replace(/[-:T]/g, '')
		.replace(/\.\d+Z$/, 'Z');
}

const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)$/;

/** GeneralizedTime (with or without seconds, fractions or an offset), or an ISO 8601 time; undefined if neither. */
export function parseGeneralizedTime(text: string): Date | undefined {
	const value = text.trim();
	const m = GENERALIZED.exec(value);
	if (!m) {
		// An ISO time without an offset is UTC, like every stamp here (JavaScript would read it in local time).
		return /^\d{4}-\d{2}-\d{2}T/.test(value) ? parseIsoTime(value) : undefined;
	}
	const [, y, mo, d, h, mi = '00', s = '00', fraction, zone] = m;
	const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
	let time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
	if (zone !== 'Z') {
		const sign = zone.startsWith('-') ? -1 : 1;
		const offset = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5) || 0);
		time -= sign * offset * 60000;
	}
	const date = new Date(time);
	return Number.isNaN(date.getTime()) ? undefined : date;
}
