/**
 * Filter comparisons of times read a time without an offset as UTC (as everything else in the package does), never
 * in the machine's zone: this suite also runs under Pacific/Chatham (+12:45/+13:45), where a local reading flips them.
 */
import { matchesFilter, parseScimFilter } from '../../lib/scim/server/filter';

const user = { userName: 'ada', meta: { lastModified: '2024-05-01T07:30:00Z' } };
const matches = (filter: string) => matchesFilter(parseScimFilter(filter), user);

describe('SCIM filter: times without an offset are UTC', () => {
	test.each([
		['meta.lastModified lt "2024-05-01T08:00:00"', true],
		['meta.lastModified gt "2024-05-01T08:00:00"', false],
		['meta.lastModified gt "2024-05-01T07:00:00"', true],
		['meta.lastModified le "2024-05-01T07:30:00"', true],
		['meta.lastModified lt "2024-05-01T08:00:00Z"', true],
		['meta.lastModified gt "2024-05-01T09:00:00+02:00"', true],
		['meta.lastModified ge "2024-05-01T09:31:00+02:00"', false],
	])(`%s → %s (in ${Intl.DateTimeFormat().resolvedOptions().timeZone})`, (filter, expected) => {
		expect(matches(filter)).toBe(expected);
	});
});
