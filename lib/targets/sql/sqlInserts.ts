/**
 * Creating accounts: an envelope's attributes into a row of bound values plus child-table values, and rows into the
 * table, many per statement. PostgreSQL returns the keys (RETURNING); MySQL/MariaDB rows get theirs one INSERT at a
 * time when the database generates them, since a multi-row INSERT's AUTO_INCREMENT values need not be consecutive.
 */
import type { Knex } from 'knex';
import type { AttributeMap, AttributeValue } from '../../envelope';
import { canonicalValue } from '../../attributeChanges';
import { REDACTED } from '../../redact';
import { asList, chunks } from '../../util';
import { qualified } from './identifiers';
import type { SqlEngine } from './sqlConnection';
import type { Storage, UserLayout } from './sqlLayout';
import { type Binding, fromDb, toDb } from './sqlValues';

type Child = Extract<Storage, { kind: 'child' }>;

export interface PreparedRow {
	row: Record<string, Binding>;
	children: Array<{ storage: Child; values: Binding[] }>;
	/** Secret values of this row, scrubbed from error messages. */
	secrets: string[];
	/** What the write log shows: attributes with secrets redacted. */
	logged: Record<string, unknown>;
}

/** Bound values for a new row; an attribute the table has no place for fails the item. */
export function prepareRow(layout: UserLayout, engine: SqlEngine, attributes: AttributeMap): PreparedRow {
	const prepared: PreparedRow = { row: {}, children: [], secrets: [], logged: {} };
	for (const [attribute, value] of Object.entries(attributes)) {
		const storage = layout.require(attribute);
		const secret = layout.isSecret(attribute);
		if (secret) prepared.secrets.push(...asList(value as never).map(String));
		prepared.logged[attribute] = secret ? REDACTED : value;
		if (storage.kind === 'child') {
			const seen = new Set<string>();
			const values = asList(value as AttributeValue[])
				.map((v) => toDb(v as AttributeValue, storage.value, engine, attribute))
				.filter((v) => v !== null && !seen.has(canonicalValue(v)) && !!seen.add(canonicalValue(v)));
			prepared.children.push({ storage, values });
		} else {
			prepared.row[storage.column.name] = toDb(value, storage.column, engine, attribute, storage.json);
		}
	}
	return prepared;
}

/** Rows per INSERT: at most 500, and fewer for wide tables (bound parameters stay far below PostgreSQL's 65,535). */
const rowsPerStatement = (columns: number) => Math.max(1, Math.min(500, Math.floor(30000 / Math.max(1, columns))));

/** A row's identity for matching RETURNING rows to inputs: the canonical values of the columns every row has. */
function signature(layout: UserLayout, row: Record<string, unknown>, columns: string[]): string {
	return JSON.stringify(
		columns.map((name) =>
			canonicalValue(
				fromDb(
					row[name],
					layout.info.columns.find((c) => c.name === name)!,
				) ?? null,
			),
		),
	);
}

/** Keys of the returned rows in input order; RETURNING's order is not promised, so rows are matched by their values. */
function keysInOrder(layout: UserLayout, inputs: PreparedRow[], returned: Array<Record<string, unknown>>, columns: string[]): unknown[] {
	const key = layout.key.name;
	const byValue = new Map<string, unknown[]>();
	for (const row of returned) {
		const s = signature(layout, row, columns);
		const keys = byValue.get(s);
		if (keys) keys.push(row[key]);
		else byValue.set(s, [row[key]]);
	}
	const keys = inputs.map((input) => byValue.get(signature(layout, input.row, columns))?.shift());
	return keys.some((k) => k === undefined) ? returned.map((r) => r[key]) : keys;
}

/** Inserts rows (in one transaction when given one); returns their keys in input order. */
export async function insertRows(
	db: Knex | Knex.Transaction,
	layout: UserLayout,
	engine: SqlEngine,
	inputs: PreparedRow[],
): Promise<unknown[]> {
	const table = qualified(layout.table);
	const key = layout.key.name;
	const columns = [...new Set(inputs.flatMap((i) => Object.keys(i.row)))];
	const keys: unknown[] = [];
	for (const group of chunks(inputs, rowsPerStatement(columns.length))) {
		const rows = group.map((i) => i.row);
		if (engine === 'postgres') {
			const common = columns.filter((c) => group.every((i) => c in i.row));
			const returned = await db(table)
				.insert(rows)
				.returning([...new Set([key, ...common])]);
			keys.push(...keysInOrder(layout, group, returned, common));
		} else if (rows.every((r) => r[key] !== undefined && r[key] !== null)) {
			await db(table).insert(rows);
			keys.push(...rows.map((r) => r[key]));
		} else {
			for (const row of rows) {
				const [insertId] = await db(table).insert(row);
				keys.push(row[key] ?? insertId);
			}
		}
	}
	await insertChildren(db, layout, engine, inputs, keys);
	return keys;
}

/** The child-table values of new rows, many per statement. */
async function insertChildren(
	db: Knex | Knex.Transaction,
	layout: UserLayout,
	engine: SqlEngine,
	inputs: PreparedRow[],
	keys: unknown[],
): Promise<void> {
	const byTable = new Map<string, { storage: Child; rows: Array<Record<string, Binding>> }>();
	inputs.forEach((input, n) => {
		for (const { storage, values } of input.children) {
			const name = `${qualified(storage.table)}|${storage.userKey.name}|${storage.value.name}`;
			const entry = byTable.get(name) ?? { storage, rows: [] };
			const userKey = toDb(keys[n] as string, storage.userKey, engine, storage.attribute);
			for (const value of values) entry.rows.push({ [storage.userKey.name]: userKey, [storage.value.name]: value });
			byTable.set(name, entry);
		}
	});
	for (const { storage, rows } of byTable.values()) {
		for (const group of chunks(rows, 500)) await db(qualified(storage.table)).insert(group);
	}
}
