/**
 * Where the SCIM Trigger's time goes in real n8n: `npm run bench -- profile` runs n8n under V8's CPU profiler
 * (--cpu-prof) through four phases (minimal-trigger lookups, SCIM Trigger lookups, Webhook-node writes, SCIM Trigger
 * writes) and prints, per request, the main thread's CPU time in each phase, split into what n8n does (finding the
 * webhook, loading the workflow, evaluating the webhook paths and their expressions, running the execution) and
 * what the trigger does (decrypting the credential, the service provider, the store's fsync, sending the answer).
 * Categories are inclusive (a sample counts in every category one of its frames belongs to), so they overlap.
 * Node 20 refuses --cpu-prof in NODE_OPTIONS, so a preloaded script starts the same profiler through node:inspector
 * and writes the profile when the bench sends SIGUSR2.
 * The profile's clock and this process's hrtime are both the monotonic clock, which places samples in phases.
 * BENCH_PROFILE_LOOKUPS and BENCH_PROFILE_WRITES (3000, 800) are the requests per phase; on n8n 2.x use 200 and 100.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, send, startTriggerBench } from './scimTrigger.bench';

interface CallFrame {
	functionName: string;
	url: string;
}
interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}
interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	samples: number[];
	timeDeltas: number[];
}

const has = (frames: CallFrame[], test: (f: CallFrame) => boolean) => frames.some(test);
const fn =
	(...names: string[]) =>
	(f: CallFrame) =>
		names.includes(f.functionName);
const ours = (f: CallFrame) => f.url.includes('n8n-nodes-provisioning/dist/');

/** Inclusive categories, most specific questions first. */
const CATEGORIES: Array<[string, (frames: CallFrame[]) => boolean]> = [
	['trigger: webhook() in all', (s) => has(s, (f) => ours(f) && f.url.includes('ScimTrigger.node') && f.functionName === 'webhook')],
	['trigger: getCredentials (load + decrypt)', (s) => has(s, ours) && has(s, fn('getCredentials', '_getCredentials', 'getDecrypted'))],
	['trigger: store fsync', (s) => has(s, fn('fsyncSync', 'fdatasyncSync', 'fsync', 'fdatasync'))],
	['trigger: service provider (lib/scim/server)', (s) => has(s, (f) => f.url.includes('n8n-nodes-provisioning/dist/lib/scim/server'))],
	['trigger: store (lib/store)', (s) => has(s, (f) => f.url.includes('n8n-nodes-provisioning/dist/lib/store'))],
	[
		'trigger: send the answer (express res.send)',
		(s) => has(s, ours) && has(s, (f) => f.functionName === 'send' && f.url.includes('express')),
	],
	['minimal trigger: webhook() in all', (s) => has(s, (f) => f.url.includes('MinimalTrigger.node'))],
	// n8n 2.x's default expression engine: a V8 isolate built and disposed for each scope that may evaluate expressions.
	['n8n 2.x: expression isolates (build, run, dispose)', (s) => has(s, (f) => f.url.includes('@n8n/expression-runtime'))],
	['n8n 2.x: isolate for a credential read', (s) => has(s, fn('getDecrypted')) && has(s, (f) => f.url.includes('@n8n/expression-runtime'))],
	['n8n: findWebhook (cache + DB)', (s) => has(s, fn('findWebhook', 'findCached', 'getWebhookMethods'))],
	['n8n: getNodeWebhooks (every webhook entry of the node)', (s) => has(s, fn('getNodeWebhooks'))],
	['n8n: expressions in webhook paths', (s) => has(s, fn('getNodeWebhooks')) && has(s, (f) => /expression|tmpl/i.test(f.url))],
	['n8n: load the workflow (typeorm)', (s) => has(s, fn('executeWebhook')) && has(s, (f) => f.url.includes('typeorm'))],
	['n8n: new Workflow', (s) => has(s, (f) => f.functionName === 'Workflow' && f.url.includes('n8n-workflow'))],
	[
		'n8n: execution (WorkflowExecute, hooks, saving)',
		(s) => has(s, (f) => /workflow-execute|execution-lifecycle|workflow-runner|active-executions/.test(f.url)),
	],
	['http + express (all)', (s) => has(s, (f) => /express|body-parser|node:_http|_http_/.test(f.url))],
	['typeorm + sqlite3 (all)', (s) => has(s, (f) => /typeorm|sqlite3|@n8n\/db/.test(f.url))],
	['garbage collector', (s) => s[0]?.functionName === '(garbage collector)'],
];

/** Where a sample's own time is spent: the package (or Node part) of its innermost frame. */
function ownerOf(frame: CallFrame): string {
	if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : `(native) ${frame.functionName}`;
	if (frame.url.startsWith('node:')) return frame.url.split('/').slice(0, 2).join('/');
	const at = frame.url.lastIndexOf('node_modules/');
	if (at === -1) return frame.url.split('/').slice(-2).join('/');
	const rest = frame.url.slice(at + 'node_modules/'.length).split('/');
	return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
}

