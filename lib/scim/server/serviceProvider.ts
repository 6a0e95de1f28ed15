/**
 * A SCIM 2.0 service provider over an IdentityStore, free of n8n: the SCIM Trigger hands it each request and
 * sends back what it answers, then emits its events to the workflow. Reads never produce events.
 */
import type { StoreLocation, StoreRef } from '../../storeLocation';
import { randomUUID } from 'node:crypto';
import type { IdentityStore, Resource, ResourceType } from './identityStore';
import { StoreError } from './storeError';
import { type BulkLimits, readBulkRequest, runBulk } from './bulk';
import { runUpload, type UploadOptions, uploadStatus } from './bulkUpload';
import { type BulkContext, EventFactory, ReferenceResolver, type ScimEvent } from './events';
import type { ScimHttpRequest, ScimHttpResponse } from './messages';
import { applyPatch } from './patch';
import { dedupeMembers, incoming, present } from './resources';
import { listResponse, resourceTypes, schemas, serviceProviderConfig } from './schemas';
import { lowerKeys, type Query, searchQuery, searchStore } from './search';
import { ScimError } from './scimError';
import { validateResource } from './validation';

export type { ScimEvent, ScimEventType } from './events';

export type { ScimHttpRequest, ScimHttpResponse } from './messages';

export interface ServiceProviderOptions {
	/** Absolute SCIM base URL, for Location headers and meta.location; a function is called once, when first needed. */
	baseUrl: string | (() => string);
	/** Keep the password of a create/replace in events (never stored, never returned). */
	forwardPasswords?: boolean;
	maxResults?: number;
	/** Told about failures that are not the client's fault (answered 500), with the reference given to the client. */
	onUnexpectedError?: (error: unknown, reference: string) => void;
	/** Where the store lives, told to the workflow in every event. */
	storeLocation?: StoreLocation | StoreRef;
	/** RFC 7644 /Bulk limits, advertised in /ServiceProviderConfig (maxPayloadSize is the HTTP side's body cap). */
	bulk?: Partial<BulkLimits>;
	/** Entra's API-driven inbound provisioning (POST /bulkUpload): at most 50 records, matched on externalId, by default. */
	upload?: Partial<UploadOptions>;
}

const SCIM_JSON = 'application/scim+json';
const DISCOVERY = ['ServiceProviderConfig', 'ResourceTypes', 'Schemas'];

/** The store's refusals as RFC 7644 errors. */
function scimErrorFor(error: unknown): unknown {
	if (!(error instanceof StoreError)) return error;
	if (error.kind === 'conflict') return new ScimError(409, error.message, 'uniqueness');
	if (error.kind === 'versionMismatch') return new ScimError(412, error.message);
	return new ScimError(400, error.message, 'invalidValue');
}

export class ScimServiceProvider {
	private resolvedBaseUrl?: string;

	constructor(
		private readonly store: IdentityStore,
		private readonly options: ServiceProviderOptions,
	) {}

	private get baseUrl(): string {
		this.resolvedBaseUrl ??= typeof this.options.baseUrl === 'function' ? this.options.baseUrl() : this.options.baseUrl;
		return this.resolvedBaseUrl;
	}

	private get maxResults(): number {
		return this.options.maxResults ?? 1000;
	}

	private get bulkLimits(): BulkLimits {
		return { maxOperations: this.options.bulk?.maxOperations ?? 1000, maxPayloadSize: this.options.bulk?.maxPayloadSize ?? 1048576 };
	}

	/**
	 * Answers one request; errors become RFC 7644 error bodies. A /Bulk request answers each of its operations through
	 * this same method (`bulk` then tells its events which operation they came from).
	 */
	async handle(req: ScimHttpRequest, bulk?: BulkContext): Promise<{ response: ScimHttpResponse; events: ScimEvent[] }> {
		const events = new EventFactory(
			{ method: req.method, path: req.path, userAgent: req.headers['user-agent'], bulk },
			this.options.forwardPasswords === true,
		);
		const emitted: ScimEvent[] = [];
		try {
			if (!bulk && /^\/?bulk\/?$/i.test(req.path)) return await this.bulk(req);
			const upload = bulk ? null : /^\/?bulkupload(?:\/([^/]+))?\/?$/i.exec(req.path);
			if (upload) return await this.upload(req, upload[1]);
			const response = await this.route(req, events, emitted);
			return { response, events: await this.withReferences(emitted) };
		} catch (thrown) {
			return { response: this.failure(thrown), events: [] };
		}
	}

