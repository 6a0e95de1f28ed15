/**
 * The SCIM Trigger in real n8n (1.123.81, SQLite), same run:
 * - lookup GETs with 10,000 users in the store vs a minimal trigger answering without an execution (it reads the
 *   same credential and checks the token: that is n8n's per-request cost for any authenticated endpoint);
 * - sustained create+PATCH throughput vs a Webhook-node workflow (header auth, same token) starting the same downstream, counted until
 *   every execution has reached the downstream (a local counter), not just until the answers came back;
 * - latency percentiles at Entra's 25 requests/s.
 * Each ratio is measured in BENCH_TRIGGER_ROUNDS rounds (default 5) that alternate baseline and SCIM Trigger (the
 * order swapped every round), and reported as the median and range of the per-round ratios.
 * The trigger is the node's current version (2); BENCH_TRIGGER_VERSION=1 measures version 1 (13 webhook entries).
 * BENCH_TRIGGER_WRITES and BENCH_TRIGGER_LOOKUPS are the requests per side and round (600, 1500): n8n 2.x, whose
 * default expression engine builds a V8 isolate several times a request, needs about ten times the CPU a request, so
 * use 150 each there. A phase that exceeds BENCH_PHASE_LIMIT_S (180) fails, saying how far it got.
 * `startTriggerBench` is shared with the CPU profile (triggerProfile.bench.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileIdentityStore } from '../lib/store/fileIdentityStore';
import {
	ensureRuntime,
	importAndActivate,
	installPackage,
	LATEST_N8N_1,
	packPackage,
	ROOT,
	type RunningN8n,
	startN8n,
} from '../dev/n8n/instance';
import { freePort } from '../dev/ports';

const TOKEN = 'bench-scim-trigger-token-0123456789';
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export function send(
	url: string,
	method: string,
	body?: unknown,
	headers: Record<string, string> = {},
): Promise<{ status: number; body: string; ms: number }> {
	const started = performance.now();
	return new Promise((resolve, reject) => {
		const data = body === undefined ? undefined : JSON.stringify(body);
		const req = request(
			url,
			{
				method,
				agent,
				headers: {
					Authorization: `Bearer ${TOKEN}`,
					...(data ? { 'Content-Type': 'application/scim+json', 'Content-Length': Buffer.byteLength(data) } : {}),
					...headers,
				},
			},
			(res) => {
				let text = '';
				res.on('data', (c) => (text += c));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, ms: performance.now() - started }));
			},
		);
		req.on('error', reject);
		if (data) req.write(data);
		req.end();
	});
}

/** n requests, `concurrency` in flight, within the phase limit; returns requests per second. */
export async function load(n: number, concurrency: number, make: (i: number) => Promise<{ status: number }>): Promise<number> {
	let next = 0;
	let answered = 0;
	const started = performance.now();
	const run = (expired: () => boolean) =>
		Promise.all(
			Array.from({ length: concurrency }, async () => {
				while (next < n && !expired()) {
					const i = next++;
					const res = await make(i);
					answered++;
					if (res.status >= 400) throw new Error(`request ${i} answered ${res.status}`);
				}
			}),
		);
	await withinLimit(`${n} requests`, run, () => `${answered} answered`);
	return n / ((performance.now() - started) / 1000);
}

/** Each phase's limit (BENCH_PHASE_LIMIT_S, default 180 s): a phase that takes longer fails with what it reached instead of hanging. */
const PHASE_LIMIT_MS = Number(process.env.BENCH_PHASE_LIMIT_S ?? 180) * 1000;

/** Runs one phase; past the limit it fails, saying how far it got (`progress`) and what n8n logged last. */
export async function withinLimit<T>(
	what: string,
	run: (expired: () => boolean) => Promise<T>,
	progress: () => string,
	log?: () => string,
): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	let expired = false;
	const limit = new Promise<never>((_, reject) => {
		timer = setTimeout(() => {
			expired = true;
			const tail = log ? `\nn8n's last output:\n${log().slice(-2000)}` : '';
			reject(new Error(`${what} did not finish within ${PHASE_LIMIT_MS / 1000} s: ${progress()}${tail}`));
		}, PHASE_LIMIT_MS);
	});
	try {
		return await Promise.race([run(() => expired), limit]);
	} finally {
		clearTimeout(timer);
	}
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