function analyse(profile: CpuProfile, phases: Array<{ name: string; start: number; end: number; requests: number }>): void {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const stackCache = new Map<number, CallFrame[]>();
	const stack = (id: number): CallFrame[] => {
		let frames = stackCache.get(id);
		if (!frames) {
			frames = [];
			for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) frames.push(byId.get(at)!.callFrame);
			stackCache.set(id, frames);
		}
		return frames;
	};
	let time = profile.startTime;
	const totals = phases.map(() => ({ busy: 0, categories: new Map<string, number>(), owners: new Map<string, number>() }));
	profile.samples.forEach((id, i) => {
		time += profile.timeDeltas[i];
		const phase = phases.findIndex((p) => time >= p.start && time < p.end);
		if (phase === -1) return;
		const delta = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i];
		const frames = stack(id);
		if (frames[0].functionName === '(idle)') return;
		const total = totals[phase];
		total.busy += delta;
		for (const [name, test] of CATEGORIES) if (test(frames)) total.categories.set(name, (total.categories.get(name) ?? 0) + delta);
		const owner = ownerOf(frames[0]);
		total.owners.set(owner, (total.owners.get(owner) ?? 0) + delta);
	});
	for (const [i, p] of phases.entries()) {
		const { busy, categories, owners } = totals[i];
		const seconds = (p.end - p.start) / 1e6;
		console.log(
			`  ${p.name}: ${p.requests} requests in ${seconds.toFixed(1)} s, main thread busy ${((busy / (p.end - p.start)) * 100).toFixed(0)}%, ${(busy / 1000 / p.requests).toFixed(2)} ms CPU a request`,
		);
		for (const [name] of CATEGORIES) {
			const us = categories.get(name);
			if (us) console.log(`      ${name}: ${(us / 1000 / p.requests).toFixed(3)} ms a request (${((us / busy) * 100).toFixed(0)}%)`);
		}
		const top = [...owners].sort((a, b) => b[1] - a[1]).slice(0, 14);
		console.log(
			`    own time by package: ${top.map(([o, us]) => `${o} ${(us / 1000 / p.requests).toFixed(2)}`).join(', ')} (ms a request)`,
		);
	}
}

export async function profileScimTrigger(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'trigger-profile-'));
	const lookups = Number(process.env.BENCH_PROFILE_LOOKUPS ?? 3000);
	const writes = Number(process.env.BENCH_PROFILE_WRITES ?? 800);
	const preload = join(dir, 'profile.js');
	writeFileSync(
		preload,
		`const inspector = require('node:inspector');
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
process.on('SIGUSR2', () => session.post('Profiler.stop', (error, result) => {
	require('node:fs').writeFileSync(${JSON.stringify(dir)} + '/' + process.pid + '.cpuprofile', JSON.stringify(error ? {} : result.profile));
}));
`,
	);
	const bench = await startTriggerBench({ extraEnv: { NODE_OPTIONS: `--require ${preload}` } });
	const phases: Array<{ name: string; start: number; end: number; requests: number }> = [];
	const now = () => Number(process.hrtime.bigint() / 1000n);
	const phase = async (name: string, requests: number, run: () => Promise<unknown>) => {
		const start = now();
		await run();
		phases.push({ name, start, end: now(), requests });
	};
	let pid: number | undefined;
	try {
		pid = bench.n8n.process.pid;
		// Warm-up: every path once, JIT and caches.
		await load(300, 8, bench.lookup);
		await load(300, 8, () => send(bench.minimalUrl, 'GET'));
		await bench.scimWrites(100, 'warm');
		await bench.webhookWrites(100, 'warm');
		await phase('minimal trigger lookups', lookups, () => load(lookups, 8, () => send(bench.minimalUrl, 'GET')));
		await phase('SCIM Trigger lookups', lookups, () => load(lookups, 8, bench.lookup));
		await phase('Webhook node writes (until drained)', writes, () => bench.webhookWrites(writes, 'p'));
		await phase('SCIM Trigger writes (until drained)', writes, () => bench.scimWrites(writes, 'p'));
		process.kill(pid!, 'SIGUSR2');
		const file = join(dir, `${pid}.cpuprofile`);
		for (let waited = 0; !existsSync(file) && waited < 60000; waited += 200) await new Promise((r) => setTimeout(r, 200));
		await new Promise((r) => setTimeout(r, 1000)); // the write finishes
	} finally {
		await bench.close();
	}
	try {
		const file = join(dir, `${pid}.cpuprofile`);
		if (!existsSync(file)) throw new Error(`n8n wrote no CPU profile for process ${pid}`);
		console.log(`SCIM Trigger CPU profile in real n8n ${process.env.N8N_VERSION ?? '1.123.81'} (main thread, sampled every 0.2 ms)`);
		analyse(JSON.parse(readFileSync(file, 'utf8')), phases);
	} finally {
		if (process.env.BENCH_PROFILE_KEEP !== 'true') rmSync(dir, { recursive: true, force: true });
		else {
			// The phases (on the profile's clock), for a closer look at the profile than the summary above.
			writeFileSync(join(dir, 'phases.json'), JSON.stringify(phases));
			console.log(`  profiles kept in ${dir}`);
		}
	}
}