	/** Entra's bulkUpload: POST an upload (bulkUpload.ts), GET its outcomes by id. */
	private async upload(req: ScimHttpRequest, id: string | undefined): Promise<{ response: ScimHttpResponse; events: ScimEvent[] }> {
		const method = req.method.toUpperCase();
		if (id !== undefined) {
			if (method !== 'GET') throw new ScimError(405, 'A bulk upload’s status is read with GET');
			return uploadStatus(id, (uploadId) => this.store.getUpload(uploadId));
		}
		if (method !== 'POST') throw new ScimError(405, 'Use POST for /bulkUpload');
		const options = { maxOperations: this.options.upload?.maxOperations ?? 50, anchor: this.options.upload?.anchor ?? 'externalId' };
		return runUpload(req.body, options, {
			baseUrl: this.baseUrl,
			userAgent: req.headers['user-agent'],
			runOne: (sub, context) => this.handle(sub, context),
			save: (record) => this.store.saveUpload(record),
			onSaveError: (error) => this.options.onUnexpectedError?.(error, randomUUID()),
		});
	}

	private failure(thrown: unknown): ScimHttpResponse {
		const error = scimErrorFor(thrown);
		if (error instanceof ScimError) return this.json(error.status, error.toBody());
		const reference = randomUUID();
		this.options.onUnexpectedError?.(error, reference);
		const failure = new ScimError(500, `The SCIM service provider failed to handle the request (reference ${reference}; see the n8n log)`);
		return this.json(500, failure.toBody());
	}

	/** RFC 7644 §3.7: every operation answered by `handle`, as a single request would be (bulk.ts). */
	private async bulk(req: ScimHttpRequest): Promise<{ response: ScimHttpResponse; events: ScimEvent[] }> {
		if (req.method.toUpperCase() !== 'POST') throw new ScimError(405, 'Use POST for /Bulk');
		const request = readBulkRequest(req.body, this.bulkLimits.maxOperations, true);
		return runBulk(request, this.baseUrl, req.headers['user-agent'], (sub, context) => this.handle(sub, context));
	}

	/** Every id an event names gets the userName and externalId a target can find it by. */
	private async withReferences(events: ScimEvent[]): Promise<ScimEvent[]> {
		if (!events.length) return events;
		const resolver = new ReferenceResolver((type, id) => this.store.get(type, id));
		for (const event of events) if (event.before && event.event.endsWith('.deleted')) resolver.remember(event.resourceType, event.before);
		for (const event of events) {
			await resolver.enrich(event);
			if (this.options.storeLocation) event.store = this.options.storeLocation;
		}
		return events;
	}

	private location(type: ResourceType, id: string): string {
		return `${this.baseUrl}/${type}s/${id}`;
	}

	private present(resource: Resource, query: Query = {}): Record<string, unknown> {
		return present(resource, this.location(resource.meta.resourceType, resource.id), query);
	}

	private json(status: number, body: unknown, extra: Record<string, string> = {}): ScimHttpResponse {
		return { status, headers: { 'Content-Type': SCIM_JSON, ...extra }, body };
	}

	private discovery(name: string, method: string, id: string | undefined): ScimHttpResponse {
		if (method !== 'GET') throw new ScimError(405, `${name} is read-only`);
		if (name === 'ServiceProviderConfig') return this.json(200, serviceProviderConfig(this.baseUrl, this.maxResults, this.bulkLimits));
		const all = name === 'ResourceTypes' ? resourceTypes(this.baseUrl) : schemas(this.baseUrl);
		if (!id) return this.json(200, listResponse(all, all.length, 1));
		const one = all.find((d) => String(d.id).toLowerCase() === decodeURIComponent(id).toLowerCase());
		if (!one) throw new ScimError(404, `${name}/${id} not found`);
		return this.json(200, one);
	}

