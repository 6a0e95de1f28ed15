/**
 * Table and column names for the SQL target. They come only from node parameters (and the database's own catalog),
 * are checked here, and are quoted by the query builder; item data never becomes an identifier.
 */
import { ProvisioningError } from '../../errors';

/** Letters, digits and underscores, not starting with a digit: no quotes, spaces, dots or dashes to escape. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** PostgreSQL truncates at 63 bytes, MySQL refuses more than 64 characters. */
const MAX_LENGTH = 63;

export function isIdentifier(name: string): boolean {
	return IDENTIFIER.test(name) && name.length <= MAX_LENGTH;
}

function refuse(name: string, parameter: string, what: string): ProvisioningError {
	return new ProvisioningError(
		'Configuration',
		`"${name}" is not a valid ${what} for "${parameter}": use letters, digits and underscores, starting with a letter or underscore (at most ${MAX_LENGTH} characters)`,
		{ field: parameter },
	);
}

/** A column name from a node parameter; throws a Configuration error naming the parameter. */
export function columnName(value: unknown, parameter: string): string {
	const name = String(value ?? '').trim();
	if (!name) throw new ProvisioningError('Configuration', `"${parameter}" needs a column name`, { field: parameter });
	if (!isIdentifier(name)) throw refuse(name, parameter, 'column name');
	return name;
}

/** A column name, or undefined when the parameter is empty. */
export function optionalColumnName(value: unknown, parameter: string): string | undefined {
	return String(value ?? '').trim() ? columnName(value, parameter) : undefined;
}

export interface TableName {
	/** The schema (PostgreSQL) or database (MySQL) when given as schema.table. */
	schema?: string;
	name: string;
}

/** A table name, optionally schema-qualified ("app.users"); throws a Configuration error naming the parameter. */
export function tableName(value: unknown, parameter: string): TableName {
	const text = String(value ?? '').trim();
	if (!text) throw new ProvisioningError('Configuration', `"${parameter}" needs a table name`, { field: parameter });
	const parts = text.split('.');
	if (parts.length > 2 || !parts.every(isIdentifier)) throw refuse(text, parameter, 'table name (table or schema.table)');
	return parts.length === 2 ? { schema: parts[0], name: parts[1] } : { name: parts[0] };
}

export const qualified = (table: TableName): string => (table.schema ? `${table.schema}.${table.name}` : table.name);
