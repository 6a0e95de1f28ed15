/**
 * The editor's load methods against real slapd: the subschema read through the root DSE on OpenLDAP, on the Active
 * Directory stand-in (Debian's msuser schema) and on the 389-DS stand-in: MUST attributes first and required, then
 * MAY, with syntax and single-value; Schema Check's problems.
 */
import { join } from 'node:path';
import { schemaCache } from '../../nodes/shared/loadContext';
import { loadOptions } from '../harness/loadOptions';
import { Slapd } from '../servers/slapd';

let openldap: Slapd;
let ad: Slapd;
let ds389: Slapd;
beforeAll(async () => {
	[openldap, ad, ds389] = await Promise.all([
		Slapd.start(),
		Slapd.start({ extraSchemas: ['msuser'] }),
		Slapd.start({ extraSchemas: [join(__dirname, '..', 'servers', 'schema', 'ds389-stand-in.schema')] }),
	]);
});
afterAll(async () => {
	await Promise.all([openldap?.stop(), ad?.stop(), ds389?.stop()]);
});
beforeEach(() => schemaCache.clear());

const attributes = (...rows: Array<[string, string]>) => ({ attribute: rows.map(([name, value]) => ({ name, value })) });
const list = (server: Slapd, parameters: Record<string, unknown>, flavour = 'openldap') =>
	loadOptions({
		node: 'provisionUser',
		method: 'targetAttributes',
		parameters: { target: 'ldap', inputMode: 'define', ...parameters },
		credentials: { ldapDirectoryApi: { ...server.credential(), flavour } },
		path: 'parameters.attributes.attribute[0].name',
	});
const check = (server: Slapd, parameters: Record<string, unknown>, flavour = 'openldap') =>
	loadOptions({
		node: 'provisionUser',
		method: 'checkTargetSchema',
		parameters: { target: 'ldap', inputMode: 'define', ...parameters },
		credentials: { ldapDirectoryApi: { ...server.credential(), flavour } },
	});

test("OpenLDAP: the object filter's inetOrgPerson, MUST first and required, then MAY with syntax and single-value", async () => {
	const options = await list(openldap, { objectFilter: '(objectClass=inetOrgPerson)', attributes: attributes(['uid', 'x']) });
	expect(options.slice(0, 3).map((o) => o.name)).toEqual(['sn (required)', 'cn (required)', 'objectClass (required)']);
	const byValue = Object.fromEntries(options.map((o) => [o.value, o]));
	expect(byValue.mail.description).toMatch(/^IA5 String · multi-valued · inetOrgPerson/);
	expect(byValue.displayName.description).toMatch(/^Directory String · single value · inetOrgPerson/);
	expect(byValue.telephoneNumber.description).toMatch(/^Telephone Number · multi-valued · organizationalPerson/);
	expect(byValue.dn).toBeDefined();
	expect(byValue.sAMAccountName).toBeUndefined();
});

test('OpenLDAP: an objectClass row decides the classes (posixAccount adds uidNumber as required)', async () => {
	const options = await list(openldap, {
		objectFilter: '(objectClass=inetOrgPerson)',
		attributes: attributes(['objectClass', 'top,person,organizationalPerson,inetOrgPerson,posixAccount']),
	});
	const required = options.filter((o) => String(o.name).endsWith('(required)')).map((o) => o.value);
	expect(required).toEqual(expect.arrayContaining(['sn', 'cn', 'uidNumber', 'gidNumber', 'homeDirectory', 'uid']));
});

test('OpenLDAP Schema Check: a typo, a missing MUST attribute and a list into a single-valued attribute', async () => {
	await expect(
		check(openldap, {
			attributes: attributes(
				['objectClass', 'inetOrgPerson'],
				['uid', '={{ $json.uid }}'],
				['cn', 'x'],
				['mial', 'x'],
				['displayName', '={{ ["a", "b"] }}'],
			),
		}),
	).rejects.toThrow(
		'3 problems: "mial" is not an attribute of the target\'s schema; "displayName" holds one value, but the row gives a list; "sn" is required, and no row fills it',
	);
	const fine = await check(openldap, {
		attributes: attributes(['objectClass', 'inetOrgPerson'], ['sn', 'x'], ['cn', 'y'], ['commonName', 'z']),
	});
	expect(fine[0].name).toMatch(/^No problems found/);
});

test('Active Directory stand-in: the user class through its superclasses; what AD fills in itself is not asked for', async () => {
	const options = await list(
		ad,
		{ objectFilter: '(&(objectCategory=person)(objectClass=user))', attributes: attributes(['cn', 'x']) },
		'activeDirectory',
	);
	const byValue = Object.fromEntries(options.map((o) => [o.value, o]));
	expect(byValue.userAccountControl.description).toMatch(/single value/);
	expect(byValue.unicodePwd).toBeDefined();
	expect(byValue.userPrincipalName).toBeDefined();
	// mstop's MUST instanceType, nTSecurityDescriptor and objectCategory: filled by a domain controller, left out.
	expect(byValue.instanceType).toBeUndefined();
	expect(byValue.objectCategory).toBeUndefined();
	expect(byValue.cn.name).toBe('cn (required)');
});

test('389-DS stand-in: an auxiliary class named in the rows adds its attributes', async () => {
	const options = await list(ds389, { attributes: attributes(['objectClass', 'inetOrgPerson,ds389LockStandIn']) }, '389ds');
	expect(options.find((o) => o.value === 'nsAccountLock')?.description).toMatch(/^Directory String · single value · ds389LockStandIn/);
});

test('a refused bind is shown without the password', async () => {
	const call = loadOptions({
		node: 'provisionUser',
		method: 'targetAttributes',
		parameters: { target: 'ldap', attributes: attributes(['cn', 'x']) },
		credentials: { ldapDirectoryApi: { ...openldap.credential(), bindPassword: 'Wrong-Pw-Secret-7' } },
		path: 'parameters.attributes.attribute[0].name',
	});
	await expect(call).rejects.toThrow(/The target's schema could not be read/);
	await expect(call).rejects.not.toThrow(/Wrong-Pw-Secret-7/);
});
