/**
 * What the database itself says about a table: its exact name and its columns with their types, collations and
 * generated keys (information_schema, the same query shape on both engines). Names are resolved against it, so the
 * identifiers that reach SQL are the catalog's own spelling of names the node's parameters gave.
 */
import { ProvisioningError } from '../../errors';
import { isIdentifier, qualified, type TableName } from './identifiers';
import type { SqlConnection } from './sqlConnection';
import type { ColumnInfo, ColumnType } from './sqlValues';

export interface TableInfo {
	/** Schema-qualified, as the catalog spells it. */
	table: TableName;
	columns: ColumnInfo[];
}

interface Row {
	tableName: string;
	columnName: string;
	dataType: string;
	columnType?: string;
	udtName?: string;
	collation?: string | null;
	precision?: number | string | null;
	columnDefault?: string | null;
	extra?: string | null;
	identity?: string | null;
}

const PG_TYPES: Record<string, ColumnType> = {
	boolean: 'boolean',
	smallint: 'integer',
	integer: 'integer',
	bigint: 'integer',
	numeric: 'decimal',
	real: 'decimal',
	'double precision': 'decimal',
	'timestamp without time zone': 'timestamp',
	'timestamp with time zone': 'timestamptz',
	date: 'date',
	json: 'json',
	jsonb: 'json',
	text: 'text',
	'character varying': 'text',
	character: 'text',
	uuid: 'text',
};

const MYSQL_TYPES: Record<string, ColumnType> = {
	tinyint: 'integer',
	smallint: 'integer',
	mediumint: 'integer',
	int: 'integer',
	bigint: 'integer',
	decimal: 'decimal',
	float: 'decimal',
	double: 'decimal',
	datetime: 'timestamp',
	timestamp: 'timestamp',
	date: 'date',
	json: 'json',
	char: 'text',
	varchar: 'text',
	tinytext: 'text',
	text: 'text',
	mediumtext: 'text',
	longtext: 'text',
	enum: 'text',
};

function toColumn(engine: 'postgres' | 'mysql', row: Row): ColumnInfo {
	const dataType = String(row.dataType).toLowerCase();
	let type: ColumnType;
	if (engine === 'postgres') type = row.udtName === 'citext' ? 'text' : (PG_TYPES[dataType] ?? 'other');
	else type = String(row.columnType).toLowerCase().startsWith('tinyint(1)') ? 'boolean' : (MYSQL_TYPES[dataType] ?? 'other');
	const precision = row.precision === null || row.precision === undefined ? undefined : Number(row.precision);
	const generated =
		engine === 'postgres'
			? /^nextval\(/i.test(String(row.columnDefault ?? '')) || row.identity === 'YES'
			: /auto_increment/i.test(String(row.extra ?? ''));
	const caseInsensitive = engine === 'postgres' ? row.udtName === 'citext' : /_ci$/i.test(String(row.collation ?? ''));
	const unsigned = engine === 'mysql' && /unsigned/i.test(String(row.columnType ?? '')) ? ' unsigned' : '';
	const sqlType = `${String((engine === 'postgres' ? row.udtName : undefined) ?? dataType).toLowerCase()}${unsigned}`;
	const collation = engine === 'mysql' && row.collation ? String(row.collation) : undefined;
	return { name: row.columnName, type, precision, caseInsensitive, generated, sqlType, ...(collation ? { collation } : {}) };
}

async function schemaOf(connection: SqlConnection, table: TableName): Promise<string> {
	if (table.schema) return table.schema;
	const sql = connection.engine === 'postgres' ? 'select current_schema() as name' : 'select database() as name';
	const result = await connection.run('catalog read', (db) => db.raw(sql));
	const rows = connection.engine === 'postgres' ? result.rows : result[0];
	return String(rows[0].name);
}

/** Reads a table's columns; the table name is matched exactly, or without case when exactly one table fits. */
export async function readTable(connection: SqlConnection, wanted: TableName, parameter: string): Promise<TableInfo> {
	const schema = await schemaOf(connection, wanted);
	const pg = connection.engine === 'postgres';
	const rows: Row[] = await connection.run('catalog read', (db) =>
		pg
			? db('information_schema.columns')
					.select({
						tableName: 'table_name',
						columnName: 'column_name',
						dataType: 'data_type',
						udtName: 'udt_name',
						collation: 'collation_name',
						precision: 'datetime_precision',
						columnDefault: 'column_default',
						identity: 'is_identity',
					})
					.where('table_schema', schema)
					.whereRaw('lower(table_name) = ?', [wanted.name.toLowerCase()])
					.orderBy('ordinal_position')
			: db('information_schema.COLUMNS')
					.select({
						tableName: 'TABLE_NAME',
						columnName: 'COLUMN_NAME',
						dataType: 'DATA_TYPE',
						columnType: 'COLUMN_TYPE',
						collation: 'COLLATION_NAME',
						precision: 'DATETIME_PRECISION',
						extra: 'EXTRA',
					})
					.where('TABLE_SCHEMA', schema)
					.whereRaw('lower(TABLE_NAME) = ?', [wanted.name.toLowerCase()])
					.orderBy('ORDINAL_POSITION'),
	);
	const names = [...new Set(rows.map((r) => r.tableName))];
	const name = names.includes(wanted.name) ? wanted.name : names.length === 1 ? names[0] : undefined;
	if (!name) {
		const hint = names.length > 1 ? ` (several tables differ only in case: ${names.join(', ')})` : '';
		throw new ProvisioningError(
			'Configuration',
			`Table "${qualified({ schema, name: wanted.name })}" (from "${parameter}") was not found in ${connection.engineName} database "${connection.options.database}"${hint}, or the user may not read it`,
			{ field: parameter },
		);
	}
	const columns = rows.filter((r) => r.tableName === name).map((r) => toColumn(connection.engine, r));
	if (!isIdentifier(name))
		throw new ProvisioningError('Configuration', `Table name "${name}" has characters this node does not accept`, { field: parameter });
	return { table: { schema: wanted.schema ? schema : undefined, name }, columns };
}

/** A column by name: exactly, or without case when exactly one column fits; undefined when there is none. */
export function findColumn(table: TableInfo, name: string): ColumnInfo | undefined {
	const folded = table.columns.filter((c) => c.name.toLowerCase() === name.toLowerCase());
	const found = table.columns.find((c) => c.name === name) ?? (folded.length === 1 ? folded[0] : undefined);
	return found && isIdentifier(found.name) ? found : undefined;
}

/** A column named by a node parameter: missing is a Configuration error naming the parameter. */
export function requireColumn(table: TableInfo, name: string, parameter: string): ColumnInfo {
	const column = findColumn(table, name);
	if (!column) {
		throw new ProvisioningError(
			'Configuration',
			`Column "${name}" (from "${parameter}") is not in table "${qualified(table.table)}"; it has ${table.columns.map((c) => c.name).join(', ')}`,
			{ field: parameter },
		);
	}
	return column;
}
