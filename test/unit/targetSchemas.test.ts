/**
 * The LDAP subschema parser and reader, the SQL catalog reading, the editor's schema cache and the checks of
 * mapping rows against a schema (SCIM parsing: scimSchemaReader.test.ts).
 */
import fc from 'fast-check';
import { parseAttributeType, parseDescription, parseObjectClass } from '../../lib/ldap/subschemaParser';
import { checkRows, looksLikeList } from '../../lib/targets/attributeCheck';
import type { TargetAttributeList } from '../../lib/targets/attributeSchema';
import { attributesForClasses, objectClassesInFilter } from '../../lib/targets/ldap/ldapSchemaReader';
import { fallbackUserAttributes } from '../../lib/targets/scim/scimSchemaReader';
import { digestOf, SchemaCache } from '../../lib/targets/schemaCache';
import { attributesFromColumns, type CatalogColumn } from '../../lib/targets/sql/sqlSchemaReader';

// As OpenLDAP's cn=Subschema publishes them (definitions of RFC 4519, RFC 4524 and RFC 2798).
const OPENLDAP_TYPES = [
	"( 2.5.4.0 NAME 'objectClass' DESC 'RFC4512: object classes of the entity' EQUALITY objectIdentifierMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 )",
	"( 2.5.4.41 NAME 'name' DESC 'RFC4519: common supertype of name attributes' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{32768} )",
	"( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC 'RFC4519: common name(s) for which the entity is known by' SUP name )",
	"( 2.5.4.4 NAME ( 'sn' 'surname' ) DESC 'RFC2256: last (family) name(s) for which the entity is known by' SUP name )",
	"( 2.5.4.42 NAME ( 'givenName' 'gn' ) DESC 'RFC2256: first name(s) for which the entity is known by' SUP name )",
	"( 0.9.2342.19200300.100.1.1 NAME ( 'uid' 'userid' ) DESC 'RFC4519: user identifier' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{256} )",
	"( 0.9.2342.19200300.100.1.3 NAME ( 'mail' 'rfc822Mailbox' ) DESC 'RFC1274: RFC822 Mailbox' EQUALITY caseIgnoreIA5Match SYNTAX 1.3.6.1.4.1.1466.115.121.1.26{256} )",
	"( 2.5.4.20 NAME 'telephoneNumber' DESC 'RFC2256: Telephone Number' EQUALITY telephoneNumberMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.50{32} )",
	"( 2.16.840.1.113730.3.1.241 NAME 'displayName' DESC 'RFC2798: preferred name to be used when displaying entries' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
	"( 2.16.840.1.113730.3.1.3 NAME 'employeeNumber' DESC 'RFC2798: identifies an employee within an organization' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
	"( 2.5.18.1 NAME 'createTimestamp' DESC 'RFC4512: time which object was created' SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
];
const OPENLDAP_CLASSES = [
	"( 2.5.6.0 NAME 'top' DESC 'top of the superclass chain' ABSTRACT MUST objectClass )",
	"( 2.5.6.6 NAME 'person' DESC 'RFC2256: a person' SUP top STRUCTURAL MUST ( sn $ cn ) MAY ( userPassword $ telephoneNumber $ seeAlso $ description ) )",
	"( 2.5.6.7 NAME 'organizationalPerson' DESC 'RFC2256: an organizational person' SUP person STRUCTURAL MAY ( title $ ou ) )",
	"( 2.16.840.1.113730.3.2.2 NAME 'inetOrgPerson' DESC 'RFC2798: Internet Organizational Person' SUP organizationalPerson STRUCTURAL MAY ( givenName $ mail $ uid $ displayName $ employeeNumber ) )",
];

