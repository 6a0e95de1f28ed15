/**
 * End to end in real n8n (the newest 1.x and 2.x, see TESTED_N8N_VERSIONS): the packed package installed as the Community Nodes
 * installer does it, the shipped example workflow imported and activated, driven over HTTP.
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../dev/n8n/instance';
import { sharedN8n, type SharedN8n } from '../harness/e2e/sharedN8n';
import { eventually } from '../harness/eventually';
import { E2E_N8N_VERSIONS } from '../harness/runtimes';
import {
	entraDelete,
	entraGroupConversation,
	entraUserConversation,
	oktaGroupConversation,
	oktaUserConversation,
	type ScimCall,
} from '../harness/scimConversations';
import { ScimTestServer } from '../../dev/scimApp';

const VERSIONS = E2E_N8N_VERSIONS;
const example = JSON.parse(readFileSync(join(ROOT, 'examples', 'hr-webhook-to-scim.json'), 'utf8'));
const mappedExample = JSON.parse(readFileSync(join(ROOT, 'examples', 'hr-webhook-map-attributes-to-scim.json'), 'utf8'));
const triggerExample = JSON.parse(readFileSync(join(ROOT, 'examples', 'scim-trigger-to-scim-app.json'), 'utf8'));
const TRIGGER_TOKEN = 'e2e-scim-trigger-token-0123456789abcdef';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** A Code node: in n8n 2.x it runs in the JS task runner, a child process n8n starts as `node` from PATH. */
const codeWorkflow = {
	id: 'CodeNodeRunner1',
	name: 'Code node',
	nodes: [
		{
			id: 'w',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '5b0c2f7e-2d1a-4c1e-9b7a-3f4e5d6c7b8a',
			parameters: { httpMethod: 'POST', path: 'code-node', responseMode: 'lastNode', options: {} },
		},
		{
			id: 'c',
			name: 'Code',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, 0],
			parameters: { jsCode: 'return [{ json: { doubled: $input.first().json.body.n * 2 } }];' },
		},
	],
	connections: { Webhook: { main: [[{ node: 'Code', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

/** The executable of a process and of its children, by pid. */
const exe = (pid: number) => realpathSync(`/proc/${pid}/exe`);
const children = (pid: number) =>
	readdirSync('/proc')
		.filter((e) => /^\d+$/.test(e))
		.flatMap((e) => {
			try {
				const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
				return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid
					? [{ pid: Number(e), cmdline: readFileSync(`/proc/${e}/cmdline`, 'utf8') }]
					: [];
			} catch {
				return [];
			}
		});

describe.each(VERSIONS)('real n8n %s', (version) => {
	let scim: ScimTestServer;
	let n8n: SharedN8n;

	beforeAll(async () => {
		n8n = await sharedN8n(version);
		scim = await ScimTestServer.start();
		await n8n.load({
			credentials: [
				{
					id: 'DemoScimTarget1',
					name: 'Demo SCIM app',
					type: 'scimTargetApi',
					data: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, timeoutMs: 10000 },
				},
				{
					id: 'ScimTriggerAuth1',
					name: 'SCIM Trigger token',
					type: 'scimTriggerAuthApi',
					data: { token: TRIGGER_TOKEN, allowBasic: false },
				},
			],
			workflows: [example, mappedExample, triggerExample, codeWorkflow],
		});
	}, 600000);

	afterAll(async () => {
		await n8n?.unload();
		await scim?.stop();
	});

	const post = async (body: object) => {
		const res = await fetch(`${n8n.url}/webhook/provision-user`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});
		return { status: res.status, json: (await res.json()) as any };
	};
	const hire = {
		employeeId: 'E42',
		firstName: 'Ada',
		lastName: 'Lovelace',
		email: 'ada@example.org',
		jobTitle: 'Analyst',
		department: 'Research',
	};

	test('n8n lists every node and credential of the package', async () => {
		const cookie = n8n.session;
		const nodes = (await fetch(`${n8n.url}/types/nodes.json`, { headers: { cookie } }).then((r) => r.json())) as Array<{ name: string }>;
		// A versioned node is listed once per version; usableAsTool nodes also get an AI tool variant.
		const ours = [...new Set(nodes.filter((n) => n.name.startsWith('n8n-nodes-provisioning.')).map((n) => n.name))].sort();
		const nodeNames = [
			'deprovisionUser',
			'deprovisionUserTool',
			'discoverAccounts',
			'discoverAccountsTool',
			'groupSync',
			'groupSyncTool',
			'mapAttributes',
			'provisionUser',
			'provisioningLog',
			'provisioningLogTool',
			'provisionUserTool',
			'scimStore',
			'scimStoreTool',
			'scimTrigger',
		];
		expect(ours).toEqual(nodeNames.map((n) => `n8n-nodes-provisioning.${n}`).sort());
		expect(
			nodes
				.filter((n) => n.name === 'n8n-nodes-provisioning.scimTrigger')
				.flatMap((n) => [(n as { version?: number | number[] }).version].flat()),
		).toEqual(expect.arrayContaining([1, 2]));
		const credentials = (await fetch(`${n8n.url}/types/credentials.json`, { headers: { cookie } }).then((r) => r.json())) as Array<{
			name: string;
		}>;
		const ourCredentials = ['ldapDirectoryApi', 'provisioningLogApi', 'scimTargetApi', 'scimTriggerAuthApi', 'sqlDatabaseApi'];
		expect(
			credentials
				.map((c) => c.name)
				.filter((n) => ourCredentials.includes(n))
				.sort(),
		).toEqual(ourCredentials);
	});

	test('n8n and its Code node run on the Node its engines ask for', async () => {
		expect(exe(n8n.pid)).toBe(realpathSync(n8n.runtime.node.bin));
		const res = await fetch(`${n8n.url}/webhook/code-node`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ n: 21 }),
		});
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ doubled: 42 });
		if (Number(version.split('.')[0]) >= 2) {
			const runner = children(n8n.pid).filter((c) => c.cmdline.includes('task-runner'));
			expect(runner).toHaveLength(1);
			expect(exe(runner[0].pid)).toBe(realpathSync(n8n.runtime.node.bin));
		}
	});

	test('the package loads and the example workflow creates, leaves alone, then updates an account', async () => {
		const created = await post(hire);
		expect(created.status).toBe(200);
		expect(created.json).toMatchObject({ action: 'Create', status: 'Success', targetSystem: 'scim' });
		const users = [...scim.store.users.values()];
		expect(users).toHaveLength(1);
		expect(users[0]).toMatchObject({
			userName: 'ada@example.org',
			externalId: 'E42',
			name: { givenName: 'Ada', familyName: 'Lovelace' },
			title: 'Analyst',
		});

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
			body: JSON.stringify({
				EmployeeID: 'W7',
				FirstName: 'Zoë',
				LastName: 'Saldaña',
				JobTitle: 'DATA ANALYST',
				Department: 'RND',
				Status: 'Active',
			}),
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

	describe('SCIM Trigger', () => {
		const base = () => `${n8n.url}/webhook/${triggerExample.nodes[0].webhookId}/scim/v2`;
		const scimCall = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
			const res = await fetch(`${base()}${path}`, {
				method,
				headers: {
					Authorization: `Bearer ${TRIGGER_TOKEN}`,
					...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }),
					...headers,
				},
				body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
			});
			const text = await res.text();
			return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
		};
		const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
		/** The shared conversations' call, over HTTP to real n8n. */
		const http: ScimCall = async (method, path, body, query = {}, headers = {}) => {
			const qs = new URLSearchParams(query as Record<string, string>).toString();
			const res = await scimCall(method, `${path}${qs ? `?${qs}` : ''}`, body, headers);
			return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body: res.body };
		};

		test('the full Entra conversation (users and groups) over HTTP', async () => {
			const id = await entraUserConversation(http, undefined, 'Full.Entra@contoso.com');
			await entraDelete(http, id);
			await entraGroupConversation(http, undefined, 'e2e');
		});

		test('the full Okta conversation (users and group push) over HTTP', async () => {
			await oktaUserConversation(http, 'oe2e');
			await oktaGroupConversation(http, 'oge2e');
		});

		test('a failing downstream workflow does not change what the IdP is told', async () => {
			scim.faults.push({ status: 503, times: 1000 });
			try {
				const res = await scimCall('POST', '/Users', { userName: 'downstream.down@example.org' });
				expect(res.status).toBe(201);
				expect((await scimCall('GET', `/Users/${res.body.id}`)).body.userName).toBe('downstream.down@example.org');
			} finally {
				scim.faults.length = 0;
			}
		});

		test('Entra: test connection, create, GET back, PATCH forms, disable; downstream workflow provisions and deprovisions', async () => {
			expect(await scimCall('GET', '/Users?filter=userName+eq+%2201234567-89ab-cdef-0123-456789abcdef%22')).toMatchObject({
				status: 200,
				body: { totalResults: 0, Resources: [] },
			});
			const created = await scimCall('POST', '/Users', {
				schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
				externalId: 'entra-1',
				userName: 'Grace@contoso.com',
				active: true,
				displayName: 'Grace Hopper',
				name: { givenName: 'Grace', familyName: 'Hopper' },
				emails: [{ primary: true, type: 'work', value: 'grace@contoso.com' }],
				[ENT]: { department: 'Navy' },
			});
			expect(created.status).toBe(201);
			expect(created.headers.get('location')).toBe(`${base()}/Users/${created.body.id}`);
			const id = created.body.id;
			expect((await scimCall('GET', `/Users/${id}`)).body).toMatchObject({ userName: 'Grace@contoso.com', displayName: 'Grace Hopper' });
			expect(
				(await scimCall('GET', `/Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "grace@contoso.com"')}`)).body
					.totalResults,
			).toBe(1);
			// The workflow received the event and provisioned the user into the downstream SCIM app.
			await eventually(
				() => [...scim.store.users.values()].some((u) => u.userName === 'Grace@contoso.com' && u.externalId === 'entra-1'),
				'the downstream workflow created Grace in the app',
			);

			expect(
				(
					await scimCall(
						'PATCH',
						`/Users/${id}`,
						PATCH([
							{ op: 'Replace', path: 'displayName', value: 'Rear Admiral Hopper' },
							{ op: 'Add', path: `${ENT}:manager`, value: 'boss' },
						]),
					)
				).status,
			).toBe(200);
			expect((await scimCall('GET', `/Users/${id}`)).body).toMatchObject({
				displayName: 'Rear Admiral Hopper',
				[ENT]: { manager: { value: 'boss' } },
			});
			await eventually(
				() => [...scim.store.users.values()].some((u) => u.displayName === 'Rear Admiral Hopper'),
				'the rename reached the app',
			);

			expect((await scimCall('PATCH', `/Users/${id}`, PATCH([{ op: 'Replace', path: 'active', value: 'False' }]))).body.active).toBe(false);
			await eventually(
				() => [...scim.store.users.values()].find((u) => u.userName === 'Grace@contoso.com')?.active === false,
				'the disable reached the app',
			);
		});

		test('Okta: create with a password never echoed, 409 on a duplicate, paged list', async () => {
			const created = await scimCall(
				'POST',
				'/Users',
				{
					schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
					userName: 'okta.e2e@example.org',
					password: 'Never-Echo-Pw-1!',
					active: true,
				},
				{ 'User-Agent': 'Okta SCIM Client 1.0.0' },
			);
			expect(created.status).toBe(201);
			expect(JSON.stringify(created.body)).not.toContain('Never-Echo-Pw-1!');
			const duplicate = await scimCall('POST', '/Users', { userName: 'OKTA.E2E@example.org' });
			expect(duplicate).toMatchObject({ status: 409, body: { scimType: 'uniqueness', status: '409' } });
			const page = await scimCall('GET', '/Users?startIndex=1&count=100');
			expect(page.body).toMatchObject({ startIndex: 1 });
			expect(page.body.totalResults).toBeGreaterThanOrEqual(2);
		});

		test('bad input: wrong token, wrong content type, malformed JSON, oversized body', async () => {
			const wrong = await scimCall('GET', '/Users', undefined, { Authorization: 'Bearer nope' });
			expect(wrong).toMatchObject({ status: 401, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' } });
			expect(wrong.headers.get('www-authenticate')).toMatch(/Bearer/);
			expect((await scimCall('POST', '/Users', '<user/>', { 'Content-Type': 'application/xml' })).status).toBe(415);
			expect(await scimCall('POST', '/Users', '{"userName": ')).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
			expect((await scimCall('POST', '/Users', { userName: 'big', title: 'x'.repeat(1100 * 1024) })).status).toBe(413);
			expect((await scimCall('GET', `/Users?filter=${encodeURIComponent('userName xx "a"')}`)).body.scimType).toBe('invalidFilter');
		});

		test('50 concurrent writers lose no update', async () => {
			const gid = (await scimCall('POST', '/Groups', { displayName: 'Concurrent', members: [] })).body.id;
			const users = await Promise.all(
				Array.from({ length: 50 }, (_, i) => scimCall('POST', '/Users', { userName: `conc${i}@example.org` })),
			);
			expect(users.every((u) => u.status === 201)).toBe(true);
			const adds = await Promise.all(
				users.map((u) => scimCall('PATCH', `/Groups/${gid}`, PATCH([{ op: 'add', path: 'members', value: [{ value: u.body.id }] }]))),
			);
			expect(adds.every((a) => a.status === 204)).toBe(true);
			expect((await scimCall('GET', `/Groups/${gid}`)).body.members).toHaveLength(50);
		});

		test('restarting n8n keeps every user and group', async () => {
			const before = (await scimCall('GET', '/Users?count=1000')).body;
			const groups = (await scimCall('GET', '/Groups')).body.totalResults;
			await n8n.restart();
			const after = (await scimCall('GET', '/Users?count=1000')).body;
			expect(after.totalResults).toBe(before.totalResults);
			expect(after.Resources.map((r: any) => r.id).sort()).toEqual(before.Resources.map((r: any) => r.id).sort());
			expect((await scimCall('GET', '/Groups')).body.totalResults).toBe(groups);
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
