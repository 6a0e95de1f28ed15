import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

const BIN = '/usr/lib/postgresql/15/bin';

/** A throwaway PostgreSQL 15 server on 127.0.0.1, run as the postgres user (initdb refuses root). */
export class Postgres {
	port = 0;
	private process?: ChildProcess;

	private constructor(readonly dir: string) {}

	static async start(): Promise<Postgres> {
		if (!existsSync(`${BIN}/postgres`))
			throw new Error(
				`${BIN}/postgres is missing: install it with "apt-get install -y postgresql". The queue-mode store tests need a real PostgreSQL.`,
			);
		const dir = mkdtempSync(join(tmpdir(), 'pg-'));
		const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
		chownSync(dir, uid, gid);
		const pg = new Postgres(dir);
		execFileSync(`${BIN}/initdb`, ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8'], { uid, gid, stdio: 'pipe' });
		pg.port = await freePort();
		pg.process = spawn(
			`${BIN}/postgres`,
			['-D', join(dir, 'data'), '-p', String(pg.port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=on'],
			{ uid, gid, stdio: ['ignore', 'ignore', 'pipe'] },
		);
		let stderr = '';
		pg.process.stderr!.on('data', (c) => (stderr += c));
		const deadline = Date.now() + 30000;
		for (;;) {
			try {
				execFileSync('/usr/bin/pg_isready', ['-h', '127.0.0.1', '-p', String(pg.port)], { stdio: 'ignore' });
				break;
			} catch {
				if (pg.process.exitCode !== null || Date.now() > deadline) throw new Error(`postgres did not start: ${stderr}`);
				await new Promise((r) => setTimeout(r, 100));
			}
		}
		return pg;
	}

	get config() {
		return { host: '127.0.0.1', port: this.port, user: 'postgres', database: 'postgres' };
	}

	async stop(): Promise<void> {
		const child = this.process;
		if (child && child.exitCode === null) {
			const exited = new Promise((r) => child.once('exit', r));
			child.kill('SIGINT');
			await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
		}
		rmSync(this.dir, { recursive: true, force: true });
	}
}