// As Active Directory's CN=Aggregate publishes them: SYNTAX quoted, names of AD's own classes (Microsoft's AD schema docs).
const AD_TYPES = [
	"( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' SYNTAX '1.3.6.1.4.1.1466.115.121.1.15' SINGLE-VALUE )",
	"( 1.2.840.113556.1.4.656 NAME 'userPrincipalName' SYNTAX '1.3.6.1.4.1.1466.115.121.1.15' SINGLE-VALUE )",
	"( 1.2.840.113556.1.4.8 NAME 'userAccountControl' SYNTAX '1.3.6.1.4.1.1466.115.121.1.27' SINGLE-VALUE )",
	"( 1.2.840.113556.1.2.1 NAME 'instanceType' SYNTAX '1.3.6.1.4.1.1466.115.121.1.27' SINGLE-VALUE NO-USER-MODIFICATION )",
	"( 1.2.840.113556.1.4.782 NAME 'objectCategory' SYNTAX '1.3.6.1.4.1.1466.115.121.1.12' SINGLE-VALUE )",
	"( 2.5.4.0 NAME 'objectClass' SYNTAX '1.3.6.1.4.1.1466.115.121.1.38' NO-USER-MODIFICATION )",
	"( 2.5.4.3 NAME 'cn' SYNTAX '1.3.6.1.4.1.1466.115.121.1.15' SINGLE-VALUE )",
	"( 1.2.840.113556.1.4.159 NAME 'accountExpires' SYNTAX '1.2.840.113556.1.4.906' SINGLE-VALUE )",
];
const AD_CLASSES = [
	"( 2.5.6.0 NAME 'top' ABSTRACT MUST (objectClass $ instanceType $ objectCategory ) )",
	"( 2.5.6.6 NAME 'person' SUP top STRUCTURAL MUST (cn ) )",
	"( 2.5.6.7 NAME 'organizationalPerson' SUP person STRUCTURAL )",
	"( 1.2.840.113556.1.5.9 NAME 'user' SUP organizationalPerson STRUCTURAL MAY (userAccountControl $ sAMAccountName $ userPrincipalName $ accountExpires ) )",
];

describe('RFC 4512 descriptions', () => {
	test('names, aliases, inherited syntax, SINGLE-VALUE and operational attributes', () => {
		expect(parseAttributeType(OPENLDAP_TYPES[2])).toMatchObject({ oid: '2.5.4.3', names: ['cn', 'commonName'], superior: 'name' });
		expect(parseAttributeType(OPENLDAP_TYPES[8])).toMatchObject({ singleValue: true, syntax: '1.3.6.1.4.1.1466.115.121.1.15' });
		expect(parseAttributeType(OPENLDAP_TYPES[10])?.noUserModification).toBe(true);
		expect(parseObjectClass(OPENLDAP_CLASSES[1])).toMatchObject({ superiors: ['top'], must: ['sn', 'cn'], kind: 'STRUCTURAL' });
		expect(parseAttributeType("( 1.2.3 NAME 'a\\27b' DESC 'it\\27s' )")).toMatchObject({ names: ["a'b"], description: "it's" });
	});

	test('OpenLDAP: inetOrgPerson lists MUST first (required), then MAY, from every superclass', () => {
		const list = attributesForClasses(OPENLDAP_TYPES, OPENLDAP_CLASSES, ['inetOrgPerson']);
		expect(list.attributes.slice(0, 3).map((a) => [a.name, a.required])).toEqual([
			['sn', true],
			['cn', true],
			['objectClass', true],
		]);
		const byName = Object.fromEntries(list.attributes.map((a) => [a.name, a]));
		expect(byName.mail).toMatchObject({ required: false, multiValued: true, type: 'IA5 String', source: 'inetOrgPerson' });
		expect(byName.displayName).toMatchObject({ multiValued: false, type: 'Directory String' });
		expect(byName.cn).toMatchObject({ type: 'Directory String', aliases: ['commonName'] });
		expect(byName.telephoneNumber).toMatchObject({ type: 'Telephone Number', source: 'person' });
		expect(list.note).toContain('inetOrgPerson, organizationalPerson, person, top');
	});

	test("Active Directory: quoted SYNTAX, AD's own syntaxes, and what AD fills in itself is not asked for", () => {
		const list = attributesForClasses(AD_TYPES, AD_CLASSES, ['user'], 'activeDirectory');
		const byName = Object.fromEntries(list.attributes.map((a) => [a.name, a]));
		expect(byName.sAMAccountName).toMatchObject({ type: 'Directory String', multiValued: false, required: false });
		expect(byName.accountExpires.type).toBe('Large Integer');
		expect(byName.instanceType).toMatchObject({ required: false, readOnly: true });
		expect(byName.objectCategory).toMatchObject({ required: false, readOnly: true });
		expect(byName.cn.required).toBe(true);
	});

	test('an object class the schema lacks is said so', () => {
		expect(attributesForClasses(OPENLDAP_TYPES, OPENLDAP_CLASSES, ['posixAccount']).note).toContain('not in the schema: posixAccount');
	});

	test('object classes in a filter', () => {
		expect(objectClassesInFilter('(&(objectClass=inetOrgPerson)(objectClass=posixAccount)(uid=*))')).toEqual([
			'inetOrgPerson',
			'posixAccount',
		]);
	});

	test('any text: the parser ends, in time linear in its length, and never throws (seed 2112)', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 300 }), (text) => {
				parseDescription(`( 1.2 ${text} )`);
				parseAttributeType(text);
				parseObjectClass(text);
			}),
			{ seed: 2112, numRuns: 2000 },
		);
		expect(parseDescription(`( 1.2 NAME '${'x'.repeat(20000)}' )`)).toBeUndefined();
		expect(parseDescription(`( 1.2 ${'MAY ( a $ '.repeat(1000)} )`)).toBeUndefined();
	});
});

