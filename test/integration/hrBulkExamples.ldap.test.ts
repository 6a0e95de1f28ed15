/**
 * The HR bulk examples (examples/hr-bulk-to-*.json), as shipped, fed what the SCIM Trigger emits for Entra-style
 * bulk uploads of examples/hr/employees.csv (made by the csv2bulk converter): every operation goes through the
 * trigger's own service provider as POST /bulkUpload (an upsert on externalId per record), and all the events of one
 * request go into ONE execution on the trigger's outputs (Users, Leavers, Groups). Map Workers (HR preset) →
 * Provision User / Disable Leavers then run against the real SCIM server and a real slapd.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { csvToBulkRequests, parseBulkMapping, type BulkRequest } from '../../dev/hr/csv2bulk';
import { ScimTestServer } from '../../dev/scimApp';
import { normaliseDn } from '../../lib/ldap/escape';
import { ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import { openStoreAt, type StoreLocation } from '../../lib/store/openStore';
import { StoreRefSigner } from '../../lib/store/storeRef';
import { registerNodeType, runWorkflow, type WorkflowJson } from '../harness/workflow';
import { parseLdif, Slapd } from '../servers/slapd';

const ROOT = join(__dirname, '..', '..');
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PEOPLE = 'ou=People,dc=example,dc=org';
const example = (file: string): WorkflowJson => JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
const SHIPPED_CSV = readFileSync(join(ROOT, 'examples', 'hr', 'employees.csv'), 'utf8');
const MAPPING = parseBulkMapping(JSON.parse(readFileSync(join(ROOT, 'examples', 'hr', 'csv2bulk.mapping.json'), 'utf8')));
/** Last week's export: the leaver (1007, Edsger Dijkstra) still worked here. */
const LAST_WEEK_CSV = SHIPPED_CSV.replace(/^1007,Inactive,/m, '1007,Active,');
const WORKERS = 12;

/** The workers of the shipped CSV: employee id → manager's employee id. */
const managers = new Map(
	SHIPPED_CSV.trim()
		.split('\n')
		.slice(1)
		.map((line) => line.split(','))
		.map((f) => [f[0], f[f.length - 3]]),
);

let triggerOutputs: INodeExecutionData[][] = [[], [], []];
const trigger = {
	description: {
		displayName: 'SCIM Trigger',
		name: 'scimTrigger',
		group: ['trigger'],
		version: [1, 2],
		description: 'Emits the events of one bulk request',
		defaults: { name: 'SCIM Trigger' },
		inputs: [],
		outputs: ['main', 'main', 'main'],
		properties: [],
	} as unknown as INodeTypeDescription,
	async execute() {
		return triggerOutputs;
	},
} as INodeType;
registerNodeType('n8n-nodes-provisioning.scimTrigger', trigger);
registerNodeType('n8n-nodes-base.stickyNote', {
	description: { ...trigger.description, name: 'stickyNote', inputs: [], outputs: [] },
	async execute() {
		return [];
	},
} as INodeType);

const outputOf = (event: string) => (event.startsWith('group.') ? 2 : /deactivated|deleted/.test(event) ? 1 : 0);

/** A trigger's service provider and store, signed for the example's workflow as the real trigger signs them. */
function triggerFor(workflow: WorkflowJson, folder: string, key: string): ScimServiceProvider {
	const location: StoreLocation = { kind: 'file', key };
	return new ScimServiceProvider(openStoreAt(location, folder, process.env), {
		baseUrl: 'https://n8n.example/webhook/hr/scim/v2',
		storeLocation: StoreRefSigner.of(process.env)!.sign(location, workflow.id!),
	});
}

/** One upload as the trigger answers it (POST /bulkUpload: an upsert per record); the events of all, in order. */
async function upload(provider: ScimServiceProvider, request: BulkRequest): Promise<Record<string, number>> {
	triggerOutputs = [[], [], []];
	const counts: Record<string, number> = {};
	const { response, events } = await provider.handle({ method: 'POST', path: '/bulkUpload', query: {}, headers: {}, body: request });
	expect(response.status).toBe(202);
	expect((response.body as { failed: number }).failed).toBe(0);
	for (const event of events) {
		triggerOutputs[outputOf(event.event)].push({ json: event as never });
		counts[event.event] = (counts[event.event] ?? 0) + 1;
	}
	return counts;
}

const bulk = (csv: string) => {
	const { requests } = csvToBulkRequests(csv, MAPPING);
	expect(requests).toHaveLength(1);
	return requests[0];
};

let folder: string;
let scim: ScimTestServer;
let slapd: Slapd;
beforeAll(async () => {
	folder = mkdtempSync(join(tmpdir(), 'hr-bulk-'));
	[scim, slapd] = await Promise.all([ScimTestServer.start(), Slapd.start({})]);
});
afterAll(async () => {
	await Promise.all([scim.stop(), slapd.stop()]);
	rmSync(folder, { recursive: true, force: true });
});

