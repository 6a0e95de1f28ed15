/**
 * The SCIM Trigger's identity store, as the service provider needs it: the desired state the IdP pushed, answered
 * from here whatever the downstream workflow does. Declared here, by its consumer; lib/store implements it (a file
 * store, and a PostgreSQL store for queue mode).
 */
import type { Resource, ResourceType } from '../resource';

export type { Resource, ResourceType };

/** A page of a listing; `match`, when given, is applied first (in this process), and `total` counts what it accepts. */
export interface PageRequest {
	/** 0-based. */
	offset: number;
	limit: number;
	match?: (resource: Resource) => boolean;
}
export interface Page {
	total: number;
	resources: Resource[];
}

export interface IdentityStore {
	get(type: ResourceType, id: string): Promise<Resource | undefined>;
	/** userName (Users, case-insensitive) or displayName (Groups, case-insensitive). */
	findByName(type: ResourceType, name: string): Promise<Resource[]>;
	findByExternalId(type: ResourceType, externalId: string): Promise<Resource[]>;
	/** Every resource of a type, in the order of `page`. */
	list(type: ResourceType): Promise<Resource[]>;
	count(type: ResourceType): Promise<number>;
	/**
	 * One page of a type in a stable order: by meta.created, then id. An update never moves a resource (created does
	 * not change); a create lands at the end (the file store gives every create a later millisecond than the one before;
	 * PostgreSQL, written by several processes, orders creates of one millisecond by id). Costs what the page costs, not
	 * what the whole type costs, unless `match` must look at every resource.
	 */
	page(type: ResourceType, request: PageRequest): Promise<Page>;
	/** Creates with a new id and meta; a taken userName is a StoreError 'conflict', a missing one 'invalid'. */
	create(type: ResourceType, data: Record<string, unknown>): Promise<Resource>;
	/**
	 * Read-modify-write under the store's lock: `change` gets the current resource and returns the new data.
	 * `ifMatch` (a weak ETag) that no longer matches is a StoreError 'versionMismatch'. Returns undefined when the
	 * resource does not exist. What `change` throws passes through unchanged.
	 */
	update(
		type: ResourceType,
		id: string,
		change: (current: Resource) => Record<string, unknown>,
		ifMatch?: string,
	): Promise<{ before: Resource; after: Resource } | undefined>;
	delete(type: ResourceType, id: string): Promise<Resource | undefined>;
	close(): Promise<void>;
}
