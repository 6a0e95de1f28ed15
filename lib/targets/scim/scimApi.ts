/**
 * What users and groups of a SCIM target share over one ScimClient: paged listing, batched lookups that fall
 * back to one value per request on servers refusing `or`, PATCH (or read-modify-PUT where PATCH is
 * unsupported), and the write log with secrets redacted.
 */
import pLimit from 'p-limit';
import { ProvisioningError } from '../../errors';
import { isSecretAttribute, REDACTED } from '../../redact';
import type { ScimClient } from '../../scim/client';
import { PATCH_OP_MESSAGE } from '../../scim/schema';
import { chunks, isObject, unique } from '../../util';
import type { WriteLog, WriteRecord } from '../target';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a SCIM resource is whatever JSON the app sends
export type ScimResource = Record<string, any>;

export interface PatchOperation {
	op: 'add' | 'replace' | 'remove';
	path?: string;
	value?: unknown;
}

export interface ScimApiOptions {
	/** Skip /ServiceProviderConfig and assume PATCH support (or not). */
	patchSupported?: boolean;
	/** Values per batched lookup request (default 50). */
	lookupChunkSize?: number;
}

/** Redacts secret attributes (password) anywhere in a SCIM body before it is recorded. */
export function redactBody(body: unknown): unknown {
	if (Array.isArray(body)) return body.map(redactBody);
	if (!isObject(body)) return body;
	const pathIsSecret = typeof body.path === 'string' && isSecretAttribute(body.path);
	return Object.fromEntries(
		Object.entries(body).map(([k, v]) => [k, isSecretAttribute(k) || (pathIsSecret && k === 'value') ? REDACTED : redactBody(v)]),
	);
}

export const resourcePath = (resourceType: string, id: string) => `/${resourceType}/${encodeURIComponent(id)}`;

export class ScimApi {
	private patchSupported?: Promise<boolean>;
	/** Set once the server refused an `or` filter: lookups then go one value at a time. */
	private orRefused = false;
	readonly lookupChunkSize: number;

	constructor(
		readonly client: ScimClient,
		private readonly log: WriteLog,
		options: ScimApiOptions = {},
	) {
		this.lookupChunkSize = options.lookupChunkSize ?? 50;
		if (options.patchSupported !== undefined) this.patchSupported = Promise.resolve(options.patchSupported);
	}

	/** What /ServiceProviderConfig says about PATCH (asked once per execution, and only when a PATCH was refused). */
	private discoverPatch(): Promise<boolean> {
		return this.client
			.request({ method: 'GET', path: '/ServiceProviderConfig', idempotent: true })
			.then((res) => res.data?.patch?.supported !== false)
			.catch(() => true);
	}

	record(operation: WriteRecord['operation'], targetId: string, body: unknown): void {
		this.log.add(operation, targetId, redactBody(body));
	}

	async get(resourceType: string, id: string): Promise<ScimResource | null> {
		const res = await this.client.request({ method: 'GET', path: resourcePath(resourceType, id), idempotent: true, acceptStatus: [404] });
		return res.status === 404 ? null : res.data;
	}

	/** Pages with startIndex/count until startIndex + itemsPerPage passes totalResults. */
	async *list(
		resourceType: string,
		filter: string | undefined,
		pageSize = 100,
		extra: Record<string, string> = {},
	): AsyncIterable<ScimResource> {
		let startIndex = 1;
		for (;;) {
			const params: Record<string, string | number> = { startIndex, count: pageSize, ...extra };
			if (filter) params.filter = filter;
			const res = await this.client.request({ method: 'GET', path: `/${resourceType}`, params, idempotent: true });
			const resources: ScimResource[] = Array.isArray(res.data?.Resources) ? res.data.Resources : [];
			yield* resources;
			const total = Number(res.data?.totalResults ?? 0);
			const perPage = Number(res.data?.itemsPerPage ?? resources.length) || resources.length;
			if (resources.length === 0 || startIndex + perPage > total) return;
			startIndex += perPage;
		}
	}

	/** Resources matching any of the values: `or`-joined clauses in chunks, or one value per request where `or` is refused. */
	async lookup<V extends string | number | boolean>(
		resourceType: string,
		values: V[],
		clause: (value: V) => string,
		extra: Record<string, string> = {},
	): Promise<ScimResource[]> {
		const distinct = unique(values.filter((v) => v !== ''));
		const out: ScimResource[] = [];
		if (this.orRefused) {
			const limit = pLimit(4);
			const found = await Promise.all(distinct.map((v) => limit(() => this.collect(resourceType, clause(v), 100, extra))));
			return found.flat();
		}
		for (const [index, chunk] of chunks(distinct, this.lookupChunkSize).entries()) {
			try {
				out.push(...(await this.collect(resourceType, chunk.map(clause).join(' or '), Math.max(100, chunk.length * 2), extra)));
			} catch (error) {
				// Servers that support only `eq` and `and` answer 400 to the first `or`.
				if (index === 0 && chunk.length > 1 && error instanceof ProvisioningError && error.targetStatus === 400) {
					this.orRefused = true;
					return this.lookup(resourceType, values, clause, extra);
				}
				throw error;
			}
		}
		return out;
	}

	private async collect(resourceType: string, filter: string, pageSize: number, extra: Record<string, string>): Promise<ScimResource[]> {
		const out: ScimResource[] = [];
		for await (const r of this.list(resourceType, filter, pageSize, extra)) out.push(r);
		return out;
	}

	/** Whether a failed PATCH means "this server does not do PATCH" (501, 405, or its configuration says so). */
	private async patchRefused(error: unknown): Promise<boolean> {
		const status = error instanceof ProvisioningError ? error.targetStatus : undefined;
		if (status !== 501 && status !== 405 && status !== 400 && status !== 404) return false;
		const refused = status === 501 || status === 405 || !(await this.discoverPatch());
		if (refused) this.patchSupported = Promise.resolve(false);
		return refused;
	}

	/**
	 * Changes a resource: one PATCH, or, where PATCH is unsupported, read, change and PUT back.
	 * `idempotent` says whether repeating the PATCH cannot apply it twice (it governs retries).
	 */
	async modify(
		resourceType: string,
		id: string,
		operation: WriteRecord['operation'],
		operations: PatchOperation[],
		idempotent: boolean,
		applyToResource: (resource: ScimResource) => void,
		acceptStatus: number[] = [],
	): Promise<void> {
		// PATCH first: nearly every server supports it, so no discovery request is spent on the common case.
		if ((await this.patchSupported) !== false) {
			const body = { schemas: [PATCH_OP_MESSAGE], Operations: operations };
			try {
				await this.client.request({ method: 'PATCH', path: resourcePath(resourceType, id), body, idempotent, acceptStatus });
				this.patchSupported ??= Promise.resolve(true);
				this.record(operation, id, body);
				return;
			} catch (error) {
				if (!(await this.patchRefused(error))) throw error;
			}
		}
		const resource = await this.get(resourceType, id);
		if (!resource) {
			if (acceptStatus.includes(404)) return;
			throw new ProvisioningError('NotFound', `${resourceType}/${id} no longer exists in the target`, { targetStatus: 404 });
		}
		delete resource.meta;
		applyToResource(resource);
		await this.client.request({ method: 'PUT', path: resourcePath(resourceType, id), body: resource, idempotent: true });
		this.record(operation, id, resource);
	}
}
