/**
 * Runs a real n8n with this package installed the way n8n's Community Nodes installer does it.
 * Shared by `npm start` and the end-to-end tests. Facts behind each step: shared notes, n8n.md.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
	closeSync,
	copyFileSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { activateInDatabase } from './activation';
import { cleanEnv, type N8nRuntime } from './runtime';

export {
	DEFAULT_N8N_VERSION,
	ensureRuntime,
	LATEST_N8N_1,
	LATEST_N8N_2,
	type N8nRuntime,
	runtimeCache,
	TESTED_N8N_VERSIONS,
} from './runtime';
export const ROOT = resolve(__dirname, '..', '..');

/** What the tarball is built from: a change to any of these makes a new one. */
const PACK_INPUTS = [
	'credentials',
	'nodes',
	'lib',
	'package.json',
	'package-lock.json',
	'tsconfig.json',
	'tsconfig.build.json',
	'gulpfile.js',
	'README.md',
	'LICENSE',
];

/** A digest of every file the tarball is built from (paths and contents). */
export function packInputsDigest(root = ROOT): string {
	const hash = createHash('sha256');
	const add = (path: string) => {
		const full = join(root, path);
		if (!existsSync(full)) return;
		if (statSync(full).isDirectory()) {
			for (const entry of readdirSync(full).sort()) add(join(path, entry));
			return;
		}
		hash.update(`${path}\0`).update(readFileSync(full)).update('\0');
	};
	for (const input of PACK_INPUTS) add(input);
	return hash.digest('hex').slice(0, 20);
}

/**
 * Builds and packs this package; returns the tarball path. A tarball built from the same sources is reused (kept in
 * .tmp/packs): a second `npm start`, and each e2e suite after the run's global set-up, skip the build.
 */
