import { escapeDnValue, escapeFilterValue, normaliseDn, rdnParts, splitDn, unescapeDnValue } from '../../lib/ldap/escape';
import { ldaptsSafeRdn } from '../../lib/targets/ldap/connection';
import { assertPlacement, assertValidDn, defaultRdnTemplate, placeNewEntry, renderDnTemplate } from '../../lib/ldap/dnTemplate';
import { LdapTarget } from '../../lib/targets/ldap/ldapTarget';

describe('RFC 4515 filter value escaping', () => {
	test.each([
		['Parens R Us (for all your parenthetical needs)', 'Parens R Us \\28for all your parenthetical needs\\29'],
		['*', '\\2a'],
		['C:\\MyFile', 'C:\\5cMyFile'],
		['\0', '\\00'],
		['*)(uid=*', '\\2a\\29\\28uid=\\2a'],
		['plain', 'plain'],
		['Lučić', 'Lučić'],
	])('%s', (input, expected) => {
		expect(escapeFilterValue(input)).toBe(expected);
	});
});

describe('RFC 4514 DN value escaping', () => {
	test.each([
		['Smith, John', 'Smith\\, John'],
		['a+b', 'a\\+b'],
		['"quoted"', '\\"quoted\\"'],
		['back\\slash', 'back\\\\slash'],
		['<tag>;', '\\<tag\\>\\;'],
		['#hash', '\\#hash'],
		[' lead', '\\ lead'],
		['trail ', 'trail\\ '],
		['x=y', 'x\\=y'],
	])('%s', (input, expected) => {
		expect(escapeDnValue(input)).toBe(expected);
		expect(unescapeDnValue(escapeDnValue(input))).toBe(input);
	});

	test('an escaped value stays one RDN', () => {
		const dn = `cn=${escapeDnValue('Evil,ou=Admins+uid=root')},ou=People,dc=example,dc=org`;
		expect(splitDn(dn)).toEqual(['cn=Evil\\,ou\\=Admins\\+uid\\=root', 'ou=People', 'dc=example', 'dc=org']);
	});

	test('normaliseDn ignores case of names and hex escapes', () => {
		expect(normaliseDn('CN=Smith\\2C John,OU=People,DC=Example,DC=org')).toBe(normaliseDn('cn=Smith\\, John,ou=people,dc=example,dc=org'));
	});
});

describe('DN templates', () => {
	test('fills and escapes placeholders case-insensitively', () => {
		expect(renderDnTemplate('uid={UID},ou=People,dc=example,dc=org', { uid: 'o,brien+x' })).toBe(
			'uid=o\\,brien\\+x,ou=People,dc=example,dc=org',
		);
	});
	test('takes the first value of a multi-valued attribute', () => {
		expect(renderDnTemplate('cn={cn},dc=x', { cn: ['First', 'Second'] })).toBe('cn=First,dc=x');
	});
	test('names the missing attribute', () => {
		expect(() => renderDnTemplate('uid={uid},dc=x', { cn: 'a' })).toThrow(
			expect.objectContaining({ code: 'MissingDnValue', field: 'uid' }),
		);
	});
	test('refuses an empty template', () => {
		expect(() => renderDnTemplate('', { uid: 'a' })).toThrow(expect.objectContaining({ code: 'Configuration', field: 'dnTemplate' }));
	});
	test('rejects strings that are not DNs', () => {
		expect(() => assertValidDn('not a dn')).toThrow(expect.objectContaining({ code: 'InvalidDn' }));
		expect(() => assertValidDn('uid=,dc=x')).toThrow(expect.objectContaining({ code: 'InvalidDn' }));
		expect(() => assertValidDn('uid=a,dc=x')).not.toThrow();
	});
});

