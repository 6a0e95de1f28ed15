/** Groundwork for the SCIM Trigger (issue 4): filters and PATCH as Entra ID and Okta really send them. */
import { equalityKey, matchesFilter, parseScimFilter } from '../../lib/scim/server/filter';
import { applyPatch } from '../../lib/scim/server/patch';
import { ENTERPRISE_USER_SCHEMA as ENTERPRISE } from '../../lib/scim/schema';

const user = () => ({
	schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
	id: 'u1',
	externalId: 'Ext-1',
	userName: 'Ada.Lovelace@Example.org',
	active: true,
	name: { givenName: 'Ada', familyName: 'Lovelace' },
	emails: [
		{ type: 'work', value: 'ada@work.example', primary: true },
		{ type: 'home', value: 'ada@home.example' },
	],
	addresses: [] as unknown[],
	[ENTERPRISE]: { employeeNumber: '7', department: 'R&D' },
	meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', lastModified: '2024-01-02T00:00:00Z' },
});
const matches = (filter: string, resource: Record<string, unknown> = user()) => matchesFilter(parseScimFilter(filter), resource);

describe('SCIM filters', () => {
	test.each([
		['userName eq "ada.lovelace@example.org"', true], // userName ignores case
		['USERNAME EQ "ADA.LOVELACE@EXAMPLE.ORG"', true],
		['externalId eq "ext-1"', false], // externalId is caseExact
		['externalId eq "Ext-1"', true],
		['externalId eq Ext-1', true], // unquoted, as in Microsoft's examples
		['id eq "U1"', false],
		['emails[type eq "work"].value eq "ada@work.example"', true], // Entra's form
		['emails[type eq "work"].value eq "ada@home.example"', false], // one element must satisfy both
		['emails[type eq "work" and value co "@work"]', true],
		['emails.value sw "ada@home"', true],
		['emails eq "ada@home.example"', true],
		[`${ENTERPRISE}:employeeNumber eq "7"`, true],
		['name.familyName sw "love"', true],
		['name.givenName ew "DA"', true],
		['title pr', false],
		['name pr', true],
		['not (active eq false)', true],
		['active eq true and (userName co "ada" or userName co "bob")', true],
		['meta.lastModified gt "2024-01-01T12:00:00Z"', true],
		['meta.created lt "2023-01-01T00:00:00Z"', false],
		['userName ne "someone"', true],
		['userName eq "3f1b0c0a-7c2e-4b8a-9f11-27d2f1c0e6aa"', false], // Entra's test-connection lookup
	])('%s → %s', (filter, expected) => {
		expect(matches(filter)).toBe(expected);
	});
	test.each(['userName eq', 'userName xx "a"', '(userName eq "a"', 'active gt true', ''])('%s is 400 invalidFilter', (filter) => {
		expect(() => matches(filter)).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidFilter' }));
	});
	test('normalisation and index keys', () => {
		expect(parseScimFilter('emails[type eq "work"].value eq "x"')).toEqual(parseScimFilter('emails[type eq "work" and value eq "x"]'));
		expect(equalityKey(parseScimFilter('userName eq "a"'))).toEqual({ attribute: 'userName', value: 'a' });
		expect(equalityKey(parseScimFilter('urn:ietf:params:scim:schemas:core:2.0:User:externalId eq "E1"'))).toEqual({
			attribute: 'externalId',
			value: 'E1',
		});
		expect(equalityKey(parseScimFilter('userName co "a"'))).toBeUndefined();
	});
});

