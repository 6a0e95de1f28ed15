import pLimit from 'p-limit';
import type { AttributeMap, MatchKey, ScalarValue } from '../envelope';
import { ProvisioningError } from '../errors';
import { isSecretAttribute, REDACTED } from '../redact';
import { ScimClient } from '../scim/client';
import {
	CORE_GROUP_SCHEMA,
	CORE_USER_SCHEMA,
	equalityFilter,
	parseScimPath,
	readScimPath,
	removeScimPath,
	scimFilterValue,
	writeScimPath,
} from '../scim/path';
import type { GroupEntry, GroupSpec, GroupTarget } from './groups';
import { type AttributeChange, indexBy, type ListOptions, type Target, type TargetEntry, type WriteRecord } from './target';

export interface ScimTargetOptions {
	resourceType?: 'Users' | 'Groups';
	/** Skip /ServiceProviderConfig and assume PATCH support (or not). */
	patchSupported?: boolean;
	/** Values per batched lookup request (default 50). */
	lookupChunkSize?: number;
}

export interface PatchOperation {
	op: 'add' | 'replace' | 'remove';
	path?: string;
	value?: unknown;
}

const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Redacts secret attributes (password) anywhere in a SCIM body before it is recorded. */
function redactBody(body: unknown): unknown {
	if (Array.isArray(body)) return body.map(redactBody);
	if (typeof body !== 'object' || body === null) return body;
	const out: Record<string, unknown> = {};
	const obj = body as Record<string, unknown>;
	const pathIsSecret = typeof obj.path === 'string' && isSecretAttribute(obj.path);
	for (const [k, v] of Object.entries(obj)) {
		out[k] = isSecretAttribute(k) || (pathIsSecret && k === 'value') ? REDACTED : redactBody(v);
	}
	return out;
}

/** Provisioning into a SCIM 2.0 service provider. */
export class ScimTarget implements Target, GroupTarget {
	readonly system = 'scim' as const;
	readonly writes: WriteRecord[] = [];
	readonly identityAttributes = ['userName', 'externalId', 'displayName'];
	private patchSupported?: Promise<boolean>;
	private readonly resourceType: 'Users' | 'Groups';
	private readonly lookupChunkSize: number;
	/** Set once the server refused an `or` filter. */
	private orUnsupported = false;

	constructor(
		readonly client: ScimClient,
		options: ScimTargetOptions = {},
	) {
		this.resourceType = options.resourceType ?? 'Users';
		this.lookupChunkSize = options.lookupChunkSize ?? 50;
		if (options.patchSupported !== undefined) this.patchSupported = Promise.resolve(options.patchSupported);
	}

	get endpoint(): string {
		return `${this.client.baseUrl}/${this.resourceType}`;
	}

	caseInsensitiveValues(): boolean {
		return false;
	}

	/** RFC 7643 caseExact: userName, emails and displayName compare without case; ids and externalId with it. */
	caseInsensitiveMatch(attribute: string): boolean {
		const path = parseScimPath(attribute);
		if (path.schema) return false;
		return !['id', 'externalid'].includes(path.attribute.toLowerCase());
	}

	/** Reads /ServiceProviderConfig once per target object (one execution). */
	supportsPatch(): Promise<boolean> {
		this.patchSupported ??= this.client
			.request({ method: 'GET', path: '/ServiceProviderConfig', idempotent: true })
			.then((res) => res.data?.patch?.supported !== false)
			.catch(() => true);
		return this.patchSupported;
	}

	private toEntry(resource: Record<string, any>, attributes: string[]): TargetEntry {
		const values: AttributeMap = {};
		for (const name of attributes) {
			const value = readScimPath(resource, name);
			if (value !== undefined) values[name] = value as AttributeMap[string];
		}
		return {
			id: String(resource.id),
			attributes: values,
			active: typeof resource.active === 'boolean' ? resource.active : undefined,
		};
	}

	async find(key: MatchKey, attributes: string[]): Promise<TargetEntry[]> {
		if (key.value === null || key.value === '') return [];
		if (key.attribute.toLowerCase() === 'id') {
			const entry = await this.get(String(key.value), attributes);
			return entry ? [entry] : [];
		}
		const filter = equalityFilter(key.attribute, key.value);
		const res = await this.client.request({
			method: 'GET',
			path: `/${this.resourceType}`,
			params: { filter, startIndex: 1, count: 2 },
			idempotent: true,
		});
		const resources: Array<Record<string, unknown>> = Array.isArray(res.data?.Resources) ? res.data.Resources : [];
		return resources.map((r) => this.toEntry(r, attributes));
	}

