/**
 * Clear when empty, per mapping row (Entra's null flow): Map Attributes → Provision User into the real SCIM server and
 * real slapd. On: an emptied source field removes the value (SCIM PATCH remove, LDAP modify delete) and the log
 * shows old → (cleared). Off: the old value stays, as before.
 */
import { chain, runWorkflow } from '../harness/workflow';
import { ScimTestServer } from '../../dev/scimApp';
import { Slapd, parseLdif } from '../servers/slapd';

let scim: ScimTestServer;
let slapd: Slapd;
beforeAll(async () => {
	scim = await ScimTestServer.start();
	slapd = await Slapd.start();
});
afterAll(async () => {
	await scim.stop();
	await slapd.stop();
});

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PEOPLE = 'ou=People,dc=example,dc=org';
const credentials = () => ({
	scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token },
	ldapDirectoryApi: { ...slapd.credential() },
});

const direct = (target: string, source: string, extra: Record<string, unknown> = {}) => ({ target, type: 'direct', source, ...extra });

/** HR record → SCIM: title and department may be emptied at the source; only title clears. */
const scimRows = [
	direct('userName', 'upn', { matchPrecedence: 1 }),
	direct('name.familyName', 'last'),
	direct('title', 'title', { clearWhenEmpty: true }),
	direct(`${ENT}:department`, 'department'),
	direct('phoneNumbers[type eq "work"].value', 'phone', { clearWhenEmpty: true }),
];
/** HR record → LDAP: title and telephoneNumber clear; departmentNumber does not. */
const ldapRows = [
	direct('uid', 'login', { matchPrecedence: 1 }),
	direct('cn', 'name'),
	direct('sn', 'last'),
	direct('title', 'title', { clearWhenEmpty: true }),
	direct('telephoneNumber', 'phone', { clearWhenEmpty: true }),
	direct('departmentNumber', 'department'),
	{ target: 'objectClass', type: 'constant', constant: 'inetOrgPerson', apply: 'create' },
];

const flow = (rows: object[], target: 'scim' | 'ldap', items: object[]) =>
	runWorkflow(
		chain(items, [
			{
				name: 'Map',
				type: 'mapAttributes',
				parameters: { preset: 'none', mappings: { mapping: rows }, options: { missingAsEmpty: true } },
			},
			{
				name: 'Provision',
				type: 'provisionUser',
				parameters: {
					target,
					inputMode: 'envelope',
					dnTemplate: `uid={uid},${PEOPLE}`,
					objectFilter: '(objectClass=inetOrgPerson)',
				},
				settings: { onError: 'continueErrorOutput' },
			},
		]),
		credentials(),
	);

