/**
 * Where each attribute lives in the database: a column of the users table (by the Column Mapping, else the column of
 * the same name), a JSON column or a child table (Multi-Valued Attributes), or the row key. Settings are checked as
 * identifiers when the target is built; names are resolved against the catalog when it is first used.
 */
import { ProvisioningError } from '../../errors';
import { isSecretAttribute } from '../../redact';
import { findColumn, readTable, requireColumn, type TableInfo } from './catalog';
import { columnName, optionalColumnName, qualified, type TableName, tableName } from './identifiers';
import type { SqlConnection } from './sqlConnection';
import { type ColumnInfo, storedForm } from './sqlValues';

export interface MultiValuedSetting {
	attribute: string;
	/** Child table with one row per value; empty means a JSON column of the users table. */
	table?: string;
	/** Child table column holding the user's key (default user_id). */
	userKeyColumn?: string;
	/** Child table column holding the value (default value). */
	valueColumn?: string;
	/** JSON column; defaults to the column named like the attribute. */
	column?: string;
}

export interface SqlUserTableSettings {
	table: string;
	keyColumn: string;
	/** attribute → column; other attributes go to the column of the same name. */
	columns?: Array<{ attribute: string; column: string }>;
	multiValued?: MultiValuedSetting[];
	/** Column saying whether an account is enabled, with its enabled and disabled values (default true / false). */
	activeColumn?: string;
	enabledValue?: string;
	disabledValue?: string;
	/** Timestamp column: set means deleted. Deletes then set it, and such rows are not live accounts. */
	softDeleteColumn?: string;
	/** Timestamp column a disable sets to its time and an enable clears, for delayed deletion. */
	disabledAtColumn?: string;
	/** Rows per page when listing (default 1000). */
	pageSize?: number;
}

export type Storage =
	| { kind: 'column'; column: ColumnInfo; json: boolean }
	| { kind: 'child'; attribute: string; table: TableName; userKey: ColumnInfo; value: ColumnInfo };

interface Checked {
	table: TableName;
	key: string;
	columns: Map<string, string>;
	multi: Array<{ attribute: string; table?: TableName; userKey: string; value: string; column?: string }>;
	active?: string;
	softDelete?: string;
	disabledAt?: string;
}