	/**
	 * Batched lookup with `or`-joined equality filters. Servers that reject `or` (Entra-style servers
	 * often support only `eq` and `and`) are remembered, and lookups fall back to one value per request.
	 */
	async findMany(attribute: string, values: ScalarValue[], attributes: string[]): Promise<TargetEntry[]> {
		const distinct = [...new Set(values.filter((v) => v !== null && v !== '').map((v) => (typeof v === 'string' ? v : String(v))))];
		const out: TargetEntry[] = [];
		if (attribute.toLowerCase() === 'id' || this.orUnsupported) {
			const limit = pLimit(4);
			const found = await Promise.all(distinct.map((value) => limit(() => this.find({ attribute, value }, attributes))));
			return found.flat();
		}
		for (let i = 0; i < distinct.length; i += this.lookupChunkSize) {
			const chunk = distinct.slice(i, i + this.lookupChunkSize);
			const filter = chunk.map((v) => equalityFilter(attribute, v)).join(' or ');
			try {
				for await (const entry of this.listAll({ attributes, filter, pageSize: Math.max(100, chunk.length * 2) })) out.push(entry);
			} catch (error) {
				if (i === 0 && chunk.length > 1 && error instanceof ProvisioningError && error.targetStatus === 400) {
					this.orUnsupported = true;
					return this.findMany(attribute, values, attributes);
				}
				throw error;
			}
		}
		return out;
	}

	private async getResource(id: string): Promise<Record<string, any> | null> {
		const res = await this.client.request({
			method: 'GET',
			path: `/${this.resourceType}/${encodeURIComponent(id)}`,
			idempotent: true,
			acceptStatus: [404],
		});
		return res.status === 404 ? null : res.data;
	}

	async get(id: string, attributes: string[]): Promise<TargetEntry | null> {
		const resource = await this.getResource(id);
		return resource ? this.toEntry(resource, attributes) : null;
	}

	previewId(): string | null {
		return null;
	}

	/** Builds a SCIM resource from attribute paths, adding extension schema URNs as needed. */
	buildResource(attributes: AttributeMap): Record<string, unknown> {
		const resource: Record<string, unknown> = {};
		const schemas = new Set<string>([this.resourceType === 'Users' ? CORE_USER_SCHEMA : CORE_GROUP_SCHEMA]);
		for (const [path, value] of Object.entries(attributes)) {
			if (path === 'schemas') continue;
			const parsed = parseScimPath(path);
			if (parsed.schema) schemas.add(parsed.schema);
			writeScimPath(resource, path, value);
		}
		const extra = attributes.schemas;
		if (Array.isArray(extra)) for (const s of extra) schemas.add(String(s));
		return { schemas: [...schemas], ...resource };
	}

	async create(attributes: AttributeMap): Promise<TargetEntry> {
		if (this.resourceType === 'Users' && (attributes.userName === undefined || attributes.userName === '')) {
			throw new ProvisioningError('MissingRequiredValue', 'A SCIM user needs a userName; map a value to "userName"', { field: 'userName' });
		}
		const body = this.buildResource(attributes);
		const res = await this.client.request({ method: 'POST', path: `/${this.resourceType}`, body });
		const id = res.data?.id;
		if (typeof id !== 'string' && typeof id !== 'number') {
			throw new ProvisioningError('TargetRejected', `POST /${this.resourceType} answered ${res.status} without a resource id`);
		}
		this.writes.push({ operation: 'create', targetId: String(id), body: redactBody(body) });
		return this.toEntry(res.data, Object.keys(attributes));
	}

	/** PATCH operations for a set of changes: replace what exists, add filtered elements that do not. */
	patchOperations(changes: AttributeChange[]): PatchOperation[] {
		return changes.map((change): PatchOperation => {
			if (change.newValue === undefined || change.newValue === null) return { op: 'remove', path: change.attribute };
			const path = parseScimPath(change.attribute);
			if (path.filter && (change.oldValue === undefined || change.oldValue === null)) {
				// Replacing a filtered path that matches nothing is 400 noTarget (RFC 7644 §3.5.2.3): add the element instead.
				const element: Record<string, unknown> = { ...path.filter };
				if (path.subAttribute) element[path.subAttribute] = change.newValue;
				else Object.assign(element, change.newValue);
				const prefix = path.schema ? `${path.schema}:` : '';
				return { op: 'add', path: `${prefix}${path.attribute}`, value: [element] };
			}
			return { op: 'replace', path: change.attribute, value: change.newValue };
		});
	}

