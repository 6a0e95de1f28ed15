/** A SQL database (PostgreSQL, MySQL/MariaDB) as a target: a users table and, for groups, a groups and a membership table. */
import { type Target, WriteLog } from '../target';
import { SqlAccounts } from './sqlAccounts';
import { SqlConnection, type SqlConnectionOptions } from './sqlConnection';
import { type SqlGroupSettings, SqlGroups } from './sqlGroups';
import type { SqlUserTableSettings } from './sqlLayout';

export type { SqlConnectionOptions, SqlEngine } from './sqlConnection';
export type { SqlGroupSettings } from './sqlGroups';
export type { MultiValuedSetting, SqlUserTableSettings } from './sqlLayout';

export interface SqlTargetOptions {
	connection: SqlConnectionOptions;
	users: SqlUserTableSettings;
	groups?: SqlGroupSettings;
}

export class SqlTarget implements Target {
	readonly system = 'sql' as const;
	readonly users: SqlAccounts;
	readonly groups: SqlGroups;
	readonly connection: SqlConnection;
	private readonly log = new WriteLog();
	private readonly table: string;

	constructor(options: SqlTargetOptions) {
		this.table = String(options.users.table ?? '').trim();
		this.connection = new SqlConnection(options.connection);
		this.users = new SqlAccounts(this.connection, this.log, options.users);
		this.groups = new SqlGroups(this.connection, this.log, options.groups);
		// A hard-deleted account leaves no memberships behind.
		if (this.groups.configured) this.users.dependents.push(() => this.groups.membershipOfUsers());
	}

	/** postgresql://host:port/database/table, without credentials. */
	get endpoint(): string {
		return `${this.connection.url}/${this.table}`;
	}

	get writes() {
		return this.log.records;
	}

	close(): Promise<void> {
		return this.connection.close();
	}
}