export function packPackage(): string {
	const packs = join(ROOT, '.tmp', 'packs');
	const tarball = join(packs, `n8n-nodes-provisioning-${packInputsDigest()}.tgz`);
	if (existsSync(tarball)) return tarball;
	execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
	const work = mkdtempSync(join(tmpdir(), 'pack-'));
	try {
		const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' })
			.trim()
			.split('\n')
			.pop()!;
		mkdirSync(packs, { recursive: true });
		// Older packs go; the new one appears whole (rename), so a concurrent reader never sees half a file.
		for (const old of readdirSync(packs)) rmSync(join(packs, old), { force: true });
		copyFileSync(join(work, name), `${tarball}.part`);
		renameSync(`${tarball}.part`, tarball);
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
	return tarball;
}

/** Installs the tarball into <userFolder>/.n8n/nodes exactly as the Community Nodes installer does: no install scripts. */
export function installPackage(userFolder: string, tarball: string): void {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	if (!existsSync(join(nodesDir, 'package.json')))
		writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
	execFileSync(
		'npm',
		[
			'install',
			tarball,
			'--ignore-scripts',
			'--legacy-peer-deps',
			'--install-strategy=shallow',
			'--no-audit',
			'--no-fund',
			'--loglevel=error',
		],
		{
			cwd: nodesDir,
			env: cleanEnv(),
			stdio: 'inherit',
		},
	);
}

export interface N8nOptions {
	userFolder: string;
	port: number;
	brokerPort?: number;
	encryptionKey?: string;
	extraEnv?: Record<string, string>;
	/** Append n8n's output to this file instead of keeping it in memory (an instance other test files attach to). */
	logFile?: string;
}

/** n8n's environment: ours minus what npm adds for its scripts, and the runtime's Node first on PATH (n8n 2.x starts its task runner as `node`). */
export function n8nEnv(runtime: N8nRuntime, options: N8nOptions): NodeJS.ProcessEnv {
	const major = Number(runtime.version.split('.')[0]);
	return {
		...cleanEnv(dirname(runtime.node.bin)),
		N8N_USER_FOLDER: options.userFolder,
		N8N_ENCRYPTION_KEY: options.encryptionKey ?? 'n8n-nodes-provisioning-local-key',
		DB_TYPE: 'sqlite',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_PORT: String(options.port),
		WEBHOOK_URL: `http://127.0.0.1:${options.port}/`,
		N8N_SECURE_COOKIE: 'false',
		NODE_ENV: 'production',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		// Node 22 and later keep n8n's compiled modules between starts (each start and CLI command otherwise compiles
		// them anew: a third of a CLI import's CPU on n8n 2.x); Node 20 ignores it.
		NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(dirname(runtime.dir), 'compile-cache'),
		...(major < 2
			? { N8N_EXPRESSION_ENGINE: 'legacy', N8N_RUNNERS_ENABLED: 'false' }
			: {
					N8N_RUNNERS_BROKER_PORT: String(options.brokerPort ?? options.port + 1),
					// n8n answers every request with 503 "Database is not ready!" while its `SELECT 1` health ping, run every
					// 2 s, takes longer than this (5 s by default): on SQLite that happens when a busy 2-core machine is also
					// saving many executions. 1.x has no such setting.
					DB_PING_TIMEOUT_MS: '30000',
				}),
		...(options.extraEnv ?? {}),
	};
}

export function n8nBin(runtime: N8nRuntime): string {
	return join(runtime.dir, 'node_modules', 'n8n', 'bin', 'n8n');
}

interface WorkflowNode {
	type: string;
	webhookId?: string;
	parameters?: Record<string, unknown>;
}

/** A workflow as n8n exports and imports it; `active: false` keeps it inactive. */
export interface WorkflowFile {
	id: string;
	active?: boolean;
	versionId?: string;
	nodes?: WorkflowNode[];
	[key: string]: unknown;
}

/** A static production webhook path per trigger, by node type (path relative to /webhook/). */
const WEBHOOK_PROBES: Record<string, (node: WorkflowNode) => string> = {
	'n8n-nodes-base.webhook': (n) =>
		String(n.parameters?.path).includes(':') ? `${n.webhookId}/${n.parameters?.path}` : String(n.parameters?.path),
	'n8n-nodes-provisioning.scimTrigger': (n) => `${n.webhookId}/scim/v2/Users`,
	'n8n-nodes-bench-minimal.minimalTrigger': (n) => `${n.webhookId}/scim/v2/Users`,
};
const probesFile = (userFolder: string) => join(userFolder, 'import', 'webhooks.json');

/** The webhook paths the active ones of these workflows register: n8n is ready for them once each answers. */
export function webhookProbes(workflows: WorkflowFile[]): string[] {
	return workflows
		.filter((wf) => wf.active !== false)
		.flatMap((wf) => (wf.nodes ?? []).filter((n) => WEBHOOK_PROBES[n.type]).map((n) => WEBHOOK_PROBES[n.type](n)));
}

/** Runs one n8n CLI command (n8n may be running: the commands only write to its database). */
function runCli(runtime: N8nRuntime, options: N8nOptions, args: string[]): string {
	try {
		return execFileSync(runtime.node.bin, [n8nBin(runtime), ...args], {
			env: n8nEnv(runtime, options),
			stdio: ['ignore', 'pipe', 'pipe'],
			encoding: 'utf8',
		});
	} catch (error) {
		const { stdout, stderr } = error as { stdout?: string; stderr?: string };
		throw new Error(`n8n ${args[0]} failed:\n${String(stdout ?? '').slice(-3000)}\n${String(stderr ?? '').slice(-3000)}`);
	}
}

/**
 * Imports credentials and workflows (n8n stopped) and activates the workflows not marked `active: false`. Each n8n
 * CLI command boots n8n (seconds; many on a busy machine): one imports every workflow, and activation is one row
 * update (dev/n8n/activation.ts), with a command per workflow only when that cannot be done.
 */
export async function importAndActivate(
	runtime: N8nRuntime,
	options: N8nOptions,
	credentials: object[],
	workflows: WorkflowFile[],
): Promise<void> {
	const work = join(options.userFolder, 'import');
	mkdirSync(work, { recursive: true });
	if (credentials.length) {
		writeFileSync(join(work, 'credentials.json'), JSON.stringify(credentials));
		runCli(runtime, options, ['import:credentials', `--input=${join(work, 'credentials.json')}`]);
	}
	// The webhooks startN8n waits for: what the active workflows register.
	const probes = new Set<string>(
		existsSync(probesFile(options.userFolder)) ? JSON.parse(readFileSync(probesFile(options.userFolder), 'utf8')) : [],
	);
	for (const probe of webhookProbes(workflows)) probes.add(probe);
	writeFileSync(probesFile(options.userFolder), JSON.stringify([...probes]));
	const file = join(work, 'workflows.json');
	writeFileSync(file, JSON.stringify(workflows.map((wf) => ({ versionId: randomUUID(), ...wf, active: false }))));
	runCli(runtime, options, ['import:workflow', `--input=${file}`]);
	const active = workflows.filter((wf) => wf.active !== false).map((wf) => wf.id);
	if (await activateInDatabase({ runtime, userFolder: options.userFolder, env: n8nEnv(runtime, options) }, active)) return;
	const major = Number(runtime.version.split('.')[0]);
	for (const id of active) {
		if (major >= 2) runCli(runtime, options, ['publish:workflow', `--id=${id}`]);
		else runCli(runtime, options, ['update:workflow', `--id=${id}`, '--active=true']);
	}
}

export interface RunningN8n {
	url: string;
	process: ChildProcess;
	log: () => string;
	stop: () => Promise<void>;
}

/**
 * Starts n8n (or, in queue mode, a `worker` or `webhook` process) and resolves once it is ready: for `start`, when
 * the editor is up and the workflows are active.
 */
export async function startN8n(
	runtime: N8nRuntime,
	options: N8nOptions,
	echo = false,
	command: 'start' | 'worker' | 'webhook' = 'start',
): Promise<RunningN8n> {
	const ready = {
		start: /Editor is now accessible/,
		worker: /n8n worker is now ready|Worker started/i,
		webhook: /Webhook listener waiting for requests/i,
	}[command];
	let output = '';
	let logFrom = 0;
	let stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'pipe', 'pipe'];
	if (options.logFile) {
		logFrom = existsSync(options.logFile) ? statSync(options.logFile).size : 0;
		const fd = openSync(options.logFile, 'a');
		stdio = ['ignore', fd, fd];
	}
	const child = spawn(runtime.node.bin, [n8nBin(runtime), command], {
		env: n8nEnv(runtime, options),
		stdio: stdio as never,
		detached: true,
	});
	if (typeof stdio[1] === 'number') closeSync(stdio[1]);
	const collect = (chunk: Buffer) => {
		output += chunk.toString();
		if (echo) process.stdout.write(chunk);
	};
	child.stdout?.on('data', collect);
	child.stderr?.on('data', collect);
	const log = () => (options.logFile ? readFileSync(options.logFile).subarray(logFrom).toString() : output);
	const url = `http://127.0.0.1:${options.port}`;
	const stop = async () => {
		if (child.exitCode !== null) return;
		const exited = new Promise((r) => child.once('exit', r));
		try {
			process.kill(-child.pid!, 'SIGTERM');
		} catch {
			/* already gone */
		}
		await Promise.race([exited, new Promise((r) => setTimeout(r, 15000))]);
		if (child.exitCode === null) {
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				/* already gone */
			}
		}
	};
	try {
		const started = await waitUntil(
			() => ready.test(log()),
			() => child.exitCode === null,
			log,
			'not ready',
		);
		// n8n 2.40 activates published workflows in the background after "Editor is now accessible".
		const probes: string[] =
			command !== 'worker' && existsSync(probesFile(options.userFolder))
				? JSON.parse(readFileSync(probesFile(options.userFolder), 'utf8'))
				: [];
		await waitForWebhooks(url, probes, () => child.exitCode === null, log, started);
	} catch (error) {
		await stop();
		throw error;
	}
	return { url, process: child, log, stop };
}

