/**
 * A SCIM 2.0 service provider over an IdentityStore, free of n8n: the SCIM Trigger hands it each request and
 * sends back what it answers, then emits its events to the workflow. Reads never produce events.
 */
import { randomUUID } from 'node:crypto';
import type { IdentityStore, Resource, ResourceType } from '../../store/identityStore';
import { equalityKey, matchesFilter, parseScimFilter } from './filter';
import { applyPatch } from './patch';
import { listResponse, resourceTypes, schemas, serviceProviderConfig } from './schemas';
import { ScimError } from './scimError';

export interface ScimHttpRequest {
	method: string;
	/** The path below the SCIM base, e.g. /Users/123 or /ServiceProviderConfig. */
	path: string;
	query: Record<string, string | undefined>;
	headers: Record<string, string | undefined>;
	body?: unknown;
}

export interface ScimHttpResponse {
	status: number;
	headers: Record<string, string>;
	body?: unknown;
}

export type ScimEventType =
	| 'user.created'
	| 'user.updated'
	| 'user.deactivated'
	| 'user.reactivated'
	| 'user.deleted'
	| 'group.created'
	| 'group.updated'
	| 'group.deleted'
	| 'group.membersAdded'
	| 'group.membersRemoved';

export interface ScimEvent {
	event: ScimEventType;
	resourceType: ResourceType;
	resourceId: string;
	/** The resource after the change (absent after a delete). */
	resource?: Record<string, unknown>;
	/** The resource before the change (absent after a create). */
	before?: Record<string, unknown>;
	changedAttributes: string[];
	/** Member ids for membership events. */
	members?: string[];
	request: { id: string; time: string; client: string; method: string; path: string };
}

export interface ServiceProviderOptions {
	/** Absolute SCIM base URL, for Location headers and meta.location; a function is called once, when first needed. */
	baseUrl: string | (() => string);
	/** Keep the password of a create/replace in events (never stored, never returned). */
	forwardPasswords?: boolean;
	maxResults?: number;
}

const SCIM_JSON = 'application/scim+json';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7643 attributes; extension schemas (any urn: key) are accepted too. */
const KNOWN_ATTRIBUTES: Record<ResourceType, Set<string>> = {
	User: new Set(
		[
			'schemas',
			'id',
			'meta',
			'externalId',
			'userName',
			'name',
			'displayName',
			'nickName',
			'profileUrl',
			'title',
			'userType',
			'preferredLanguage',
			'locale',
			'timezone',
			'active',
			'password',
			'emails',
			'phoneNumbers',
			'ims',
			'photos',
			'addresses',
			'groups',
			'entitlements',
			'roles',
			'x509Certificates',
		].map((a) => a.toLowerCase()),
	),
	Group: new Set(['schemas', 'id', 'meta', 'externalId', 'displayName', 'members'].map((a) => a.toLowerCase())),
};

function assertKnownAttributes(type: ResourceType, data: Record<string, unknown>): void {
	for (const key of Object.keys(data)) {
		if (/^urn:/i.test(key)) continue;
		if (!KNOWN_ATTRIBUTES[type].has(key.toLowerCase())) throw new ScimError(400, `Unknown ${type} attribute "${key}"`, 'invalidSyntax');
	}
}
const lowerKeys = (q: Record<string, string | undefined>) => Object.fromEntries(Object.entries(q).map(([k, v]) => [k.toLowerCase(), v]));

