import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../dev/ports';
import { SERVER_TIME_ZONE } from './timeZone';

const BIN = '/usr/lib/postgresql/15/bin';

export interface PostgresOptions {
	/** Password authentication over TCP for the postgres user (the local socket stays trusted, for set-up). */
	password?: string;
	/** Every statement goes to the server log (log_statement = all), for tests that count what was sent. */
	logStatements?: boolean;
	/** TLS with a throwaway CA (see caCertificate); plain connections stay allowed. */
	tls?: boolean;
}

/** A throwaway PostgreSQL 15 server on 127.0.0.1, run as the postgres user (initdb refuses root). */
export class Postgres {
	port = 0;
	private process?: ChildProcess;
	private stderr = '';
	private uid = 0;
	private gid = 0;

	private constructor(
		readonly dir: string,
		private readonly options: PostgresOptions,
	) {}

	static async start(options: PostgresOptions = {}): Promise<Postgres> {
		if (!existsSync(`${BIN}/postgres`))
			throw new Error(
				`${BIN}/postgres is missing: install it with "apt-get install -y postgresql". The queue-mode store tests need a real PostgreSQL.`,
			);
		const dir = mkdtempSync(join(tmpdir(), 'pg-'));
		const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
		chownSync(dir, uid, gid);
		const pg = new Postgres(dir, options);
		pg.uid = uid;
		pg.gid = gid;
		const auth = ['--auth=trust'];
		if (options.password) {
			const pwfile = join(dir, 'pwfile');
			writeFileSync(pwfile, `${options.password}\n`);
			chownSync(pwfile, uid, gid);
			auth.splice(0, 1, '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`);
		}
		execFileSync(`${BIN}/initdb`, ['-D', join(dir, 'data'), '-U', 'postgres', ...auth, '-E', 'UTF8'], { uid, gid, stdio: 'pipe' });
		if (options.tls) pg.makeCertificates();
		pg.port = await freePort();
		await pg.launch();
		return pg;
	}

	/** A throwaway CA and a server certificate for 127.0.0.1, readable by the postgres user only. */
	private makeCertificates(): void {
		const run = (args: string[]) => execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
		run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Test CA', '-keyout', 'ca.key', '-out', 'ca.crt']);
		run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
		writeFileSync(join(this.dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
		run([
			'x509',
			'-req',
			'-in',
			'server.csr',
			'-CA',
			'ca.crt',
			'-CAkey',
			'ca.key',
			'-CAcreateserial',
			'-days',
			'2',
			'-out',
			'server.crt',
			'-extfile',
			'san.ext',
		]);
		for (const file of ['server.crt', 'server.key']) chownSync(join(this.dir, file), this.uid, this.gid);
		chmodSync(join(this.dir, 'server.key'), 0o600);
	}

	/** The CA certificate (PEM) that signed the server certificate, with tls. */
	get caCertificate(): string {
		return readFileSync(join(this.dir, 'ca.crt'), 'utf8');
	}

	private async launch(): Promise<void> {
		const { uid, gid, dir } = this;
		const logging = this.options.logStatements ? ['-c', 'log_statement=all', '-c', 'log_parameter_max_length=0'] : [];
		const tls = this.options.tls
			? ['-c', 'ssl=on', '-c', `ssl_cert_file=${join(dir, 'server.crt')}`, '-c', `ssl_key_file=${join(dir, 'server.key')}`]
			: [];
		this.process = spawn(
			`${BIN}/postgres`,
			[
				...['-D', join(dir, 'data'), '-p', String(this.port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=on'],
				...['-c', `timezone=${SERVER_TIME_ZONE}`, ...logging, ...tls],
			],
			{ uid, gid, stdio: ['ignore', 'ignore', 'pipe'] },
		);
		const child = this.process;
		child.stderr!.on('data', (c) => (this.stderr += c));
		const deadline = Date.now() + 30000;
		for (;;) {
			try {
				execFileSync('/usr/bin/pg_isready', ['-h', '127.0.0.1', '-p', String(this.port)], { stdio: 'ignore' });
				break;
			} catch {
				if (child.exitCode !== null || Date.now() > deadline) throw new Error(`postgres did not start: ${this.stderr}`);
				await new Promise((r) => setTimeout(r, 100));
			}
		}
	}

	get config() {
		return {
			host: '127.0.0.1',
			port: this.port,
			user: 'postgres',
			database: 'postgres',
			...(this.options.password ? { password: this.options.password } : {}),
		};
	}

	/** Connection settings for set-up and inspection over the trusted local socket. */
	get socketConfig() {
		return { host: this.dir, port: this.port, user: 'postgres', database: 'postgres' };
	}

	/** The server's log so far (with logStatements: every statement that wrote). */
	get log(): string {
		return this.stderr;
	}

	/** Where the log ends now: pass it to statements() to see only later ones. */
	mark(): number {
		return this.stderr.length;
	}

	/** Every statement received, in order, from the server's own log (needs logStatements); `since` is an earlier log length. */
	statements(since = 0): string[] {
		return this.stderr
			.slice(since)
			.split('\n')
			.map((line) => /LOG:\s+(?:statement|execute [^:]*):\s(.*)$/.exec(line)?.[1])
			.filter((sql): sql is string => !!sql);
	}

	/** The statements that wrote, in order. */
	writeStatements(since = 0): string[] {
		return this.statements(since).filter((sql) => /^\s*(insert|update|delete|merge|truncate)\b/i.test(sql));
	}

	/** Stops the server the way a crash would (immediate shutdown: no checkpoint, sessions cut). */
	async crash(): Promise<void> {
		const child = this.process;
		if (!child || child.exitCode !== null) return;
		const exited = new Promise((r) => child.once('exit', r));
		child.kill('SIGQUIT');
		await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
	}

	/** Starts the crashed server again on the same port and data. */
	async resume(): Promise<void> {
		await this.launch();
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
