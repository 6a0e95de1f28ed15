/**
 * One real n8n per version (regular mode, SQLite) shared by the e2e suites of a run: started by the first suite
 * that asks, then found again by the next through a state file. A suite loads its credentials and workflows into
 * the running n8n (credentials through n8n's REST API, workflows by n8n's CLI; the public API activates them) and
 * unloads them at its end, so suites do not see each other's active workflows. Isolation that sharing cannot give
 * (restarting n8n, another database, queue mode) stays with the suite that needs it. A suite holds the version's n8n
 * alone from `sharedN8n` to `unload` (an flock across jest workers), so a restart or a trigger store never meets
 * another suite's requests, while other workers run suites with their own processes.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
	ensureRuntime,
	ownerSession,
	n8nBin,
	n8nEnv,
	type N8nOptions,
	type N8nRuntime,
	startN8n,
	waitForWebhooks,
	webhookProbes,
	type WorkflowFile,
} from '../../../dev/n8n/instance';
import { acquireLock } from '../../../dev/n8n/runtime';
import { createApiKey, type PublicApi, publicApi } from '../n8nApi';
import { freePort } from '../../../dev/ports';
import { alive, currentRun, recordProcess, stopGroup, userFolderWithPackage } from './run';

const execFileAsync = promisify(execFile);

interface InstanceState {
	version: string;
	options: N8nOptions;
	pid: number;
	apiKey: string;
	/** The owner's session cookie: one login per n8n (n8n allows five logins in five minutes). */
	session: string;
	/** Workflow ids loaded by any suite so far: a second suite loading the same id would share its trigger store. */
	loaded: string[];
	/** Webhook paths of the workflows active now, by workflow id: what a restart waits for. */
	probes: Record<string, string[]>;
}

export interface SharedN8n {
	readonly version: string;
	readonly url: string;
	readonly api: PublicApi;
	/** The owner's session cookie, for n8n's REST API (what the editor uses). */
	readonly session: string;
	readonly runtime: N8nRuntime;
	readonly userFolder: string;
	/** The n8n process (its group leader). */
	readonly pid: number;
	/** Imports credentials and workflows into the running n8n and activates the workflows not marked `active: false`. */
	load(set: { credentials?: CredentialFile[]; workflows: WorkflowFile[] }): Promise<void>;
	/** Deactivates what this handle loaded and hands the n8n to the next suite. */
	unload(): Promise<void>;
	/** Stops and starts n8n on the same folder and port (what a restart must keep, it keeps). */
	restart(): Promise<void>;
	/** n8n's output since this handle was made. */
	log(): string;
}

