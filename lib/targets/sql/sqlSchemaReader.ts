/**
 * A users table's columns from the catalog (information_schema, the same query on PostgreSQL and MySQL/MariaDB),
 * with type, nullability and default: a column is required when it is NOT NULL without a default and the database
 * does not fill it (serial, identity, AUTO_INCREMENT, generated). Attributes of the node's Column Mapping and
 * Multi-Valued Attributes are listed under the names users type. Every value is bound.
 */
import { ProvisioningError } from '../../errors';
import { attributeKey, cappedText, SCHEMA_LIMITS, type TargetAttributeInfo, type TargetAttributeList } from '../attributeSchema';
import { qualified, tableName } from './identifiers';
import type { SqlConnection } from './sqlConnection';
import type { SqlUserTableSettings } from './sqlLayout';

/** One catalog row, as both engines' information_schema give it. */
export interface CatalogColumn {
	tableName: string;
	columnName: string;
	/** PostgreSQL udt_name or data_type; MySQL COLUMN_TYPE (varchar(64), tinyint(1), int unsigned). */
	type: string;
	nullable: string;
	columnDefault: string | null;
	/** PostgreSQL is_identity / is_generated; MySQL EXTRA (auto_increment, VIRTUAL GENERATED). */
	identity?: string | null;
	generated?: string | null;
	extra?: string | null;
}

/** A computed column (GENERATED ALWAYS AS …): nothing may write it. */
const computed = (c: CatalogColumn) =>
	(!!c.generated && c.generated !== 'NEVER') || /\b(VIRTUAL|STORED) GENERATED\b/i.test(String(c.extra ?? ''));

/** Whether the database fills a column itself (serial, identity, AUTO_INCREMENT, computed). */
const filledByDatabase = (c: CatalogColumn) =>
	computed(c) || /^nextval\(/i.test(String(c.columnDefault ?? '')) || c.identity === 'YES' || /auto_increment/i.test(String(c.extra ?? ''));

/** The attributes of a table's columns, pure (the unit tests feed it catalog rows). */
export function attributesFromColumns(
	table: string,
	rows: CatalogColumn[],
	settings: Partial<SqlUserTableSettings> = {},
): TargetAttributeList {
	// Columns the node writes itself (account state) are never asked for in a row.
	const managed = new Set(
		[settings.activeColumn, settings.softDeleteColumn, settings.disabledAtColumn].filter((c): c is string => !!c).map(attributeKey),
	);
	const byColumn = new Map<string, TargetAttributeInfo>();
	for (const row of rows.slice(0, SCHEMA_LIMITS.attributes)) {
		const filled = filledByDatabase(row);
		const hasDefault = row.columnDefault !== null && row.columnDefault !== undefined;
		const notNull = String(row.nullable).toUpperCase() === 'NO';
		const name = String(cappedText(row.columnName, SCHEMA_LIMITS.nameLength));
		const details = [notNull ? 'NOT NULL' : 'nullable', hasDefault ? `default ${cappedText(String(row.columnDefault), 60)}` : '']
			.concat(filled ? ['filled by the database'] : [], managed.has(attributeKey(name)) ? ['set by this node'] : [])
			.filter(Boolean);
		byColumn.set(attributeKey(name), {
			name,
			displayName: name,
			type: String(cappedText(row.type, 64)).toLowerCase(),
			multiValued: false,
			required: notNull && !hasDefault && !filled && !managed.has(attributeKey(name)),
			readOnly: computed(row),
			description: details.join(', '),
			source: table,
		});
	}
	const attributes: TargetAttributeInfo[] = [];
	const mapped = new Set<string>();
	for (const { attribute, column } of settings.columns ?? []) {
		const target = byColumn.get(attributeKey(column));
		if (!attribute || !target) continue;
		mapped.add(attributeKey(column));
		attributes.push({ ...target, name: attribute, displayName: attribute, description: `column ${target.name}; ${target.description}` });
	}
	for (const [key, column] of byColumn) if (!mapped.has(key)) attributes.push(column);
	for (const m of settings.multiValued ?? []) {
		if (!m.attribute) continue;
		attributes.push({
			name: m.attribute,
			displayName: m.attribute,
			type: 'list',
			multiValued: true,
			required: false,
			readOnly: false,
			description: m.table ? `rows of table ${m.table}` : `column ${m.column ?? ''}`,
			source: table,
		});
	}
	// Required columns first, as the directory's MUST attributes are.
	attributes.sort((a, b) => Number(b.required) - Number(a.required));
	return {
		origin: 'live',
		note: `The columns of table ${table} (the database's catalog); required: NOT NULL without a default`,
		attributes,
	};
}

/** Reads the catalog for the configured users table over an open connection. */
export async function readSqlAttributes(connection: SqlConnection, settings: SqlUserTableSettings): Promise<TargetAttributeList> {
	const wanted = tableName(settings.table, 'sqlTable');
	const pg = connection.engine === 'postgres';
	const rows: CatalogColumn[] = await connection.run('catalog read', async (db) => {
		// eslint-disable-next-line @typescript-eslint/no-explicit-any -- knex.raw answers in each driver's own shape
		const current: any = wanted.schema ? undefined : await db.raw(pg ? 'select current_schema() as name' : 'select database() as name');
		const schema = wanted.schema ?? String((pg ? current.rows : current[0])[0].name);
		return pg
			? db('information_schema.columns')
					.select({
						tableName: 'table_name',
						columnName: 'column_name',
						type: 'udt_name',
						nullable: 'is_nullable',
						columnDefault: 'column_default',
						identity: 'is_identity',
						generated: 'is_generated',
					})
					.where('table_schema', schema)
					.whereRaw('lower(table_name) = ?', [wanted.name.toLowerCase()])
					.orderBy('ordinal_position')
			: db('information_schema.COLUMNS')
					.select({
						tableName: 'TABLE_NAME',
						columnName: 'COLUMN_NAME',
						type: 'COLUMN_TYPE',
						nullable: 'IS_NULLABLE',
						columnDefault: 'COLUMN_DEFAULT',
						extra: 'EXTRA',
					})
					.where('TABLE_SCHEMA', schema)
					.whereRaw('lower(TABLE_NAME) = ?', [wanted.name.toLowerCase()])
					.orderBy('ORDINAL_POSITION');
	});
	const names = [...new Set(rows.map((r) => r.tableName))];
	const name = names.includes(wanted.name) ? wanted.name : names.length === 1 ? names[0] : undefined;
	if (!name) {
		throw new ProvisioningError(
			'Configuration',
			`Table "${qualified(wanted)}" was not found in ${connection.engineName} database "${connection.options.database}", or the user may not read it`,
			{ field: 'sqlTable' },
		);
	}
	return attributesFromColumns(
		qualified({ ...wanted, name }),
		rows.filter((r) => r.tableName === name).map(normaliseMariaDbDefault),
		settings,
	);
}

/** MariaDB's catalog spells "no default" as the text NULL for nullable columns (10.2.7+); the column still has none. */
function normaliseMariaDbDefault(row: CatalogColumn): CatalogColumn {
	return row.columnDefault === 'NULL' ? { ...row, columnDefault: null } : row;
}