/** Attributes whose values differ between two versions of a resource (top level, meta ignored). */
function changed(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): string[] {
	const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
	return [...keys].filter((k) => k !== 'meta' && JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k])).sort();
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

	/** Answers one request; errors become RFC 7644 error bodies. */
	async handle(req: ScimHttpRequest): Promise<{ response: ScimHttpResponse; events: ScimEvent[] }> {
		const events: ScimEvent[] = [];
		try {
			return { response: await this.route(req, events), events };
		} catch (error) {
			const e = error instanceof ScimError ? error : new ScimError(500, 'The SCIM service provider failed to handle the request');
			return { response: { status: e.status, headers: { 'Content-Type': SCIM_JSON }, body: e.toBody() }, events: [] };
		}
	}

	private location(type: ResourceType, id: string): string {
		return `${this.baseUrl}/${type}s/${id}`;
	}

	/** What a client sees: meta.location added, password never returned, attributes/excludedAttributes honoured. */
	private present(resource: Resource, query: Record<string, string | undefined>): Record<string, unknown> {
		const type = resource.meta.resourceType;
		const out: Record<string, unknown> = { ...resource, meta: { ...resource.meta, location: this.location(type, resource.id) } };
		delete out.password;
		const attributes = query.attributes
			?.split(',')
			.map((a) => a.trim().toLowerCase())
			.filter(Boolean);
		const excluded = query.excludedattributes
			?.split(',')
			.map((a) => a.trim().toLowerCase())
			.filter(Boolean);
		const always = new Set(['id', 'schemas', 'meta']);
		if (attributes?.length) {
			const keep = new Set(attributes.map((a) => a.replace(/^urn:.*:(user|group):/i, '').split('.')[0]));
			for (const key of Object.keys(out))
				if (!always.has(key) && !keep.has(key.toLowerCase()) && !attributes.some((a) => a.startsWith(key.toLowerCase()))) delete out[key];
		}
		if (excluded?.length) for (const key of Object.keys(out)) if (!always.has(key) && excluded.includes(key.toLowerCase())) delete out[key];
		return out;
	}

	private json(status: number, body: unknown, extra: Record<string, string> = {}): ScimHttpResponse {
		return { status, headers: { 'Content-Type': SCIM_JSON, ...extra }, body };
	}

	private event(
		req: ScimHttpRequest,
		event: ScimEventType,
		type: ResourceType,
		id: string,
		before?: Record<string, unknown>,
		after?: Record<string, unknown>,
		members?: string[],
		password?: unknown,
	): ScimEvent {
		const strip = (r?: Record<string, unknown>) => {
			if (!r) return undefined;
			const copy = { ...r };
			delete copy.password;
			if (this.options.forwardPasswords && password !== undefined) copy.password = password;
			return copy;
		};
		return {
			event,
			resourceType: type,
			resourceId: id,
			resource: strip(after),
			before: strip(before),
			changedAttributes: changed(before, after),
			...(members ? { members } : {}),
			request: {
				id: randomUUID(),
				time: new Date().toISOString(),
				client: req.headers['user-agent'] ?? 'unknown',
				method: req.method,
				path: req.path,
			},
		};
	}

	private async route(req: ScimHttpRequest, events: ScimEvent[]): Promise<ScimHttpResponse> {
		const method = req.method.toUpperCase();
		const query = lowerKeys(req.query);
		const segments = req.path.split('/').filter(Boolean);
		const [collection, id, extra] = segments;
		const discovery = ['ServiceProviderConfig', 'ResourceTypes', 'Schemas'].find((d) => d.toLowerCase() === collection?.toLowerCase());
		if (discovery) {
			if (method !== 'GET') throw new ScimError(405, `${discovery} is read-only`);
			if (discovery === 'ServiceProviderConfig')
				return this.json(200, serviceProviderConfig(this.baseUrl, this.options.maxResults ?? 1000));
			const all = discovery === 'ResourceTypes' ? resourceTypes(this.baseUrl) : schemas(this.baseUrl);
			if (id) {
				const one = all.find((d) => String(d.id).toLowerCase() === decodeURIComponent(id).toLowerCase());
				if (!one) throw new ScimError(404, `${discovery}/${id} not found`);
				return this.json(200, one);
			}
			return this.json(200, listResponse(all, all.length, 1));
		}
		if (collection?.toLowerCase() === 'bulk') throw new ScimError(501, 'Bulk operations are not supported');
		if (collection?.toLowerCase() === '.search') {
			if (method !== 'POST') throw new ScimError(405, 'Use POST for /.search');
			return this.search(['User', 'Group'], this.searchQuery(req.body));
		}
		const type: ResourceType | undefined =
			collection?.toLowerCase() === 'users' ? 'User' : collection?.toLowerCase() === 'groups' ? 'Group' : undefined;
		if (!type || extra) throw new ScimError(404, `No SCIM endpoint at ${req.path}`);
		if (id === '.search') {
			if (method !== 'POST') throw new ScimError(405, 'Use POST for .search');
			return this.search([type], this.searchQuery(req.body));
		}
		if (!id) {
			if (method === 'GET') return this.search([type], query);
			if (method === 'POST') return this.create(req, type, events);
			throw new ScimError(405, `${method} is not allowed on /${collection}`);
		}
		const resourceId = decodeURIComponent(id);
		switch (method) {
			case 'GET': {
				const r = await this.store.get(type, resourceId);
				if (!r) throw new ScimError(404, `${type} ${resourceId} not found`);
				const etag = r.meta.version;
				if (req.headers['if-none-match'] && req.headers['if-none-match'] === etag) return { status: 304, headers: { ETag: etag } };
				return this.json(200, this.present(r, query), { ETag: etag });
			}
			case 'PUT':
				return this.replace(req, type, resourceId, events);
			case 'PATCH':
				return this.patch(req, type, resourceId, events);
			case 'DELETE': {
				const gone = await this.store.delete(type, resourceId);
				if (!gone) throw new ScimError(404, `${type} ${resourceId} not found`);
				events.push(this.event(req, type === 'User' ? 'user.deleted' : 'group.deleted', type, resourceId, gone));
				return { status: 204, headers: {} };
			}
			default:
				throw new ScimError(405, `${method} is not allowed on /${collection}/{id}`);
		}
	}

	private searchQuery(body: unknown): Record<string, string | undefined> {
		if (!isObject(body)) throw new ScimError(400, 'A search needs a SearchRequest body', 'invalidSyntax');
		const list = (v: unknown) => (Array.isArray(v) ? v.join(',') : v === undefined ? undefined : String(v));
		return lowerKeys({
			filter: body.filter === undefined ? undefined : String(body.filter),
			startIndex: body.startIndex === undefined ? undefined : String(body.startIndex),
			count: body.count === undefined ? undefined : String(body.count),
			attributes: list(body.attributes),
			excludedAttributes: list(body.excludedAttributes),
		});
	}

	/** Lists with filter and paging: equality on userName/displayName/externalId/id uses indexes, not scans. */
	private async search(types: ResourceType[], query: Record<string, string | undefined>): Promise<ScimHttpResponse> {
		const startIndex = Math.max(1, Number.parseInt(query.startindex ?? '1', 10) || 1);
		const rawCount = query.count === undefined ? (this.options.maxResults ?? 1000) : Number.parseInt(query.count, 10);
		const count = Math.min(Math.max(0, Number.isNaN(rawCount) ? 0 : rawCount), this.options.maxResults ?? 1000);
		const filter = query.filter ? parseScimFilter(query.filter) : undefined;
		const key = filter ? equalityKey(filter) : undefined;
		let candidates: Resource[] = [];
		for (const type of types) {
			const nameAttribute = type === 'User' ? 'username' : 'displayname';
			if (key && key.attribute.toLowerCase() === nameAttribute) candidates.push(...(await this.store.findByName(type, key.value)));
			else if (key && key.attribute.toLowerCase() === 'externalid')
				candidates.push(...(await this.store.findByExternalId(type, key.value)));
			else if (key && key.attribute.toLowerCase() === 'id') {
				const one = await this.store.get(type, key.value);
				if (one) candidates.push(one);
			} else candidates.push(...(await this.store.list(type)));
		}
		if (filter) candidates = candidates.filter((r) => matchesFilter(filter, r));
		// Stable order across pages: creation time, then id.
		candidates.sort((a, b) => a.meta.created.localeCompare(b.meta.created) || a.id.localeCompare(b.id));
		const page = count === 0 ? [] : candidates.slice(startIndex - 1, startIndex - 1 + count);
		return this.json(
			200,
			listResponse(
				page.map((r) => this.present(r, query)),
				candidates.length,
				startIndex,
			),
		);
	}

	/** Client data, cleaned of what the server owns. */
	private incoming(type: ResourceType, body: unknown): { data: Record<string, unknown>; password?: unknown } {
		if (!isObject(body)) throw new ScimError(400, 'The body must be a JSON object', 'invalidSyntax');
		const data: Record<string, unknown> = { ...body };
		for (const key of Object.keys(data)) {
			if (['__proto__', 'constructor', 'prototype'].includes(key))
				throw new ScimError(400, `"${key}" is not an attribute`, 'invalidSyntax');
		}
		assertKnownAttributes(type, data);
		delete data.id;
		delete data.meta;
		if (type === 'User') delete data.groups;
		const password = data.password;
		delete data.password;
		if (!Array.isArray(data.schemas)) data.schemas = [type === 'User' ? USER_SCHEMA : GROUP_SCHEMA];
		if (typeof data.active === 'string' && /^(true|false)$/i.test(data.active)) data.active = data.active.toLowerCase() === 'true';
		if (type === 'User' && (typeof data.userName !== 'string' || !data.userName.trim()))
			throw new ScimError(400, 'userName is required', 'invalidValue');
		if (type === 'Group' && (typeof data.displayName !== 'string' || !data.displayName.trim()))
			throw new ScimError(400, 'displayName is required', 'invalidValue');
		if (type === 'Group') data.members = this.dedupeMembers(data.members);
		return { data, password };
	}

	private dedupeMembers(members: unknown): Array<Record<string, unknown>> {
		if (members === undefined || members === null) return [];
		if (!Array.isArray(members)) throw new ScimError(400, 'members must be a list', 'invalidValue');
		const seen = new Set<string>();
		return members.filter((m): m is Record<string, unknown> => {
			if (!isObject(m) || (typeof m.value !== 'string' && typeof m.value !== 'number'))
				throw new ScimError(400, 'Each member needs a value', 'invalidValue');
			const key = String(m.value);
			if (seen.has(key)) return false;
			seen.add(key);
			return true;
		});
	}

	private async create(req: ScimHttpRequest, type: ResourceType, events: ScimEvent[]): Promise<ScimHttpResponse> {
		const { data, password } = this.incoming(type, req.body);
		const created = await this.store.create(type, data);
		events.push(
			this.event(req, type === 'User' ? 'user.created' : 'group.created', type, created.id, undefined, created, undefined, password),
		);
		return this.json(201, this.present(created, {}), { Location: this.location(type, created.id), ETag: created.meta.version });
	}

	private async replace(req: ScimHttpRequest, type: ResourceType, id: string, events: ScimEvent[]): Promise<ScimHttpResponse> {
		const { data, password } = this.incoming(type, req.body);
		const result = await this.store.update(type, id, () => data, req.headers['if-match']);
		if (!result) throw new ScimError(404, `${type} ${id} not found`);
		this.changeEvents(req, type, result.before, result.after, events, password);
		return this.json(200, this.present(result.after, {}), { ETag: result.after.meta.version });
	}

	private async patch(req: ScimHttpRequest, type: ResourceType, id: string, events: ScimEvent[]): Promise<ScimHttpResponse> {
		const result = await this.store.update(
			type,
			id,
			(current) => {
				const next = applyPatch(current, req.body, type);
				try {
					assertKnownAttributes(type, next);
				} catch (error) {
					throw new ScimError(400, (error as Error).message, 'invalidPath');
				}
				if (type === 'Group') next.members = this.dedupeMembers(next.members);
				if (type === 'User' && (typeof next.userName !== 'string' || !next.userName))
					throw new ScimError(400, 'userName cannot be removed', 'mutability');
				delete next.password;
				return next;
			},
			req.headers['if-match'],
		);
		if (!result) throw new ScimError(404, `${type} ${id} not found`);
		this.changeEvents(req, type, result.before, result.after, events);
		// Entra expects 204 for group membership PATCHes; users get the resource back.
		if (type === 'Group') return { status: 204, headers: { ETag: result.after.meta.version } };
		return this.json(200, this.present(result.after, {}), { ETag: result.after.meta.version });
	}

	private changeEvents(
		req: ScimHttpRequest,
		type: ResourceType,
		before: Resource,
		after: Resource,
		events: ScimEvent[],
		password?: unknown,
	): void {
		const attributes = changed(before, after).filter((a) => a !== 'meta');
		if (attributes.length === 0) return;
		if (type === 'User') {
			const was = before.active !== false;
			const is = after.active !== false;
			const kind: ScimEventType = was && !is ? 'user.deactivated' : !was && is ? 'user.reactivated' : 'user.updated';
			events.push(this.event(req, kind, type, after.id, before, after, undefined, password));
			return;
		}
		const ids = (r: Resource) => new Set(((r.members as Array<{ value: string }>) ?? []).map((m) => String(m.value)));
		const old = ids(before);
		const now = ids(after);
		const added = [...now].filter((m) => !old.has(m));
		const removed = [...old].filter((m) => !now.has(m));
		if (attributes.some((a) => a !== 'members')) events.push(this.event(req, 'group.updated', type, after.id, before, after));
		if (added.length) events.push(this.event(req, 'group.membersAdded', type, after.id, before, after, added));
		if (removed.length) events.push(this.event(req, 'group.membersRemoved', type, after.id, before, after, removed));
	}
}
