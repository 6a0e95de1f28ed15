/**
 * Where each user and group of a SCIM Trigger's store landed in a target: Entra's "remember the target ID".
 * Group pushes then name members by their target ids without a lookup, and a renamed user is still matched.
 * A link is a cache of a fact the target can always be asked again: losing one costs a lookup, never data.
 */
import type { ResourceType } from '../scim/resource';

export interface Link {
	sourceId: string;
	targetId: string;
}

export interface LinkStore {
	/** Target ids by source id, for one target (its scope, e.g. "scim:https://app.example/scim/v2/Users"). */
	get(scope: string, type: ResourceType, sourceIds: string[]): Promise<Map<string, string>>;
	put(scope: string, type: ResourceType, links: Link[]): Promise<void>;
	remove(scope: string, type: ResourceType, sourceIds: string[]): Promise<void>;
	/** Every source id with a link in any target: what was provisioned from this store somewhere. */
	sources(type: ResourceType): Promise<string[]>;
	close(): Promise<void>;
}
