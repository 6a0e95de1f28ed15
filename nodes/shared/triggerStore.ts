/**
 * Items that come from a SCIM Trigger (its events, or the SCIM Store node) say where the trigger's store lives.
 * The nodes use it for two things Entra does: read the user or group as it is now (not as the event saw it, so
 * executions that run out of order still converge), and remember where each one landed in the target.
 */
import { homedir } from 'node:os';
import type { IExecuteFunctions } from 'n8n-workflow';
import { LinkBook, linkScope, type StoreRef } from '../../lib/provisioning/links';
import { ReferenceResolver } from '../../lib/scim/server/events';
import type { Resource, ResourceType } from '../../lib/store/identityStore';
import { openLinksAt, openStoreAt } from '../../lib/store/openStore';
import type { Target } from '../../lib/targets/target';
import { isObject } from '../../lib/util';

/** A SCIM Trigger event (or a SCIM Store item) as the nodes read it. */
export interface TriggerItem {
	event: string;
	resourceType: ResourceType;
	resourceId: string;
	resource?: Record<string, unknown>;
	before?: Record<string, unknown>;
	store: StoreRef;
}

export const userFolder = () => process.env.N8N_USER_FOLDER ?? homedir();

export function asTriggerItem(json: unknown): TriggerItem | undefined {
	if (!isObject(json) || typeof json.event !== 'string' || typeof json.resourceId !== 'string') return undefined;
	if (json.resourceType !== 'User' && json.resourceType !== 'Group') return undefined;
	const store = json.store;
	if (!isObject(store) || typeof store.key !== 'string' || (store.kind !== 'file' && store.kind !== 'postgres')) return undefined;
	return json as unknown as TriggerItem;
}

/** The store's current version of an item's user or group, with its references; undefined when it is gone. */
export async function currentState(ctx: IExecuteFunctions, item: TriggerItem): Promise<Record<string, unknown> | undefined> {
	const store = openStoreAt(item.store, userFolder(), process.env, (error) => ctx.logger.warn(`SCIM Trigger store: ${error.message}`));
	const current = await store.get(item.resourceType, item.resourceId);
	if (!current) return undefined;
	return new ReferenceResolver((type, id) => store.get(type, id)).enrichResource({ ...current });
}

/** Current states for many items: one store read each, errors reported per item. */
export async function currentStates(
	ctx: IExecuteFunctions,
	items: Array<TriggerItem | undefined>,
): Promise<Array<{ resource?: Record<string, unknown>; error?: Error } | undefined>> {
	return Promise.all(
		items.map(async (item) => {
			// SCIM Store items were read just now: they are the current state.
			if (!item || item.event.endsWith('.sync')) return undefined;
			try {
				return { resource: await currentState(ctx, item) };
			} catch (error) {
				return { error: error as Error };
			}
		}),
	);
}

/** The target's links, when any item came from a trigger store; store trouble is logged and costs only lookups. */
export function linkBookFor(
	ctx: IExecuteFunctions,
	target: Pick<Target, 'system' | 'endpoint'>,
	stores: Array<StoreRef | undefined>,
): LinkBook | undefined {
	if (!stores.some((s) => s !== undefined)) return undefined;
	return new LinkBook(
		linkScope(target),
		(store) => openLinksAt(store, userFolder(), process.env, (error) => ctx.logger.warn(`SCIM Trigger store: ${error.message}`)),
		(error) => ctx.logger.warn(`Could not use the remembered target ids: ${(error as Error)?.message ?? String(error)}`),
	);
}

/** The trigger stores the envelopes came from. */
export const storesOf = (inputs: unknown[]): Array<StoreRef | undefined> =>
	inputs.map((input) => (isObject(input) && isObject(input.source) ? (input.source.store as StoreRef | undefined) : undefined));

export type { Resource };