/** Polls until `done`; fails with n8n's last output when n8n exits or the start takes over two minutes. */
async function waitUntil(
	done: () => boolean | Promise<boolean>,
	running: () => boolean,
	log: () => string,
	what: string,
	since = Date.now(),
): Promise<number> {
	while (!(await done())) {
		if (!running()) throw new Error(`n8n exited:\n${log().slice(-4000)}`);
		if (Date.now() > since + 120000) throw new Error(`n8n did not start in time (${what}):\n${log().slice(-4000)}`);
		await new Promise((r) => setTimeout(r, 200));
	}
	return since;
}

/**
 * Waits until every webhook path is registered: a CORS preflight lists a webhook's methods only once it is, and
 * runs nothing.
 */
export async function waitForWebhooks(
	url: string,
	paths: string[],
	running: () => boolean,
	log: () => string,
	since = Date.now(),
): Promise<void> {
	for (const path of paths) await waitUntil(() => webhookRegistered(url, path), running, log, `webhook ${path} not registered`, since);
}

async function webhookRegistered(url: string, path: string): Promise<boolean> {
	try {
		const res = await fetch(`${url}/webhook/${path}`, { method: 'OPTIONS', headers: { Origin: url } });
		return (res.headers.get('access-control-allow-methods') ?? '').split(',').some((m) => m.trim() && m.trim() !== 'OPTIONS');
	} catch {
		return false;
	}
}

/** Example workflows shipped in examples/, by file name. */
export function exampleFiles(): string[] {
	return readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
}

/** Creates the instance owner (first start only) and returns a session cookie for n8n's REST endpoints. */
export async function ownerSession(url: string): Promise<string> {
	const owner = { email: 'owner@example.org', firstName: 'Local', lastName: 'Owner', password: 'Local-owner-Pw1' };
	let res = await fetch(`${url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(owner),
	});
	if (!res.ok) {
		res = await fetch(`${url}/rest/login`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: owner.email, email: owner.email, password: owner.password }),
		});
	}
	const cookie = res.headers.get('set-cookie');
	if (!res.ok || !cookie) throw new Error(`n8n owner setup/login failed: ${res.status} ${await res.text()}`);
	return cookie.split(';')[0];
}
