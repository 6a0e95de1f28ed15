/** The SQL target from its credential and the node's table parameters (see sqlDescriptions.ts). */
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { SqlConnectionOptions, SqlEngine, SqlGroupSettings, SqlUserTableSettings } from '../../lib/targets/sql/sqlTarget';
import { SqlTarget } from '../../lib/targets/sql/sqlTarget';
import { locatorText } from './pickers';

export const SQL_CREDENTIAL = 'sqlDatabaseApi';

export interface SqlSettings {
	users: SqlUserTableSettings;
	groups?: SqlGroupSettings;
}

/** A string parameter, or a picker's value (node version 3). */
const text = locatorText;

export function sqlConnectionFromCredentials(c: ICredentialDataDecryptedObject): SqlConnectionOptions {
	return {
		engine: (text(c.engine) || 'postgres') as SqlEngine,
		host: text(c.host),
		port: Number(c.port) || undefined,
		database: text(c.database),
		user: text(c.user),
		password: c.password === undefined || c.password === null ? '' : String(c.password),
		tls: c.tls === true ? { caCertificate: text(c.caCertificate) || undefined, verify: c.verifyCertificate !== false } : undefined,
		poolSize: Number(c.poolSize) || 4,
		connectTimeoutMs: Number(c.connectTimeoutMs) || 10000,
	};
}

export function sqlTargetFromCredentials(credentials: ICredentialDataDecryptedObject, settings?: SqlSettings): SqlTarget {
	return new SqlTarget({
		connection: sqlConnectionFromCredentials(credentials),
		users: settings?.users ?? { table: 'users', keyColumn: 'id' },
		groups: settings?.groups,
	});
}

/** Reads the SQL table parameters (run-wide: item 0); group tables only where the node shows them and they are set. */
export function readSqlSettings(ctx: IExecuteFunctions): SqlSettings {
	const param = (name: string, fallback: unknown = '') => ctx.getNodeParameter(name, 0, fallback);
	const state = param('sqlAccountState', {}) as IDataObject;
	const rows = (name: string, key: string) => ((param(name, {}) as IDataObject)[key] ?? []) as IDataObject[];
	const users: SqlUserTableSettings = {
		table: text(param('sqlTable', 'users')),
		keyColumn: text(param('sqlKeyColumn', 'id')),
		columns: rows('sqlColumns', 'mapping').map((r) => ({ attribute: text(r.attribute), column: text(r.column) })),
		multiValued: rows('sqlMultiValued', 'attribute').map((r) => ({
			attribute: text(r.attribute),
			table: text(r.table),
			userKeyColumn: text(r.userKeyColumn),
			valueColumn: text(r.valueColumn),
			column: text(r.column),
		})),
		activeColumn: text(state.activeColumn) || undefined,
		enabledValue: state.enabledValue === undefined ? undefined : String(state.enabledValue),
		disabledValue: state.disabledValue === undefined ? undefined : String(state.disabledValue),
		softDeleteColumn: text(state.softDeleteColumn) || undefined,
	};
	const membershipTable = text(param('sqlMembershipTable'));
	if (!membershipTable) return { users };
	return {
		users,
		groups: {
			table: text(param('sqlGroupsTable')) || 'groups',
			keyColumn: text(param('sqlGroupKeyColumn', 'id')),
			nameColumn: text(param('sqlGroupNameColumn', 'name')),
			externalIdColumn: text(param('sqlGroupExternalIdColumn')) || undefined,
			membershipTable,
			membershipGroupColumn: text(param('sqlMembershipGroupColumn', 'group_id')),
			membershipUserColumn: text(param('sqlMembershipUserColumn', 'user_id')),
		},
	};
}
