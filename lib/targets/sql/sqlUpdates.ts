/**
 * An update as statements: one UPDATE setting only the changed columns of the users table, and for child-table
 * attributes a DELETE of the removed values and an INSERT of the added ones. A row that is gone is NotFound.
 */
import type { Knex } from 'knex';
import type { ScalarValue } from '../../envelope';
import { ProvisioningError } from '../../errors';
import { REDACTED } from '../../redact';
import { asList } from '../../util';
import type { AttributeChange } from '../../attributeChanges';
import { qualified } from './identifiers';
import type { SqlEngine } from './sqlConnection';
import type { UserLayout } from './sqlLayout';
import { live } from './sqlRows';
import { type Binding, toDb } from './sqlValues';

export type Step = (db: Knex) => Promise<unknown>;

export interface UpdatePlan {
	steps: Step[];
	/** Secret values being written, scrubbed from error messages. */
	secrets: string[];
	/** What the write log shows, secrets redacted. */
	logged: Record<string, unknown>;
	/** The key afterwards (an update of the key column changes it). */
	id: string;
}

type Bound = Exclude<Binding, null>;

export function planUpdate(layout: UserLayout, engine: SqlEngine, id: string, key: Bound, changes: AttributeChange[]): UpdatePlan {
	const set: Record<string, Binding> = {};
	const plan: UpdatePlan = { steps: [], secrets: [], logged: {}, id };
	const childSteps: Step[] = [];
	for (const change of changes) {
		const storage = layout.require(change.attribute);
		const secret = layout.isSecret(change.attribute);
		if (secret) plan.secrets.push(...asList(change.newValue as never).map(String));
		plan.logged[change.attribute] = secret ? REDACTED : (change.newValue ?? null);
		if (storage.kind === 'column') {
			set[storage.column.name] = toDb(change.newValue ?? null, storage.column, engine, change.attribute, storage.json);
			continue;
		}
		const table = qualified(storage.table);
		const owner = toDb(id, storage.userKey, engine, change.attribute) as Bound;
		const bind = (v: ScalarValue) => toDb(v, storage.value, engine, change.attribute) as Bound;
		// Without a value-level diff (a scalar for a child table), the values are replaced.
		const replace = change.newValue === undefined || change.newValue === null || change.added === undefined;
		const removed = (change.removed ?? []).map(bind);
		const added = (replace ? asList(change.newValue as ScalarValue[]) : change.added!).map(bind);
		if (replace) childSteps.push((db) => db(table).where(storage.userKey.name, owner).delete());
		else if (removed.length)
			childSteps.push((db) => db(table).where(storage.userKey.name, owner).whereIn(storage.value.name, removed).delete());
		if (added.length)
			childSteps.push((db) => db(table).insert(added.map((v) => ({ [storage.userKey.name]: owner, [storage.value.name]: v }))));
	}
	if (Object.keys(set).length) {
		plan.steps.push(async (db) => {
			const count = await live(layout, db(qualified(layout.table)).where(layout.key.name, key)).update(set);
			if (Number(count) === 0) throw new ProvisioningError('NotFound', `Row ${id} is no longer in ${layout.name}`);
		});
	}
	plan.steps.push(...childSteps);
	const newKey = set[layout.key.name];
	if (newKey !== undefined && newKey !== null) plan.id = String(newKey);
	return plan;
}
