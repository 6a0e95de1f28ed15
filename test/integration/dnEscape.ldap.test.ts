/**
 * DNs built with escapeDnValue against a real slapd: it accepts every one, and the DN and naming attribute it returns
 * parse back (splitDn, rdnParts) to the value that was escaped. Fixed-seed samples of the unit property's values
 * (spaces at both ends, '#' first, '\\', ',+"<>;=', unicode), plus the cases that once went wrong.
 */
import fc from 'fast-check';
import { Client } from 'ldapts';
import { escapeDnValue, normaliseDn, rdnParts, splitDn } from '../../lib/ldap/escape';
import { Slapd } from '../servers/slapd';
import { dnValue } from '../harness/arbitraries';

const SEED = 4514;
let slapd: Slapd;
let client: Client;
beforeAll(async () => {
	slapd = await Slapd.start();
	client = new Client({ url: slapd.url });
	await client.bind(slapd.rootDn, slapd.rootPassword);
});
afterAll(async () => {
	await client?.unbind();
	await slapd?.stop();
});

// NUL is not a character of an LDAP string (RFC 4517 Directory String): slapd refuses it, whatever the escaping.
const withoutNul = dnValue.filter((v) => !v.includes('\0') && v.trim() !== '');
const samples = fc.sample(withoutNul, { seed: SEED, numRuns: 40 });
const cases = [...new Set(['a\\ ', ' lead', 'trail ', '#hash', 'back\\slash', 'Smith, John+x=y;"<q>"', ' # \\ ', 'Lučić ', ...samples])];

test.each(cases.map((v) => [JSON.stringify(v), v]))('%s: slapd accepts the DN and returns the same value', async (_, value) => {
	const dn = `cn=${escapeDnValue(value)},ou=People,${slapd.suffix}`;
	await client.add(dn, { objectClass: ['organizationalRole'], cn: value });
	try {
		const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['cn'] });
		expect(searchEntries).toHaveLength(1);
		const [entry] = searchEntries;
		const [rdn, ...parent] = splitDn(entry.dn);
		expect(rdnParts(rdn)).toEqual([{ type: 'cn', value }]);
		expect(normaliseDn(parent.join(','))).toBe(normaliseDn(`ou=People,${slapd.suffix}`));
		expect(normaliseDn(entry.dn)).toBe(normaliseDn(dn));
		expect(entry.cn).toBe(value);
	} finally {
		await client.del(dn);
	}
});
