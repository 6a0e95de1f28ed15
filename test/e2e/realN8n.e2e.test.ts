/**
 * End to end in real n8n (1.123.81 and 2.8.4): the packed package installed as the Community Nodes
 * installer does it, the shipped example workflow imported and activated, driven over HTTP.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRuntime, importAndActivate, installPackage, ownerSession, packPackage, ROOT, type RunningN8n, startN8n } from '../../scripts/lib/n8nInstance';
import { freePort } from '../servers/ports';
import { ScimTestServer } from '../servers/scimServer';

const VERSIONS = (process.env.E2E_N8N_VERSIONS ?? '1.123.81,2.8.4').split(',');
const example = JSON.parse(readFileSync(join(ROOT, 'examples', 'hr-webhook-to-scim.json'), 'utf8'));
const mappedExample = JSON.parse(readFileSync(join(ROOT, 'examples', 'hr-webhook-map-attributes-to-scim.json'), 'utf8'));

let tarball: string;
let packDir: string;
beforeAll(() => {
	packDir = mkdtempSync(join(tmpdir(), 'pack-'));
	tarball = packPackage(packDir);
}, 300000);
afterAll(() => rmSync(packDir, { recursive: true, force: true }));

describe.each(VERSIONS)('real n8n %s', (version) => {
	let scim: ScimTestServer;
	let n8n: RunningN8n;
	let userFolder: string;

	beforeAll(async () => {
		const runtime = ensureRuntime(version);
		scim = await ScimTestServer.start();
		userFolder = mkdtempSync(join(tmpdir(), `n8n-e2e-${version}-`));
		installPackage(userFolder, tarball);
		const port = await freePort();
		const options = { version, userFolder, port, brokerPort: await freePort() };
		importAndActivate(
			runtime,
			options,
			[{ id: 'DemoScimTarget1', name: 'Demo SCIM app', type: 'scimTargetApi', data: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, timeoutMs: 10000 } }],
			[example, mappedExample],
		);
		n8n = await startN8n(runtime, options);
	}, 600000);

	afterAll(async () => {
		await n8n?.stop();
		await scim?.stop();
		rmSync(userFolder, { recursive: true, force: true });
	});

	const post = async (body: object) => {
		const res = await fetch(`${n8n.url}/webhook/provision-user`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
		return { status: res.status, json: (await res.json()) as any };
	};
	const hire = { employeeId: 'E42', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org', jobTitle: 'Analyst', department: 'Research' };

	test('n8n lists every node and credential of the package', async () => {
		const cookie = await ownerSession(n8n.url);
		const nodes = (await fetch(`${n8n.url}/types/nodes.json`, { headers: { cookie } }).then((r) => r.json())) as Array<{ name: string }>;
		const ours = nodes.filter((n) => n.name.startsWith('n8n-nodes-provisioning.')).map((n) => n.name).sort();
		expect(ours).toEqual(['n8n-nodes-provisioning.deprovisionUser', 'n8n-nodes-provisioning.groupSync', 'n8n-nodes-provisioning.mapAttributes', 'n8n-nodes-provisioning.provisionUser']);
		const credentials = (await fetch(`${n8n.url}/types/credentials.json`, { headers: { cookie } }).then((r) => r.json())) as Array<{ name: string }>;
		expect(credentials.map((c) => c.name).filter((n) => ['scimTargetApi', 'ldapDirectoryApi'].includes(n)).sort()).toEqual(['ldapDirectoryApi', 'scimTargetApi']);
	});

	test('the package loads and the example workflow creates, leaves alone, then updates an account', async () => {
		const created = await post(hire);
		expect(created.status).toBe(200);
		expect(created.json).toMatchObject({ action: 'Create', status: 'Success', targetSystem: 'scim' });
		const users = [...scim.store.users.values()];
		expect(users).toHaveLength(1);
		expect(users[0]).toMatchObject({ userName: 'ada@example.org', externalId: 'E42', name: { givenName: 'Ada', familyName: 'Lovelace' }, title: 'Analyst' });

		const again = await post(hire);
		expect(again.json).toMatchObject({ action: 'NoChange', targetId: created.json.targetId, matchedBy: { attribute: 'userName' } });

		scim.resetLog();
		const moved = await post({ ...hire, department: 'Engineering' });
		expect(moved.json.action).toBe('Update');
		expect(moved.json.modifiedProperties).toEqual([
			{ name: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', oldValue: 'Research', newValue: 'Engineering' },
		]);
		expect(scim.writes().map((w) => [w.method, w.body.Operations.length])).toEqual([['PATCH', 1]]);
	});

	test('Map Attributes with Entra expressions feeds Provision User in real n8n', async () => {
		const res = await fetch(`${n8n.url}/webhook/provision-mapped`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ EmployeeID: 'W7', FirstName: 'Zoë', LastName: 'Saldaña', JobTitle: 'DATA ANALYST', Department: 'RND', Status: 'Active' }),
		});
		expect(res.status).toBe(200);
		expect(((await res.json()) as any).action).toBe('Create');
		expect([...scim.store.users.values()].find((u) => u.externalId === 'W7')).toMatchObject({
			userName: 'zoe.saldana@example.org',
			displayName: 'Zoë Saldaña',
			title: 'Data Analyst',
			active: true,
			'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Research & Development' },
		});
	});

	test('bad input answers with an actionable error item, and the target is untouched', async () => {
		const before = scim.store.users.size;
		const res = await post({ firstName: 'No', lastName: 'Identifiers' });
		expect(res.status).toBe(200);
		expect(res.json.error).toMatchObject({ code: 'MissingRequiredValue', field: 'userName' });
		expect(res.json.message).toMatch(/No match key has a value/);
		expect(scim.store.users.size).toBe(before);
	});
});
