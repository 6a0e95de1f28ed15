/**
 * The SCIM Trigger in real n8n (1.123.81, SQLite), same run:
 * - lookup GETs with 10,000 users in the store vs a minimal trigger answering without an execution (it reads the
 *   same credential and checks the token: that is n8n's per-request cost for any authenticated endpoint);
 * - sustained create+PATCH throughput vs a Webhook-node workflow (header auth, same token) starting the same downstream, counted until
 *   every execution has reached the downstream (a local counter), not just until the answers came back;
 * - latency percentiles at Entra's 25 requests/s.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileIdentityStore } from '../lib/store/fileIdentityStore';
import { ensureRuntime, importAndActivate, installPackage, LATEST_N8N_1, packPackage, ROOT, startN8n } from '../scripts/lib/n8nInstance';
import { freePort } from '../test/servers/ports';

const TOKEN = 'bench-scim-trigger-token-0123456789';
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

function send(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string; ms: number }> {
	const started = performance.now();
	return new Promise((resolve, reject) => {
		const data = body === undefined ? undefined : JSON.stringify(body);
		const req = request(url, { method, agent, headers: { Authorization: `Bearer ${TOKEN}`, ...(data ? { 'Content-Type': 'application/scim+json', 'Content-Length': Buffer.byteLength(data) } : {}), ...headers } }, (res) => {
			let text = '';
			res.on('data', (c) => (text += c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, ms: performance.now() - started }));
		});
		req.on('error', reject);
		if (data) req.write(data);
		req.end();
	});
}

/** n requests, `concurrency` in flight; returns requests per second. */
async function load(n: number, concurrency: number, make: (i: number) => Promise<{ status: number }>): Promise<number> {
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < n) {
				const i = next++;
				const res = await make(i);
				if (res.status >= 400) throw new Error(`request ${i} answered ${res.status}`);
			}
		}),
	);
	return n / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

