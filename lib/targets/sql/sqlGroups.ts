/**
 * Groups in SQL: a groups table (key, name, optional external id) and a membership table (group key, user key). A
 * member is referenced by the user's row key; membership changes are one multi-row INSERT or one DELETE … IN per chunk.
 */
import { ProvisioningError, toProvisioningError } from '../../errors';
import { chunks } from '../../util';
import type { GroupEntry, Groups, GroupSpec, TargetEntry, WriteLog } from '../target';
import { findColumn, readTable, requireColumn } from './catalog';
import { columnName, optionalColumnName, qualified, tableName, type TableName } from './identifiers';
import type { SqlConnection } from './sqlConnection';
import { IN_CHUNK } from './sqlRows';
import { type Binding, type ColumnInfo, toDb } from './sqlValues';

export interface SqlGroupSettings {
	table: string;
	keyColumn: string;
	nameColumn: string;
	externalIdColumn?: string;
	membershipTable: string;
	membershipGroupColumn: string;
	membershipUserColumn: string;
}

interface GroupLayout {
	table: TableName;
	key: ColumnInfo;
	name: ColumnInfo;
	externalId?: ColumnInfo;
	membership: TableName;
	group: ColumnInfo;
	user: ColumnInfo;
	columns: ColumnInfo[];
}

type Row = Record<string, unknown>;

export class SqlGroups implements Groups {
	readonly supportsNesting = false;
	readonly memberRefAttributes: string[] = [];
	private loading?: Promise<GroupLayout>;
	private readonly checked?: {
		table: TableName;
		key: string;
		name: string;
		externalId?: string;
		membership: TableName;
		group: string;
		user: string;
	};

	constructor(
		private readonly connection: SqlConnection,
		private readonly writes: WriteLog,
		settings?: SqlGroupSettings,
	) {
		if (!settings) return;
		this.checked = {
			table: tableName(settings.table, 'sqlGroupsTable'),
			key: columnName(settings.keyColumn || 'id', 'sqlGroupKeyColumn'),
			name: columnName(settings.nameColumn || 'name', 'sqlGroupNameColumn'),
			externalId: optionalColumnName(settings.externalIdColumn, 'sqlGroupExternalIdColumn'),
			membership: tableName(settings.membershipTable, 'sqlMembershipTable'),
			group: columnName(settings.membershipGroupColumn || 'group_id', 'sqlMembershipGroupColumn'),
			user: columnName(settings.membershipUserColumn || 'user_id', 'sqlMembershipUserColumn'),
		};
	}

	/** Whether the group tables are set (hard deletes of accounts then clear their memberships). */
	get configured(): boolean {
		return !!this.checked;
	}

	/** The membership table and its user column, as the catalog spells them. */
	async membershipOfUsers(): Promise<{ table: TableName; column: string }> {
		const layout = await this.layout();
		return { table: layout.membership, column: layout.user.name };
	}

	private layout(): Promise<GroupLayout> {
		const c = this.checked;
		if (!c) {
			return Promise.reject(
				new ProvisioningError(
					'Configuration',
					'Groups in a SQL database need the groups table and the membership table: set them on the node',
					{
						field: 'sqlGroupsTable',
					},
				),
			);
		}
		this.loading ??= (async () => {
			const groups = await readTable(this.connection, c.table, 'sqlGroupsTable');
			const members = await readTable(this.connection, c.membership, 'sqlMembershipTable');
			return {
				table: groups.table,
				key: requireColumn(groups, c.key, 'sqlGroupKeyColumn'),
				name: requireColumn(groups, c.name, 'sqlGroupNameColumn'),
				externalId: c.externalId ? requireColumn(groups, c.externalId, 'sqlGroupExternalIdColumn') : undefined,
				membership: members.table,
				group: requireColumn(members, c.group, 'sqlMembershipGroupColumn'),
				user: requireColumn(members, c.user, 'sqlMembershipUserColumn'),
				columns: groups.columns,
			};
		})().catch((error) => {
			this.loading = undefined;
			throw error;
		});
		return this.loading;
	}

	memberRef(account: TargetEntry): string {
		return account.id;
	}

	groupMemberRef(group: GroupEntry): string {
		return group.id;
	}

	memberKey(ref: string): string {
		return String(ref);
	}

	private bind(value: unknown, column: ColumnInfo): Exclude<Binding, null> {
		return toDb(String(value), column, this.connection.engine, column.name) as Exclude<Binding, null>;
	}

	private toGroup(layout: GroupLayout, row: Row, members: string[]): GroupEntry {
		const externalId = layout.externalId ? row[layout.externalId.name] : undefined;
		return {
			id: String(row[layout.key.name]),
			displayName: String(row[layout.name.name] ?? ''),
			externalId: externalId === undefined || externalId === null ? undefined : String(externalId),
			members,
		};
	}

	private columnsOf(layout: GroupLayout): string[] {
		return [layout.key.name, layout.name.name, ...(layout.externalId ? [layout.externalId.name] : [])];
	}

	async findGroups(by: 'externalId' | 'displayName', values: string[]): Promise<GroupEntry[]> {
		const layout = await this.layout();
		const column = by === 'displayName' ? layout.name : layout.externalId;
		if (!column) return [];
		const out: GroupEntry[] = [];
		for (const chunk of chunks([...new Set(values.filter(Boolean))], IN_CHUNK)) {
			const rows: Row[] = await this.connection.run('group lookup', (db) =>
				db(qualified(layout.table))
					.select(this.columnsOf(layout))
					.whereIn(
						column.name,
						chunk.map((v) => this.bind(v, column)),
					),
			);
			out.push(...rows.map((row) => this.toGroup(layout, row, [])));
		}
		return out;
	}

