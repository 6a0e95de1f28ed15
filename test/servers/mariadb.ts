import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { freePort } from '../../dev/ports';
import { SERVER_TIME_ZONE } from './timeZone';

const SERVER = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';

/**
 * A throwaway MariaDB (Debian's mariadb-server) on 127.0.0.1: its own data directory, a database "app" and a user
 * "prov" with a real password (so a wrong one is refused for real), root reachable over the socket for set-up, and
 * the general query log, which shows every statement the server received.
 */
export class MariaDb {
	port = 0;
	readonly user = 'prov';
	readonly password = 'Prov-Secret-Pw-7';
	readonly database = 'app';
	private process?: ChildProcess;
	private stderr = '';

	private constructor(readonly dir: string) {}

	static async start(): Promise<MariaDb> {
		for (const binary of [SERVER, INSTALL_DB]) {
			if (!existsSync(binary)) {
				throw new Error(
					`${binary} is missing: install it with "apt-get install -y mariadb-server". The SQL target tests need a real MariaDB.`,
				);
			}
		}
		const db = new MariaDb(mkdtempSync(join(tmpdir(), 'mariadb-')));
		// Temporary tables in the instance's own folder: servers started side by side (parallel suites) must not share /tmp.
		mkdirSync(db.tmp);
		execFileSync(
			INSTALL_DB,
			[
				'--no-defaults',
				`--datadir=${join(db.dir, 'data')}`,
				`--tmpdir=${db.tmp}`,
				'--user=root',
				'--auth-root-authentication-method=normal',
				'--skip-test-db',
			],
			{ stdio: 'pipe' },
		);
		db.port = await freePort();
		await db.launch();
		const admin = db.admin();
		try {
			await admin.raw('CREATE DATABASE app CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci');
			for (const host of ['127.0.0.1', 'localhost']) {
				await admin.raw('CREATE USER ?@? IDENTIFIED BY ?', [db.user, host, db.password]);
				await admin.raw('GRANT ALL ON app.* TO ?@?', [db.user, host]);
			}
		} finally {
			await admin.destroy();
		}
		return db;
	}

	private async launch(): Promise<void> {
		this.stderr = '';
		this.process = spawn(
			SERVER,
			[
				'--no-defaults',
				`--datadir=${join(this.dir, 'data')}`,
				`--tmpdir=${this.tmp}`,
				'--user=root',
				`--port=${this.port}`,
				'--bind-address=127.0.0.1',
				`--socket=${this.socket}`,
				`--pid-file=${join(this.dir, 'mariadb.pid')}`,
				'--skip-log-bin',
				'--innodb-buffer-pool-size=64M',
				'--character-set-server=utf8mb4',
				'--collation-server=utf8mb4_general_ci',
				'--general-log=1',
				`--general-log-file=${this.generalLog}`,
			],
			// The server's own zone (system_time_zone): sessions that do not set one work in it.
			{ stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TZ: SERVER_TIME_ZONE } },
		);
		const child = this.process;
		child.stderr!.on('data', (c) => (this.stderr += c));
		const deadline = Date.now() + 60000;
		while (!/ready for connections/.test(this.stderr)) {
			if (child.exitCode !== null || Date.now() > deadline) throw new Error(`mariadbd did not start: ${this.stderr}`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}

	/** The instance's folder for temporary tables. */
	get tmp(): string {
		return join(this.dir, 'tmp');
	}

	get socket(): string {
		return join(this.dir, 'mariadb.sock');
	}

	private get generalLog(): string {
		return join(this.dir, 'general.log');
	}

	get config() {
		return { host: '127.0.0.1', port: this.port, user: this.user, password: this.password, database: this.database };
	}

	/** A root connection over the socket, for set-up and for reading what was written. */
	admin(database?: string): Knex {
		return knexFactory({
			client: 'mysql2',
			connection: { socketPath: this.socket, user: 'root', database, dateStrings: true },
			pool: { min: 0, max: 2 },
			// Quiet about the connections the crash test cuts.
			log: { warn() {}, error() {}, debug() {}, deprecate() {} },
		});
	}

	/** Where the general log ends now: pass it to writeStatements to see only later statements. */
	mark(): number {
		return existsSync(this.generalLog) ? statSync(this.generalLog).size : 0;
	}

	/** The general log since a mark(): connects (and refused logins) and every statement. */
	generalLogText(since = 0): string {
		return existsSync(this.generalLog) ? readFileSync(this.generalLog).subarray(since).toString('utf8') : '';
	}

	/** Every statement received, in order, from the server's own general log; `since` is an earlier mark(). */
	statements(since = 0): string[] {
		return this.generalLogText(since)
			.split('\n')
			.map((line) => /\d+ Query\t(.*)$/.exec(line)?.[1])
			.filter((sql): sql is string => !!sql);
	}

	/** The statements that wrote (INSERT, UPDATE, DELETE, REPLACE), in order. */
	writeStatements(since = 0): string[] {
		return this.statements(since).filter((sql) => /^\s*(insert|update|delete|replace)\b/i.test(sql));
	}

	/** Kills the server as a crash would (SIGKILL); InnoDB recovers on the next start. */
	async crash(): Promise<void> {
		const child = this.process;
		if (!child || child.exitCode !== null) return;
		const exited = new Promise((r) => child.once('exit', r));
		child.kill('SIGKILL');
		await exited;
	}

	/** Starts the crashed server again on the same port and data. */
	async resume(): Promise<void> {
		await this.launch();
	}

	async stop(): Promise<void> {
		const child = this.process;
		if (child && child.exitCode === null) {
			const exited = new Promise((r) => child.once('exit', r));
			child.kill('SIGTERM');
			await Promise.race([exited, new Promise((r) => setTimeout(r, 20000))]);
			if (child.exitCode === null) child.kill('SIGKILL');
		}
		rmSync(this.dir, { recursive: true, force: true });
	}
}
