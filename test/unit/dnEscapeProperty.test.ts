/**
 * RFC 4514 round trip, as a property: for any value (spaces at both ends, '#' first, backslashes, the special
 * characters, NUL, unicode), escaping it and parsing the DN back (splitDn, rdnParts, normaliseDn) gives the value.
 * Fixed seed, printed on failure by fast-check.
 */
import fc from 'fast-check';
import { escapeDnValue, normaliseDn, rdnParts, splitDn, unescapeDnValue } from '../../lib/ldap/escape';
import { dnValue } from '../harness/arbitraries';

const SEED = 4514;
const RUNS = 5000;

test('escape → splitDn → rdnParts round-trips any value, and the DN keeps its RDNs', () => {
	fc.assert(
		fc.property(dnValue, dnValue, (a, b) => {
			const dn = `cn=${escapeDnValue(a)}+uid=${escapeDnValue(b)},ou=${escapeDnValue(b)},dc=example,dc=org`;
			const rdns = splitDn(dn);
			expect(rdns).toHaveLength(4);
			expect(rdnParts(rdns[0])).toEqual([
				{ type: 'cn', value: a },
				{ type: 'uid', value: b },
			]);
			expect(rdnParts(rdns[1])).toEqual([{ type: 'ou', value: b }]);
			expect(unescapeDnValue(escapeDnValue(a))).toBe(a);
		}),
		{ seed: SEED, numRuns: RUNS },
	);
});

test('normaliseDn keeps values apart that differ (a trailing space is part of the value) and joins spellings of one', () => {
	fc.assert(
		fc.property(dnValue, dnValue, (a, b) => {
			const dnOf = (v: string) => `cn=${escapeDnValue(v)},dc=example,dc=org`;
			expect(normaliseDn(dnOf(a)) === normaliseDn(dnOf(b))).toBe(a.toLowerCase() === b.toLowerCase());
			// The same value spelt with hex escapes and upper-case names is the same DN.
			const hex = [...Buffer.from(a, 'utf8')].map((byte) => `\\${byte.toString(16).padStart(2, '0')}`).join('');
			expect(normaliseDn(`CN=${hex}, DC=Example,DC=org`)).toBe(normaliseDn(dnOf(a)));
		}),
		{ seed: SEED, numRuns: RUNS },
	);
});

test.each([
	['a\\ ', 'a\\\\\\ '],
	[' ', '\\ '],
	['  ', '\\ \\ '],
	['# ', '\\#\\ '],
	['\\', '\\\\'],
])('escapeDnValue(%j) = %j', (value, escaped) => {
	expect(escapeDnValue(value)).toBe(escaped);
	expect(rdnParts(`cn=${escaped}`)).toEqual([{ type: 'cn', value }]);
	expect(splitDn(`cn=${escaped},dc=x`)).toEqual([`cn=${escaped}`, 'dc=x']);
});
