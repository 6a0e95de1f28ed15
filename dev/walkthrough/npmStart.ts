/** `npm start` as a user runs it, on free ports and a fresh user folder, for the walkthrough. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../n8n/instance';
import { freePort } from '../ports';

export async function portIsFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** n8n 2.x takes the next port for its task broker: both must be free. */
export async function freePortPair(): Promise<number> {
	for (;;) {
		const port = await freePort();
		if (port < 65535 && (await portIsFree(port + 1))) return port;
	}
}

export interface RunningStart {
	url: string;
	/** The tenant URL and token npm start prints for Entra ID and Okta. */
	tenantUrl: string;
	token: string;
	stop: () => Promise<void>;
}

/** Runs `npm start` as a user does, and waits for the SCIM endpoint it prints. */
export async function startLocalN8n(
	log: (line: string) => void = () => undefined,
	env: Record<string, string> = {},
): Promise<RunningStart> {
	const port = await freePortPair();
	let demoPort = await freePort();
	while (demoPort === port + 1) demoPort = await freePort();
	const userFolder = mkdtempSync(join(tmpdir(), 'n8n-walkthrough-'));
	const child: ChildProcess = spawn('npm', ['start'], {
		cwd: ROOT,
		env: { ...process.env, ...env, N8N_PORT: String(port), DEMO_SCIM_PORT: String(demoPort), N8N_USER_FOLDER: userFolder },
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let output = '';
	const collect = (chunk: Buffer) => {
		output += chunk.toString();
		for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
	};
	child.stdout!.on('data', collect);
	child.stderr!.on('data', collect);
	// Ctrl+C, as in a terminal: npm start stops n8n (its own process group) and the demo app, then exits.
	const stop = async () => {
		if (child.exitCode === null) {
			const exited = new Promise((r) => child.once('exit', r));
			try {
				process.kill(-child.pid!, 'SIGINT');
			} catch {
				/* already gone */
			}
			await Promise.race([exited, new Promise((r) => setTimeout(r, 60000))]);
			if (child.exitCode === null) {
				try {
					process.kill(-child.pid!, 'SIGKILL');
				} catch {
					/* already gone */
				}
			}
		}
		rmSync(userFolder, { recursive: true, force: true });
	};
	const deadline = Date.now() + 15 * 60 * 1000;
	const printed = /SCIM endpoint for Entra ID \/ Okta[^\n]*\n\s*(\S+)\s*\n\s*(\S+)/;
	while (!printed.test(output)) {
		if (child.exitCode !== null) {
			await stop();
			throw new Error(`npm start exited with ${child.exitCode}:\n${output.slice(-4000)}`);
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`npm start did not print the SCIM endpoint in time:\n${output.slice(-4000)}`);
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	const [, tenantUrl, token] = printed.exec(output)!;
	return { url: `http://127.0.0.1:${port}`, tenantUrl, token, stop };
}
