/**
 * Loose keys must never tell apart two values a target may find equal (the target's lookup then decides): the same
 * key whatever the case, Unicode form, width, spaces, dashes, leading zeros or DN spelling. Fixed seed.
 */
import fc from 'fast-check';
import { escapeDnValue } from '../../lib/ldap/escape';
import { looseKey, looseLdapKey } from '../../lib/targets/looseKey';
import { dnValue } from '../harness/arbitraries';

const SEED = 2718;
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const variant = fc.constantFrom<(v: string) => string>(
	(v) => v.toUpperCase(),
	(v) => v.toLowerCase(),
	(v) => v.normalize('NFD'),
	(v) => v.normalize('NFKC'),
	(v) => ` ${v}  `,
	(v) => v.replace(/ /g, '  '),
	(v) => v.replace(/ /g, '\u00a0'),
);

test('a case, Unicode-form or space variant has the same loose key', () => {
	fc.assert(
		fc.property(text, variant, (value, change) => {
			expect(looseKey(change(value))).toBe(looseKey(value));
			expect(looseLdapKey(change(value))).toBe(looseLdapKey(value));
		}),
		{ seed: SEED, numRuns: 3000 },
	);
});

test('numbers: leading zeros, a plus sign, trailing fractional zeros', () => {
	expect(new Set(['42', '042', '+42', 42, '42.0', ' 42 '].map(looseKey)).size).toBe(1);
	expect(looseKey('1.50')).toBe(looseKey(1.5));
	expect(looseKey('4.2')).not.toBe(looseKey('42'));
});

test('one DN spelt differently has one LDAP key', () => {
	fc.assert(
		fc.property(dnValue, dnValue, (a, b) => {
			const dn = `cn=${escapeDnValue(a)}+uid=${escapeDnValue(b)},ou=People,dc=example,dc=org`;
			const hex = (v: string) => [...Buffer.from(v, 'utf8')].map((byte) => `\\${byte.toString(16).padStart(2, '0')}`).join('');
			const respelt = `UID=${hex(b)} + CN=${hex(a)}, OU=people, DC=Example, DC=org`;
			expect(looseLdapKey(respelt)).toBe(looseLdapKey(dn));
		}),
		{ seed: SEED, numRuns: 2000 },
	);
});