/** A credential as the suites write it: the id is the one their workflows name. */
export interface CredentialFile {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** A POST to n8n's REST API (what the editor uses) with the owner's session; the id of what it created. */
async function restCreate(
	url: string,
	cookie: string,
	path: string,
	body: object,
): Promise<{ status: number; id?: string; message?: string }> {
	const res = await fetch(`${url}/rest/${path}`, {
		method: 'POST',
		headers: { cookie, 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
	const answer = (await res.json().catch(() => undefined)) as { data?: { id?: string }; message?: string } | undefined;
	return { status: res.status, id: res.ok ? answer?.data?.id : undefined, message: answer?.message };
}

/**
 * Creates the credentials as the editor does (the public API checks a credential against a schema that asks for
 * fields the credential hides); returns the id n8n gave each, by the id the suite's workflows name.
 */
async function createCredentials(url: string, cookie: string, credentials: CredentialFile[]): Promise<Map<string, string>> {
	const given = new Map<string, string>();
	for (const { id, name, type, data } of credentials) {
		const created = await restCreate(url, cookie, 'credentials', { name, type, data });
		if (!created.id) throw new Error(`n8n did not create credential ${id} (${type}): ${created.status} ${created.message ?? ''}`);
		given.set(id, created.id);
	}
	return given;
}

/** Creates the workflows through n8n 2.x's REST API, which keeps the id given. */
async function createWorkflows(url: string, cookie: string, workflows: WorkflowFile[]): Promise<void> {
	for (const workflow of workflows) {
		const created = await restCreate(url, cookie, 'workflows', workflow);
		if (created.id !== workflow.id)
			throw new Error(`n8n did not create workflow ${workflow.id}: ${created.status} ${created.message ?? `it has id ${created.id}`}`);
	}
}

/** The workflow with its nodes' credential references moved to the ids n8n gave. */
function withCredentialIds(workflow: WorkflowFile, given: Map<string, string>): WorkflowFile {
	const nodes = workflow.nodes?.map((node) => {
		const refs = (node as { credentials?: Record<string, { id?: string; name?: string } | undefined> }).credentials;
		if (!refs) return node;
		const moved = Object.fromEntries(
			Object.entries(refs).map(([type, ref]) => [type, ref?.id && given.has(ref.id) ? { ...ref, id: given.get(ref.id) } : ref]),
		);
		return { ...node, credentials: moved };
	});
	return nodes ? { ...workflow, nodes } : workflow;
}

const stateFile = (version: string) => join(currentRun().dir, 'instances', `regular-${version}.json`);

function readState(version: string): InstanceState | undefined {
	const file = stateFile(version);
	return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as InstanceState) : undefined;
}

function writeState(state: InstanceState): void {
	mkdirSync(join(currentRun().dir, 'instances'), { recursive: true });
	writeFileSync(stateFile(state.version), JSON.stringify(state));
}

async function launch(runtime: N8nRuntime, options: N8nOptions): Promise<number> {
	const n8n = await startN8n(runtime, options);
	n8n.process.unref();
	recordProcess(`regular-${runtime.version}`, { pid: n8n.process.pid!, what: `n8n ${runtime.version}` });
	return n8n.process.pid!;
}

/** The run's n8n of this version, held until `unload`: started on first use, found again afterwards. */
export async function sharedN8n(version: string): Promise<SharedN8n> {
	const runtime = await ensureRuntime(version);
	const release = await acquireLock(join(currentRun().dir, 'instances', `regular-${version}.lock`));
	try {
		return handle(runtime, await startedState(runtime, version), release);
	} catch (error) {
		await release();
		throw error;
	}
}

async function startedState(runtime: N8nRuntime, version: string): Promise<InstanceState> {
	let state = readState(version);
	if (!state || !alive(state.pid)) {
		const userFolder = state?.options.userFolder ?? userFolderWithPackage(`regular-${version}`);
		const port = await freePort();
		const options: N8nOptions = { userFolder, port, brokerPort: await freePort(), logFile: join(userFolder, 'n8n.log') };
		const pid = await launch(runtime, options);
		const session = state?.session ?? (await ownerSession(`http://127.0.0.1:${port}`));
		const apiKey = state?.apiKey ?? (await createApiKey(`http://127.0.0.1:${port}`, session));
		state = { version, options, pid, apiKey, session, loaded: state?.loaded ?? [], probes: {} };
		writeState(state);
	}
	return state;
}

function handle(runtime: N8nRuntime, initial: InstanceState, release: () => Promise<void>): SharedN8n {
	let state = initial;
	const url = () => `http://127.0.0.1:${state.options.port}`;
	const logFile = state.options.logFile!;
	const logFrom = existsSync(logFile) ? readFileSync(logFile).length : 0;
	const mine: string[] = [];
	const cli = async (args: string[]) => {
		try {
			await execFileAsync(runtime.node.bin, [n8nBin(runtime), ...args], { env: n8nEnv(runtime, state.options), maxBuffer: 64 << 20 });
		} catch (error) {
			const { stdout, stderr } = error as { stdout?: string; stderr?: string };
			throw new Error(`n8n ${args[0]} failed:\n${String(stdout ?? '').slice(-3000)}\n${String(stderr ?? '').slice(-3000)}`);
		}
	};
	const api = () => publicApi(url(), state.apiKey);
	const log = () => (existsSync(logFile) ? readFileSync(logFile).subarray(logFrom).toString() : '');
	return {
		version: state.version,
		get url() {
			return url();
		},
		get api() {
			return api();
		},
		get session() {
			return state.session;
		},
		runtime,
		userFolder: state.options.userFolder,
		get pid() {
			return state.pid;
		},
		async load({ credentials = [], workflows }) {
			const reused = workflows.filter((w) => state.loaded.includes(w.id) && !mine.includes(w.id));
			if (reused.length)
				throw new Error(`workflows ${reused.map((w) => w.id).join(', ')} were loaded by another suite into this n8n: isolate() them`);
			// Credentials through n8n's REST API (a CLI import is an n8n boot, ~5 s of CPU); the workflows then name the ids
			// n8n gave them.
			const given = await createCredentials(url(), state.session, credentials);
			const versioned = workflows.map((w) => ({ versionId: w.versionId ?? randomUUID(), ...withCredentialIds(w, given), active: false }));
			if (Number(state.version.split('.')[0]) >= 2) await createWorkflows(url(), state.session, versioned);
			else {
				// n8n 1.x's REST API gives a new workflow a new id; the suites call theirs by the id they wrote.
				const work = join(state.options.userFolder, 'import', String(Date.now()));
				mkdirSync(work, { recursive: true });
				writeFileSync(join(work, 'workflows.json'), JSON.stringify(versioned));
				await cli(['import:workflow', `--input=${join(work, 'workflows.json')}`]);
			}
			mine.push(...workflows.map((w) => w.id));
			state = { ...state, loaded: [...new Set([...state.loaded, ...mine])] };
			writeState(state);
			const active = workflows.filter((w) => w.active !== false);
			for (const w of active) {
				const res = await api().call('POST', `/workflows/${w.id}/activate`);
				if (res.status >= 300) throw new Error(`n8n did not activate ${w.id}: ${res.status} ${JSON.stringify(res.body)}`);
				state.probes[w.id] = webhookProbes([w]);
			}
			writeState(state);
			await waitForWebhooks(url(), webhookProbes(active), () => alive(state.pid), log);
		},
		async unload() {
			try {
				for (const id of mine.splice(0)) {
					await api().call('POST', `/workflows/${id}/deactivate`);
					delete state.probes[id];
				}
				writeState(state);
			} finally {
				await release();
			}
		},
		async restart() {
			await stopGroup(state.pid);
			const pid = await launch(runtime, state.options);
			state = { ...state, pid };
			writeState(state);
			await waitForWebhooks(url(), Object.values(state.probes).flat(), () => alive(state.pid), log);
		},
		log,
	};
}
