/**
 * Discover Accounts on real PostgreSQL and MariaDB: every situation classified exactly (the columns' own comparison),
 * Link and Unlink Account, and each server's statement log (PostgreSQL log_statement=all, MariaDB's general log)
 * shows no INSERT, UPDATE or DELETE from discovery or resolution, and MariaDB's Com_insert/update/delete counters do not move.
 */
import { deprovisionItems } from '../../lib/provisioning/deprovision';
import { sqlTargetFromCredentials } from '../../nodes/shared/sqlSettings';
import { ACCOUNTS, ANCHOR, DISABLED_AT, discoverySuite, FIRST_KEY } from '../harness/discoverScenario';
import { createSchema, ENGINES, type SqlServer, startSqlServer } from '../harness/sql';

describe.each(ENGINES)('Discover Accounts → SQL (%s)', (engine) => {
	let server: SqlServer;
	beforeAll(async () => {
		server = await startSqlServer(engine);
		await createSchema(server);
		await server.admin.raw(`alter table users add column disabled_at ${engine === 'postgres' ? 'timestamptz' : 'datetime(3)'}`);
	});
	afterAll(async () => {
		await server?.stop();
	});

	/** MariaDB's server-wide write counters; PostgreSQL's statement log is its evidence (its table statistics arrive late). */
	const writeCounters = async (): Promise<Record<string, number>> => {
		if (engine !== 'mysql') return {};
		const [rows] = await server.admin.raw(
			"show global status where Variable_name in ('Com_insert', 'Com_insert_select', 'Com_update', 'Com_update_multi', 'Com_delete', 'Com_delete_multi', 'Com_replace', 'Com_truncate')",
		);
		expect(rows).toHaveLength(8);
		return Object.fromEntries((rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name, Number(r.Value)]));
	};

	discoverySuite(() => ({
		params: {
			target: 'sql',
			sqlTable: 'users',
			sqlKeyColumn: 'id',
			sqlAccountState: { activeColumn: 'active' },
			options: { disabledTimeAttribute: 'disabled_at' },
		},
		credentials: () => ({ sqlDatabaseApi: server.credential }),
		attributes: ['email', 'user_name', 'employee_id'],
		absentAccountId: '999999',
		async seed() {
			await server
				.admin('users')
				.insert(ACCOUNTS.map((login) => ({ user_name: login, email: FIRST_KEY[login], employee_id: ANCHOR[login] ?? null })));
			const target = sqlTargetFromCredentials(server.credential, {
				users: { table: 'users', keyColumn: 'id', activeColumn: 'active', disabledAtColumn: 'disabled_at' },
			});
			try {
				const pend = { attributes: {}, matchKeys: [{ attribute: 'user_name', value: 'pend' }] };
				await deprovisionItems(target, [pend], { action: 'disable', clock: () => new Date(DISABLED_AT) });
			} finally {
				await target.close();
			}
		},
		mark: async () => ({ log: server.mark(), counters: await writeCounters() }),
		writesSince: async (mark) => {
			const { log, counters } = mark as { log: number; counters: Record<string, number> };
			// MariaDB also counts every statement by kind (Com_insert, Com_update, Com_delete…): none may have moved.
			const now = await writeCounters();
			const moved = Object.keys(now).filter((name) => now[name] !== counters[name]);
			return [...server.writes(log), ...moved.map((name) => `${name}: ${counters[name]} → ${now[name]}`)];
		},
	}));
});