	async update(id: string, changes: AttributeChange[]): Promise<string> {
		if (changes.length === 0) return id;
		if (await this.supportsPatch()) {
			const operations = this.patchOperations(changes);
			const body = { schemas: [PATCH_SCHEMA], Operations: operations };
			// replace and remove set absolute state, so repeating them is harmless; an add of an element is not.
			const idempotent = operations.every((op) => op.op !== 'add');
			await this.client.request({ method: 'PATCH', path: `/${this.resourceType}/${encodeURIComponent(id)}`, body, idempotent });
			this.writes.push({ operation: 'update', targetId: id, body: redactBody(body) });
			return id;
		}
		await this.putWith(id, 'update', (resource) => {
			for (const change of changes) {
				if (change.newValue === undefined || change.newValue === null) removeScimPath(resource, change.attribute);
				else writeScimPath(resource, change.attribute, change.newValue);
			}
		});
		return id;
	}

	/** Full-resource update for servers without PATCH: read, change, write back. */
	private async putWith(id: string, operation: WriteRecord['operation'], change: (resource: Record<string, unknown>) => void): Promise<void> {
		const resource = await this.getResource(id);
		if (!resource) throw new ProvisioningError('NotFound', `${this.resourceType}/${id} no longer exists in the target`, { targetStatus: 404 });
		delete resource.meta;
		change(resource);
		await this.client.request({ method: 'PUT', path: `/${this.resourceType}/${encodeURIComponent(id)}`, body: resource, idempotent: true });
		this.writes.push({ operation, targetId: id, body: redactBody(resource) });
	}

