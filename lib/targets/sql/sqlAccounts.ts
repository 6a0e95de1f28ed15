/** Accounts in a SQL table: batched IN lookups, multi-row creates, minimal UPDATEs, keyset-paged listings. */
import type { Knex } from 'knex';
import type { AttributeMap, AttributeValue, MatchKey, ScalarValue } from '../../envelope';
import { ProvisioningError, toProvisioningError } from '../../errors';
import { asList, chunks, unique } from '../../util';
import type { Accounts, ListOptions, MatchKeys, TargetEntry, WriteLog } from '../target';
import type { AttributeChange } from '../../attributeChanges';
import { qualified, type TableName } from './identifiers';
import type { SqlConnection } from './sqlConnection';
import { insertRows, prepareRow, type PreparedRow } from './sqlInserts';
import { planUpdate } from './sqlUpdates';
import { checkUserSettings, type SqlUserTableSettings, UserLayout } from './sqlLayout';
import { applyFilter, IN_CHUNK, keyBinding, live, selection, toEntries } from './sqlRows';
import { exactColumn, matchColumn, sqlMatchKeys, sqlMatchValue } from './sqlMatch';
import { type Binding, storedForm, toDb } from './sqlValues';

/** Another table holding an account's key (group memberships), cleared when the account is hard-deleted. */
export interface Dependent {
	table: TableName;
	column: string;
}

/** Resolves a dependent table against the catalog when a hard delete first needs it. */
export type DependentSource = () => Promise<Dependent>;

export class SqlAccounts implements Accounts {
	readonly identityAttributes = ['userName', 'user_name', 'username', 'login', 'email', 'mail'];
	readonly dependents: DependentSource[] = [];
	private readonly checked: ReturnType<typeof checkUserSettings>;
	private loading?: Promise<UserLayout>;
	private loaded?: UserLayout;

	constructor(
		private readonly connection: SqlConnection,
		private readonly writes: WriteLog,
		private readonly settings: SqlUserTableSettings,
	) {
		this.checked = checkUserSettings(settings);
	}

	/** The table as the catalog describes it, read once per execution. */
	layout(): Promise<UserLayout> {
		this.loading ??= UserLayout.load(this.connection, this.settings, this.checked).then(
			(layout) => (this.loaded = layout),
			(error) => {
				this.loading = undefined;
				throw error;
			},
		);
		return this.loading;
	}

	get engine() {
		return this.connection.engine;
	}

	/** A case change is a change: SQL stores values as given, whatever the collation compares. */
	caseInsensitiveValues(): boolean {
		return false;
	}

	/** As the database compares the column: by type, and text by its collation (asked of the database where needed). */
	async matchKeys(attribute: string, values: ScalarValue[]): Promise<MatchKeys> {
		return sqlMatchKeys(this.connection, matchColumn(await this.layout(), attribute), values);
	}

	/** The value as the column stores it: '1' is true in a boolean column, an ISO time in any offset is one instant. */
	comparable(attribute: string, value: AttributeValue): AttributeValue {
		const storage = this.loaded?.storage(attribute);
		if (!storage || (storage.kind === 'column' && storage.json)) return value;
		const column = storage.kind === 'child' ? storage.value : storage.column;
		return Array.isArray(value) ? (value.map((v) => storedForm(v as AttributeValue, column)) as AttributeValue) : storedForm(value, column);
	}

	private query(layout: UserLayout, attributes: string[]) {
		return live(layout, this.connection.db()(qualified(layout.table)).select(selection(layout, attributes)));
	}

	async find(key: MatchKey, attributes: string[]): Promise<TargetEntry[]> {
		if (key.value === null || key.value === '') return [];
		const layout = await this.layout();
		if (layout.isKey(key.attribute)) {
			const entry = await this.get(String(key.value), attributes);
			return entry ? [entry] : [];
		}
		const rows = await this.findMany(key.attribute, [key.value], attributes);
		const column = matchColumn(layout, key.attribute);
		if (!exactColumn(column) || !['integer', 'decimal'].includes(column.type) || rows.length === 0) return rows;
		// Exactly the rows whose value has the key's match key: a bound number the database compares less precisely
		// (MySQL compares a decimal with text as a double) gives no other row.
		const wanted = (await this.matchKeys(key.attribute, [key.value])).keys[0];
		const held = rows.map((row) => asList(row.attributes[key.attribute]) as ScalarValue[]);
		const keys = (await this.matchKeys(key.attribute, held.flat())).keys;
		let n = 0;
		return rows.filter((_, i) => held[i].map(() => keys[n++]).includes(wanted));
	}

