/**
 * Items that come from a SCIM Trigger (its events, or the SCIM Store node) say where the trigger's store lives.
 * The nodes use it for two things Entra does: read the user or group as it is now (not as the event saw it, so
 * executions that run out of order still converge), and remember where each one landed in the target. Only a
 * reference signed for this workflow by this n8n is used (lib/store/storeRef.ts): any other item, whatever its
 * `store` says, is handled without a store.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { LinkBook, linkScope } from '../../lib/provisioning/links';
import { ReferenceResolver, type ScimEvent } from '../../lib/scim/server/events';
import type { Resource } from '../../lib/scim/resource';
import { type StoreLocation, type StoreRef, StoreRefSigner } from '../../lib/store/storeRef';
import type { Target } from '../../lib/targets/target';
import { isObject } from '../../lib/util';
import { openTriggerLinks, openTriggerStore } from './stores';

/** A SCIM Trigger event (or a SCIM Store item) as the nodes read it. */
export type TriggerItem = Pick<ScimEvent, 'resourceType' | 'resourceId' | 'resource' | 'before'> & {
	/** A ScimEvent's kind, or `user.sync`/`group.sync` from a SCIM Store node. */
	event: string;
	store: StoreRef;
};

type InWorkflow = Pick<IExecuteFunctions, 'getWorkflow'>;
const workflowIdOf = (ctx: InWorkflow) => String(ctx.getWorkflow().id ?? '');

/** A store's location signed for the workflow `ctx` runs in (a SCIM Trigger's events, a SCIM Store node's items). */
export function signedStoreRef(ctx: InWorkflow, location: StoreLocation): StoreRef {
	const signer = StoreRefSigner.of(process.env);
	if (!signer)
		throw new Error(
			"n8n's encryption key was not found (N8N_ENCRYPTION_KEY, or the n8n folder's settings file), so SCIM Trigger store references cannot be signed",
		);
	return signer.sign(location, workflowIdOf(ctx));
}

/** A store reference is an item's value: this says whether this workflow may use it. */
export type StoreTrust = (value: unknown) => StoreRef | undefined;

/** Checks the store references of one node run; the first one refused is logged (once per run, not per item). */
export function storeTrust(ctx: IExecuteFunctions): StoreTrust {
	const signer = StoreRefSigner.of(process.env);
	const workflowId = workflowIdOf(ctx);
	let warned = false;
	return (value) => {
		if (value === undefined || value === null) return undefined;
		const ref = signer?.verify(value, workflowId);
		if (!ref && !warned) {
			warned = true;
			ctx.logger.warn(
				"Items carry a SCIM Trigger store reference that was not signed for this workflow by this n8n (made up, copied from another workflow, or made by a version of n8n-nodes-provisioning that did not sign them): they are handled without the trigger's store",
			);
		}
		return ref;
	};
}

/** A SCIM Trigger event (or SCIM Store item) whose store reference this workflow may use; anything else is a plain item. */
export function asTriggerItem(json: unknown, trust: StoreTrust): TriggerItem | undefined {
	if (!isObject(json) || typeof json.event !== 'string' || typeof json.resourceId !== 'string') return undefined;
	if (json.resourceType !== 'User' && json.resourceType !== 'Group') return undefined;
	const store = trust(json.store);
	return store ? ({ ...json, store } as unknown as TriggerItem) : undefined;
}

/** The store's current version of an item's user or group, with its references; undefined when it is gone. */
export async function currentState(ctx: IExecuteFunctions, item: TriggerItem): Promise<Record<string, unknown> | undefined> {
	const store = openTriggerStore(ctx, item.store);
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
		(store) => openTriggerLinks(ctx, store),
		(error) => ctx.logger.warn(`Could not use the remembered target ids: ${(error as Error)?.message ?? String(error)}`),
	);
}

/** The trigger stores the envelopes came from (checked when they were read: parseEnvelope). */
export const storesOf = (inputs: unknown[]): Array<StoreRef | undefined> =>
	inputs.map((input) => (isObject(input) && isObject(input.source) ? (input.source.store as StoreRef | undefined) : undefined));

export type { Resource };
