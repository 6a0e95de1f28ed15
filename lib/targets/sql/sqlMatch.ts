/**
 * How a SQL column compares values when matching, as the database does: numbers, booleans, dates and times by value,
 * in the form the lookup binds; text by the column's collation, which is asked of the database where JavaScript
 * cannot reproduce it (every MySQL/MariaDB collation, PostgreSQL's citext). One function gives a value's binding and
 * its key, so a value is looked up exactly as it is compared, and one that cannot match is never sent (where
 * PostgreSQL would refuse the whole IN list).
 */
import { ProvisioningError } from '../../errors';
import type { ScalarValue } from '../../envelope';
import { wire } from '../looseKey';
import type { MatchKeys } from '../target';
import type { SqlConnection } from './sqlConnection';
import type { UserLayout } from './sqlLayout';
import { type Binding, type ColumnInfo, storedForm, toDb } from './sqlValues';

export interface SqlMatchValue {
	binding: Exclude<Binding, null> | bigint;
	/** Absent where the database computes the key (collations). */
	key?: string;
}

/** The column a match attribute is compared in; JSON storage cannot be matched on. */
export function matchColumn(layout: UserLayout, attribute: string): ColumnInfo {
	const storage = layout.require(attribute);
	if (storage.kind === 'column' && storage.json) {
		throw new ProvisioningError(
			'Configuration',
			`"${attribute}" is kept in a JSON column and cannot be matched on; match on a column or a child table`,
			{ field: attribute },
		);
	}
	return storage.kind === 'child' ? storage.value : storage.column;
}

const PG_INTEGER_BITS: Record<string, bigint> = { int2: 15n, int4: 31n, int8: 63n };
const FLOATS = new Set(['float', 'double', 'real', 'float4', 'float8', 'double precision']);
const UUID = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

const isFloat = (column: ColumnInfo) => FLOATS.has(column.sqlType ?? '');

/** Whether equal keys are equal values for the database (floating point compares in its own precision). */
export const exactColumn = (column: ColumnInfo) => column.type !== 'other' && column.type !== 'json' && !isFloat(column);

function numberValue(value: ScalarValue, column: ColumnInfo, engine: 'postgres' | 'mysql'): SqlMatchValue | undefined {
	if (typeof value === 'boolean') return undefined;
	const stored = storedForm(value, column);
	const text = typeof stored === 'number' ? (Number.isFinite(stored) ? String(stored) : '') : String(stored);
	if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text)) return undefined;
	if (column.type === 'integer') {
		if (!/^-?\d+$/.test(text)) return undefined;
		const whole = BigInt(text);
		const bits = engine === 'postgres' ? PG_INTEGER_BITS[column.sqlType ?? ''] : undefined;
		// PostgreSQL refuses an out-of-range value for the whole statement; no row can hold it anyway.
		if (bits !== undefined && (whole >= 2n ** bits || whole < -(2n ** bits))) return undefined;
		const safe = Number.isSafeInteger(Number(text));
		return { key: whole.toString(), binding: safe ? Number(text) : engine === 'mysql' ? whole : whole.toString() };
	}
	return { key: text, binding: typeof stored === 'number' ? stored : text };
}

function textValue(value: ScalarValue, column: ColumnInfo, engine: 'postgres' | 'mysql'): SqlMatchValue | undefined {
	const text = wire(String(value));
	if (engine === 'mysql') return column.collation ? { binding: text } : { binding: text, key: text };
	if (text.includes('\0')) return undefined; // PostgreSQL text cannot hold NUL
	switch (column.sqlType) {
		case 'bpchar':
			return { binding: text, key: text.replace(/ +$/, '') }; // char(n): trailing spaces do not count
		case 'citext':
			return { binding: text };
		case 'uuid': {
			const m = UUID.exec(text);
			const uuid = m && m.slice(1).join('-').toLowerCase();
			return uuid ? { binding: uuid, key: uuid } : undefined;
		}
		default:
			return { binding: text, key: text };
	}
}

/** A value's binding and key for a column; undefined when no row can hold it (it matches nothing). */
export function sqlMatchValue(value: ScalarValue, column: ColumnInfo, engine: 'postgres' | 'mysql'): SqlMatchValue | undefined {
	if (value === null || value === '') return undefined;
	switch (column.type) {
		case 'integer':
		case 'decimal':
			return numberValue(value, column, engine);
		case 'boolean': {
			const flag = storedForm(value, column);
			return typeof flag === 'boolean' ? { key: String(flag), binding: toDb(flag, column, engine, column.name)! } : undefined;
		}
		case 'timestamp':
		case 'timestamptz':
		case 'date': {
			const stored = String(storedForm(value, column));
			const valid = column.type === 'date' ? /^\d{4}-\d\d-\d\d$/ : /^\d{4}-\d\d-\d\dT[\d:.]+Z$/;
			return valid.test(stored) ? { key: stored, binding: toDb(stored, column, engine, column.name)! } : undefined;
		}
		case 'text':
			return textValue(value, column, engine);
		default:
			return { binding: String(value) };
	}
}

const NO_PAD = /_nopad_|_0900_/i;

/** The keys of these texts under a column's collation, from the database: MySQL's weight strings, PostgreSQL's lower(). */
async function collationKeys(connection: SqlConnection, column: ColumnInfo, texts: string[]): Promise<string[]> {
	if (connection.engine === 'postgres') {
		const result = await connection.run('match key read', (db) =>
			db.raw('select lower(t.v) as k from unnest(?::text[]) with ordinality as t(v, i) order by t.i', [texts]),
		);
		return result.rows.map((r: { k: string }) => r.k);
	}
	const collation = column.collation!;
	if (!/^[a-z0-9_]+$/i.test(collation)) throw new ProvisioningError('Configuration', `Unexpected collation "${collation}"`);
	const charset = collation.split('_')[0];
	// PAD SPACE collations (all but the NO PAD ones) ignore trailing spaces; the weight string does not.
	const text = NO_PAD.test(collation) ? `CONVERT(? USING ${charset})` : `TRIM(TRAILING ' ' FROM CONVERT(? USING ${charset}))`;
	const out: string[] = [];
	for (let start = 0; start < texts.length; start += 500) {
		const chunk = texts.slice(start, start + 500);
		const select = chunk.map((_, i) => `HEX(WEIGHT_STRING(${text} COLLATE ${collation})) AS k${i}`).join(', ');
		const result = await connection.run('match key read', (db) => db.raw(`SELECT ${select}`, chunk));
		const row = result[0][0] as Record<string, string>;
		out.push(...chunk.map((_, i) => row[`k${i}`]));
	}
	return out;
}

/** The column's match keys for these values (see MatchKeys). */
export async function sqlMatchKeys(connection: SqlConnection, column: ColumnInfo, values: ScalarValue[]): Promise<MatchKeys> {
	const prepared = values.map((v) => sqlMatchValue(v, column, connection.engine));
	const asked = exactColumn(column) ? prepared.flatMap((p, i) => (p && p.key === undefined ? [i] : [])) : [];
	const keys = prepared.map((p) => p?.key);
	if (asked.length) {
		const texts = asked.map((i) => String(prepared[i]!.binding));
		const found = await collationKeys(connection, column, texts);
		asked.forEach((i, n) => (keys[i] = found[n]));
	}
	if (exactColumn(column)) return { keys, sure: keys, exact: true };
	// Other types compare in ways of their own: only the database can say, value by value.
	return { keys: prepared.map((p) => (p ? '' : undefined)), sure: values.map(() => undefined), exact: false };
}