describe('SQL catalog', () => {
	const pg: CatalogColumn[] = [
		{
			tableName: 'users',
			columnName: 'id',
			type: 'int4',
			nullable: 'NO',
			columnDefault: "nextval('users_id_seq'::regclass)",
			identity: 'NO',
			generated: 'NEVER',
		},
		{ tableName: 'users', columnName: 'login', type: 'citext', nullable: 'NO', columnDefault: null, identity: 'NO', generated: 'NEVER' },
		{ tableName: 'users', columnName: 'active', type: 'bool', nullable: 'NO', columnDefault: 'true', identity: 'NO', generated: 'NEVER' },
		{ tableName: 'users', columnName: 'email', type: 'varchar', nullable: 'YES', columnDefault: null, identity: 'NO', generated: 'NEVER' },
		{
			tableName: 'users',
			columnName: 'search',
			type: 'tsvector',
			nullable: 'YES',
			columnDefault: null,
			identity: 'NO',
			generated: 'ALWAYS',
		},
	];

	test('required when NOT NULL without default and not filled by the database; the Column Mapping names come first', () => {
		const list = attributesFromColumns('app.users', pg, { columns: [{ attribute: 'userName', column: 'login' }] });
		const byName = Object.fromEntries(list.attributes.map((a) => [a.name, a]));
		expect(list.attributes[0].name).toBe('userName');
		expect(byName.userName).toMatchObject({ required: true, type: 'citext', description: expect.stringContaining('column login') });
		expect(byName.login).toBeUndefined();
		expect(byName.id.required).toBe(false);
		expect(byName.active.required).toBe(false);
		expect(byName.email).toMatchObject({ required: false, description: 'nullable' });
		expect(byName.search.readOnly).toBe(true);
	});

	test("MariaDB's catalog: auto_increment and the account state column are not asked for", () => {
		const maria: CatalogColumn[] = [
			{ tableName: 'users', columnName: 'id', type: 'int(11)', nullable: 'NO', columnDefault: null, extra: 'auto_increment' },
			{ tableName: 'users', columnName: 'enabled', type: 'tinyint(1)', nullable: 'NO', columnDefault: null, extra: '' },
			{ tableName: 'users', columnName: 'mail', type: 'varchar(255)', nullable: 'NO', columnDefault: null, extra: '' },
		];
		const list = attributesFromColumns('users', maria, { activeColumn: 'enabled' });
		expect(list.attributes.filter((a) => a.required).map((a) => a.name)).toEqual(['mail']);
	});
});