	async findMany(attribute: string, values: ScalarValue[], attributes: string[]): Promise<TargetEntry[]> {
		const layout = await this.layout();
		const storage = layout.require(attribute);
		const column = matchColumn(layout, attribute);
		// Bound as compared; a value the column cannot hold matches nothing (and would fail the whole IN list on PostgreSQL).
		const prepared = values.map((v) => sqlMatchValue(v, column, this.engine)).filter((p) => p !== undefined);
		const bindable = [...new Map(prepared.map((p) => [`${typeof p.binding}:${String(p.binding)}`, p.binding])).values()] as Array<
			Exclude<Binding, null>
		>;
		const out: TargetEntry[] = [];
		for (const chunk of chunks(bindable, IN_CHUNK)) {
			const rows = await this.connection.run('lookup', () => {
				const query = this.query(layout, [...attributes, attribute]);
				if (storage.kind === 'column') return query.whereIn(column.name, chunk);
				const owners = this.connection.db()(qualified(storage.table)).select(storage.userKey.name).whereIn(column.name, chunk);
				return query.whereIn(layout.key.name, owners);
			});
			out.push(...(await toEntries(this.connection, layout, rows, unique([...attributes, attribute]))));
		}
		return out;
	}

	async get(id: string, attributes: string[]): Promise<TargetEntry | null> {
		const layout = await this.layout();
		const key = keyBinding(layout, id, this.engine);
		if (key === undefined || key === null) return null;
		const rows = await this.connection.run('read', () => this.query(layout, attributes).where(layout.key.name, key));
		return (await toEntries(this.connection, layout, rows, attributes))[0] ?? null;
	}

	previewId(attributes: AttributeMap): string | null {
		const keyName = this.checked.key.toLowerCase();
		for (const [attribute, value] of Object.entries(attributes)) {
			const isKey = this.loaded
				? this.loaded.isKey(attribute)
				: attribute.toLowerCase() === 'id' || (this.checked.columns.get(attribute) ?? attribute).toLowerCase() === keyName;
			if (isKey && value !== null && typeof value !== 'object') return String(value);
		}
		return null;
	}

	private prepare(layout: UserLayout, attributes: AttributeMap): PreparedRow {
		const prepared = prepareRow(layout, this.engine, attributes);
		const key = layout.key;
		if (prepared.row[key.name] === undefined && !key.generated && this.engine === 'mysql') {
			throw new ProvisioningError(
				'MissingRequiredValue',
				`Key column "${key.name}" of ${layout.name} is not AUTO_INCREMENT: map a value to it`,
				{ field: key.name },
			);
		}
		return prepared;
	}

	async create(attributes: AttributeMap): Promise<TargetEntry> {
		const layout = await this.layout();
		const prepared = this.prepare(layout, attributes);
		const write = (db: Knex) => insertRows(db, layout, this.engine, [prepared]);
		const [key] = prepared.children.length
			? await this.connection.transaction('insert', write, prepared.secrets)
			: await this.connection.run('insert', write, prepared.secrets);
		const id = String(key);
		this.writes.add('create', id, { table: layout.name, values: prepared.logged });
		return { id, attributes: { ...attributes } };
	}

	/**
	 * Many creates in few statements: one transaction per chunk. A chunk that fails is rolled back whole, and each of
	 * its rows gets the error: the caller looks them up again and creates them one by one.
	 */
	async createMany(list: AttributeMap[]): Promise<Array<TargetEntry | ProvisioningError>> {
		const layout = await this.layout();
		const results: Array<TargetEntry | ProvisioningError> = new Array(list.length);
		const ready: Array<{ index: number; prepared: PreparedRow }> = [];
		list.forEach((attributes, index) => {
			try {
				ready.push({ index, prepared: this.prepare(layout, attributes) });
			} catch (error) {
				results[index] = toProvisioningError(error);
			}
		});
		for (const chunk of chunks(ready, 500)) {
			const rows = chunk.map((c) => c.prepared);
			try {
				const secrets = rows.flatMap((r) => r.secrets);
				const keys = await this.connection.transaction('insert', (trx) => insertRows(trx, layout, this.engine, rows), secrets);
				chunk.forEach(({ index, prepared }, n) => {
					const id = String(keys[n]);
					this.writes.add('create', id, { table: layout.name, values: prepared.logged });
					results[index] = { id, attributes: { ...list[index] } };
				});
			} catch (error) {
				for (const { index } of chunk) results[index] = toProvisioningError(error);
			}
		}
		return results;
	}

