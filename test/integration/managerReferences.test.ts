/**
 * Managers from an HR record, named by employee id: resolved to the target's own id (SCIM) or DN (LDAP) in
 * batches, with a second pass for managers created later in the same batch; unknown managers are warnings.
 */
import { normaliseDn } from '../../lib/ldap/escape';
import { chain, errorOf, runWorkflow } from '../harness/workflow';
import { ScimTestServer } from '../../dev/scimApp';
import { parseLdif, Slapd } from '../servers/slapd';

let app: ScimTestServer;
let slapd: Slapd;
beforeAll(async () => {
	app = await ScimTestServer.start();
	slapd = await Slapd.start({});
});
afterAll(async () => {
	await app.stop();
	await slapd.stop();
});

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PEOPLE = 'ou=People,dc=example,dc=org';
const credentials = () => ({
	scimTargetApi: { baseUrl: app.baseUrl, authentication: 'bearer', token: app.token, timeoutMs: 10000 },
	ldapDirectoryApi: { ...slapd.credential() },
});
const hr = (id: string, first: string, manager = '') => ({
	EmployeeID: id,
	FirstName: first,
	LastName: 'Doe',
	Email: `${first.toLowerCase()}@example.org`,
	ManagerID: manager,
	Status: 'Active',
});
// The report comes before the manager, and one manager is unknown.
const batch = [hr('E2', 'Report', 'E1'), hr('E1', 'Boss'), hr('E3', 'Orphan', 'E999')];

describe('SCIM: the manager as the app’s own id', () => {
	const flow = (items: object[]) =>
		runWorkflow(
			chain(items, [
				{ name: 'Map', type: 'mapAttributes', parameters: { preset: 'hrCsvToScim' } },
				{
					name: 'Provision',
					type: 'provisionUser',
					parameters: { target: 'scim', inputMode: 'envelope' },
					settings: { onError: 'continueErrorOutput' },
				},
			]),
			credentials(),
		);
	const user = (userName: string) => [...app.store.users.values()].find((u) => u.userName === userName)!;

	test('a report before its manager in one batch: both written, the manager set in a second pass; a rerun is NoChange', async () => {
		const res = await flow(batch);
		const out = res.output('Provision');
		expect(out.map((i) => [i.json.action, i.json.status])).toEqual([
			['Create', 'Success'],
			['Create', 'Success'],
			['Create', 'Warning'],
		]);
		expect(user('report@example.org')[ENT].manager).toEqual({ value: user('boss@example.org').id });
		expect((out[0].json.steps as any[]).map((s) => s.detail)).toContain(`Set ${ENT}:manager.value once the referenced account existed`);
		expect((out[2].json.steps as any[]).find((s) => s.status === 'Warning').detail).toMatch(/externalId = "E999"/);
		expect(user('orphan@example.org')[ENT].manager).toBeUndefined();

		app.resetLog();
		const rerun = await flow(batch);
		expect(rerun.output('Provision').map((i) => i.json.action)).toEqual(['NoChange', 'NoChange', 'NoChange']);
		expect(app.writes()).toHaveLength(0);
	});

	test('once the unknown manager exists, a rerun sets it; a changed manager is updated', async () => {
		await flow([hr('E999', 'Late')]);
		const res = await flow(batch);
		expect(res.output('Provision').map((i) => [i.json.action, i.json.status])).toEqual([
			['NoChange', 'Success'],
			['NoChange', 'Success'],
			['Update', 'Success'],
		]);
		expect(user('orphan@example.org')[ENT].manager).toEqual({ value: user('late@example.org').id });
		await flow([hr('E2', 'Report', 'E999')]);
		expect(user('report@example.org')[ENT].manager).toEqual({ value: user('late@example.org').id });
	});
});

describe('LDAP: the manager as a DN', () => {
	const rows = [
		{ target: 'uid', type: 'expression', expression: 'ToLower([FirstName])', matchPrecedence: 1 },
		{ target: 'employeeNumber', type: 'direct', source: 'EmployeeID', matchPrecedence: 2 },
		{ target: 'cn', type: 'expression', expression: 'Join(" ", [FirstName], [LastName])' },
		{ target: 'sn', type: 'direct', source: 'LastName' },
		{ target: 'manager', type: 'direct', source: 'ManagerID', referenceBy: 'employeeNumber' },
		{ target: 'objectClass', type: 'constant', constant: 'inetOrgPerson', apply: 'create' },
	];
	const flow = (items: object[]) =>
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
						target: 'ldap',
						inputMode: 'envelope',
						dnTemplate: `uid={uid},${PEOPLE}`,
						objectFilter: '(objectClass=inetOrgPerson)',
					},
					settings: { onError: 'continueErrorOutput' },
				},
			]),
			credentials(),
		);
	const entry = (uid: string) => parseLdif(slapd.ldapsearch(PEOPLE, `(uid=${uid})`, ['*'])).get(`uid=${uid},${PEOPLE}`)!;

	test('the manager DN is set, in the same batch, and a rerun writes nothing', async () => {
		const res = await flow(batch);
		expect(res.output('Provision', 1).map(errorOf)).toEqual([]);
		expect(res.output('Provision').map((i) => i.json.status)).toEqual(['Success', 'Success', 'Warning']);
		expect(normaliseDn(entry('report').manager[0])).toBe(normaliseDn(`uid=boss,${PEOPLE}`));
		expect(entry('orphan').manager).toBeUndefined();
		const audit = slapd.auditLog().length;
		const rerun = await flow(batch);
		expect(rerun.output('Provision').map((i) => i.json.action)).toEqual(['NoChange', 'NoChange', 'NoChange']);
		expect(slapd.auditLog().length).toBe(audit);
	});
});