export interface TriggerBench {
	n8n: RunningN8n;
	users: number;
	scim: string;
	minimalUrl: string;
	webhookUrl: string;
	lookup: (i: number) => Promise<{ status: number; body: string; ms: number }>;
	/** CPU time (user + system) the n8n process has used so far, in ms: a measure other processes' load barely moves. */
	cpuMs: () => number;
	/** Creates and PATCHes in turn, until every execution reached the downstream counter; returns writes per second. */
	scimWrites: (n: number, tag: string) => Promise<number>;
	webhookWrites: (n: number, tag: string) => Promise<number>;
	close: () => Promise<void>;
}

/** Real n8n with the SCIM Trigger (users already in its store), a minimal trigger and a Webhook node, all active. */
export async function startTriggerBench(options: { extraEnv?: Record<string, string> } = {}): Promise<TriggerBench> {
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
	const cleanUp = () => {
		counter.close();
		rmSync(work, { recursive: true, force: true });
	};
	try {
		installPackage(userFolder, packPackage());
		const minimal = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
			cwd: join(ROOT, 'bench', 'fixtures', 'minimal-trigger'),
			encoding: 'utf8',
		})
			.trim()
			.split('\n')
			.pop()!;
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
				{
					id: 'st',
					name: 'SCIM Trigger',
					type: 'n8n-nodes-provisioning.scimTrigger',
					typeVersion: Number(process.env.BENCH_TRIGGER_VERSION ?? 2),
					position: [0, 0],
					webhookId: '11111111-2222-4333-8444-555555555555',
					parameters: { options: { maxResults: 100 } },
					credentials: { scimTriggerAuthApi: { id: 'BenchAuth1', name: 'bench' } },
				},
				downstream('c1', 300),
			],
			connections: {
				'SCIM Trigger': {
					main: [
						[{ node: 'Count', type: 'main', index: 0 }],
						[{ node: 'Count', type: 'main', index: 0 }],
						[{ node: 'Count', type: 'main', index: 0 }],
					],
				},
			},
			settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none' },
		};
		const webhookWorkflow = {
			id: 'BenchWebhook1',
			name: 'bench webhook',
			nodes: [
				// Authenticated, as any SCIM endpoint must be: header auth with the same bearer token.
				{
					id: 'wh',
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: '66666666-7777-4888-8999-000000000000',
					parameters: { httpMethod: 'POST', path: 'bench-hook', authentication: 'headerAuth', responseMode: 'onReceived', options: {} },
					credentials: { httpHeaderAuth: { id: 'BenchHeader1', name: 'bench header' } },
				},
				downstream('c2', 300),
			],
			connections: { Webhook: { main: [[{ node: 'Count', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none' },
		};
		const minimalWorkflow = {
			id: 'BenchMinimal1',
			name: 'bench minimal',
			nodes: [
				{
					id: 'mt',
					name: 'Minimal',
					type: 'n8n-nodes-bench-minimal.minimalTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId: '99999999-8888-4777-8666-555555555555',
					parameters: {},
					credentials: { scimTriggerAuthApi: { id: 'BenchAuth1', name: 'bench' } },
				},
			],
			connections: {},
			settings: { executionOrder: 'v1' },
		};
		const port = await freePort();
		const n8nOptions = { userFolder, port, brokerPort: await freePort(), extraEnv: options.extraEnv };
		await importAndActivate(
			runtime,
			n8nOptions,
			[
				{ id: 'BenchAuth1', name: 'bench', type: 'scimTriggerAuthApi', data: { token: TOKEN } },
				{ id: 'BenchHeader1', name: 'bench header', type: 'httpHeaderAuth', data: { name: 'Authorization', value: `Bearer ${TOKEN}` } },
			],
			[scimWorkflow, webhookWorkflow, minimalWorkflow],
		);

		// The users already in the trigger's store, written through the store itself.
		const store = new FileIdentityStore(join(userFolder, '.n8n', 'n8n-nodes-provisioning', 'scim-trigger', 'BenchScimTrigger1-st'));
		for (let i = 0; i < users; i++) await store.create('User', { userName: `user${i}@bench.example`, externalId: `B${i}`, active: true });
		await store.close();

		const n8n = await startN8n(runtime, n8nOptions);
		const scim = `${n8n.url}/webhook/11111111-2222-4333-8444-555555555555/scim/v2`;
		const lookup = (i: number) =>
			send(`${scim}/Users?filter=${encodeURIComponent(`userName eq "user${(i * 7919) % users}@bench.example"`)}`, 'GET');
		const check = await lookup(1);
		if (!JSON.parse(check.body).totalResults) throw new Error(`the store was not loaded: ${check.body}`);

		const drain = async (n: number, make: (i: number) => Promise<{ status: number }>) => {
			counted = 0;
			const started = performance.now();
			await load(n, 8, make);
			await withinLimit(
				`${n} executions reaching the downstream`,
				async (expired) => {
					while (counted < n && !expired()) await new Promise((r) => setTimeout(r, 20));
				},
				() => `${counted} reached it`,
				n8n.log,
			);
			return n / ((performance.now() - started) / 1000);
		};
		const created: string[] = [];
		return {
			n8n,
			users,
			scim,
			minimalUrl: `${n8n.url}/webhook/99999999-8888-4777-8666-555555555555/scim/v2/Users`,
			webhookUrl: `${n8n.url}/webhook/bench-hook`,
			lookup,
			cpuMs: () => {
				// /proc/<pid>/stat: utime and stime (fields 14 and 15) in clock ticks of 10 ms.
				const fields = readFileSync(`/proc/${n8n.process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
				return (Number(fields[11]) + Number(fields[12])) * 10;
			},
			scimWrites: (n, tag) =>
				drain(n, async (i) => {
					if (i % 2 === 0 || created.length === 0) {
						const res = await send(`${scim}/Users`, 'POST', { userName: `w${tag}-${i}@bench.example`, active: true });
						created.push(JSON.parse(res.body).id);
						return res;
					}
					return send(`${scim}/Users/${created[i % created.length]}`, 'PATCH', {
						schemas: [PATCH_OP],
						Operations: [{ op: 'replace', path: 'title', value: `t${tag}-${i}` }],
					});
				}),
			webhookWrites: (n, tag) => drain(n, (i) => send(`${n8n.url}/webhook/bench-hook`, 'POST', { userName: `w${tag}-${i}@bench.example` })),
			close: async () => {
				await n8n.stop();
				agent.destroy();
				cleanUp();
			},
		};
	} catch (error) {
		cleanUp();
		throw error;
	}
}

export async function benchScimTrigger(): Promise<void> {
	const rounds = Number(process.env.BENCH_TRIGGER_ROUNDS ?? 5);
	const writes = Number(process.env.BENCH_TRIGGER_WRITES ?? 600);
	const reads = Number(process.env.BENCH_TRIGGER_LOOKUPS ?? 1500);
	const bench = await startTriggerBench();
	try {
		const lookupRatios: number[] = [];
		const writeRatios: number[] = [];
		const cpuLookupRatios: number[] = [];
		const cpuWriteRatios: number[] = [];
		const rates = { minimal: [] as number[], lookups: [] as number[], webhook: [] as number[], writes: [] as number[] };
		const cpu = { minimal: [] as number[], lookups: [] as number[], webhook: [] as number[], writes: [] as number[] };
		/** Runs one side: its rate, and the n8n process's CPU milliseconds per request meanwhile. */
		const measure = async (side: keyof typeof rates, n: number, run: () => Promise<number>) => {
			const before = bench.cpuMs();
			rates[side].push(await run());
			cpu[side].push((bench.cpuMs() - before) / n);
		};
		// Unmeasured warm-up of every path (JIT, caches), so the side that goes first in round 1 is not penalised.
		const warm = Math.min(50, writes, reads);
		await load(warm, 8, bench.lookup);
		await load(warm, 8, () => send(bench.minimalUrl, 'GET'));
		await bench.scimWrites(warm, 'warm');
		await bench.webhookWrites(warm, 'warm');
		for (let round = 0; round < rounds; round++) {
			// Alternate which side goes first, so a slow patch of the machine does not always hit the same side.
			const lookups = () => measure('lookups', reads, () => load(reads, 8, bench.lookup));
			const minimal = () => measure('minimal', reads, () => load(reads, 8, () => send(bench.minimalUrl, 'GET')));
			const ours = () => measure('writes', writes, () => bench.scimWrites(writes, `r${round}`));
			const webhook = () => measure('webhook', writes, () => bench.webhookWrites(writes, `r${round}`));
			for (const step of round % 2 ? [lookups, minimal, webhook, ours] : [minimal, lookups, ours, webhook]) await step();
			lookupRatios.push(rates.lookups[round] / rates.minimal[round]);
			writeRatios.push(rates.writes[round] / rates.webhook[round]);
			cpuLookupRatios.push(cpu.minimal[round] / cpu.lookups[round]);
			cpuWriteRatios.push(cpu.webhook[round] / cpu.writes[round]);
		}

		// Entra's pace: 25 requests per second for 10 seconds, a mix of lookups, creates and PATCHes.
		const created = (await send(`${bench.scim}/Users?count=50`, 'GET')).body;
		const ids: string[] = JSON.parse(created).Resources.map((r: { id: string }) => r.id);
		const latencies: number[] = [];
		const paced: Array<Promise<void>> = [];
		for (let i = 0; i < 250; i++) {
			paced.push(
				(async () => {
					await new Promise((r) => setTimeout(r, i * 40));
					const res =
						i % 3 === 0
							? await send(`${bench.scim}/Users`, 'POST', { userName: `p${i}@bench.example` })
							: i % 3 === 1
								? await bench.lookup(i)
								: await send(`${bench.scim}/Users/${ids[i % ids.length]}`, 'PATCH', {
										schemas: [PATCH_OP],
										Operations: [{ op: 'replace', path: 'title', value: `p${i}` }],
									});
					latencies.push(res.ms);
				})(),
			);
		}
		await Promise.all(paced);

		const rate = (xs: number[]) => `${median(xs).toFixed(0)} req/s (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
		console.log(
			`SCIM Trigger (node version ${process.env.BENCH_TRIGGER_VERSION ?? 2}) in real n8n ${process.env.N8N_VERSION ?? LATEST_N8N_1}, ${bench.users} users in the store, ${rounds} alternating rounds`,
		);
		console.log(
			`  lookups: minimal trigger ${rate(rates.minimal)}, SCIM Trigger ${rate(rates.lookups)} → median ${median(lookupRatios).toFixed(2)}x, range ${range(lookupRatios)} (goal >= 0.85x)`,
		);
		console.log(
			`  sustained writes (until drained): Webhook node ${rate(rates.webhook)}, SCIM Trigger ${rate(rates.writes)} → median ${median(writeRatios).toFixed(2)}x, range ${range(writeRatios)} (goal >= 0.9x)`,
		);
		console.log(
			`  per round: lookups ${lookupRatios.map((r) => r.toFixed(2)).join(' ')}; writes ${writeRatios.map((r) => r.toFixed(2)).join(' ')}`,
		);
		const ms = (xs: number[]) => `${median(xs).toFixed(2)} ms`;
		console.log(
			`  n8n CPU a request (the same ratios from the process's CPU time, which other load on the machine barely moves): lookups minimal ${ms(cpu.minimal)}, SCIM Trigger ${ms(cpu.lookups)} → median ${median(cpuLookupRatios).toFixed(2)}x, range ${range(cpuLookupRatios)}; writes Webhook node ${ms(cpu.webhook)}, SCIM Trigger ${ms(cpu.writes)} → median ${median(cpuWriteRatios).toFixed(2)}x, range ${range(cpuWriteRatios)}`,
		);
		console.log(`  at 25 requests/s: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`);
	} finally {
		await bench.close();
	}
}
