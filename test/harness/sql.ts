/**
 * The two real SQL servers the SQL target is tested against, behind one shape: a throwaway PostgreSQL (password
 * authentication, every statement logged) and a throwaway MariaDB (general query log), each with a privileged
 * connection for set-up and inspection and the server's own list of statements received.
 */
import { randomUUID } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { MariaDb } from '../servers/mariadb';
import { Postgres } from '../servers/postgres';

export type Engine = 'postgres' | 'mysql';
export const ENGINES: Engine[] = ['postgres', 'mysql'];

export interface SqlServer {
	engine: Engine;
	/** The sqlDatabaseApi credential data for the node. */
	credential: ICredentialDataDecryptedObject;
	password: string;
	/** A privileged connection for set-up and for reading what was written. */
	admin: Knex;
	/**
	 * Where the server's log ends once everything sent so far is in it. The log reaches us late on a loaded machine:
	 * each read first sends a marker statement and waits until the log shows it (the marker is left out of reads).
	 */
	mark(): Promise<number>;
	/** Statements the server received since a mark, in order, from its own log. */
	statements(since: number): Promise<string[]>;
	/** Only those that wrote (INSERT, UPDATE, DELETE). */
	writes(since: number): Promise<string[]>;
	/** The server's own log since a mark (PostgreSQL: its log; MariaDB: the general log, with connects). */
	log(since: number): Promise<string>;
	/** Kills the server as a crash would, and starts it again. */
	crash(): Promise<void>;
	resume(): Promise<void>;
	stop(): Promise<void>;
}

const PG_PASSWORD = 'Pg-Secret-Pw-9';
const MARKER = 'log-settled-';
const unmarked = (statements: string[]) => statements.filter((sql) => !sql.includes(MARKER));

/** Sends a marker statement and waits until the server's own log shows it: what came before is in the log then. */
async function settled(admin: Knex, logText: () => string): Promise<void> {
	const tag = `${MARKER}${randomUUID()}`;
	await admin.raw(`select '${tag}' as settled`);
	for (let waited = 0; !logText().includes(tag); waited += 20) {
		if (waited > 30000) throw new Error('the SQL server log never showed the marker statement: is statement logging on?');
		await new Promise((r) => setTimeout(r, 20));
	}
}

export async function startSqlServer(engine: Engine): Promise<SqlServer> {
	if (engine === 'postgres') {
		const pg = await Postgres.start({ password: PG_PASSWORD, logStatements: true });
		const quiet = { warn() {}, error() {}, debug() {}, deprecate() {} };
		const admin = knexFactory({ client: 'pg', connection: pg.socketConfig, pool: { min: 0, max: 2 }, log: quiet });
		const settle = () => settled(admin, () => pg.log);
		return {
			engine,
			credential: {
				engine,
				host: '127.0.0.1',
				port: pg.port,
				database: 'postgres',
				user: 'postgres',
				password: PG_PASSWORD,
				connectTimeoutMs: 3000,
			},
			password: PG_PASSWORD,
			admin,
			mark: async () => (await settle(), pg.mark()),
			statements: async (since) => (await settle(), unmarked(pg.statements(since))),
			writes: async (since) => (await settle(), pg.writeStatements(since)),
			log: async (since) => (await settle(), pg.log.slice(since)),
			crash: () => pg.crash(),
			resume: () => pg.resume(),
			stop: async () => {
				await admin.destroy();
				await pg.stop();
			},
		};
	}
	const maria = await MariaDb.start();
	const admin = maria.admin(maria.database);
	const settle = () => settled(admin, () => maria.generalLogText());
	return {
		engine,
		credential: {
			engine,
			host: '127.0.0.1',
			port: maria.port,
			database: maria.database,
			user: maria.user,
			password: maria.password,
			connectTimeoutMs: 3000,
		},
		password: maria.password,
		admin,
		mark: async () => (await settle(), maria.mark()),
		statements: async (since) => (await settle(), unmarked(maria.statements(since))),
		writes: async (since) => (await settle(), maria.writeStatements(since)),
		log: async (since) => (await settle(), maria.generalLogText(since)),
		crash: () => maria.crash(),
		resume: () => maria.resume(),
		stop: async () => {
			await admin.destroy();
			await maria.stop();
		},
	};
}

/** The test schema: users (a unique user_name and employee_id), a child table of e-mails, groups and memberships. */
export async function createSchema(server: SqlServer): Promise<void> {
	const db = server.admin;
	for (const table of ['group_members', 'groups', 'user_emails', 'users']) await db.schema.dropTableIfExists(table);
	const pg = server.engine === 'postgres';
	await db.raw(
		pg
			? `create table users (
				id serial primary key, user_name text not null unique, employee_id text unique, email text, given_name text,
				family_name text, title text, department text, active boolean not null default true, hired timestamptz,
				grade integer, roles jsonb, deleted_at timestamptz)`
			: `create table users (
				id int auto_increment primary key, user_name varchar(100) not null unique, employee_id varchar(50) unique,
				email varchar(200), given_name varchar(100), family_name varchar(100), title varchar(100), department varchar(100),
				active tinyint(1) not null default 1, hired datetime(3), grade int, roles json, deleted_at datetime)`,
	);
	await db.raw(
		`create table user_emails (user_id int not null references users(id), value varchar(200) not null, primary key (user_id, value))`,
	);
	await db.raw(
		pg
			? 'create table groups (id serial primary key, name text not null unique, external_id text unique)'
			: 'create table `groups` (id int auto_increment primary key, name varchar(200) not null unique, external_id varchar(100) unique)',
	);
	await db.raw(
		`create table group_members (group_id int not null references ${pg ? 'groups' : '`groups`'}(id), user_id int not null references users(id), primary key (group_id, user_id))`,
	);
}
