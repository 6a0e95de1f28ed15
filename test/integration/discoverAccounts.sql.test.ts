/**
 * Discover Accounts on real PostgreSQL and MariaDB: every situation classified exactly (the columns' own comparison),
 * Link and Unlink Account, and each server's statement log (PostgreSQL log_statement=all, MariaDB's general log)
 * shows no INSERT, UPDATE or DELETE from discovery or resolution.
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
		mark: async () => server.mark(),
		writesSince: async (mark) => server.writes(mark as number),
	}));
});
