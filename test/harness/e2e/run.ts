/**
 * One end-to-end run: what jest's global set-up prepared once for every e2e suite (the packed package, installed
 * once into a template user folder), and where the suites record the n8n processes they share. Test files run in
 * separate module registries, so they meet here, in files under E2E_RUN_DIR, never in memory.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunInfo {
	dir: string;
	tarball: string;
	/** A user folder with the package in `.n8n/nodes`, installed as n8n's Community Nodes installer does it. */
	template: string;
}

export function currentRun(): RunInfo {
	const dir = process.env.E2E_RUN_DIR;
	if (!dir || !existsSync(join(dir, 'run.json')))
		throw new Error(
			'E2E_RUN_DIR is not set up: run the e2e suites through jest (its e2e project has a global set-up that packs the package)',
		);
	return { dir, ...JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) } as RunInfo;
}

/** A new user folder with the package already installed (a copy of the template: no npm install per suite). */
export function userFolderWithPackage(name: string): string {
	const run = currentRun();
	const folder = join(run.dir, 'homes', name);
	mkdirSync(folder, { recursive: true });
	cpSync(join(run.template, '.n8n'), join(folder, '.n8n'), { recursive: true, verbatimSymlinks: true });
	return folder;
}

/** Processes a run started and must stop at its end (global teardown), by name. */
export interface ProcessRecord {
	pid: number;
	what: string;
}

const processesDir = (run: RunInfo) => join(run.dir, 'processes');

export function recordProcess(name: string, record: ProcessRecord): void {
	const dir = processesDir(currentRun());
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, `${name}.json`), JSON.stringify(record));
}

export function recordedProcesses(dir: string): ProcessRecord[] {
	const folder = join(dir, 'processes');
	if (!existsSync(folder)) return [];
	return readdirSync(folder).map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')) as ProcessRecord);
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch {
		return false;
	}
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
	} catch {
		return false;
	}
}

/** Stops a process group started detached: SIGTERM, then SIGKILL if it is still there after a grace period. */
export async function stopGroup(pid: number, graceMs = 15000): Promise<void> {
	const signal = (name: NodeJS.Signals) => {
		try {
			process.kill(-pid, name);
		} catch {
			/* already gone */
		}
	};
	if (!alive(pid)) return;
	signal('SIGTERM');
	for (let waited = 0; alive(pid) && waited < graceMs; waited += 100) await new Promise((r) => setTimeout(r, 100));
	if (alive(pid)) signal('SIGKILL');
}