	async setActive(id: string, active: boolean): Promise<string> {
		const operation = active ? 'enable' : 'disable';
		if (await this.supportsPatch()) {
			const body = { schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', path: 'active', value: active }] };
			await this.client.request({ method: 'PATCH', path: `/${this.resourceType}/${encodeURIComponent(id)}`, body, idempotent: true });
			this.writes.push({ operation, targetId: id, body });
			return id;
		}
		await this.putWith(id, operation, (resource) => {
			resource.active = active;
		});
		return id;
	}

	async delete(id: string): Promise<void> {
		await this.client.request({
			method: 'DELETE',
			path: `/${this.resourceType}/${encodeURIComponent(id)}`,
			idempotent: true,
			acceptStatus: [404],
		});
		this.writes.push({ operation: 'delete', targetId: id, body: null });
	}

	/** Pages with startIndex/count until startIndex + itemsPerPage passes totalResults. */
	private async *listResources(resourceType: string, filter: string | undefined, pageSize: number, extra: Record<string, string> = {}): AsyncIterable<Record<string, any>> {
		let startIndex = 1;
		for (;;) {
			const params: Record<string, string | number> = { startIndex, count: pageSize, ...extra };
			if (filter) params.filter = filter;
			const res = await this.client.request({ method: 'GET', path: `/${resourceType}`, params, idempotent: true });
			const resources: Array<Record<string, unknown>> = Array.isArray(res.data?.Resources) ? res.data.Resources : [];
			yield* resources;
			const total = Number(res.data?.totalResults ?? 0);
			const perPage = Number(res.data?.itemsPerPage ?? resources.length) || resources.length;
			if (resources.length === 0 || startIndex + perPage > total) return;
			startIndex += perPage;
		}
	}

	async *listAll(options: ListOptions): AsyncIterable<TargetEntry> {
		for await (const r of this.listResources(this.resourceType, options.filter, options.pageSize ?? 100)) yield this.toEntry(r, options.attributes);
	}

	/** Finds the groups listing the user and removes just that member (PATCH remove members[value eq "…"]). */
	async removeFromAllGroups(id: string): Promise<string[]> {
		const removed: string[] = [];
		for await (const group of this.listResources('Groups', `members[value eq ${scimFilterValue(id)}]`, 100)) {
			const body = { schemas: [PATCH_SCHEMA], Operations: [{ op: 'remove', path: `members[value eq ${scimFilterValue(id)}]` }] };
			await this.client.request({ method: 'PATCH', path: `/Groups/${encodeURIComponent(String(group.id))}`, body, idempotent: true, acceptStatus: [404] });
			this.writes.push({ operation: 'update', targetId: String(group.id), body });
			removed.push(String(group.displayName ?? group.id));
		}
		return removed;
	}

	// ---- Groups (GroupTarget) ----

	readonly memberKind = 'id' as const;
	readonly supportsNesting = true;

	memberKey(ref: string): string {
		return ref;
	}

	private toGroup(resource: Record<string, any>): GroupEntry {
		return {
			id: String(resource.id),
			displayName: String(resource.displayName ?? ''),
			externalId: resource.externalId === undefined ? undefined : String(resource.externalId),
			members: Array.isArray(resource.members) ? resource.members.map((m: { value: unknown }) => String(m.value)) : [],
		};
	}

	/** Batched group lookup without member lists (excludedAttributes=members, as Entra does). */
	async findGroups(by: 'externalId' | 'displayName', values: string[]): Promise<GroupEntry[]> {
		const distinct = [...new Set(values.filter(Boolean))];
		const out: GroupEntry[] = [];
		const chunk = this.orUnsupported ? 1 : this.lookupChunkSize;
		for (let i = 0; i < distinct.length; i += chunk) {
			const filter = distinct
				.slice(i, i + chunk)
				.map((v) => `${by} eq ${scimFilterValue(v)}`)
				.join(' or ');
			for await (const r of this.listResources('Groups', filter, 100, { excludedAttributes: 'members' })) out.push(this.toGroup(r));
		}
		return out;
	}

	async readGroup(id: string): Promise<GroupEntry | null> {
		const res = await this.client.request({ method: 'GET', path: `/Groups/${encodeURIComponent(id)}`, idempotent: true, acceptStatus: [404] });
		return res.status === 404 ? null : this.toGroup(res.data);
	}

	/** POST with no members, as Entra does; members follow in chunked PATCHes. */
	async createGroup(spec: GroupSpec): Promise<GroupEntry> {
		const body: Record<string, unknown> = { schemas: [CORE_GROUP_SCHEMA], displayName: spec.displayName, members: [], ...(spec.extra ?? {}) };
		if (spec.externalId) body.externalId = spec.externalId;
		const res = await this.client.request({ method: 'POST', path: '/Groups', body });
		this.writes.push({ operation: 'create', targetId: String(res.data?.id), body });
		return { ...this.toGroup(res.data ?? {}), members: [] };
	}

	private async patchGroup(id: string, operations: PatchOperation[], idempotent: boolean, fallback: (group: Record<string, any>) => void): Promise<void> {
		if (await this.supportsPatch()) {
			const body = { schemas: [PATCH_SCHEMA], Operations: operations };
			await this.client.request({ method: 'PATCH', path: `/Groups/${encodeURIComponent(id)}`, body, idempotent });
			this.writes.push({ operation: 'update', targetId: id, body });
			return;
		}
		const res = await this.client.request({ method: 'GET', path: `/Groups/${encodeURIComponent(id)}`, idempotent: true });
		const group = res.data as Record<string, any>;
		delete group.meta;
		fallback(group);
		await this.client.request({ method: 'PUT', path: `/Groups/${encodeURIComponent(id)}`, body: group, idempotent: true });
		this.writes.push({ operation: 'update', targetId: id, body: group });
	}

	async renameGroup(id: string, displayName: string): Promise<string> {
		await this.patchGroup(id, [{ op: 'replace', path: 'displayName', value: displayName }], true, (g) => (g.displayName = displayName));
		return id;
	}

	async addMembers(id: string, members: string[]): Promise<void> {
		await this.patchGroup(id, [{ op: 'add', path: 'members', value: members.map((value) => ({ value })) }], false, (g) => {
			const have = new Set((g.members ?? []).map((m: { value: string }) => m.value));
			g.members = [...(g.members ?? []), ...members.filter((m) => !have.has(m)).map((value) => ({ value }))];
		});
	}

	/** One remove operation per member, by value filter: never the legacy form that wipes whole groups. */
	async removeMembers(id: string, members: string[]): Promise<void> {
		const drop = new Set(members);
		await this.patchGroup(
			id,
			members.map((m) => ({ op: 'remove' as const, path: `members[value eq ${scimFilterValue(m)}]` })),
			true,
			(g) => (g.members = (g.members ?? []).filter((m: { value: string }) => !drop.has(m.value))),
		);
	}

	async resolveUsers(attribute: string, values: string[]): Promise<Map<string, string[]>> {
		const entries = await this.findMany(attribute, values, [attribute]);
		return indexBy(entries, attribute, this.caseInsensitiveMatch(attribute));
	}

	groupMemberRef(group: GroupEntry): string {
		return group.id;
	}

	async close(): Promise<void> {}
}
