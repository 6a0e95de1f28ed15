/**
 * Text to instants, never in the zone of the process n8n happens to run in: a time written without an offset is UTC
 * (Entra's functions, SQL sessions and LDAP and SCIM stamps all are), or in a zone the caller names (the workflow's,
 * for times a person types into a node).
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A zone at the end of a free-form date (JavaScript's legacy parser reads these): a name, or an offset after a time. */
const NAMED_ZONE =
	/(?:\b(?:GMT|UTC|UT|Z|[ECMP][SD]T)(?:[+-]\d{1,2}(?::?\d{2})?)?|\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AP]M)?\s*[+-]\d{2}:?\d{2})\s*(?:\([^)]*\))?$/i;

/** The offset from UTC of a zone at an instant, in milliseconds (Intl knows every IANA zone). */
function zoneOffsetMs(zone: string, at: number): number {
	const name =
		new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
			.formatToParts(at)
			.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
	const m = /^GMT([+-])(\d{2}):(\d{2})/.exec(name);
	return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60000 : 0;
}

/** The instant a wall-clock time (given as if it were UTC) names in a zone. */
function fromWallClock(wall: number, zone: string): number {
	if (zone === 'UTC') return wall;
	const first = wall - zoneOffsetMs(zone, wall);
	return wall - zoneOffsetMs(zone, first);
}

/**
 * An ISO 8601 or SQL time ("2024-05-01T07:30:00Z", "2024-05-01 07:30:00.125", "2024-05-01"), or undefined when the text
 * is not one or names no real date. `fractionDigits` keeps only as many digits of the seconds as a column would.
 */
export function parseIsoTime(text: string, options: { fractionDigits?: number; zone?: string } = {}): Date | undefined {
	const m = ISO.exec(String(text).trim());
	if (!m) return undefined;
	const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', offset] = m;
	const digits = Math.min(3, Math.max(0, options.fractionDigits ?? 3));
	const ms = Number(fraction.slice(0, digits).padEnd(3, '0'));
	const date = new Date(0);
	date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d)); // not Date.UTC, which reads year 0050 as 1950
	date.setUTCHours(Number(h), Number(mi), Number(s), ms);
	const wall = date.getTime();
	// Dates roll over (30 February becomes 1 March): such a text names no date.
	const fields = [date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
	if (Number.isNaN(wall) || fields.join() !== [mo, d, h, mi, s].map(Number).join()) return undefined;
	if (!offset) return new Date(fromWallClock(wall, options.zone ?? 'UTC'));
	if (offset.toUpperCase() === 'Z') return date;
	const [, sign, hh, mm = '0'] = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset)!;
	return new Date(wall - (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm)) * 60000);
}

/**
 * Any time JavaScript can read ("5/1/2024 7:30:00 AM", "May 1, 2024", "Wed, 01 May 2024 07:30:00 GMT"), ISO first; one
 * without a zone is in `zone` (UTC unless given). Undefined when it is no time.
 */
export function parseTime(text: string, zone = 'UTC'): Date | undefined {
	const s = String(text).trim();
	const iso = parseIsoTime(s, { zone });
	if (iso || ISO.test(s)) return iso;
	let ms: number;
	if (NAMED_ZONE.test(s)) ms = Date.parse(s);
	else {
		const wall = Date.parse(`${s} UTC`);
		ms = Number.isNaN(wall) ? wall : fromWallClock(wall, zone);
	}
	return Number.isNaN(ms) ? undefined : new Date(ms);
}