describe('the editor schema cache', () => {
	test('one read per key while fresh, shared in flight, read again after the TTL; failures are not kept', async () => {
		let now = 0;
		const cache = new SchemaCache<number>({ ttlMs: 1000, now: () => now });
		let reads = 0;
		const load = async () => ++reads;
		expect(await Promise.all([cache.get({ a: 1 }, load), cache.get({ a: 1 }, load)])).toEqual([1, 1]);
		now = 999;
		expect(await cache.get({ a: 1 }, load)).toBe(1);
		now = 1000;
		expect(await cache.get({ a: 1 }, load)).toBe(2);
		await expect(cache.get({ b: 1 }, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
		expect(await cache.get({ b: 1 }, load)).toBe(3);
	});

	test('bounded, and keyed by digests that hold no secret', async () => {
		const cache = new SchemaCache<number>({ maxEntries: 3 });
		for (let i = 0; i < 10; i++) await cache.get({ i }, async () => i);
		expect(cache.size).toBe(3);
		const key = digestOf({ kind: 'scim', credentials: { token: 'secret-token-123' } });
		expect(key).toMatch(/^[0-9a-f]{64}$/);
		expect(digestOf({ b: 1, a: 2 })).toBe(digestOf({ a: 2, b: 1 }));
		// Keyed with a per-process secret: a plain hash of the settings (a dictionary attack on a kept key) is not it.
		const { createHash } = await import('node:crypto');
		const plain = createHash('sha256')
			.update(
				JSON.stringify([
					['credentials', [['token', 'secret-token-123']]],
					['kind', 'scim'],
				]),
			)
			.digest('hex');
		expect(key).not.toBe(plain);
	});
});

describe('rows checked against a schema', () => {
	const ldap = attributesForClasses(OPENLDAP_TYPES, OPENLDAP_CLASSES, ['inetOrgPerson']);

	test('unknown attributes, missing required ones and lists into single values are errors against a live schema', () => {
		const findings = checkRows('ldap', ldap, [
			{ target: 'objectClass', listValue: true },
			{ target: 'uid' },
			{ target: 'CommonName' },
			{ target: 'mial' },
			{ target: 'displayName', listValue: true },
			{ target: 'dn' },
			{ target: '={{ $json.attr }}' },
		]);
		expect(findings.map((f) => [f.level, f.message])).toEqual([
			['error', '"mial" is not an attribute of the target\'s schema'],
			['error', '"displayName" holds one value, but the row gives a list'],
			['error', '"sn" is required, and no row fills it'],
		]);
	});

	test('against the SCIM fallback schema every finding is a warning; element types and case do not matter', () => {
		const list: TargetAttributeList = fallbackUserAttributes();
		const findings = checkRows('scim', list, [
			{ target: 'USERNAME' },
			{ target: 'emails[type eq "custom"].value' },
			{ target: 'urn:ietf:params:scim:schemas:core:2.0:User:displayName' },
			{ target: 'slackHandle' },
		]);
		expect(findings).toEqual([
			{
				level: 'warning',
				attribute: 'slackHandle',
				message: '"slackHandle" is not in the standard schema (allowed: the target publishes none)',
			},
		]);
	});

	test('two rows into one single-valued attribute', () => {
		const findings = checkRows('ldap', ldap, [
			{ target: 'sn' },
			{ target: 'cn' },
			{ target: 'objectClass' },
			{ target: 'displayName' },
			{ target: 'displayname' },
		]);
		expect(findings.map((f) => f.message)).toEqual(['"displayname" holds one value, but several rows write it']);
	});

	test('which values look like lists', () => {
		expect(looksLikeList(['a'])).toBe(true);
		expect(looksLikeList('={{ ["a", "b"] }}')).toBe(true);
		expect(looksLikeList('={{ $json.groups.split(",") }}')).toBe(true);
		expect(looksLikeList('Split([proxyAddresses], ";")')).toBe(true);
		expect(looksLikeList('={{ $json.mail }}')).toBe(false);
		expect(looksLikeList('a, b')).toBe(false);
	});
});
