/**
 * A time written without an offset is UTC, whatever the zone of the process: this file runs once in UTC and once in
 * Pacific/Chatham (+12:45, +13:45 in summer; jest.config.js), so a reader that falls back to local time fails here.
 * Entra's functions work in UTC; SQL sessions run in UTC; LDAP and SCIM stamps are written in UTC.
 */
import fc from 'fast-check';
import { parseGeneralizedTime, toGeneralizedTime } from '../../lib/ldap/generalizedTime';
import { defaultDateText, parseDate } from '../../lib/mapping/dates';
import { compileExpression } from '../../lib/mapping/expression';
import type { MappingValue } from '../../lib/mapping/functions';
import { type ColumnInfo, storedForm } from '../../lib/targets/sql/sqlValues';
import { parseTime } from '../../lib/times';

const SEED = 818;
const run = (expression: string): MappingValue => compileExpression(expression)({ attribute: () => null });
const asText = (v: MappingValue) => (v instanceof Date ? defaultDateText(v) : v);
const column: ColumnInfo = { name: 'stamp', type: 'timestamp', precision: 3, caseInsensitive: false, generated: false };

describe(`times without an offset are UTC (process zone ${process.env.TZ})`, () => {
	test.each([
		['2024-05-01T07:30:00', '2024-05-01T07:30:00.000Z'],
		['2024-05-01 07:30:00', '2024-05-01T07:30:00.000Z'],
		['2024-05-01T07:30', '2024-05-01T07:30:00.000Z'],
		['2024-05-01 07:30:00.125', '2024-05-01T07:30:00.125Z'],
		['5/1/2024 7:30:00 AM', '2024-05-01T07:30:00.000Z'], // Entra's text for a DateTime
		['5/1/2024 11:30:00 PM', '2024-05-01T23:30:00.000Z'],
		['May 1, 2024 07:30', '2024-05-01T07:30:00.000Z'],
		['2024/05/01 07:30', '2024-05-01T07:30:00.000Z'],
		['2024-05-01', '2024-05-01T00:00:00.000Z'],
		// An offset, where there is one, is kept.
		['2024-05-01T07:30:00Z', '2024-05-01T07:30:00.000Z'],
		['2024-05-01T07:30:00-02:30', '2024-05-01T10:00:00.000Z'],
		['2024-05-01T07:30:00+0545', '2024-05-01T01:45:00.000Z'],
		['Wed, 01 May 2024 09:30:00 +0200', '2024-05-01T07:30:00.000Z'],
		['Wed, 01 May 2024 07:30:00 GMT', '2024-05-01T07:30:00.000Z'],
		['2012-03-16-07:00', '2012-03-16T07:00:00.000Z'], // Workday's date with an offset
	])('CDate("%s") is %s', (text, iso) => {
		expect(parseDate(text).toISOString()).toBe(iso);
	});

	test.each([
		['FormatDateTime("2024-05-01 23:30:00", , , "yyyy-MM-dd HH:mm")', '2024-05-01 23:30'],
		['FormatDateTime("5/1/2024 11:30:00 PM", , , "yyyy-MM-ddTHH:mm:ssK")', '2024-05-01T23:30:00Z'],
		['DateAdd("d", 1, "2024-05-01T23:30:00")', '5/2/2024 11:30:00 PM'],
		['DateAdd("h", 2, CDate("2024-03-31T01:30:00"))', '3/31/2024 3:30:00 AM'], // across a European DST change: none in UTC
		['DateDiff("h", "2024-04-06 12:00:00", "2024-04-07 12:00:00")', 24], // Chatham leaves summer time on 7 April 2024
		['CDate(Join("", CDate("2024-05-01T07:30:00Z")))', '5/1/2024 7:30:00 AM'], // a date's own text reads back as itself
	])('%s → %s', (expression, expected) => {
		expect(asText(run(expression))).toBe(expected);
	});

	test('LDAP: an ISO time without an offset is UTC', () => {
		expect(parseGeneralizedTime('2026-01-02T03:04:05')?.toISOString()).toBe('2026-01-02T03:04:05.000Z');
		expect(parseGeneralizedTime('2026-01-02T03:04:05+01:00')?.toISOString()).toBe('2026-01-02T02:04:05.000Z');
	});

	test('every text form of an instant reads back as that instant (property, fixed seed)', () => {
		const instants = fc.date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });
		fc.assert(
			fc.property(instants, (date) => {
				const iso = date.toISOString();
				const seconds = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
				expect(parseDate(iso.slice(0, -1)).toISOString()).toBe(iso);
				expect(parseDate(iso.replace('T', ' ').slice(0, -1)).toISOString()).toBe(iso);
				expect(parseDate(defaultDateText(date)).toISOString()).toBe(seconds);
				expect(parseGeneralizedTime(toGeneralizedTime(date))?.toISOString()).toBe(seconds);
				expect(parseGeneralizedTime(iso.slice(0, 19))?.toISOString()).toBe(seconds);
				expect(storedForm(iso.replace('T', ' ').slice(0, 23), column)).toBe(iso);
			}),
			{ seed: SEED, numRuns: 2000 },
		);
	});
});

describe('a time typed into a node is in the zone given (the workflow’s)', () => {
	test.each([
		['2024-05-01T07:30:00', 'America/St_Johns', '2024-05-01T10:00:00.000Z'], // summer: −2:30
		['2024-01-15T07:30:00', 'America/St_Johns', '2024-01-15T11:00:00.000Z'], // winter: −3:30
		['2024-05-01 07:30', 'Pacific/Chatham', '2024-04-30T18:45:00.000Z'],
		['2024-05-01', 'Asia/Kathmandu', '2024-04-30T18:15:00.000Z'],
		['2024-05-01T07:30:00Z', 'Asia/Kathmandu', '2024-05-01T07:30:00.000Z'], // an offset wins
		['May 1, 2024 07:30', 'Europe/Berlin', '2024-05-01T05:30:00.000Z'],
		['2024-03-31T02:30:00', 'Europe/Berlin', '2024-03-31T01:30:00.000Z'], // in the spring-forward gap: moved on an hour
		['2024-05-01T07:30:00', 'UTC', '2024-05-01T07:30:00.000Z'],
	])('%s in %s is %s', (text, zone, iso) => {
		expect(parseTime(text, zone)?.toISOString()).toBe(iso);
	});

	test.each(['2024-02-30', '2024-13-01T00:00:00', '2024-05-01T24:00:00', '2024-05-01T07:60', 'soon', ''])('"%s" is no time', (text) => {
		expect(parseTime(text)).toBeUndefined();
	});
});