	/** One UPDATE of the changed columns; child-table values added and removed; together in one transaction. */
	async update(id: string, changes: AttributeChange[]): Promise<string> {
		if (changes.length === 0) return id;
		const layout = await this.layout();
		const key = keyBinding(layout, id, this.engine);
		if (key === undefined || key === null) throw new ProvisioningError('NotFound', `Row ${id} is no longer in ${layout.name}`);
		const plan = planUpdate(layout, this.engine, id, key, changes);
		const run = async (db: Knex) => {
			for (const step of plan.steps) await step(db);
		};
		if (plan.steps.length > 1) await this.connection.transaction('update', run, plan.secrets);
		else await this.connection.run('update', run, plan.secrets);
		this.writes.add('update', plan.id, { table: layout.name, set: plan.logged });
		return plan.id;
	}

	/** One UPDATE of the active column, and of the disabled-time column when there is one (the time, or NULL on enable). */
	async setActive(id: string, active: boolean, at: Date = new Date()): Promise<string> {
		const layout = await this.layout();
		if (!layout.active) {
			throw new ProvisioningError(
				'Configuration',
				`${active ? 'Enabling' : 'Disabling'} accounts needs the Active Column of ${layout.name}`,
				{
					field: 'sqlActiveColumn',
				},
			);
		}
		const { column, enabled, disabled } = layout.active;
		const value = toDb((active ? enabled : disabled) as AttributeValue, column, this.engine, column.name);
		const key = keyBinding(layout, id, this.engine) as Exclude<Binding, null>;
		const set: Record<string, Binding> = { [column.name]: value };
		if (layout.disabledAt) {
			const stamp = layout.disabledAt;
			set[stamp.name] = active ? null : toDb(at.toISOString(), stamp, this.engine, stamp.name);
		}
		const count = await this.connection.run(active ? 'enable' : 'disable', (db) =>
			live(layout, db(qualified(layout.table)).where(layout.key.name, key)).update(set),
		);
		if (Number(count) === 0) throw new ProvisioningError('NotFound', `Row ${id} is no longer in ${layout.name}`);
		this.writes.add(active ? 'enable' : 'disable', id, { table: layout.name, set });
		return id;
	}

	/** A soft delete sets the deleted-at column (once); a hard delete removes the row, its child values and memberships. */
	async delete(id: string): Promise<void> {
		const layout = await this.layout();
		const key = keyBinding(layout, id, this.engine);
		if (key === undefined || key === null) return;
		const table = qualified(layout.table);
		if (layout.softDelete) {
			const column = layout.softDelete.name;
			await this.connection.run('soft delete', (db) =>
				db(table)
					.where(layout.key.name, key)
					.whereNull(column)
					.update({ [column]: db.fn.now() }),
			);
			this.writes.add('delete', id, { table: layout.name, softDelete: column });
			return;
		}
		const owned = [...(await Promise.all(this.dependents.map((d) => d()))), ...layout.childTables()];
		const remove = async (db: Knex) => {
			for (const d of owned) await db(qualified(d.table)).where(d.column, key).delete();
			await db(table).where(layout.key.name, key).delete();
		};
		// Already gone counts as deleted: a rerun of a half-finished batch converges.
		if (owned.length) await this.connection.transaction('delete', remove);
		else await this.connection.run('delete', remove);
		this.writes.add('delete', id, { table: layout.name });
	}

	/** Keyset paging (WHERE key > last ORDER BY key LIMIT n): each page costs the same, however deep. */
	async *listAll(options: ListOptions): AsyncIterable<TargetEntry> {
		const layout = await this.layout();
		const pageSize = Math.max(1, options.pageSize ?? this.settings.pageSize ?? 1000);
		const key = layout.key.name;
		let after: unknown;
		for (;;) {
			const rows = await this.connection.run('listing', () => {
				let query = applyFilter(layout, this.query(layout, options.attributes), options.filter, this.engine).orderBy(key).limit(pageSize);
				if (after !== undefined) query = query.where(key, '>', after as Exclude<Binding, null>);
				return query;
			});
			for (const entry of await toEntries(this.connection, layout, rows, options.attributes)) yield entry;
			if (rows.length < pageSize) return;
			after = rows[rows.length - 1][key];
		}
	}
}
