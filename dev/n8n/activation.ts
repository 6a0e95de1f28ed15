/**
 * Activating imported workflows without booting n8n's CLI once per workflow (seconds each, minutes for `npm start`
 * on a busy machine). What `n8n update:workflow --active=true` (1.x) and `n8n publish:workflow` (2.x) write is one
 * row update: `active` (and in 2.x `activeVersionId`, the version the import recorded in `workflow_history`). Done
 * here in one statement, with n8n stopped, through the driver n8n itself uses; when the database does not look as
 * expected (another n8n version's schema, a missing history row) the caller falls back to the CLI commands.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import type { N8nRuntime } from './runtime';

export interface ActivationTarget {
	runtime: N8nRuntime;
	userFolder: string;
	env: NodeJS.ProcessEnv;
}

/** The statement for each schema: 2.x publishes the workflow's current version, 1.x only flips `active`. */
const SQL = {
	columns: (table: string) => `SELECT * FROM ${table} WHERE 1 = 0`,
	withVersions: (table: string, history: string, quote: (c: string) => string, ids: string) =>
		`UPDATE ${table} SET active = true, ${quote('activeVersionId')} = ${quote('versionId')}
		 WHERE id IN (${ids}) AND EXISTS (SELECT 1 FROM ${history} h WHERE h.${quote('workflowId')} = ${table}.id AND h.${quote('versionId')} = ${table}.${quote('versionId')})`,
	plain: (table: string, ids: string) => `UPDATE ${table} SET active = true WHERE id IN (${ids})`,
};

// Runs inside n8n's runtime (its Node, its sqlite3 build): prints how many rows were activated, or an error.
const SQLITE_SCRIPT = `
const sqlite3 = require(process.argv[1]);
const [file, prefix, idsJson] = process.argv.slice(2);
const ids = JSON.parse(idsJson);
const db = new sqlite3.Database(file);
const table = prefix + 'workflow_entity', history = prefix + 'workflow_history';
const q = (c) => '"' + c + '"';
const marks = ids.map(() => '?').join(',');
db.all('PRAGMA table_info(' + table + ')', (error, columns) => {
	if (error) { console.log('error ' + error.message); return db.close(); }
	const names = columns.map((c) => c.name);
	if (!names.includes('active')) { console.log('error no active column'); return db.close(); }
	const sql = names.includes('activeVersionId')
		? 'UPDATE ' + table + ' SET active = 1, ' + q('activeVersionId') + ' = ' + q('versionId') + ' WHERE id IN (' + marks + ') AND EXISTS (SELECT 1 FROM ' + history + ' h WHERE h.' + q('workflowId') + ' = ' + table + '.id AND h.' + q('versionId') + ' = ' + table + '.' + q('versionId') + ')'
		: 'UPDATE ' + table + ' SET active = 1 WHERE id IN (' + marks + ')';
	db.run(sql, ids, function (err) { console.log(err ? 'error ' + err.message : 'changed ' + this.changes); db.close(); });
});
`;

/** Activates the workflows in one statement; false when it could not activate every one of them (use the CLI then). */
export async function activateInDatabase({ runtime, userFolder, env }: ActivationTarget, ids: string[]): Promise<boolean> {
	if (!ids.length) return true;
	const prefix = env.DB_TABLE_PREFIX ?? '';
	if ((env.DB_TYPE ?? 'sqlite') === 'sqlite') {
		const file = env.DB_SQLITE_DATABASE ?? join(userFolder, '.n8n', 'database.sqlite');
		const sqlite = join(runtime.dir, 'node_modules', 'sqlite3');
		const res = spawnSync(runtime.node.bin, ['-e', SQLITE_SCRIPT, sqlite, file, prefix, JSON.stringify(ids)], { encoding: 'utf8' });
		return res.status === 0 && res.stdout.trim() === `changed ${ids.length}`;
	}
	if (env.DB_TYPE !== 'postgresdb') return false;
	const client = new Client({
		host: env.DB_POSTGRESDB_HOST ?? 'localhost',
		port: Number(env.DB_POSTGRESDB_PORT ?? 5432),
		database: env.DB_POSTGRESDB_DATABASE ?? 'n8n',
		user: env.DB_POSTGRESDB_USER ?? 'postgres',
		password: env.DB_POSTGRESDB_PASSWORD,
	});
	await client.connect();
	try {
		const schema = env.DB_POSTGRESDB_SCHEMA ?? 'public';
		const quote = (c: string) => `"${c}"`;
		const table = `${quote(schema)}.${quote(`${prefix}workflow_entity`)}`;
		const history = `${quote(schema)}.${quote(`${prefix}workflow_history`)}`;
		const { fields } = await client.query(SQL.columns(table));
		const names = fields.map((f) => f.name);
		if (!names.includes('active')) return false;
		const marks = ids.map((_, i) => `$${i + 1}`).join(',');
		const sql = names.includes('activeVersionId') ? SQL.withVersions(table, history, quote, marks) : SQL.plain(table, marks);
		const { rowCount } = await client.query(sql, ids);
		return rowCount === ids.length;
	} catch {
		return false;
	} finally {
		await client.end();
	}
}
