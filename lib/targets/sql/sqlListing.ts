/**
 * The editor's SQL pickers: tables and columns from the catalog (information_schema, the same shape on PostgreSQL
 * and MySQL/MariaDB) and group names from the groups table. The search is one bound LIKE with its wildcards
 * escaped, so what is typed is matched as text; pages are LIMIT/OFFSET in the catalog's order.
 */
import type { Knex } from 'knex';
import { type ListPage, LIST_PAGE_SIZE, offsetOf, pageFrom, searchText } from '../listing';
import { readTable, requireColumn } from './catalog';
import { isIdentifier, qualified, type TableName } from './identifiers';
import type { SqlConnection } from './sqlConnection';

/** The escape character of our LIKE patterns: not the backslash, whose meaning in literals differs per engine. */
const LIKE_ESCAPE = '!';

/** `%text%` for a bound LIKE, lower-cased, with `%`, `_` and the escape character itself matched literally. */
export function likeContains(search: string): string {
	return `%${search.toLowerCase().replace(/[!%_]/g, (ch) => LIKE_ESCAPE + ch)}%`;
}

/** Schemas that hold the engine's own tables, never an application's. */
const SYSTEM_SCHEMAS = {
	postgres: ['pg_catalog', 'information_schema'],
	mysql: ['mysql', 'information_schema', 'performance_schema', 'sys'],
};

interface Paging {
	search?: string;
	token?: string;
	pageSize?: number;
}

function page(options: Paging) {
	return { search: searchText(options.search), offset: offsetOf(options.token), size: options.pageSize ?? LIST_PAGE_SIZE };
}

/** Names in the engine's catalog spelling: PostgreSQL's are lower case, MySQL's upper case. */
function catalog(connection: SqlConnection) {
	const pg = connection.engine === 'postgres';
	const c = (name: string) => (pg ? name : name.toUpperCase());
	return { pg, c, current: pg ? 'current_schema()' : 'database()' };
}

/**
 * The tables (and views: an updatable one is a table to the node) the credential's user can see, the current
 * schema's first: `users` for a table in the current schema (or database), `app.users` for one elsewhere, the form
 * the Table parameter takes. The search matches `schema.table`, so `app.` lists one schema's tables. MariaDB is not
 * asked for the table type: that makes it open every table's definition (65 ms instead of 8 for 2,000 tables).
 */
export async function listTables(connection: SqlConnection, options: Paging = {}): Promise<ListPage> {
	const { search, offset, size } = page(options);
	const { pg, c, current } = catalog(connection);
	const qualifiedName = pg ? `${c('table_schema')} || '.' || ${c('table_name')}` : `concat(${c('table_schema')}, '.', ${c('table_name')})`;
	const rows: Array<{ schema: string; name: string; current: unknown }> = await connection.run('list tables', (db) => {
		const query = db(`information_schema.${c('tables')}`)
			.select({ schema: c('table_schema'), name: c('table_name') })
			.select(db.raw(`(${c('table_schema')} = ${current}) as ${pg ? '"current"' : '`current`'}`))
			.whereNotIn(c('table_schema'), SYSTEM_SCHEMAS[connection.engine]);
		if (pg) query.whereIn(c('table_type'), ['BASE TABLE', 'VIEW']);
		if (search) query.whereRaw(`lower(${qualifiedName}) like ? escape '${LIKE_ESCAPE}'`, [likeContains(search)]);
		return query
			.orderByRaw(`${pg ? '"current"' : '`current`'} desc`)
			.orderBy([c('table_schema'), c('table_name')])
			.limit(size + 1)
			.offset(offset);
	});
	return pageFrom(rows, offset, size, (row) => {
		// Names the node cannot take as a parameter are not offered.
		if (!isIdentifier(row.schema) || !isIdentifier(row.name)) return undefined;
		const inCurrent = row.current === true || Number(row.current) === 1;
		const value = inCurrent ? row.name : `${row.schema}.${row.name}`;
		return { name: value, value, description: `${inCurrent ? 'current schema' : 'schema'} ${row.schema}` };
	});
}

/** The columns of a table (as the Table parameter names it), in the table's order, with their type. */
export async function listColumns(connection: SqlConnection, table: TableName, options: Paging = {}): Promise<ListPage> {
	const { search, offset, size } = page(options);
	const { pg, c, current } = catalog(connection);
	const rows: Array<{ name: string; type: string; nullable: string; dflt: unknown }> = await connection.run('list columns', (db) => {
		const query = db(`information_schema.${c('columns')}`)
			.select({ name: c('column_name'), type: pg ? 'data_type' : 'COLUMN_TYPE', nullable: c('is_nullable'), dflt: c('column_default') })
			.whereRaw(`lower(${c('table_name')}) = ?`, [table.name.toLowerCase()]);
		if (table.schema) query.where(c('table_schema'), table.schema);
		else query.whereRaw(`${c('table_schema')} = ${current}`);
		if (search) query.whereRaw(`lower(${c('column_name')}) like ? escape '${LIKE_ESCAPE}'`, [likeContains(search)]);
		return query
			.orderBy(c('ordinal_position'))
			.limit(size + 1)
			.offset(offset);
	});
	return pageFrom(rows, offset, size, (row) => {
		if (!isIdentifier(row.name)) return undefined;
		const notNull = String(row.nullable).toUpperCase() === 'NO';
		const required = notNull && (row.dflt === null || row.dflt === undefined);
		return { name: row.name, value: row.name, description: `${row.type}${notNull ? ', not null' : ''}${required ? ', no default' : ''}` };
	});
}

/** Group names from the groups table's name column, in order (the table and column checked against the catalog). */
export async function listGroupNames(
	connection: SqlConnection,
	groups: { table: TableName; nameColumn: string },
	options: Paging = {},
): Promise<ListPage> {
	const { search, offset, size } = page(options);
	const info = await readTable(connection, groups.table, 'sqlGroupsTable');
	const column = requireColumn(info, groups.nameColumn, 'sqlGroupNameColumn').name;
	const rows: Array<{ name: unknown }> = await connection.run('list groups', (db: Knex) => {
		const query = db(qualified(info.table)).distinct({ name: column }).whereNotNull(column);
		if (search) query.whereRaw(`lower(??) like ? escape '${LIKE_ESCAPE}'`, [column, likeContains(search)]);
		return query
			.orderBy(column)
			.limit(size + 1)
			.offset(offset);
	});
	return pageFrom(rows, offset, size, (row) => ({ name: String(row.name), value: String(row.name) }));
}