describe('new entries in a picked container (Provision User version 3)', () => {
	const BASE = 'dc=example,dc=org';
	test('the filled-in template, then the container as picked: a brace in the container is not a placeholder', () => {
		expect(placeNewEntry('uid={uid}', `ou=People,${BASE}`, { uid: 'o,brien' })).toBe(`uid=o\\,brien,ou=People,${BASE}`);
		expect(placeNewEntry('uid={uid},ou={dept}', `ou={x},${BASE}`, { uid: 'a', dept: 'Sales' })).toBe(`uid=a,ou=Sales,ou={x},${BASE}`);
		expect(placeNewEntry(`uid={uid},ou=People,${BASE}`, undefined, { uid: 'a' })).toBe(`uid=a,ou=People,${BASE}`);
	});
	test('without a template, each directory names entries its way', () => {
		expect(defaultRdnTemplate('openldap')).toBe('uid={uid}');
		expect(defaultRdnTemplate('ds389')).toBe('uid={uid}');
		expect(defaultRdnTemplate('activeDirectory')).toBe('cn={cn}');
	});
	test.each([
		[`uid={uid},ou=People,${BASE}`, `ou=People,${BASE}`, 'dnTemplate'],
		['uid={uid},OU=People, DC=Example,DC=org', `ou=Staff,${BASE}`, 'dnTemplate'],
		['uid={uid},ou=People', 'ou=People', 'dnTemplate'],
		['uid={uid}', 'not a dn', 'newEntryContainer'],
		['uid={uid}', 'ou=', 'newEntryContainer'],
	])('refuses the template %j with the container %j (field %s)', (template, container, field) => {
		expect(() => assertPlacement(template, container, BASE)).toThrow(expect.objectContaining({ code: 'Configuration', field }));
	});
	test('a relative template with a container, or any template without one, is fine', () => {
		expect(() => assertPlacement('uid={uid},ou={dept}', `ou=People,${BASE}`, BASE)).not.toThrow();
		expect(() => assertPlacement(`uid={uid},ou=People,${BASE}`, undefined, BASE)).not.toThrow();
	});
	test('the LDAP target checks the placement when it is built, before any request', () => {
		const build = (dnTemplate: string | undefined, newEntryContainer?: string) =>
			new LdapTarget({
				connection: { urls: ['ldap://127.0.0.1:1'], bindDn: '', bindPassword: '', connectTimeoutMs: 10, timeoutMs: 10 },
				flavour: 'activeDirectory',
				baseDn: BASE,
				dnTemplate,
				newEntryContainer,
			});
		expect(() => build(`cn={cn},ou=Users,${BASE}`, `ou=Users,${BASE}`)).toThrow(expect.objectContaining({ field: 'dnTemplate' }));
		expect(build(undefined, `ou=Users,${BASE}`).users.previewId({ cn: 'Ada Lovelace' })).toBe(`cn=Ada Lovelace,ou=Users,${BASE}`);
	});
});

describe('DN values for modify DN through ldapts', () => {
	test('hex escapes decode as UTF-8, quoted values lose their quotes, multi-valued RDNs split at unescaped +', () => {
		expect(unescapeDnValue('Lu\\c4\\8di\\c4\\87')).toBe('Lučić');
		expect(unescapeDnValue('"Smith, John"')).toBe('Smith, John');
		expect(rdnParts('cn=a\\+b+uid=c')).toEqual([
			{ type: 'cn', value: 'a+b' },
			{ type: 'uid', value: 'c' },
		]);
	});

	test.each([
		['cn=Smith\\, John \\+\\"\\\\\\<\\>\\; \\\\', 'cn=Smith\\, John \\+\\"\\5c\\<\\>\\; \\5c'],
		['cn=ends with backslash\\\\', 'cn=ends with backslash\\5c'],
		['cn=Lu\\c4\\8di\\c4\\87', 'cn=Lučić'],
		['cn="quoted, value"', 'cn=quoted\\, value'],
	])('%s is sent as %s, which ldapts splits after the RDN', (rdn, wire) => {
		expect(ldaptsSafeRdn(rdn)).toBe(wire);
		const argument = `${wire},ou=R\\,D,dc=example,dc=org`;
		// ldapts's own split (Client.modifyDN): at the first comma not preceded by a backslash.
		expect(argument.slice(0, argument.search(/[^\\],/) + 1)).toBe(wire);
		expect(unescapeDnValue(wire.slice(3))).toBe(rdnParts(rdn)[0].value);
	});
});