/** Checks every configured name as an identifier, naming the parameter at fault. */
export function checkUserSettings(settings: SqlUserTableSettings): Checked {
	const columns = new Map<string, string>();
	for (const row of settings.columns ?? []) {
		const attribute = String(row.attribute ?? '').trim();
		if (!attribute) throw new ProvisioningError('Configuration', 'A Column Mapping row has no attribute', { field: 'sqlColumns' });
		columns.set(attribute, columnName(row.column, 'sqlColumns'));
	}
	const multi = (settings.multiValued ?? []).map((m) => {
		const attribute = String(m.attribute ?? '').trim();
		if (!attribute)
			throw new ProvisioningError('Configuration', 'A Multi-Valued Attributes row has no attribute', { field: 'sqlMultiValued' });
		const table = String(m.table ?? '').trim() ? tableName(m.table, 'sqlMultiValued') : undefined;
		return {
			attribute,
			table,
			userKey: columnName(m.userKeyColumn || 'user_id', 'sqlMultiValued'),
			value: columnName(m.valueColumn || 'value', 'sqlMultiValued'),
			column: optionalColumnName(m.column, 'sqlMultiValued'),
		};
	});
	return {
		table: tableName(settings.table, 'sqlTable'),
		key: columnName(settings.keyColumn || 'id', 'sqlKeyColumn'),
		columns,
		multi,
		active: optionalColumnName(settings.activeColumn, 'sqlActiveColumn'),
		softDelete: optionalColumnName(settings.softDeleteColumn, 'sqlSoftDeleteColumn'),
		disabledAt: optionalColumnName(settings.disabledAtColumn, 'sqlDisabledAtColumn'),
	};
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The users table as the database has it, and where each attribute lives. */
export class UserLayout {
	private readonly storages = new Map<string, Storage | undefined>();
	private readonly secrets = new Map<string, boolean>();

	private constructor(
		readonly info: TableInfo,
		readonly key: ColumnInfo,
		private readonly checked: Checked,
		private readonly children: Map<string, TableInfo>,
		readonly active: { column: ColumnInfo; enabled: unknown; disabled: unknown } | undefined,
		readonly softDelete: ColumnInfo | undefined,
		readonly disabledAt: ColumnInfo | undefined,
	) {}

	static async load(connection: SqlConnection, settings: SqlUserTableSettings, checked = checkUserSettings(settings)): Promise<UserLayout> {
		const info = await readTable(connection, checked.table, 'sqlTable');
		const children = new Map<string, TableInfo>();
		for (const m of checked.multi) {
			if (!m.table) continue;
			const child = await readTable(connection, m.table, 'sqlMultiValued');
			requireColumn(child, m.userKey, 'sqlMultiValued');
			requireColumn(child, m.value, 'sqlMultiValued');
			children.set(m.attribute, child);
		}
		let active: UserLayout['active'];
		if (checked.active) {
			const column = requireColumn(info, checked.active, 'sqlActiveColumn');
			const enabled = storedForm(settings.enabledValue ?? 'true', column);
			const disabled = storedForm(settings.disabledValue ?? 'false', column);
			active = { column, enabled, disabled };
		}
		const softDelete = checked.softDelete ? requireColumn(info, checked.softDelete, 'sqlSoftDeleteColumn') : undefined;
		const disabledAt = checked.disabledAt ? requireColumn(info, checked.disabledAt, 'sqlDisabledAtColumn') : undefined;
		return new UserLayout(info, requireColumn(info, checked.key, 'sqlKeyColumn'), checked, children, active, softDelete, disabledAt);
	}

	get table(): TableName {
		return this.info.table;
	}

	get name(): string {
		return qualified(this.info.table);
	}

	/** Whether an attribute's values are secret (passwords): redacted in the write log, scrubbed from errors. */
	isSecret(attribute: string): boolean {
		let secret = this.secrets.get(attribute);
		if (secret === undefined) this.secrets.set(attribute, (secret = isSecretAttribute(attribute)));
		return secret;
	}

	/** Whether an attribute names the row key ("id", or an attribute stored in the key column). */
	isKey(attribute: string): boolean {
		const storage = this.storage(attribute);
		return same(attribute, 'id') || (storage?.kind === 'column' && storage.column.name === this.key.name);
	}

	/** Where an attribute lives, or undefined when the table has no place for it. */
	storage(attribute: string): Storage | undefined {
		if (this.storages.has(attribute)) return this.storages.get(attribute);
		const storage = this.resolve(attribute);
		this.storages.set(attribute, storage);
		return storage;
	}

	private resolve(attribute: string): Storage | undefined {
		const multi = this.checked.multi.find((m) => m.attribute === attribute) ?? this.checked.multi.find((m) => same(m.attribute, attribute));
		if (multi?.table) {
			const child = this.children.get(multi.attribute)!;
			return {
				kind: 'child',
				attribute: multi.attribute,
				table: child.table,
				userKey: requireColumn(child, multi.userKey, 'sqlMultiValued'),
				value: requireColumn(child, multi.value, 'sqlMultiValued'),
			};
		}
		if (multi) return { kind: 'column', column: requireColumn(this.info, multi.column ?? attribute, 'sqlMultiValued'), json: true };
		const mapped = this.checked.columns.get(attribute) ?? [...this.checked.columns].find(([a]) => same(a, attribute))?.[1];
		if (mapped) {
			const column = requireColumn(this.info, mapped, 'sqlColumns');
			return { kind: 'column', column, json: column.type === 'json' };
		}
		if (same(attribute, 'id')) return { kind: 'column', column: this.key, json: false };
		const column = findColumn(this.info, attribute);
		return column ? { kind: 'column', column, json: column.type === 'json' } : undefined;
	}

	/** The child tables of multi-valued attributes, with the column holding the account's key. */
	childTables(): Array<{ table: TableName; column: string }> {
		return this.checked.multi
			.filter((m) => m.table)
			.map((m) => {
				const child = this.children.get(m.attribute)!;
				return { table: child.table, column: requireColumn(child, m.userKey, 'sqlMultiValued').name };
			});
	}

	/** Where an attribute lives; an attribute with no place is the item's fault, named in the error. */
	require(attribute: string): Storage {
		const storage = this.storage(attribute);
		if (storage) return storage;
		throw new ProvisioningError(
			'InvalidInput',
			`Table "${this.name}" has no column for attribute "${attribute}": add a Column Mapping row for it, or leave it out of the mapping`,
			{ field: attribute },
		);
	}
}