describe('HR bulk → SCIM app (examples/hr-bulk-to-scim-app.json)', () => {
	const workflow = example('hr-bulk-to-scim-app.json');
	const credentials = () => ({
		scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, extraHeaders: '{}', timeoutMs: 5000 },
	});
	const users = () => [...scim.store.users.values()] as Array<Record<string, any>>;
	const byExternalId = () => new Map(users().map((u) => [String(u.externalId), u]));
	beforeEach(() => {
		scim.store.users.clear();
		scim.resetLog();
	});

	test('joiners with their managers by employee id in one execution; next week the leaver is disabled', async () => {
		const provider = triggerFor(workflow, folder, 'hr-bulk-scim');
		expect(await upload(provider, bulk(LAST_WEEK_CSV))).toEqual({ 'user.created': WORKERS });
		const joined = await runWorkflow(workflow, credentials());
		expect(joined.error).toBeUndefined();
		expect(joined.output('Provision User').map((i) => [i.json.action, i.json.status])).toEqual(Array(WORKERS).fill(['Create', 'Success']));
		const accounts = byExternalId();
		expect(accounts.size).toBe(WORKERS);
		// Every manager link is the app's id of the worker with that employee id (Zoë's manager comes after her in the CSV).
		for (const [employee, manager] of managers) {
			expect({ employee, manager: accounts.get(employee)![ENT]?.manager?.value }).toEqual({
				employee,
				manager: manager ? accounts.get(manager)!.id : undefined,
			});
		}
		expect(accounts.get('1002')).toMatchObject({ userName: 'zoe.saldana@example.org', name: { givenName: 'Zoë', familyName: 'Saldaña' } });
		expect(accounts.get('1005')).toMatchObject({ title: 'Director, Research', [ENT]: { employeeNumber: '1005', department: 'Research' } });

		// This week's export: only the leaver changed, so the upload emits one event, on the Leavers output.
		scim.resetLog();
		expect(await upload(provider, bulk(SHIPPED_CSV))).toEqual({ 'user.deactivated': 1 });
		const left = await runWorkflow(workflow, credentials());
		expect(left.error).toBeUndefined();
		expect(left.output('Disable Leavers').map((i) => [i.json.action, i.json.status])).toEqual([['Disable', 'Success']]);
		expect([...byExternalId()].filter(([, u]) => u.active === false).map(([id]) => id)).toEqual(['1007']);
		expect(scim.writes()).toHaveLength(1);
	});

	test('a first upload (one user.created per record): a worker who already left gets no account', async () => {
		const provider = triggerFor(workflow, folder, 'hr-bulk-scim-first');
		expect(await upload(provider, bulk(SHIPPED_CSV))).toEqual({ 'user.created': WORKERS });
		const run = await runWorkflow(workflow, credentials());
		expect(run.error).toBeUndefined();
		expect(run.output('Provision User')).toHaveLength(WORKERS - 1);
		expect(byExternalId().has('1007')).toBe(false);
		expect(byExternalId().size).toBe(WORKERS - 1);
	});
});

describe('HR bulk → OpenLDAP (examples/hr-bulk-to-ldap.json)', () => {
	const workflow = example('hr-bulk-to-ldap.json');
	const credentials = () => ({ ldapDirectoryApi: { ...slapd.credential() } });
	const entries = () => parseLdif(slapd.ldapsearch(PEOPLE, '(objectClass=inetOrgPerson)', ['*', 'pwdAccountLockedTime']));
	type Entry = Record<string, string[] | undefined> & { dn: string[] };
	const byEmployee = () =>
		new Map([...entries()].map(([dn, e]): [string, Entry] => [e.employeeNumber[0], { ...e, dn: [normaliseDn(dn)] }]));

	test('entries with uid, employeeNumber and the manager’s DN; the last day as shadowExpire; the leaver locked', async () => {
		const provider = triggerFor(workflow, folder, 'hr-bulk-ldap');
		expect(await upload(provider, bulk(LAST_WEEK_CSV))).toEqual({ 'user.created': WORKERS });
		const joined = await runWorkflow(workflow, credentials());
		expect(joined.error).toBeUndefined();
		expect(joined.output('Provision User').map((i) => [i.json.action, i.json.status])).toEqual(Array(WORKERS).fill(['Create', 'Success']));
		const people = byEmployee();
		expect(people.size).toBe(WORKERS);
		for (const [employee, manager] of managers) {
			const entry = people.get(employee)!;
			expect({ employee, manager: entry.manager?.map(normaliseDn) }).toEqual({
				employee,
				manager: manager ? people.get(manager)!.dn : undefined,
			});
		}
		expect(people.get('1002')).toMatchObject({ dn: [normaliseDn(`uid=zoe.saldana,${PEOPLE}`)], cn: ['Zoë Saldaña'], sn: ['Saldaña'] });
		// Margaret Hamilton's contract ends 2026-12-31: expired from 2027-01-01, day 20819 since 1970.
		expect(people.get('1004')).toMatchObject({ shadowExpire: ['20819'], objectClass: expect.arrayContaining(['shadowAccount']) });
		expect(people.get('1000')!.shadowExpire).toBeUndefined();

		expect(await upload(provider, bulk(SHIPPED_CSV))).toEqual({ 'user.deactivated': 1 });
		const left = await runWorkflow(workflow, credentials());
		expect(left.error).toBeUndefined();
		expect(left.output('Disable Leavers').map((i) => [i.json.action, i.json.status])).toEqual([['Disable', 'Success']]);
		const locked = [...byEmployee()].filter(([, e]) => e.pwdAccountLockedTime).map(([id, e]) => [id, e.pwdAccountLockedTime]);
		expect(locked).toEqual([['1007', ['000001010000Z']]]);
	});
});
