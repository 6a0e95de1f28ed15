/**
 * Values between envelopes and SQL columns, by column type. Reads come back in one comparable form (booleans for
 * MySQL's tinyint(1), numbers for numeric text, ISO instants for timestamps), and desired values are put in the
 * same form before the diff, so that an unchanged account really is NoChange. Only scalars are ever bound.
 */
import type { AttributeValue, ScalarValue } from '../../envelope';
import { ProvisioningError } from '../../errors';
import { parseIsoTime } from '../../times';
import type { SqlEngine } from './sqlErrors';

export type ColumnType = 'boolean' | 'integer' | 'decimal' | 'timestamp' | 'timestamptz' | 'date' | 'json' | 'text' | 'other';

export interface ColumnInfo {
	/** As the catalog spells it. */
	name: string;
	type: ColumnType;
	/** Fractional-second digits kept by a timestamp column. */
	precision?: number;
	/** The column compares without case (MySQL/MariaDB *_ci collations, PostgreSQL citext). */
	caseInsensitive: boolean;
	/** The database fills it in (serial, identity, AUTO_INCREMENT). */
	generated: boolean;
	/** The catalog's own type name (PostgreSQL's udt_name such as int4, bpchar, citext; MySQL's data type), lower case. */
	sqlType?: string;
	/** MySQL/MariaDB: the column's collation (utf8mb4_general_ci…), which decides how its text compares. */
	collation?: string;
}

export type Binding = string | number | boolean | null;

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

function asBoolean(value: unknown): boolean | undefined {
	if (typeof value === 'boolean') return value;
	const text = String(value).trim().toLowerCase();
	return TRUE.has(text) ? true : FALSE.has(text) ? false : undefined;
}

const NUMERIC = /^[+-]?\d+(\.\d+)?$/;

/** "1.50" → 1.5, "042" → 42; digits beyond a double's precision stay text, without leading or trailing zeros. */
function asNumber(value: unknown): number | string | undefined {
	if (typeof value === 'number') return value;
	const text = String(value).trim();
	if (!NUMERIC.test(text)) return undefined;
	const negative = text.startsWith('-');
	let digits = text.replace(/^[+-]/, '').replace(/^0+(?=\d)/, '');
	if (digits.includes('.')) digits = digits.replace(/\.?0+$/, '');
	const canonical = negative && digits !== '0' ? `-${digits}` : digits;
	const number = Number(canonical);
	return String(number) === canonical ? number : canonical;
}

/** An ISO 8601 / SQL timestamp as an instant; without an offset it is UTC (sessions run in UTC), never the process's zone. */
export const asInstant = (value: unknown, precision = 6): Date | undefined => parseIsoTime(String(value), { fractionDigits: precision });

/** A value read from a column, in its comparable form; undefined for SQL NULL. */
export function fromDb(value: unknown, column: ColumnInfo, json = false): AttributeValue | undefined {
	if (value === null || value === undefined) return undefined;
	if (json || column.type === 'json') {
		if (typeof value !== 'string') return value as AttributeValue;
		try {
			return JSON.parse(value) as AttributeValue;
		} catch {
			return value;
		}
	}
	return storedForm(Buffer.isBuffer(value) ? value.toString('utf8') : (value as AttributeValue), column);
}

/** A desired value as the column would store and read it back; unchanged when it does not convert (the write then says why). */
export function storedForm(value: AttributeValue, column: ColumnInfo): AttributeValue {
	if (value === null || typeof value === 'object') return value;
	switch (column.type) {
		case 'boolean':
			return asBoolean(value) ?? value;
		case 'integer':
		case 'decimal':
			return asNumber(value) ?? value;
		case 'timestamp':
		case 'timestamptz':
			return asInstant(value, column.precision)?.toISOString() ?? value;
		case 'date':
			return asInstant(value)?.toISOString().slice(0, 10) ?? value;
		default:
			return value;
	}
}

function invalid(attribute: string, message: string): ProvisioningError {
	return new ProvisioningError('InvalidInput', `"${attribute}" ${message}`, { field: attribute });
}

/** "2024-05-01 07:30:00.125" in UTC, with as many fractional digits as the column keeps. */
function sqlTimestamp(date: Date, precision = 6): string {
	const iso = date.toISOString();
	const fraction = Math.min(3, precision) > 0 ? iso.slice(19, 20 + Math.min(3, precision)) : '';
	return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}`;
}

/** A scalar for a bound parameter. Objects and lists become JSON only for JSON storage, and are refused elsewhere. */
export function toDb(value: AttributeValue | undefined, column: ColumnInfo, engine: SqlEngine, attribute: string, json = false): Binding {
	if (value === undefined || value === null) return null;
	if (json || column.type === 'json') return JSON.stringify(value);
	if (Array.isArray(value)) {
		if (value.length === 1) return toDb(value[0] as AttributeValue, column, engine, attribute);
		throw invalid(
			attribute,
			`has ${value.length} values, but column "${column.name}" holds one. List the attribute under Multi-Valued Attributes (a child table or a JSON column).`,
		);
	}
	if (typeof value === 'object') throw invalid(attribute, `is an object; column "${column.name}" takes text, numbers or booleans`);
	switch (column.type) {
		case 'boolean': {
			const flag = asBoolean(value);
			if (flag === undefined) throw invalid(attribute, `must be true or false for column "${column.name}"`);
			return engine === 'mysql' ? (flag ? 1 : 0) : flag;
		}
		case 'timestamp':
		case 'timestamptz': {
			const instant = asInstant(value, column.precision);
			if (!instant) return String(value);
			return engine === 'postgres' && column.type === 'timestamptz' ? instant.toISOString() : sqlTimestamp(instant, column.precision);
		}
		case 'date':
			return asInstant(value)?.toISOString().slice(0, 10) ?? String(value);
		case 'integer':
		case 'decimal': {
			if (typeof value === 'boolean') return value ? 1 : 0;
			const number = typeof value === 'string' ? asNumber(value) : value;
			return typeof number === 'number' ? number : (value as ScalarValue);
		}
		default:
			// mysql2 would write a boolean as 1 into a text column.
			return typeof value === 'boolean' ? String(value) : (value as ScalarValue);
	}
}