	async readGroup(id: string): Promise<GroupEntry | null> {
		const layout = await this.layout();
		return this.connection.run('group read', async (db) => {
			const [row] = await db(qualified(layout.table)).select(this.columnsOf(layout)).where(layout.key.name, this.bind(id, layout.key));
			if (!row) return null;
			const members: Row[] = await db(qualified(layout.membership))
				.select(layout.user.name)
				.where(layout.group.name, this.bind(id, layout.group));
			return this.toGroup(
				layout,
				row,
				members.map((m) => String(m[layout.user.name])),
			);
		});
	}

	/** Inserts the group alone; members follow in chunks, like every other membership change. */
	async createGroup(spec: GroupSpec): Promise<GroupEntry> {
		const layout = await this.layout();
		const row: Record<string, Binding> = { [layout.name.name]: spec.displayName };
		if (spec.externalId && layout.externalId) row[layout.externalId.name] = spec.externalId;
		for (const [name, value] of Object.entries(spec.extra ?? {})) {
			const column = findColumn({ table: layout.table, columns: layout.columns }, name);
			if (column && value !== '') row[column.name] = toDb(value, column, this.connection.engine, name);
		}
		const key = await this.connection.run('group insert', async (db) => {
			if (this.connection.engine === 'postgres')
				return (await db(qualified(layout.table)).insert(row).returning([layout.key.name]))[0][layout.key.name];
			const [insertId] = await db(qualified(layout.table)).insert(row);
			return row[layout.key.name] ?? insertId;
		});
		const id = String(key);
		this.writes.add('create', id, { table: qualified(layout.table), values: row });
		return { id, displayName: spec.displayName, externalId: spec.externalId, members: [] };
	}

	async renameGroup(id: string, displayName: string): Promise<string> {
		const layout = await this.layout();
		await this.connection.run('group rename', (db) =>
			db(qualified(layout.table))
				.where(layout.key.name, this.bind(id, layout.key))
				.update({ [layout.name.name]: displayName }),
		);
		this.writes.add('rename', id, { table: qualified(layout.table), set: { [layout.name.name]: displayName } });
		return id;
	}

	/** One multi-row INSERT; members added meanwhile (a unique violation) are skipped on a second try. */
	async addMembers(id: string, members: string[]): Promise<void> {
		const layout = await this.layout();
		const table = qualified(layout.membership);
		const group = this.bind(id, layout.group);
		const rows = (list: string[]) => list.map((m) => ({ [layout.group.name]: group, [layout.user.name]: this.bind(m, layout.user) }));
		try {
			await this.connection.run('membership insert', (db) => db(table).insert(rows(members)));
		} catch (thrown) {
			if (toProvisioningError(thrown).code !== 'Uniqueness') throw thrown;
			await this.connection.transaction('membership insert', async (trx) => {
				const present = new Set(
					(await trx(table).select(layout.user.name).where(layout.group.name, group)).map((r: Row) => String(r[layout.user.name])),
				);
				const missing = members.filter((m) => !present.has(String(m)));
				if (missing.length) await trx(table).insert(rows(missing));
			});
		}
		this.writes.add('update', id, { table, added: members });
	}

	async removeMembers(id: string, members: string[]): Promise<void> {
		const layout = await this.layout();
		const table = qualified(layout.membership);
		for (const chunk of chunks(members, IN_CHUNK)) {
			await this.connection.run('membership delete', (db) =>
				db(table)
					.where(layout.group.name, this.bind(id, layout.group))
					.whereIn(
						layout.user.name,
						chunk.map((m) => this.bind(m, layout.user)),
					)
					.delete(),
			);
		}
		this.writes.add('update', id, { table, removed: members });
	}

	/** Deletes the group with its memberships, in one transaction; a group already gone counts as deleted. */
	async deleteGroup(id: string): Promise<void> {
		const layout = await this.layout();
		await this.connection.transaction('group delete', async (trx) => {
			await trx(qualified(layout.membership)).where(layout.group.name, this.bind(id, layout.group)).delete();
			await trx(qualified(layout.table)).where(layout.key.name, this.bind(id, layout.key)).delete();
		});
		this.writes.add('delete', id, { table: qualified(layout.table) });
	}

	/** Removes the account from every group listing it, in one DELETE; returns those groups' names. */
	async removeFromAllGroups(accountId: string): Promise<string[]> {
		const layout = await this.layout();
		const table = qualified(layout.membership);
		const user = this.bind(accountId, layout.user);
		const groups: Row[] = await this.connection.transaction('membership delete', async (trx) => {
			const found: Row[] = await trx(qualified(layout.table))
				.select(layout.key.name, layout.name.name)
				.whereIn(layout.key.name, trx(table).select(layout.group.name).where(layout.user.name, user));
			if (found.length) await trx(table).where(layout.user.name, user).delete();
			return found;
		});
		for (const g of groups) this.writes.add('update', String(g[layout.key.name]), { table, removed: [accountId] });
		return groups.map((g) => String(g[layout.name.name]));
	}
}
