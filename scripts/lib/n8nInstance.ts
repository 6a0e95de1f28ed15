/**
 * Runs a real n8n with this package installed the way n8n's Community Nodes installer does it.
 * Shared by `npm start` and the end-to-end tests. Facts behind each step: shared notes, n8n.md.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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

/** Builds and packs this package; returns the tarball path. */
export function packPackage(outDir: string): string {
	execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
	mkdirSync(outDir, { recursive: true });
	const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', outDir], { cwd: ROOT, encoding: 'utf8' })
		.trim()
		.split('\n')
		.pop()!;
	return join(outDir, name);
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

function n8nBin(runtime: N8nRuntime): string {
	return join(runtime.dir, 'node_modules', 'n8n', 'bin', 'n8n');
}

/** Imports credentials and workflows (n8n stopped) and activates the workflows. */
interface WorkflowNode {
	type: string;
	webhookId?: string;
	parameters?: Record<string, unknown>;
}

/** A static production webhook path per trigger, by node type (path relative to /webhook/). */
const WEBHOOK_PROBES: Record<string, (node: WorkflowNode) => string> = {
	'n8n-nodes-base.webhook': (n) =>
		String(n.parameters?.path).includes(':') ? `${n.webhookId}/${n.parameters?.path}` : String(n.parameters?.path),
	'n8n-nodes-provisioning.scimTrigger': (n) => `${n.webhookId}/scim/v2/Users`,
	'n8n-nodes-bench-minimal.minimalTrigger': (n) => `${n.webhookId}/scim/v2/Users`,
};
const probesFile = (userFolder: string) => join(userFolder, 'import', 'webhooks.json');

export function importAndActivate(
	runtime: N8nRuntime,
	options: N8nOptions,
	credentials: object[],
	workflows: Array<{ id: string; active?: boolean; nodes?: WorkflowNode[] }>,
): void {
	const env = n8nEnv(runtime, options);
	const work = join(options.userFolder, 'import');
	mkdirSync(work, { recursive: true });
	const run = (args: string[]) => {
		try {
			return execFileSync(runtime.node.bin, [n8nBin(runtime), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
		} catch (error) {
			const { stdout, stderr } = error as { stdout?: string; stderr?: string };
			throw new Error(`n8n ${args[0]} failed:\n${String(stdout ?? '').slice(-3000)}\n${String(stderr ?? '').slice(-3000)}`);
		}
	};
	if (credentials.length) {
		writeFileSync(join(work, 'credentials.json'), JSON.stringify(credentials));
		run(['import:credentials', `--input=${join(work, 'credentials.json')}`]);
	}
	const major = Number(runtime.version.split('.')[0]);
	// The webhooks startN8n waits for: what the active workflows register.
	const probes = new Set<string>(
		existsSync(probesFile(options.userFolder)) ? JSON.parse(readFileSync(probesFile(options.userFolder), 'utf8')) : [],
	);
	for (const wf of workflows) {
		if (wf.active === false) continue;
		for (const node of wf.nodes ?? []) if (WEBHOOK_PROBES[node.type]) probes.add(WEBHOOK_PROBES[node.type](node));
	}
	writeFileSync(probesFile(options.userFolder), JSON.stringify([...probes]));
	for (const wf of workflows) {
		const file = join(work, `${wf.id}.json`);
		writeFileSync(file, JSON.stringify({ versionId: randomUUID(), ...wf, active: false }));
		run(['import:workflow', `--input=${file}`]);
		if (wf.active === false) continue;
		if (major >= 2) run(['publish:workflow', `--id=${wf.id}`]);
		else run(['update:workflow', `--id=${wf.id}`, '--active=true']);
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
	const child = spawn(runtime.node.bin, [n8nBin(runtime), command], {
		env: n8nEnv(runtime, options),
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let output = '';
	const collect = (chunk: Buffer) => {
		output += chunk.toString();
		if (echo) process.stdout.write(chunk);
	};
	child.stdout!.on('data', collect);
	child.stderr!.on('data', collect);
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
	const deadline = Date.now() + 120000;
	const wait = async (what: string) => {
		if (child.exitCode !== null) throw new Error(`n8n exited with ${child.exitCode}:\n${output.slice(-4000)}`);
		if (Date.now() > deadline) throw new Error(`n8n did not start in time (${what}):\n${output.slice(-4000)}`);
		await new Promise((r) => setTimeout(r, 200));
	};
	try {
		while (!ready.test(output)) await wait('not ready');
		// n8n 2.40 activates published workflows in the background after "Editor is now accessible"; a CORS preflight
		// lists a webhook's methods only once it is registered, and runs nothing.
		const probes: string[] =
			command !== 'worker' && existsSync(probesFile(options.userFolder))
				? JSON.parse(readFileSync(probesFile(options.userFolder), 'utf8'))
				: [];
		for (const path of probes) {
			while (!(await webhookRegistered(url, path))) await wait(`webhook ${path} not registered`);
		}
	} catch (error) {
		await stop();
		throw error;
	}
	return { url, process: child, log: () => output, stop };
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
