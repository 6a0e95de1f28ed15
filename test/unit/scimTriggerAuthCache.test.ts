/**
 * The SCIM Trigger reads its credential once every few seconds per node, not on every request: on n8n 2.x (its
 * default expression engine, "vm") every credential read in a webhook builds and disposes a V8 isolate, about 60 ms
 * of CPU, as much as the rest of a write. A token that does not match the kept copy is checked against a fresh read,
 * so a new token works at once. Driven through the node's webhook() with a stand-in for n8n's webhook context.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject, INodeType, IWebhookFunctions } from 'n8n-workflow';
import { AuthCache } from '../../lib/scim/server/authCache';
import { ScimTrigger } from '../../nodes/ScimTrigger/ScimTrigger.node';

const TOKEN_A = 'auth-cache-token-A-7f3Kq9Lm2Zx8Rt4W';
const TOKEN_B = 'auth-cache-token-B-Vb6Np1Jd5Hs0Yc3E';

let dir: string;
const saved = { folder: process.env.N8N_USER_FOLDER, key: process.env.N8N_ENCRYPTION_KEY };
beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'trigger-auth-cache-'));
	process.env.N8N_USER_FOLDER = dir;
	process.env.N8N_ENCRYPTION_KEY = 'trigger-auth-cache-test-key';
});
afterAll(() => {
	rmSync(dir, { recursive: true, force: true });
	for (const [name, value] of [
		['N8N_USER_FOLDER', saved.folder],
		['N8N_ENCRYPTION_KEY', saved.key],
	] as const)
		if (value === undefined) delete process.env[name];
		else process.env[name] = value;
});

/** One trigger node in n8n: its credential (changeable), and a count of how often the node read it. */
function triggerNode(nodeId: string, version = 2) {
	const state = { token: TOKEN_A, reads: 0 };
	const node = new ScimTrigger().nodeVersions[version] as INodeType;
	const request = async (token: string) => {
		const response = { statusCode: 0, headers: {} as Record<string, unknown>, body: '' };
		const ctx = {
			getCredentials: async () => {
				state.reads++;
				return { token: state.token, allowBasic: false } as IDataObject;
			},
			getNode: () => ({
				id: nodeId,
				name: 'SCIM Trigger',
				type: 'n8n-nodes-provisioning.scimTrigger',
				typeVersion: version,
				webhookId: `${nodeId}-hook`,
				parameters: { options: {} },
				credentials: { scimTriggerAuthApi: { id: 'cred1', name: 'auth' } },
			}),
			getWorkflow: () => ({ id: 'wfAuthCache', active: true }),
			getNodeParameter: () => ({}),
			getNodeWebhookUrl: () => `http://127.0.0.1/webhook/${nodeId}-hook/scim/v2/Users`,
			getRequestObject: () => ({
				method: 'GET',
				path: `/webhook/${nodeId}-hook/scim/v2/Users`,
				headers: { authorization: `Bearer ${token}` },
				query: {},
			}),
			getResponseObject: () => ({
				set statusCode(status: number) {
					response.statusCode = status;
				},
				setHeader: (name: string, value: unknown) => (response.headers[name] = value),
				end: (body?: string) => (response.body = body ?? ''),
			}),
			logger: { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined },
		} as unknown as IWebhookFunctions;
		await node.webhook!.call(ctx);
		return response.statusCode;
	};
	return { state, request };
}

test.each([1, 2])('version %s reads its credential once for many requests in a row', async (version) => {
	const trigger = triggerNode(`many${version}`, version);
	for (let i = 0; i < 5; i++) expect(await trigger.request(TOKEN_A)).toBe(200);
	expect(trigger.state.reads).toBe(1);
	expect(await trigger.request('not-the-token')).toBe(401);
});

test('a new token works at once, and the old one stops once the new one was seen', async () => {
	const trigger = triggerNode('rotate');
	expect(await trigger.request(TOKEN_A)).toBe(200);
	trigger.state.token = TOKEN_B;
	expect(await trigger.request(TOKEN_B)).toBe(200);
	expect(trigger.state.reads).toBe(2);
	expect(await trigger.request(TOKEN_A)).toBe(401);
	expect(await trigger.request(TOKEN_B)).toBe(200);
});

test('each trigger node reads its own credential', async () => {
	const one = triggerNode('first');
	const two = triggerNode('second');
	two.state.token = TOKEN_B;
	expect(await one.request(TOKEN_A)).toBe(200);
	expect(await two.request(TOKEN_A)).toBe(401);
	expect(await two.request(TOKEN_B)).toBe(200);
	expect(await one.request(TOKEN_B)).toBe(401);
});

describe('AuthCache (lib/scim/server/authCache.ts)', () => {
	const auth = (token: string) => ({ token });

	test('keeps a read for keepMs, then reads again; a failed read keeps nothing', async () => {
		let now = 1000;
		const cache = new AuthCache(5000, () => now);
		let reads = 0;
		const read = async () => auth(`t${++reads}`);
		expect(await cache.get('k', read)).toEqual({ auth: auth('t1'), kept: false });
		now += 4999;
		expect(await cache.get('k', read)).toEqual({ auth: auth('t1'), kept: true });
		now += 1;
		expect(await cache.get('k', read)).toEqual({ auth: auth('t2'), kept: false });
		now += 5000;
		await expect(cache.get('k', () => Promise.reject(new Error('credential deleted')))).rejects.toThrow('credential deleted');
		expect(await cache.get('k', read)).toEqual({ auth: auth('t3'), kept: false });
	});

	test('keys are apart, and expired keys are dropped when another is kept', async () => {
		let now = 0;
		const cache = new AuthCache(10, () => now);
		await cache.get('a', async () => auth('A'));
		await cache.get('b', async () => auth('B'));
		expect((await cache.get('a', async () => auth('x'))).auth).toEqual(auth('A'));
		now = 20;
		await cache.refresh('c', async () => auth('C'));
		expect((cache as unknown as { entries: Map<string, unknown> }).entries.size).toBe(1);
	});
});