describe('SCIM target', () => {
	const ada = { upn: 'ada@example.org', last: 'Lovelace', title: 'Analyst', department: 'Research', phone: '+44 20 7946 0000' };
	const stored = () => [...scim.store.users.values()].find((u) => u.userName === 'ada@example.org')!;

	test('an emptied title and phone are removed with PATCH remove; an emptied department (no flag) is kept', async () => {
		expect((await flow(scimRows, 'scim', [ada])).output('Provision').map((i) => i.json.action)).toEqual(['Create']);
		expect(stored()).toMatchObject({ title: 'Analyst', phoneNumbers: [{ type: 'work', value: '+44 20 7946 0000' }] });
		scim.resetLog();
		const res = await flow(scimRows, 'scim', [{ ...ada, title: '', phone: null, department: '' }]);
		const record = res.output('Provision')[0].json as Record<string, any>;
		expect(record.action).toBe('Update');
		expect(record.modifiedProperties).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ name: 'title', oldValue: 'Analyst', newValue: null, cleared: true }),
				expect.objectContaining({
					name: 'phoneNumbers[type eq "work"].value',
					oldValue: '+44 20 7946 0000',
					newValue: null,
					cleared: true,
				}),
			]),
		);
		expect(record.modifiedProperties.map((p: { name: string }) => p.name)).not.toContain(`${ENT}:department`);
		expect(record.steps.at(-1).detail).toContain('cleared title');
		const [patch] = scim.writes('PATCH');
		expect(patch.body.Operations).toEqual([
			{ op: 'remove', path: 'title' },
			{ op: 'remove', path: 'phoneNumbers[type eq "work"]' },
		]);
		expect(stored().title).toBeUndefined();
		expect(stored().phoneNumbers ?? []).toEqual([]);
		expect(stored()[ENT].department).toBe('Research');
		// Nothing left to clear: a rerun is NoChange and sends nothing.
		scim.resetLog();
		const again = await flow(scimRows, 'scim', [{ ...ada, title: '', phone: null, department: '' }]);
		expect(again.output('Provision')[0].json.action).toBe('NoChange');
		expect(scim.writes()).toEqual([]);
	});

	test('off by default: the same emptied title stays in the app', async () => {
		const rows = scimRows.map((r) => ({ ...r, clearWhenEmpty: false }));
		await flow(rows, 'scim', [{ ...ada, title: 'Lead Analyst' }]);
		scim.resetLog();
		const res = await flow(rows, 'scim', [{ ...ada, title: '' }]);
		expect(res.output('Provision')[0].json.action).toBe('NoChange');
		expect(scim.writes()).toEqual([]);
		expect(stored().title).toBe('Lead Analyst');
	});
});

describe('LDAP target', () => {
	const grace = { login: 'grace', name: 'Grace Hopper', last: 'Hopper', title: 'Rear Admiral', phone: '+1 555 0100', department: 'Navy' };
	const entry = () => parseLdif(slapd.ldapsearch(PEOPLE, '(uid=grace)', ['*'])).get(`uid=grace,${PEOPLE}`)!;

	test('an emptied title and phone are deleted from the entry; departmentNumber (no flag) is kept', async () => {
		expect((await flow(ldapRows, 'ldap', [grace])).output('Provision').map((i) => i.json.action)).toEqual(['Create']);
		expect(entry()).toMatchObject({ title: ['Rear Admiral'], telephoneNumber: ['+1 555 0100'] });
		const audit = slapd.auditLog().length;
		const res = await flow(ldapRows, 'ldap', [{ ...grace, title: '', phone: '', department: '' }]);
		const record = res.output('Provision')[0].json as Record<string, any>;
		expect(record.action).toBe('Update');
		expect(record.modifiedProperties).toEqual([
			expect.objectContaining({
				name: 'title',
				oldValue: 'Rear Admiral',
				newValue: null,
				cleared: true,
				source: 'Direct: title (empty: cleared)',
			}),
			expect.objectContaining({ name: 'telephoneNumber', oldValue: '+1 555 0100', newValue: null, cleared: true }),
		]);
		const written = slapd.auditLog().slice(audit);
		expect(written).toMatch(/delete: title\n-/);
		expect(written).toMatch(/delete: telephoneNumber\n-/);
		expect(written).not.toMatch(/departmentNumber/);
		expect(entry().title).toBeUndefined();
		expect(entry().telephoneNumber).toBeUndefined();
		expect(entry().departmentNumber).toEqual(['Navy']);
		const rerun = await flow(ldapRows, 'ldap', [{ ...grace, title: '', phone: '', department: '' }]);
		expect(rerun.output('Provision')[0].json.action).toBe('NoChange');
	});

	test('off by default: an emptied title stays in the directory', async () => {
		const rows = ldapRows.map((r) => ({ ...r, clearWhenEmpty: false }));
		await flow(rows, 'ldap', [{ ...grace, title: 'Commodore' }]);
		const res = await flow(rows, 'ldap', [{ ...grace, title: '' }]);
		expect(res.output('Provision')[0].json.action).toBe('NoChange');
		expect(entry().title).toEqual(['Commodore']);
	});
});