	private async route(req: ScimHttpRequest, events: EventFactory, emitted: ScimEvent[]): Promise<ScimHttpResponse> {
		const method = req.method.toUpperCase();
		const [collection, id, extra] = req.path.split('/').filter(Boolean);
		const lower = collection?.toLowerCase();
		const discovery = DISCOVERY.find((d) => d.toLowerCase() === lower);
		if (discovery) return this.discovery(discovery, method, id);
		if (lower === 'bulk') throw new ScimError(404, 'A bulk request cannot hold another one');
		if (lower === '.search') {
			if (method !== 'POST') throw new ScimError(405, 'Use POST for /.search');
			return this.search(['User', 'Group'], searchQuery(req.body));
		}
		const type: ResourceType | undefined = lower === 'users' ? 'User' : lower === 'groups' ? 'Group' : undefined;
		if (!type || extra) throw new ScimError(404, `No SCIM endpoint at ${req.path}`);
		if (id === '.search') {
			if (method !== 'POST') throw new ScimError(405, 'Use POST for .search');
			return this.search([type], searchQuery(req.body));
		}
		if (!id) {
			if (method === 'GET') return this.search([type], lowerKeys(req.query));
			if (method === 'POST') return this.create(req, type, events, emitted);
			throw new ScimError(405, `${method} is not allowed on /${collection}`);
		}
		const resourceId = decodeURIComponent(id);
		switch (method) {
			case 'GET':
				return this.read(req, type, resourceId);
			case 'PUT':
				return this.replace(req, type, resourceId, events, emitted);
			case 'PATCH':
				return this.patch(req, type, resourceId, events, emitted);
			case 'DELETE': {
				const gone = await this.store.delete(type, resourceId);
				if (!gone) throw new ScimError(404, `${type} ${resourceId} not found`);
				emitted.push(events.event(type === 'User' ? 'user.deleted' : 'group.deleted', type, resourceId, { before: gone }));
				emitted.push(...(await this.removeFromGroups(resourceId, events)));
				return { status: 204, headers: {} };
			}
			default:
				throw new ScimError(405, `${method} is not allowed on /${collection}/{id}`);
		}
	}

	/** A deleted user or group leaves every group that listed it (RFC 7644 §3.6), each change told as an event. */
	private async removeFromGroups(id: string, events: EventFactory): Promise<ScimEvent[]> {
		const holding = (await this.store.list('Group')).filter((g) => Array.isArray(g.members) && g.members.some((m) => m?.value === id));
		const emitted: ScimEvent[] = [];
		for (const group of holding) {
			const result = await this.store.update('Group', group.id, (current) => ({
				...current,
				members: ((current.members as Array<{ value: string }>) ?? []).filter((m) => m.value !== id),
			}));
			if (result) emitted.push(...events.changes('Group', result.before, result.after));
		}
		return emitted;
	}

	private async read(req: ScimHttpRequest, type: ResourceType, id: string): Promise<ScimHttpResponse> {
		const r = await this.store.get(type, id);
		if (!r) throw new ScimError(404, `${type} ${id} not found`);
		const etag = r.meta.version;
		if (req.headers['if-none-match'] && req.headers['if-none-match'] === etag) return { status: 304, headers: { ETag: etag } };
		return this.json(200, this.present(r, lowerKeys(req.query)), { ETag: etag });
	}

	private async search(types: ResourceType[], query: Query): Promise<ScimHttpResponse> {
		const { page, total, startIndex } = await searchStore(this.store, types, query, this.maxResults);
		return this.json(
			200,
			listResponse(
				page.map((r) => this.present(r, query)),
				total,
				startIndex,
			),
		);
	}

	private async create(req: ScimHttpRequest, type: ResourceType, events: EventFactory, emitted: ScimEvent[]): Promise<ScimHttpResponse> {
		const { data, password } = incoming(type, req.body);
		const created = await this.store.create(type, data);
		emitted.push(events.event(type === 'User' ? 'user.created' : 'group.created', type, created.id, { after: created, password }));
		return this.json(201, this.present(created), { Location: this.location(type, created.id), ETag: created.meta.version });
	}

	private async replace(
		req: ScimHttpRequest,
		type: ResourceType,
		id: string,
		events: EventFactory,
		emitted: ScimEvent[],
	): Promise<ScimHttpResponse> {
		const { data, password } = incoming(type, req.body);
		const result = await this.store.update(type, id, () => data, req.headers['if-match']);
		if (!result) throw new ScimError(404, `${type} ${id} not found`);
		emitted.push(...events.changes(type, result.before, result.after, password));
		return this.json(200, this.present(result.after), { ETag: result.after.meta.version });
	}

	private async patch(
		req: ScimHttpRequest,
		type: ResourceType,
		id: string,
		events: EventFactory,
		emitted: ScimEvent[],
	): Promise<ScimHttpResponse> {
		// The password a PATCH sets (Okta's password sync) goes to the event, never to the store.
		let password: unknown;
		const patched = (current: Resource) => {
			const next = validateResource(type, applyPatch(current, req.body, type), { mode: 'patch', unchangedFrom: current });
			if (type === 'Group') next.members = dedupeMembers(next.members);
			password = next.password;
			delete next.password;
			return next;
		};
		const result = await this.store.update(type, id, patched, req.headers['if-match']);
		if (!result) throw new ScimError(404, `${type} ${id} not found`);
		emitted.push(...events.changes(type, result.before, result.after, password));
		// Entra expects 204 for group membership PATCHes; users get the resource back.
		if (type === 'Group') return { status: 204, headers: { ETag: result.after.meta.version } };
		return this.json(200, this.present(result.after), { ETag: result.after.meta.version });
	}
}
