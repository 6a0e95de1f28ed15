/**
 * The SCIM Trigger's identity store, as the service provider needs it: the desired state the IdP pushed, answered
 * from here whatever the downstream workflow does. Declared here, by its consumer; lib/store implements it (a file
 * store, and a PostgreSQL store for queue mode).
 */
import type { Resource, ResourceType } from '../resource';
import { canonicalJson } from '../../util';

export type { Resource, ResourceType };

/**
 * True when an update leaves the content (all but id and meta) as it was. A store then writes nothing and keeps the
 * version and lastModified: a version that moved without a change fails other clients' If-Match for nothing.
 */
export function unchangedContent(current: Resource, next: Record<string, unknown>): boolean {
	const content = (r: Record<string, unknown>) => canonicalJson({ ...r, id: undefined, meta: undefined });
	return content(current as unknown as Record<string, unknown>) === content(next);
}

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

/** What became of one record of an Entra bulk upload (API-driven inbound provisioning). */
export interface UploadOutcome {
	/** The record's index in the request's Operations. */
	operation: number;
	bulkId?: string;
	/** The record's value of the anchor (matching) attribute. */
	anchorValue?: string;
	resourceId?: string;
	result: 'created' | 'updated' | 'unchanged' | 'failed';
	/** The HTTP status its sub-request answered, as a string (as in a BulkResponse). */
	status: string;
	/** The RFC 7644 error body, when it failed. */
	error?: Record<string, unknown>;
}

/** One bulk upload as the trigger kept it: read back by `GET …/bulkUpload/<id>`. */
export interface UploadRecord {
	/** A UUID the trigger generated. */
	id: string;
	/** ISO time it was received. */
	received: string;
	client: string;
	/** The anchor attribute records were matched on. */
	anchor: string;
	records: UploadOutcome[];
}

/** Uploads are kept this long, and at most this many per store (the oldest go first). */
export const UPLOAD_RETENTION = { days: 7, count: 1000 };

/** Upload ids are UUIDs the trigger made; anything else names no upload (and is never used as a path or key). */
export const isUploadId = (id: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);

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
	/** Keeps an upload's outcomes (durably, before it resolves), forgetting those past UPLOAD_RETENTION. */
	saveUpload(upload: UploadRecord): Promise<void>;
	/** An upload kept by saveUpload, or undefined (also for an id that is not an upload id). */
	getUpload(id: string): Promise<UploadRecord | undefined>;
	close(): Promise<void>;
}
