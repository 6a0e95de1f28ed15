/**
 * Matching against reconcile on a real slapd, by matching rule: cn and employeeNumber (caseIgnoreMatch, with
 * insignificant-space handling), mail (caseIgnoreIA5Match), labeledURI (caseExactMatch), homeDirectory
 * (caseExactIA5Match), uidNumber (integerMatch), manager (distinguishedNameMatch) and the entry's DN. For every random
 * source value the accounts Provision User finds must be the accounts reconcile counts as matched.
 */
import { Attribute, Change, Client } from 'ldapts';
import { escapeDnValue } from '../../lib/ldap/escape';
import { LdapTarget } from '../../lib/targets/ldap/ldapTarget';
import { mismatches, SEED, sampleSources, sampleStored } from '../harness/differential';
import { Slapd } from '../servers/slapd';

const ATTRIBUTES = ['cn', 'employeeNumber', 'mail', 'labeledURI', 'homeDirectory', 'uidNumber', 'manager'];
const ENTRIES = 40;

let slapd: Slapd;
let target: LdapTarget;
const stored = new Map<string, string[]>();
const dns: string[] = [];

/** Another spelling of the same DN: attribute names in upper case, spaces after commas. */
const respell = (dn: string, n: number) =>
	n % 2 ? dn.replace(/(^|,)(\w+)=/g, (_, sep, name: string) => `${sep}${sep ? ' ' : ''}${name.toUpperCase()}=`) : dn;

beforeAll(async () => {
	slapd = await Slapd.start();
	const client = new Client({ url: slapd.url });
	await client.bind(slapd.rootDn, slapd.rootPassword);
	const values = ATTRIBUTES.map((attribute, i) =>
		attribute === 'uidNumber'
			? sampleStored(25, SEED + i, (v) => /^-?\d+$/.test(v.trim())).map((v) => String(BigInt(v.trim())))
			: sampleStored(25, SEED + i, (v) => v.trim() !== '' && !v.includes('\0')),
	);
	for (const attribute of ATTRIBUTES) stored.set(attribute, []);
	for (let n = 0; n < ENTRIES; n++) {
		const dn = `uid=${escapeDnValue(`e${n}`)},ou=People,${slapd.suffix}`;
		await client.add(dn, {
			objectClass: ['inetOrgPerson', 'posixAccount'],
			uid: `e${n}`,
			cn: `entry ${n}`,
			sn: 'Entry',
			uidNumber: String(n),
			gidNumber: '100',
			homeDirectory: `/home/e${n}`,
		});
		dns.push(dn);
		// Each attribute gets a random value where the syntax allows it (some values twice: ambiguous keys).
		for (const [i, attribute] of ATTRIBUTES.entries()) {
			const value = attribute === 'manager' ? respell(dns[(n * 7) % dns.length], n) : values[i][n % values[i].length];
			try {
				await client.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: attribute, values: [value] }) })]);
				stored.get(attribute)!.push(value);
			} catch {
				// Not a value of this attribute's syntax (IA5 is ASCII only): slapd refused it.
			}
		}
	}
	await client.unbind();
	target = new LdapTarget({
		connection: slapd.connection(),
		flavour: 'openldap',
		baseDn: slapd.suffix,
		searchBase: `ou=People,${slapd.suffix}`,
		objectFilter: '(objectClass=inetOrgPerson)',
	});
});
afterAll(async () => {
	await target?.close();
	await slapd?.stop();
});

test.each(['dn', ...ATTRIBUTES])('%s', async (attribute) => {
	const base = attribute === 'dn' ? dns.map(respell) : [...new Set(stored.get(attribute))];
	expect(base.length).toBeGreaterThan(5);
	const sources = sampleSources(base, 60, SEED * 100 + ATTRIBUTES.indexOf(attribute));
	expect(await mismatches(target.users, attribute, sources, SEED)).toEqual([]);
});
