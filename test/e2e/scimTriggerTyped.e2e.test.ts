/**
 * The SCIM Trigger's node version 2 in real n8n (issue 10): every SCIM path shape reaches the trigger through its
 * nine webhook entries, typed validation answers 400 over HTTP, and a password changed by PATCH reaches the workflow
 * (Forward Passwords on) while never being stored or returned. Events are captured by an HTTP Request node posting
 * each item to a local server.
 */
import { createServer, type Server } from 'node:http';
import { eventuallyFind } from '../harness/eventually';
import { sharedN8n, type SharedN8n } from '../harness/e2e/sharedN8n';
import { E2E_N8N_VERSIONS } from '../harness/runtimes';
import { freePort } from '../../dev/ports';
import {
	entraDelete,
	entraGroupConversation,
	entraUserConversation,
	oktaGroupConversation,
	oktaUserConversation,
	type ScimCall,
} from '../harness/scimConversations';

const VERSIONS = E2E_N8N_VERSIONS;
const TOKEN = 'e2e-typed-trigger-token-0123456789abcdef';
const WEBHOOK_ID = '0c1d2e3f-4a5b-4c6d-8e7f-901234567890';
const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

describe.each(VERSIONS)('SCIM Trigger version 2 in real n8n %s', (version) => {
	let n8n: SharedN8n;
	let capture: Server;
	const events: any[] = [];

	beforeAll(async () => {
		n8n = await sharedN8n(version);
		capture = createServer((req, res) => {
			let text = '';
			req.on('data', (c) => (text += c));
			req.on('end', () => {
				events.push(JSON.parse(text));
				res.end('{}');
			});
		});
		const capturePort = await freePort();
		await new Promise<void>((r) => capture.listen(capturePort, '127.0.0.1', () => r()));
		const forward = {
			id: 'fw',
			name: 'Capture',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [300, 0],
			parameters: {
				method: 'POST',
				url: `http://127.0.0.1:${capturePort}/event`,
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify($json) }}',
				options: {},
			},
		};
		const workflow = {
			id: 'TypedTrigger1',
			name: 'SCIM Trigger v2 typed',
			nodes: [
				{
					id: 'st',
					name: 'SCIM Trigger',
					type: 'n8n-nodes-provisioning.scimTrigger',
					typeVersion: 2,
					position: [0, 0],
					webhookId: WEBHOOK_ID,
					parameters: { options: { forwardPasswords: true } },
					credentials: { scimTriggerAuthApi: { id: 'TypedAuth1', name: 'typed' } },
				},
				forward,
			],
			connections: {
				'SCIM Trigger': {
					main: [
						[{ node: 'Capture', type: 'main', index: 0 }],
						[{ node: 'Capture', type: 'main', index: 0 }],
						[{ node: 'Capture', type: 'main', index: 0 }],
					],
				},
			},
			settings: { executionOrder: 'v1' },
		};
		await n8n.load({
			credentials: [{ id: 'TypedAuth1', name: 'typed', type: 'scimTriggerAuthApi', data: { token: TOKEN } }],
			workflows: [workflow],
		});
	}, 600000);

	afterAll(async () => {
		await n8n?.unload();
		capture?.close();
	});

	const call: ScimCall = async (method, path, body, query = {}, headers = {}) => {
		const qs = new URLSearchParams(query as Record<string, string>).toString();
		const res = await fetch(`${n8n.url}/webhook/${WEBHOOK_ID}/scim/v2${path}${qs ? `?${qs}` : ''}`, {
			method,
			headers: { Authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }), ...headers },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body: text ? JSON.parse(text) : undefined };
	};

	test('n8n knows both versions of the node, version 2 the default', async () => {
		const cookie = n8n.session;
		const nodes = (await fetch(`${n8n.url}/types/nodes.json`, { headers: { cookie } }).then((r) => r.json())) as Array<{
			name: string;
			version: number | number[];
			defaultVersion?: number;
		}>;
		// n8n lists a versioned node once per version.
		const trigger = nodes.filter((n) => n.name === 'n8n-nodes-provisioning.scimTrigger');
		expect(trigger.flatMap((n) => n.version).sort()).toEqual([1, 2]);
		expect(trigger.every((n) => n.defaultVersion === 2)).toBe(true);
	});

	test('every path shape through the nine webhook entries: the Entra and Okta conversations, discovery by id, searches', async () => {
		const id = await entraUserConversation(call, undefined, 'Typed.Entra@contoso.com');
		await entraDelete(call, id);
		await entraGroupConversation(call, undefined, 'typed');
		await oktaUserConversation(call, 'typedokta');
		await oktaGroupConversation(call, 'typedog');
		expect((await call('GET', '/ResourceTypes/User')).body).toMatchObject({ id: 'User', endpoint: '/Users' });
		expect((await call('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group')).body.attributes.map((a: any) => a.name)).toEqual([
			'displayName',
			'members',
		]);
		const search = await call('POST', '/Users/.search', { filter: 'userName sw "typedokta1"', count: 5 });
		expect([search.status, search.body.totalResults]).toEqual([200, 61]);
		expect((await call('POST', '/Groups/.search', { filter: 'displayName eq "nothing"' })).body.totalResults).toBe(0);
		expect((await call('POST', '/.search', { filter: 'userName eq "typedokta7@okta.example"' })).body.totalResults).toBe(1);
		expect((await call('GET', '/ServiceProviderConfig')).body.patch.supported).toBe(true);
		expect((await call('PUT', '/ServiceProviderConfig', {})).status).toBe(405);
		expect((await call('PUT', '/ResourceTypes/User', {})).status).toBe(405);
		// Bulk (issue 20): an empty body is not a BulkRequest; an upload's status is read through the dynamic entry.
		expect((await call('POST', '/Bulk', {})).status).toBe(400);
		expect((await call('POST', '/bulkUpload', {})).status).toBe(400);
		expect((await call('GET', '/bulkUpload/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e')).status).toBe(404);
		expect((await call('GET', '/Users/not-an-id')).status).toBe(404);
		expect((await call('GET', '/Users/.search')).status).toBe(405);
	});

	test('typed validation over HTTP: mistyped attributes are 400 invalidValue naming them, legacy string booleans are normalised', async () => {
		for (const [body, name] of [
			[{ userName: 'x@typed', emails: 'x@y' }, 'emails'],
			[{ userName: 'y@typed', active: 'maybe' }, 'active'],
			[{ userName: 'z@typed', name: { givenName: 7 } }, 'name.givenName'],
		] as const) {
			const res = await call('POST', '/Users', body);
			expect([res.status, res.body.scimType]).toEqual([400, 'invalidValue']);
			expect(res.body.detail).toContain(`"${name}"`);
		}
		expect((await call('GET', '/Users', undefined, { filter: 'userName ew "@typed"' })).body.totalResults).toBe(0);
		const created = await call('POST', '/Users', {
			userName: 'bool@typed',
			active: 'False',
			emails: [{ value: 'b@typed', primary: 'True' }],
		});
		expect(created.status).toBe(201);
		expect([created.body.active, created.body.emails[0].primary]).toEqual([false, true]);
		const patched = await call(
			'PATCH',
			`/Users/${created.body.id}`,
			PATCH([{ op: 'replace', path: 'emails[value eq "b@typed"].primary', value: 'maybe' }]),
		);
		expect([patched.status, patched.body.scimType]).toEqual([400, 'invalidValue']);
	});

	test('a password changed by PATCH reaches the workflow with Forward Passwords on, and is never stored or returned', async () => {
		const created = await call('POST', '/Users', { userName: 'pw@typed', password: 'First-Pw-1!' });
		expect(created.status).toBe(201);
		const id = created.body.id;
		const patched = await call(
			'PATCH',
			`/Users/${id}`,
			PATCH([{ op: 'replace', value: { password: 'Synced-Pw-2!' } }]),
			{},
			{ 'User-Agent': 'Okta SCIM Client 1.0.0' },
		);
		expect(patched.status).toBe(200);
		expect(JSON.stringify(patched.body)).not.toContain('Pw-');
		const event = await eventuallyFind(
			() => events.find((e) => e.resourceId === id && e.event === 'user.updated'),
			'the event reached the workflow',
		);
		expect(event).toMatchObject({
			changedAttributes: ['password'],
			resource: { userName: 'pw@typed', password: 'Synced-Pw-2!' },
			request: { method: 'PATCH', client: 'Okta SCIM Client 1.0.0' },
		});
		expect(event.before.password).toBeUndefined();
		expect(JSON.stringify((await call('GET', `/Users/${id}`)).body)).not.toContain('Pw-');
	});
});