describe('PATCH as Entra and Okta send it', () => {
	const patch = (Operations: unknown[], resource: Record<string, any> = user(), type: 'User' | 'Group' = 'User') =>
		applyPatch(resource, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations }, type) as Record<string, any>;

	test('capitalised ops and a "False" string boolean', () => {
		expect(patch([{ op: 'Replace', path: 'active', value: 'False' }]).active).toBe(false);
		expect(patch([{ op: 'replace', value: { active: 'False' } }]).active).toBe(false);
	});
	test('a path-less replace with dotted and URN keys', () => {
		const out = patch([{ op: 'replace', value: { displayName: 'X', 'name.givenName': 'Y', [`${ENTERPRISE}:employeeNumber`]: 'Z' } }]);
		expect(out).toMatchObject({
			displayName: 'X',
			name: { givenName: 'Y', familyName: 'Lovelace' },
			[ENTERPRISE]: { employeeNumber: 'Z', department: 'R&D' },
		});
	});
	test('Add with a filtered path creates the element; several address parts merge into one element', () => {
		const out = patch([
			{ op: 'Add', path: 'addresses[type eq "work"].streetAddress', value: '1 Main St' },
			{ op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Zurich' },
			{ op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+41 79 000 00 00' },
		]);
		expect(out.addresses).toEqual([{ type: 'work', streetAddress: '1 Main St', locality: 'Zurich' }]);
		expect(out.phoneNumbers).toEqual([{ type: 'mobile', value: '+41 79 000 00 00' }]);
	});
	test('the manager as a plain string id, changed, then cleared with ""', () => {
		const set = patch([{ op: 'Add', path: `${ENTERPRISE}:manager`, value: 'm1' }]);
		expect(set[ENTERPRISE].manager).toEqual({ value: 'm1' });
		const changed = patch([{ op: 'Replace', path: 'manager', value: 'm2' }], set);
		expect(changed[ENTERPRISE].manager).toEqual({ value: 'm2' });
		const cleared = patch([{ op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' }], changed);
		expect(cleared[ENTERPRISE].manager).toBeUndefined();
		expect(cleared.manager).toBeUndefined();
	});
	test('clearing with "" and then with null leaves the attribute absent', () => {
		const once = patch([{ op: 'Replace', path: 'displayName', value: 'Temp' }]);
		expect(patch([{ op: 'Replace', path: 'displayName', value: '' }], once).displayName).toBeUndefined();
		expect(patch([{ op: 'Replace', path: 'displayName', value: null }], once).displayName).toBeUndefined();
	});
	test('the legacy member removal removes only that member', () => {
		const group = {
			schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
			id: 'g1',
			displayName: 'G',
			members: [{ value: 'a' }, { value: 'b' }, { value: 'c' }],
		};
		const out = patch([{ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'b' }] }], group, 'Group');
		expect(out.members).toEqual([{ value: 'a' }, { value: 'c' }]);
		expect(patch([{ op: 'remove', path: 'members[value eq "c"]' }], out, 'Group').members).toEqual([{ value: 'a' }]);
	});
	test('Okta: rename with the id in the value (ignored), and replace members with the full list', () => {
		const group = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id: 'g1', displayName: 'G', members: [{ value: 'a' }] };
		const renamed = patch([{ op: 'replace', value: { id: 'g1', displayName: 'Renamed' } }], group, 'Group');
		expect(renamed).toMatchObject({ id: 'g1', displayName: 'Renamed' });
		expect(patch([{ op: 'replace', path: 'members', value: [{ value: 'x' }, { value: 'y' }] }], renamed, 'Group').members).toEqual([
			{ value: 'x' },
			{ value: 'y' },
		]);
	});
	test('roles sent as JSON text are parsed', () => {
		expect(patch([{ op: 'add', path: 'roles', value: ['{"value":"admin","primary":false}'] }]).roles).toEqual([
			{ value: 'admin', primary: false },
		]);
	});
	test('server-owned and read-only attributes', () => {
		const out = patch([
			{ op: 'replace', path: 'id', value: 'hijack' },
			{ op: 'replace', path: 'meta.created', value: 'x' },
			{ op: 'replace', path: 'title', value: 'Eng' },
		]);
		expect(out).toMatchObject({ id: 'u1', title: 'Eng', meta: { created: '2024-01-01T00:00:00Z' } });
		expect(() => patch([{ op: 'add', path: 'groups', value: [{ value: 'g1' }] }])).toThrow(
			expect.objectContaining({ status: 400, scimType: 'mutability' }),
		);
	});
	test('atomic: one failing operation changes nothing', () => {
		const before = user();
		expect(() =>
			patch([{ op: 'replace', path: 'title', value: 'Eng' }, { op: 'remove', path: 'emails[type eq "other"]' }, { op: 'bogus' }], before),
		).toThrow(expect.objectContaining({ status: 400 }));
		expect(before).toEqual(user());
	});
	test.each([
		[[{ op: 'replace', path: '__proto__.polluted', value: 'x' }], 'invalidPath'],
		[[{ op: 'replace', value: { __proto__x: 1, 'constructor.prototype': 2 } }], 'invalidPath'],
		[[{ op: 'remove' }], 'noTarget'],
		[[{ op: 'replace', value: 'not an object' }], 'invalidValue'],
		[[], 'invalidSyntax'],
		[[{ op: 'move', path: 'a' }], 'invalidSyntax'],
	])('bad input %j → 400 %s, and no prototype pollution', (ops, scimType) => {
		expect(() => patch(ops as unknown[])).toThrow(expect.objectContaining({ status: 400, scimType }));
		expect(({} as any).polluted).toBeUndefined();
	});
});
