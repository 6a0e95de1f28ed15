/**
 * Runs a real n8n with this package installed the way n8n's Community Nodes installer does it.
 * Shared by `npm start` and the end-to-end tests. Facts behind each step: shared notes, n8n.md.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const DEFAULT_N8N_VERSION = '1.123.81';

/** The cached n8n runtime folder for a version, installed on first use (about 3 minutes). */
export function ensureRuntime(version = DEFAULT_N8N_VERSION): string {
	return execFileSync('bash', [join(ROOT, 'scripts', 'ensure-n8n.sh'), version], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** Builds and packs this package; returns the tarball path. */
export function packPackage(outDir: string): string {
	execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
	mkdirSync(outDir, { recursive: true });
	const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', outDir], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
	return join(outDir, name);
}

/** Installs the tarball into <userFolder>/.n8n/nodes exactly as the Community Nodes installer does: no install scripts. */
export function installPackage(userFolder: string, tarball: string): void {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	if (!existsSync(join(nodesDir, 'package.json'))) writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
	execFileSync('npm', ['install', tarball, '--ignore-scripts', '--legacy-peer-deps', '--install-strategy=shallow', '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: nodesDir,
		stdio: 'inherit',
	});
}

export interface N8nOptions {
	version?: string;
	userFolder: string;
	port: number;
	brokerPort?: number;
	encryptionKey?: string;
	extraEnv?: Record<string, string>;
}

export function n8nEnv(options: N8nOptions): NodeJS.ProcessEnv {
	const major = Number((options.version ?? DEFAULT_N8N_VERSION).split('.')[0]);
	return {
		...process.env,
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
		...(major < 2 ? { N8N_EXPRESSION_ENGINE: 'legacy', N8N_RUNNERS_ENABLED: 'false' } : { N8N_RUNNERS_BROKER_PORT: String(options.brokerPort ?? options.port + 1) }),
		...(options.extraEnv ?? {}),
	};
}

function n8nBin(runtime: string): string {
	return join(runtime, 'node_modules', 'n8n', 'bin', 'n8n');
}

/** Imports credentials and workflows (n8n stopped) and activates the workflows. */
export function importAndActivate(runtime: string, options: N8nOptions, credentials: object[], workflows: Array<{ id: string; active?: boolean }>): void {
	const env = n8nEnv(options);
	const work = join(options.userFolder, 'import');
	mkdirSync(work, { recursive: true });
	const run = (args: string[]) => {
		try {
			return execFileSync(process.execPath, [n8nBin(runtime), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
		} catch (error) {
			const { stdout, stderr } = error as { stdout?: string; stderr?: string };
			throw new Error(`n8n ${args[0]} failed:\n${String(stdout ?? '').slice(-3000)}\n${String(stderr ?? '').slice(-3000)}`);
		}
	};
	if (credentials.length) {
		writeFileSync(join(work, 'credentials.json'), JSON.stringify(credentials));
		run(['import:credentials', `--input=${join(work, 'credentials.json')}`]);
	}
	const major = Number((options.version ?? DEFAULT_N8N_VERSION).split('.')[0]);
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
export async function startN8n(runtime: string, options: N8nOptions, echo = false, command: 'start' | 'worker' | 'webhook' = 'start'): Promise<RunningN8n> {
	const ready = { start: /Editor is now accessible/, worker: /n8n worker is now ready|Worker started/i, webhook: /Webhook listener waiting for requests/i }[command];
	const child = spawn(process.execPath, [n8nBin(runtime), command], { env: n8nEnv(options), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	let output = '';
	const collect = (chunk: Buffer) => {
		output += chunk.toString();
		if (echo) process.stdout.write(chunk);
	};
	child.stdout!.on('data', collect);
	child.stderr!.on('data', collect);
	const url = `http://127.0.0.1:${options.port}`;
	const deadline = Date.now() + 120000;
	while (!ready.test(output)) {
		if (child.exitCode !== null) throw new Error(`n8n exited with ${child.exitCode}:\n${output.slice(-4000)}`);
		if (Date.now() > deadline) throw new Error(`n8n did not start in time:\n${output.slice(-4000)}`);
		await new Promise((r) => setTimeout(r, 200));
	}
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
	return { url, process: child, log: () => output, stop };
}

/** Example workflows shipped in examples/, by file name. */
export function exampleFiles(): string[] {
	return readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
}

/** Creates the instance owner (first start only) and returns a session cookie for n8n's REST endpoints. */
export async function ownerSession(url: string): Promise<string> {
	const owner = { email: 'owner@example.org', firstName: 'Local', lastName: 'Owner', password: 'Local-owner-Pw1' };
	let res = await fetch(`${url}/rest/owner/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(owner) });
	if (!res.ok) {
		res = await fetch(`${url}/rest/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ emailOrLdapLoginId: owner.email, email: owner.email, password: owner.password }) });
	}
	const cookie = res.headers.get('set-cookie');
	if (!res.ok || !cookie) throw new Error(`n8n owner setup/login failed: ${res.status} ${await res.text()}`);
	return cookie.split(';')[0];
}