export async function benchScimTrigger(): Promise<void> {
	const version = process.env.N8N_VERSION ?? LATEST_N8N_1;
	const users = Number(process.env.BENCH_TRIGGER_USERS ?? 10000);
	const runtime = await ensureRuntime(version);
	const work = mkdtempSync(join(tmpdir(), 'bench-trigger-'));
	const userFolder = join(work, 'home');
	let counted = 0;
	const counter: Server = createServer((req, res) => {
		counted++;
		req.resume();
		res.end('{}');
	});
	const counterPort = await freePort();
	await new Promise<void>((r) => counter.listen(counterPort, '127.0.0.1', () => r()));
	try {
		installPackage(userFolder, packPackage(join(work, 'pack')));
		const minimal = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: join(ROOT, 'bench', 'fixtures', 'minimal-trigger'), encoding: 'utf8' }).trim().split('\n').pop()!;
		installPackage(userFolder, join(work, minimal));

		const downstream = (id: string, x: number) => ({
			id,
			name: 'Count',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [x, 0],
			parameters: { method: 'POST', url: `http://127.0.0.1:${counterPort}/count`, options: {} },
		});
		const scimWorkflow = {
			id: 'BenchScimTrigger1',
			name: 'bench scim trigger',
			nodes: [
				{ id: 'st', name: 'SCIM Trigger', type: 'n8n-nodes-provisioning.scimTrigger', typeVersion: 1, position: [0, 0], webhookId: '11111111-2222-4333-8444-555555555555', parameters: { options: { maxResults: 100 } }, credentials: { scimTriggerAuthApi: { id: 'BenchAuth1', name: 'bench' } } },
				downstream('c1', 300),
			],
			connections: { 'SCIM Trigger': { main: [[{ node: 'Count', type: 'main', index: 0 }], [{ node: 'Count', type: 'main', index: 0 }], [{ node: 'Count', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none' },
		};
		const webhookWorkflow = {
			id: 'BenchWebhook1',
			name: 'bench webhook',
			nodes: [
				// Authenticated, as any SCIM endpoint must be: header auth with the same bearer token.
				{ id: 'wh', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: '66666666-7777-4888-8999-000000000000', parameters: { httpMethod: 'POST', path: 'bench-hook', authentication: 'headerAuth', responseMode: 'onReceived', options: {} }, credentials: { httpHeaderAuth: { id: 'BenchHeader1', name: 'bench header' } } },
				downstream('c2', 300),
			],
			connections: { Webhook: { main: [[{ node: 'Count', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none' },
		};
		const minimalWorkflow = {
			id: 'BenchMinimal1',
			name: 'bench minimal',
			nodes: [{ id: 'mt', name: 'Minimal', type: 'n8n-nodes-bench-minimal.minimalTrigger', typeVersion: 1, position: [0, 0], webhookId: '99999999-8888-4777-8666-555555555555', parameters: {}, credentials: { scimTriggerAuthApi: { id: 'BenchAuth1', name: 'bench' } } }],
			connections: {},
			settings: { executionOrder: 'v1' },
		};
		const port = await freePort();
		const options = { userFolder, port, brokerPort: await freePort() };
		importAndActivate(
			runtime,
			options,
			[
				{ id: 'BenchAuth1', name: 'bench', type: 'scimTriggerAuthApi', data: { token: TOKEN } },
				{ id: 'BenchHeader1', name: 'bench header', type: 'httpHeaderAuth', data: { name: 'Authorization', value: `Bearer ${TOKEN}` } },
			],
			[scimWorkflow, webhookWorkflow, minimalWorkflow],
		);

		// 10,000 users already in the trigger's store, written through the store itself.
		const store = new FileIdentityStore(join(userFolder, '.n8n', 'n8n-nodes-provisioning', 'scim-trigger', 'BenchScimTrigger1-st'));
		for (let i = 0; i < users; i++) await store.create('User', { userName: `user${i}@bench.example`, externalId: `B${i}`, active: true });
		await store.close();

		const n8n = await startN8n(runtime, options);
		try {
			const scim = `${n8n.url}/webhook/11111111-2222-4333-8444-555555555555/scim/v2`;
			const minimalUrl = `${n8n.url}/webhook/99999999-8888-4777-8666-555555555555/scim/v2/Users`;
			const lookup = (i: number) => send(`${scim}/Users?filter=${encodeURIComponent(`userName eq "user${(i * 7919) % users}@bench.example"`)}`, 'GET');
			const check = await lookup(1);
			if (!JSON.parse(check.body).totalResults) throw new Error(`the store was not loaded: ${check.body}`);

			// Lookups: alternate the two, median of three rounds each.
			const ours: number[] = [];
			const base: number[] = [];
			for (let round = 0; round < 3; round++) {
				base.push(await load(1500, 8, () => send(minimalUrl, 'GET')));
				ours.push(await load(1500, 8, lookup));
			}
			const lookupRatio = median(ours) / median(base);

			// Sustained writes: answers plus every execution reaching the downstream counter.
			const drain = async (n: number, make: (i: number) => Promise<{ status: number }>) => {
				counted = 0;
				const started = performance.now();
				await load(n, 8, make);
				while (counted < n) await new Promise((r) => setTimeout(r, 20));
				return n / ((performance.now() - started) / 1000);
			};
			const writes = Number(process.env.BENCH_TRIGGER_WRITES ?? 600);
			const created: string[] = [];
			const oursWrites = await drain(writes, async (i) => {
				if (i % 2 === 0 || created.length === 0) {
					const res = await send(`${scim}/Users`, 'POST', { userName: `w${i}@bench.example`, active: true });
					created.push(JSON.parse(res.body).id);
					return res;
				}
				return send(`${scim}/Users/${created[i % created.length]}`, 'PATCH', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: `t${i}` }] });
			});
			const webhookWrites = await drain(writes, (i) => send(`${n8n.url}/webhook/bench-hook`, 'POST', { userName: `w${i}@bench.example` }));

			// Entra's pace: 25 requests per second for 10 seconds, a mix of lookups, creates and PATCHes.
			const latencies: number[] = [];
			const paced: Array<Promise<void>> = [];
			for (let i = 0; i < 250; i++) {
				paced.push(
					(async () => {
						await new Promise((r) => setTimeout(r, i * 40));
						const res = i % 3 === 0 ? await send(`${scim}/Users`, 'POST', { userName: `p${i}@bench.example` }) : i % 3 === 1 ? await lookup(i) : await send(`${scim}/Users/${created[i % created.length]}`, 'PATCH', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: `p${i}` }] });
						latencies.push(res.ms);
					})(),
				);
			}
			await Promise.all(paced);

			console.log(`SCIM Trigger in real n8n ${version}, ${users} users in the store`);
			console.log(`  lookups: minimal trigger ${median(base).toFixed(0)} req/s, SCIM Trigger ${median(ours).toFixed(0)} req/s → ${lookupRatio.toFixed(2)}x (goal >= 0.85x)`);
			console.log(`  sustained writes (until drained): Webhook node ${webhookWrites.toFixed(0)}/s, SCIM Trigger ${oursWrites.toFixed(0)}/s → ${(oursWrites / webhookWrites).toFixed(2)}x (goal >= 0.9x)`);
			console.log(`  at 25 requests/s: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`);
		} finally {
			await n8n.stop();
		}
	} finally {
		counter.close();
		agent.destroy();
		rmSync(work, { recursive: true, force: true });
	}
}
