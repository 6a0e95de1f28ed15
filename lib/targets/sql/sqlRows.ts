/**
 * Reading accounts: which columns to select for the requested attributes, rows into TargetEntries (with the values of
 * child tables, fetched for a whole page in one query), and the JSON scope filters reconcile may pass.
 */
import type { Knex } from 'knex';
import type { AttributeMap } from '../../envelope';
import { ProvisioningError } from '../../errors';
import { canonicalValue } from '../../attributeChanges';
import { chunks, isObject } from '../../util';
import type { TargetEntry } from '../target';
import { qualified } from './identifiers';
import type { SqlConnection } from './sqlConnection';
import type { Storage, UserLayout } from './sqlLayout';
import { sqlMatchValue } from './sqlMatch';
import { asInstant, type Binding, fromDb, toDb } from './sqlValues';

/** Most values in one IN list: far below PostgreSQL's 65,535 parameters and MySQL's packet size. */
export const IN_CHUNK = 1000;

type Row = Record<string, unknown>;

/** The users-table columns to select for these attributes (the key and the active column always). */
export function selection(layout: UserLayout, attributes: string[]): string[] {
	const columns = new Set([layout.key.name]);
	if (layout.active) columns.add(layout.active.column.name);
	if (layout.disabledAt) columns.add(layout.disabledAt.name);
	for (const attribute of attributes) {
		const storage = layout.storage(attribute);
		if (storage?.kind === 'column') columns.add(storage.column.name);
	}
	return [...columns];
}

/** Live accounts only: soft-deleted rows are not accounts any more. */
export function live(layout: UserLayout, query: Knex.QueryBuilder): Knex.QueryBuilder {
	return layout.softDelete ? query.whereNull(layout.softDelete.name) : query;
}

/** A key as a bound value, or undefined when it cannot be one (text for a numeric key matches nothing). */
export function keyBinding(layout: UserLayout, id: string, engine: 'postgres' | 'mysql'): Exclude<Binding, null> | undefined {
	return sqlMatchValue(id, layout.key, engine)?.binding as Exclude<Binding, null> | undefined;
}

/** Values of child-table attributes for these keys, one query per table and chunk: attribute → key → values. */
async function childValues(connection: SqlConnection, children: Storage[], ids: unknown[]): Promise<Map<string, Map<string, unknown[]>>> {
	const out = new Map<string, Map<string, unknown[]>>();
	for (const storage of children) {
		if (storage.kind !== 'child') continue;
		const byKey = new Map<string, unknown[]>();
		for (const chunk of chunks(ids, IN_CHUNK)) {
			const rows: Row[] = await connection.run('read', (db) =>
				db(qualified(storage.table))
					.select(storage.userKey.name, storage.value.name)
					.whereIn(storage.userKey.name, chunk as Binding[])
					.orderBy([storage.userKey.name, storage.value.name]),
			);
			for (const row of rows) {
				const key = String(row[storage.userKey.name]);
				const value = fromDb(row[storage.value.name], storage.value);
				if (value === undefined) continue;
				const values = byKey.get(key);
				if (values) values.push(value);
				else byKey.set(key, [value]);
			}
		}
		out.set(storage.attribute, byKey);
	}
	return out;
}

/** Rows into entries keyed by the requested attribute names; child values are read for all rows at once. */
export async function toEntries(connection: SqlConnection, layout: UserLayout, rows: Row[], attributes: string[]): Promise<TargetEntry[]> {
	const storages = new Map(attributes.map((a) => [a, layout.storage(a)] as const));
	const children = [...new Map([...storages.values()].filter((s) => s?.kind === 'child').map((s) => [s!.attribute, s!])).values()];
	const values = children.length
		? await childValues(
				connection,
				children,
				rows.map((r) => r[layout.key.name]),
			)
		: new Map();
	const disabled = layout.active ? canonicalValue(layout.active.disabled) : undefined;
	return rows.map((row) => {
		const id = String(row[layout.key.name]);
		const entry: AttributeMap = {};
		for (const [attribute, storage] of storages) {
			if (!storage) continue;
			const value =
				storage.kind === 'child' ? values.get(storage.attribute)?.get(id) : fromDb(row[storage.column.name], storage.column, storage.json);
			if (value !== undefined) entry[attribute] = value as AttributeMap[string];
		}
		let active: boolean | undefined;
		if (layout.active) {
			const state = fromDb(row[layout.active.column.name], layout.active.column);
			active = state === undefined ? undefined : canonicalValue(state) !== disabled;
		}
		const since = active === false && layout.disabledAt ? disabledSince(row[layout.disabledAt.name]) : undefined;
		return { id, attributes: entry, ...(active === undefined ? {} : { active }), ...(since ? { disabledAt: since } : {}) };
	});
}

/**
 * Reconcile's scope and protected-account filters for SQL: a JSON object of attribute → value (or list of values),
 * e.g. {"employee_type": "staff"}. Names resolve like attributes; values are bound.
 */
export function applyFilter(
	layout: UserLayout,
	query: Knex.QueryBuilder,
	filter: string | undefined,
	engine: 'postgres' | 'mysql',
): Knex.QueryBuilder {
	if (!filter?.trim()) return query;
	let parsed: unknown;
	try {
		parsed = JSON.parse(filter);
	} catch {
		parsed = undefined;
	}
	if (!isObject(parsed) || !Object.keys(parsed).length) {
		throw new ProvisioningError(
			'Configuration',
			`For SQL targets a filter is a JSON object of column → value, e.g. {"employee_type": "staff"}; got: ${filter.slice(0, 100)}`,
			{ field: 'scopeFilter' },
		);
	}
	for (const [attribute, wanted] of Object.entries(parsed)) {
		const storage = layout.storage(attribute);
		if (storage?.kind !== 'column' || storage.json) {
			throw new ProvisioningError('Configuration', `Filter attribute "${attribute}" is not a single-valued column of ${layout.name}`, {
				field: 'scopeFilter',
			});
		}
		const list = (Array.isArray(wanted) ? wanted : [wanted]).map((v) => toDb(v as never, storage.column, engine, attribute));
		const values = list.filter((v): v is Exclude<Binding, null> => v !== null);
		const column = storage.column.name;
		query = query.where((q) => {
			if (values.length) q.whereIn(column, values);
			if (values.length < list.length) q.orWhereNull(column);
		});
	}
	return query;
}

/** A disabled-time column's value (a Date from the driver, or the text of a UTC session) as a time. */
function disabledSince(value: unknown): Date | undefined {
	if (value === null || value === undefined || value === '') return undefined;
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
	return asInstant(value);
}
