/**
 * Entra's "remember the target ID": where each user and group from a SCIM Trigger's store landed in a target.
 * Provision User and Group Sync match by it first and record it after a success; Group Sync names members by
 * it without a lookup. A link that is missing or stale costs a lookup, never data. A link that could not be read
 * is unknown, not missing: its items fail as retryable, since matching them by other keys could duplicate them.
 */
import type { EnvelopeSource } from '../envelope';
import { ProvisioningError } from '../errors';
import type { Link, LinkStore } from './linkStore';
import type { ResourceType } from '../scim/resource';
import type { Target, TargetSystem } from '../targets/target';
import type { ItemOutcome } from './log';

export type StoreRef = NonNullable<EnvelopeSource['store']>;

/** The attribute that names an account by its identifier in each kind of target. */
export const ID_ATTRIBUTE: Record<TargetSystem, string> = { scim: 'id', ldap: 'dn', sql: 'id' };

/** One id space per target: links recorded against one target mean nothing in another. */
export const linkScope = (target: Pick<Target, 'system' | 'endpoint'>) => `${target.system}:${target.endpoint}`;

/** A source id in a given store. */
export interface Linked {
	store: StoreRef;
	id: string;
}

const storeKey = (store: StoreRef) => `${store.kind}:${store.key}`;

/** A store that could not be read: its items' links are unknown. A store reference's own error (a forged key) stays as it is. */
function unreadable(error: unknown): ProvisioningError {
	if (error instanceof ProvisioningError) return error;
	const reason = (error instanceof Error ? error.message : String(error)).slice(0, 200);
	return new ProvisioningError(
		'StoreUnavailable',
		`The remembered target id could not be read from the SCIM Trigger's store (${reason}). Matching by the other keys instead could duplicate the account or group, so nothing was written; run again once the store is reachable.`,
		{ transient: true, cause: error },
	);
}

/** Remembered target ids of some source items: known, known to be missing, or unknown (their store could not be read). */
export class RememberedIds {
	constructor(
		private readonly ids = new Map<string, string>(),
		private readonly failures = new Map<string, ProvisioningError>(),
	) {}

	targetId(item: Linked): string | undefined {
		return this.ids.get(LinkBook.keyOf(item));
	}

	/** Why the item's link is unknown, when its store could not be read. */
	failure(item: Linked): ProvisioningError | undefined {
		return this.failures.get(LinkBook.keyOf(item));
	}
}

/**
 * The links of one target across the stores its items came from. A failed read is reported and marks its items
 * unknown; a failed write or removal is reported only (a link not recorded costs a lookup later).
 */
export class LinkBook {
	constructor(
		private readonly scope: string,
		private readonly open: (store: StoreRef) => LinkStore,
		private readonly onError: (error: unknown) => void = () => undefined,
	) {}

	private byStore(items: Linked[]): Map<string, { store: StoreRef; ids: string[] }> {
		const groups = new Map<string, { store: StoreRef; ids: string[] }>();
		for (const item of items) {
			const group = groups.get(storeKey(item.store)) ?? { store: item.store, ids: [] };
			group.ids.push(item.id);
			groups.set(storeKey(item.store), group);
		}
		return groups;
	}

	/** The remembered target ids of these items, one read per store. */
	async targetIds(type: ResourceType, items: Linked[]): Promise<RememberedIds> {
		const known = new Map<string, string>();
		const failures = new Map<string, ProvisioningError>();
		for (const { store, ids } of this.byStore(items).values()) {
			try {
				for (const [id, target] of await this.open(store).get(this.scope, type, ids)) known.set(LinkBook.keyOf({ store, id }), target);
			} catch (error) {
				this.onError(error);
				const failure = unreadable(error);
				for (const id of ids) failures.set(LinkBook.keyOf({ store, id }), failure);
			}
		}
		return new RememberedIds(known, failures);
	}

	async remember(type: ResourceType, entries: Array<Linked & { targetId: string }>): Promise<void> {
		const groups = new Map<string, { store: StoreRef; links: Link[] }>();
		for (const e of entries) {
			const group = groups.get(storeKey(e.store)) ?? { store: e.store, links: [] };
			group.links.push({ sourceId: e.id, targetId: e.targetId });
			groups.set(storeKey(e.store), group);
		}
		for (const { store, links } of groups.values()) {
			try {
				await this.open(store).put(this.scope, type, links);
			} catch (error) {
				this.onError(error);
			}
		}
	}

	async forget(type: ResourceType, items: Linked[]): Promise<void> {
		for (const { store, ids } of this.byStore(items).values()) {
			try {
				await this.open(store).remove(this.scope, type, ids);
			} catch (error) {
				this.onError(error);
			}
		}
	}

	static keyOf(item: Linked): string {
		return `${storeKey(item.store)}|${item.id}`;
	}
}

/** The envelope's link to a trigger store, when it has one. */
export function linkedSource(source: EnvelopeSource | undefined): Linked | undefined {
	return source?.store && source.id ? { store: source.store, id: source.id } : undefined;
}

const LINKED_ACTIONS = new Set(['Create', 'Update', 'NoChange', 'Enable', 'Disable']);

/** After a run: every account written or confirmed for an item from a trigger store is remembered by its target id. */
export async function rememberAccounts(
	links: LinkBook,
	done: Array<{ source: EnvelopeSource | undefined; outcome: ItemOutcome }>,
): Promise<void> {
	const entries = done.flatMap(({ source, outcome }) => {
		const linked = linkedSource(source);
		const { record } = outcome;
		return linked && !outcome.error && !record.dryRun && record.targetId && LINKED_ACTIONS.has(record.action)
			? [{ ...linked, targetId: record.targetId }]
			: [];
	});
	if (entries.length) await links.remember('User', entries);
}
