import { equalityFilter, parseScimPath, readScimPath, removeScimPath, writeScimPath } from '../../lib/scim/path';
import { ENTERPRISE_USER_SCHEMA } from '../../lib/scim/schema';

const user = () => ({
	userName: 'ada',
	name: { givenName: 'Ada' },
	emails: [
		{ type: 'home', value: 'ada@home.org' },
		{ type: 'work', value: 'ada@work.org' },
	],
	[ENTERPRISE_USER_SCHEMA]: { employeeNumber: '42', manager: { value: 'm1' } },
});

describe('SCIM attribute paths', () => {
	test('parses every form a mapping uses', () => {
		expect(parseScimPath('userName')).toEqual({ attribute: 'userName' });
		expect(parseScimPath('name.givenName')).toMatchObject({ attribute: 'name', subAttribute: 'givenName' });
		expect(parseScimPath('emails[type eq "work"].value')).toMatchObject({
			attribute: 'emails',
			filter: { type: 'work' },
			subAttribute: 'value',
		});
		expect(parseScimPath(`${ENTERPRISE_USER_SCHEMA}:manager.value`)).toMatchObject({
			schema: ENTERPRISE_USER_SCHEMA,
			attribute: 'manager',
			subAttribute: 'value',
		});
		expect(parseScimPath('urn:ietf:params:scim:schemas:core:2.0:User:userName')).toEqual({
			schema: undefined,
			attribute: 'userName',
			filter: undefined,
			subAttribute: undefined,
		});
		expect(parseScimPath('addresses[type eq "work" and primary eq true].locality').filter).toEqual({ type: 'work', primary: true });
	});

	test.each(['__proto__', 'name.__proto__', 'emails[type co "w"].value', 'a b', ''])('rejects %s', (path) => {
		expect(() => parseScimPath(path)).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
	});

	test('reads case-insensitively, through filters and extensions', () => {
		const u = user();
		expect(readScimPath(u, 'USERNAME')).toBe('ada');
		expect(readScimPath(u, 'emails[type eq "WORK"].value')).toBe('ada@work.org');
		expect(readScimPath(u, `${ENTERPRISE_USER_SCHEMA}:employeeNumber`)).toBe('42');
		expect(readScimPath(u, `${ENTERPRISE_USER_SCHEMA}:manager.value`)).toBe('m1');
		expect(readScimPath(u, 'phoneNumbers[type eq "work"].value')).toBeUndefined();
	});

	test('writes into existing elements and creates missing ones', () => {
		const u = user();
		writeScimPath(u, 'emails[type eq "work"].value', 'new@work.org');
		writeScimPath(u, 'phoneNumbers[type eq "mobile"].value', '+1 555');
		writeScimPath(u, 'name.familyName', 'Lovelace');
		writeScimPath(u, `${ENTERPRISE_USER_SCHEMA}:department`, 'R&D');
		expect(u.emails).toHaveLength(2);
		expect(readScimPath(u, 'emails[type eq "work"].value')).toBe('new@work.org');
		expect((u as any).phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555' }]);
		expect(u.name).toEqual({ givenName: 'Ada', familyName: 'Lovelace' });
		expect((u as any)[ENTERPRISE_USER_SCHEMA].department).toBe('R&D');
	});

	test('removes values', () => {
		const u = user();
		removeScimPath(u, 'emails[type eq "home"]');
		removeScimPath(u, 'name.givenName');
		expect(u.emails).toEqual([{ type: 'work', value: 'ada@work.org' }]);
		expect(u.name).toEqual({});
	});

	test('equality filters quote and escape values', () => {
		expect(equalityFilter('userName', 'a"b\\c')).toBe('userName eq "a\\"b\\\\c"');
		expect(equalityFilter('emails[type eq "work"].value', 'x@y.org')).toBe('emails[type eq "work" and value eq "x@y.org"]');
		expect(equalityFilter(`${ENTERPRISE_USER_SCHEMA}:employeeNumber`, '7')).toBe(`${ENTERPRISE_USER_SCHEMA}:employeeNumber eq "7"`);
		expect(equalityFilter('active', true)).toBe('active eq true');
	});
});
