/**
 * The IdP → n8n → app flow in real n8n (each version of the matrix), with the shipped workflows: Entra and Okta
 * conversations over HTTP into the SCIM Trigger must leave the demo SCIM app (and slapd) with the same users,
 * groups, members and managers; a batch of HR records names managers by employee id; an app outage is healed by the
 * resync workflow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normaliseDn } from '../../lib/ldap/escape';
import { ROOT } from '../../dev/n8n/instance';
import { isolate } from '../harness/e2e/isolate';
import { sharedN8n, type SharedN8n } from '../harness/e2e/sharedN8n';
import { eventually } from '../harness/eventually';
import { E2E_N8N_VERSIONS } from '../harness/runtimes';
import { finishedExecutions, nodeOutput } from '../harness/n8nApi';
import { csvToBulkRequests, parseBulkMapping } from '../../dev/hr/csv2bulk';
import { ScimTestServer } from '../../dev/scimApp';
import { parseLdif, Slapd } from '../servers/slapd';

const VERSIONS = E2E_N8N_VERSIONS;
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const TOKEN = 'e2e-idp-flow-token-0123456789abcdef';
const PEOPLE = 'ou=People,dc=example,dc=org';
const GROUPS = 'ou=Groups,dc=example,dc=org';
const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
const workflow = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
// Other suites load the flagship into the same n8n: this suite's copies have their own ids and tenant URLs.
const [flagship, ldapFlow, resync, hrBatch, hrBulk] = isolate(
	[
		workflow('examples/scim-trigger-to-scim-app.json'),
		workflow('examples/scim-trigger-to-ldap.json'),
		workflow('examples/resync-scim-trigger-to-scim-app.json'),
		workflow('test/e2e/fixtures/hr-batch-managers.json'),
		workflow('examples/hr-bulk-to-scim-app.json'),
	],
	'Idp',
);

describe.each(VERSIONS)('real n8n %s', (version) => {
	let app: ScimTestServer;
	let slapd: Slapd;
	let n8n: SharedN8n;

	beforeAll(async () => {
		n8n = await sharedN8n(version);
		app = await ScimTestServer.start();
		slapd = await Slapd.start({});
		await n8n.load({
			credentials: [
				{
					id: 'DemoScimTarget1',
					name: 'Demo SCIM app',
					type: 'scimTargetApi',
					data: { baseUrl: app.baseUrl, authentication: 'bearer', token: app.token, timeoutMs: 10000 },
				},
				{ id: 'ScimTriggerAuth1', name: 'SCIM Trigger token', type: 'scimTriggerAuthApi', data: { token: TOKEN, allowBasic: false } },
				{
					id: 'DemoLdap1',
					name: 'Demo LDAP directory',
					type: 'ldapDirectoryApi',
					data: { ...slapd.credential() },
				},
			],
			workflows: [flagship, ldapFlow, { ...resync, active: true }, hrBatch, hrBulk],
		});
	}, 900000);

	afterAll(async () => {
		await n8n?.unload();
		await app?.stop();
		await slapd?.stop();
	});

	const scim = (trigger: { nodes: Array<{ webhookId?: string }> }) => async (method: string, path: string, body?: unknown) => {
		const res = await fetch(`${n8n.url}/webhook/${trigger.nodes[0].webhookId}/scim/v2${path}`, {
			method,
			headers: { Authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		return { status: res.status, body: text ? JSON.parse(text) : undefined };
	};
	const appUser = (userName: string) => [...app.store.users.values()].find((u) => u.userName === userName);
	const appGroup = (name: string) => [...app.store.groups.values()].find((g) => g.displayName === name);
	const memberNames = (name: string) => {
		const byId = new Map([...app.store.users.values()].map((u) => [u.id, u.userName]));
		return (appGroup(name)?.members ?? []).map((m: { value: string }) => byId.get(m.value) ?? m.value).sort();
	};
	const sameMembers = (name: string, expected: string[]) => JSON.stringify(memberNames(name)) === JSON.stringify([...expected].sort());

	test('Entra: users, a manager, a group and its membership forms reach the SCIM app exactly', async () => {
		const call = scim(flagship);
		const user = async (userName: string, extra: object = {}) =>
			(await call('POST', '/Users', { userName, externalId: `x-${userName}`, active: true, displayName: userName, ...extra })).body
				.id as string;
		const boss = await user('boss@entra.example');
		await eventually(() => !!appUser('boss@entra.example'), 'the manager in the app');
		const ada = await user('ada@entra.example', { [ENT]: { manager: { value: boss } } });
		const bob = await user('bob@entra.example');
		await eventually(
			() => appUser('ada@entra.example')?.[ENT]?.manager?.value === appUser('boss@entra.example')?.id,
			"ada's manager is the app's id of boss",
		);
		const group = await call('POST', '/Groups', { displayName: 'Entra Staff', externalId: 'EG1', members: [] });
		expect(group.status).toBe(201);
		const gid = group.body.id;
		await eventually(() => !!appGroup('Entra Staff'), 'the group in the app');
		await call(
			'PATCH',
			`/Groups/${gid}`,
			PATCH([{ op: 'Add', path: 'members', value: [{ value: ada }, { value: bob }, { value: boss }] }]),
		);
		await eventually(() => sameMembers('Entra Staff', ['ada@entra.example', 'bob@entra.example', 'boss@entra.example']), 'three members');
		await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'Remove', path: 'members', value: [{ $ref: null, value: ada }] }]));
		await eventually(() => sameMembers('Entra Staff', ['bob@entra.example', 'boss@entra.example']), 'the legacy removal of one member');
		await call('PATCH', `/Users/${ada}`, PATCH([{ op: 'Replace', path: `${ENT}:manager`, value: bob }]));
		await eventually(() => appUser('ada@entra.example')?.[ENT]?.manager?.value === appUser('bob@entra.example')?.id, 'the new manager');
		await call('DELETE', `/Users/${boss}`);
		await eventually(
			() => !appUser('boss@entra.example') && sameMembers('Entra Staff', ['bob@entra.example']),
			'the deleted user gone, and out of the group',
		);
	});

	test('RFC 7644 /Bulk: two users and a group naming them by bulkId in one request → one execution → all in the app', async () => {
		const res = await scim(flagship)('POST', '/Bulk', {
			schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
			Operations: [
				// The group first: it names users created later in the same request.
				{
					method: 'POST',
					bulkId: 'g',
					path: '/Groups',
					data: { displayName: 'Bulk Staff', members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }] },
				},
				{ method: 'POST', bulkId: 'u1', path: '/Users', data: { userName: 'bulk1@rfc.example', externalId: 'b1', active: true } },
				{ method: 'POST', bulkId: 'u2', path: '/Users', data: { userName: 'bulk2@rfc.example', externalId: 'b2', active: true } },
			],
		});
		expect(res.status).toBe(200);
		expect(res.body.Operations.map((o: any) => [o.bulkId, o.status])).toEqual([
			['g', '201'],
			['u1', '201'],
			['u2', '201'],
		]);
		await eventually(() => sameMembers('Bulk Staff', ['bulk1@rfc.example', 'bulk2@rfc.example']), 'the group and both members in the app');
		// The app can hold the result a moment before n8n has saved the execution as finished.
		const bulkRuns = async () =>
			(await finishedExecutions(n8n.api, flagship.id, 1)).filter((e) =>
				JSON.stringify(e.data?.resultData?.runData?.['SCIM Trigger'] ?? '').includes('bulk1@rfc.example'),
			);
		await eventually(async () => (await bulkRuns()).length > 0, 'the bulk request’s execution saved');
		expect(await bulkRuns()).toHaveLength(1);
	});

	test('Entra bulkUpload of the shipped HR CSV: 202, one execution, the workers in the app with their managers, per-record status', async () => {
		const csv = readFileSync(join(ROOT, 'examples', 'hr', 'employees.csv'), 'utf8');
		const mapping = parseBulkMapping(JSON.parse(readFileSync(join(ROOT, 'examples', 'hr', 'csv2bulk.mapping.json'), 'utf8')));
		const [request] = csvToBulkRequests(csv, mapping).requests;
		const res = await fetch(`${n8n.url}/webhook/${hrBulk.nodes[0].webhookId}/scim/v2/bulkUpload`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/scim+json' },
			body: JSON.stringify(request),
		});
		expect(res.status).toBe(202);
		const accepted = (await res.json()) as { id: string; created: number; failed: number };
		expect(accepted).toMatchObject({ created: 12, failed: 0 });
		const status = await fetch(res.headers.get('location')!, { headers: { Authorization: `Bearer ${TOKEN}` } });
		expect(status.status).toBe(200);
		const kept = (await status.json()) as { records: Array<{ anchorValue: string; result: string }> };
		expect(kept.records.map((r) => r.result)).toEqual(Array(12).fill('created'));
		// One execution for the whole upload; when it has finished, the leaver (1007) has no account and everyone else
		// has one, with the manager's app id.
		const [execution] = await finishedExecutions(n8n.api, hrBulk.id, 1);
		const outcomes = nodeOutput(execution, 'Provision User').map(
			(i) => `${i.source?.externalId ?? i.key}: ${i.action} ${i.status} ${i.warning ?? ''}`,
		);
		const byEmployee = () => new Map([...app.store.users.values()].map((u) => [String(u.externalId), u]));
		const accounts = byEmployee();
		expect({ workers: [...accounts.keys()].filter((k) => /^10\d\d$/.test(k)).sort(), outcomes }).toMatchObject({
			workers: ['1000', '1001', '1002', '1003', '1004', '1005', '1006', '1008', '1009', '1010', '1011'],
		});
		expect(accounts.has('1007')).toBe(false);
		const managerOf = (employee: string) => accounts.get(employee)?.[ENT]?.manager?.value;
		expect({ outcomes, managers: [managerOf('1002'), managerOf('1001')] }).toEqual({
			outcomes,
			managers: [accounts.get('1005')?.id, accounts.get('1000')?.id],
		});
		expect(await finishedExecutions(n8n.api, hrBulk.id, 1)).toHaveLength(1);
	});

	test('Okta group push: create with members, rename, remove and add, replace, unlink', async () => {
		const call = scim(flagship);
		const ids: string[] = [];
		for (const n of ['a', 'b', 'c']) ids.push((await call('POST', '/Users', { userName: `push-${n}@okta.example`, active: true })).body.id);
		await eventually(() => ['a', 'b', 'c'].every((n) => !!appUser(`push-${n}@okta.example`)), 'the users in the app');
		const gid = (await call('POST', '/Groups', { displayName: 'Okta Push', members: [{ value: ids[0] }, { value: ids[1] }] })).body.id;
		await eventually(() => sameMembers('Okta Push', ['push-a@okta.example', 'push-b@okta.example']), 'the pushed group');
		await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'replace', value: { id: gid, displayName: 'Okta Pushed' } }]));
		await call(
			'PATCH',
			`/Groups/${gid}`,
			PATCH([
				{ op: 'remove', path: `members[value eq "${ids[0]}"]` },
				{ op: 'add', path: 'members', value: [{ value: ids[2] }] },
			]),
		);
		await eventually(() => sameMembers('Okta Pushed', ['push-b@okta.example', 'push-c@okta.example']), 'renamed, one out, one in');
		await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'replace', path: 'members', value: [{ value: ids[0] }] }]));
		await eventually(() => sameMembers('Okta Pushed', ['push-a@okta.example']), 'the replaced list');
		await call('DELETE', `/Groups/${gid}`);
		await eventually(() => !appGroup('Okta Pushed'), 'the unlinked group deleted');
	});

	test('the same flow into slapd: member DNs and the manager as a DN', async () => {
		const call = scim(ldapFlow);
		const user = async (userName: string, extra: object = {}) =>
			(
				await call('POST', '/Users', {
					userName,
					active: true,
					name: { givenName: 'L', familyName: userName.split('@')[0] },
					emails: [{ type: 'work', value: userName, primary: true }],
					...extra,
				})
			).body.id as string;
		const entry = (base: string, filter: string) => [...parseLdif(slapd.ldapsearch(base, filter, ['*'])).values()][0];
		const chief = await user('chief@ldap.example');
		await eventually(() => !!entry(PEOPLE, '(uid=chief)'), 'the manager entry');
		const worker = await user('worker@ldap.example', { [ENT]: { manager: { value: chief } } });
		await eventually(
			() => normaliseDn(entry(PEOPLE, '(uid=worker)')?.manager?.[0] ?? '') === normaliseDn(`uid=chief,${PEOPLE}`),
			'manager DN',
		);
		const gid = (await call('POST', '/Groups', { displayName: 'Ldap Staff', members: [] })).body.id;
		await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'Add', path: 'members', value: [{ value: worker }, { value: chief }] }]));
		const members = () => (entry(GROUPS, '(cn=Ldap Staff)')?.member ?? []).map(normaliseDn).sort().join('|');
		await eventually(() => members() === [`uid=chief,${PEOPLE}`, `uid=worker,${PEOPLE}`].map(normaliseDn).sort().join('|'), 'member DNs');
	});

	test('HR records naming managers by employee id: report before manager in one batch, a rerun is NoChange', async () => {
		const record = (id: string, first: string, manager = '') => ({
			EmployeeID: id,
			FirstName: first,
			LastName: 'Hr',
			Email: `${first.toLowerCase()}@hr.example`,
			ManagerID: manager,
			Status: 'Active',
		});
		const records = [record('H2', 'Report', 'H1'), record('H1', 'Manager'), record('H3', 'Lonely', 'H999')];
		const send = async () => {
			const res = await fetch(`${n8n.url}/webhook/hr-batch`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ records }),
			});
			expect(res.status).toBe(200);
			return (await res.json()) as Array<{ action: string; status: string }>;
		};
		const first = await send();
		expect(first.map((r) => [r.action, r.status])).toEqual([
			['Create', 'Success'],
			['Create', 'Success'],
			['Create', 'Warning'],
		]);
		expect(appUser('report@hr.example')![ENT].manager.value).toBe(appUser('manager@hr.example')!.id);
		expect((await send()).map((r) => r.action)).toEqual(['NoChange', 'NoChange', 'NoChange']);
	});

	test('the app down, then the resync workflow brings it to the trigger state exactly; a second run writes nothing', async () => {
		const call = scim(flagship);
		const keep = (await call('POST', '/Users', { userName: 'keep@outage.example', active: true })).body.id;
		const off = (await call('POST', '/Users', { userName: 'off@outage.example', active: true })).body.id;
		const gone = (await call('POST', '/Users', { userName: 'gone@outage.example', active: true })).body.id;
		const gid = (await call('POST', '/Groups', { displayName: 'Outage Team', members: [{ value: keep }] })).body.id;
		await eventually(() => sameMembers('Outage Team', ['keep@outage.example']) && !!appUser('gone@outage.example'), 'the baseline');

		const runs = async () =>
			(
				(await n8n.api.get('/executions', { workflowId: flagship.id, limit: 100 })).data as Array<{ id: string; stoppedAt?: string | null }>
			).map((run) => ({ id: Number(run.id), stopped: !!run.stoppedAt }));
		const before = Math.max(0, ...(await runs()).map((run) => run.id));
		app.faults.push({ status: 503, times: 100000 });
		const fresh = (await call('POST', '/Users', { userName: 'fresh@outage.example', active: true })).body.id;
		await call('PATCH', `/Users/${keep}`, PATCH([{ op: 'replace', path: 'title', value: 'Survivor' }]));
		await call('PATCH', `/Users/${off}`, PATCH([{ op: 'replace', path: 'active', value: false }]));
		await call('DELETE', `/Users/${gone}`);
		await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'add', path: 'members', value: [{ value: fresh }] }]));
		// Let the five failing executions run their course (the client retries 5xx with backoff), then bring the app back.
		await eventually(
			async () => {
				const during = (await runs()).filter((run) => run.id > before);
				return during.length >= 5 && during.every((run) => run.stopped);
			},
			'the five executions of the outage finished',
			{ intervalMs: 500, attempts: 240 },
		);
		app.faults.length = 0;
		expect(appUser('fresh@outage.example')).toBeUndefined();

		const run = () => fetch(`${n8n.url}/webhook/resync-scim-app`, { method: 'POST' });
		expect((await run()).status).toBe(200);
		await eventually(
			() =>
				appUser('keep@outage.example')?.title === 'Survivor' &&
				appUser('off@outage.example')?.active === false &&
				!appUser('gone@outage.example') &&
				appUser('fresh@outage.example')?.active === true &&
				sameMembers('Outage Team', ['fresh@outage.example', 'keep@outage.example']),
			'the app at the trigger state',
		);
		app.resetLog();
		expect((await run()).status).toBe(200);
		await new Promise((r) => setTimeout(r, 3000));
		expect(app.writes()).toEqual([]);
	});
});
