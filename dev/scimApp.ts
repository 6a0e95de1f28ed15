import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

/** A fault the server applies to the next matching requests. */
export interface Fault {
	/** Answer with this status instead of handling the request. */
	status?: number;
	retryAfter?: string;
	/** Wait this long before handling (or before failing with status). */
	delayMs?: number;
	/** Close the connection without answering. */
	drop?: boolean;
	/** Handle the request fully, then close the connection without answering (a lost response). */
	dropAfterHandling?: boolean;
	method?: string;
	pathIncludes?: string;
	/** Only requests whose filter contains this text. */
	filterIncludes?: string;
	/** Only requests whose JSON body contains this text (one user's create, say). */
	bodyIncludes?: string;
	/** How many matching requests this fault applies to. */
	times: number;
	/** Matching requests let through untouched before the fault starts. */
	skip?: number;
}

export interface RecordedRequest {
	method: string;
	path: string;
	query: Record<string, unknown>;
	body: any;
	status?: number;
}

type Stored = Record<string, any> & { id: string };

interface Store {
	users: Map<string, Stored>;
	groups: Map<string, Stored>;
}

const scimError = (status: number, scimType: string | null, detail: string) => new (SCIMMY.Types.Error as any)(status, scimType, detail);
const storeOf = (ctx: unknown) => (ctx as { store: Store }).store;
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

function listMatching(resource: any, values: Stored[]): Stored[] {
	if (!resource.filter) return values;
	// SCIMMY's Filter.match throws on resources lacking a filtered multi-valued attribute: test one at a time.
	return values.filter((v) => {
		try {
			return resource.filter.match([v]).length > 0;
		} catch {
			return false;
		}
	});
}

function upsert(map: Map<string, Stored>, resource: any, instance: unknown, uniqueKey: 'userName' | 'displayName'): Stored {
	const data = plain(instance);
	delete data.meta;
	delete data.id;
	// Like most apps: userNames and group names are unique, and a group lists a member once (RFC 7644 §3.5.2.1).
	const key = String(data[uniqueKey] ?? '').toLowerCase();
	for (const other of map.values()) {
		if (other.id !== resource.id && String(other[uniqueKey] ?? '').toLowerCase() === key) {
			throw scimError(409, 'uniqueness', `${uniqueKey} "${data[uniqueKey]}" is already taken`);
		}
	}
	if (Array.isArray(data.members)) {
		const seen = new Set<string>();
		data.members = data.members.filter((m: { value: string }) => !seen.has(m.value) && seen.add(m.value));
	}
	const now = new Date().toISOString();
	if (resource.id) {
		const existing = map.get(resource.id);
		if (!existing) throw scimError(404, null, `Resource ${resource.id} not found`);
		const updated = { ...data, id: existing.id, meta: { ...existing.meta, lastModified: now } };
		map.set(existing.id, updated);
		return updated;
	}
	const created = { ...data, id: randomUUID(), meta: { created: now, lastModified: now } };
	map.set(created.id, created);
	return created;
}

/** SCIMMY handlers for one resource type, backed by one map of the store. */
function handlers(kind: 'users' | 'groups', uniqueKey: 'userName' | 'displayName') {
	return {
		ingress: ((resource: any, instance: unknown, ctx: unknown) => upsert(storeOf(ctx)[kind], resource, instance, uniqueKey)) as any,
		egress: ((resource: any, ctx: unknown) => {
			const map = storeOf(ctx)[kind];
			if (!resource.id) return listMatching(resource, [...map.values()]);
			const found = map.get(resource.id);
			if (!found) throw scimError(404, null, `Resource ${resource.id} not found`);
			return found;
		}) as any,
		degress: ((resource: any, ctx: unknown) => {
			if (!storeOf(ctx)[kind].delete(resource.id)) throw scimError(404, null, `Resource ${resource.id} not found`);
		}) as any,
	};
}

let declared = false;
function declareResources(): void {
	if (declared) return;
	declared = true;
	SCIMMY.Config.set({
		patch: true,
		filter: { supported: true, maxResults: 1000 },
		sort: false,
		bulk: false,
		changePassword: false,
		etag: false,
	});
	const users = handlers('users', 'userName');
	const groups = handlers('groups', 'displayName');
	SCIMMY.Resources.declare(
		SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser as any, false)
			.ingress(users.ingress)
			.egress(users.egress)
			.degress(users.degress),
	);
	SCIMMY.Resources.declare(SCIMMY.Resources.Group.ingress(groups.ingress).egress(groups.egress).degress(groups.degress));
}

/**
 * A real SCIM 2.0 service provider (SCIMMY + scimmy-routers on Express 4) with an in-memory store,
 * a request log, and fault injection in front of it.
 */
export class ScimTestServer {
	readonly token = `scim-test-token-${randomUUID()}`;
	readonly store: Store = { users: new Map(), groups: new Map() };
	readonly requests: RecordedRequest[] = [];
	readonly faults: Fault[] = [];
	/** When false, /ServiceProviderConfig says patch is unsupported and PATCH answers 501. */
	patchSupported = true;
	baseUrl = '';
	/** OAuth2 client-credentials client accepted at /oauth/token, which hands out the bearer token. */
	readonly oauthClient = { id: 'n8n-client', secret: `client-secret-${randomUUID()}` };
	tokenRequests = 0;
	get tokenUrl(): string {
		return this.baseUrl.replace('/scim/v2', '/oauth/token');
	}
	private server?: Server;

	static async start(port = 0): Promise<ScimTestServer> {
		declareResources();
		const s = new ScimTestServer();
		await s.listen(port);
		return s;
	}

	private async listen(port: number): Promise<void> {
		const app = express();
		app.post('/oauth/token', express.urlencoded({ extended: false }), (req, res) => {
			this.tokenRequests++;
			const expected = `Basic ${Buffer.from(`${this.oauthClient.id}:${this.oauthClient.secret}`).toString('base64')}`;
			if (req.header('Authorization') !== expected || req.body.grant_type !== 'client_credentials') {
				res.status(401).json({ error: 'invalid_client' });
				return;
			}
			res.json({ access_token: this.token, token_type: 'Bearer', expires_in: 3600 });
		});
		app.use(express.json({ type: ['application/json', 'application/scim+json'], limit: '5mb' }));
		app.use((req, res, next) => this.applyFaults(req, res, next));
		app.use((req, res, next) => {
			const entry: RecordedRequest = {
				method: req.method,
				path: req.path,
				query: { ...req.query },
				body: req.body && Object.keys(req.body).length ? req.body : undefined,
			};
			this.requests.push(entry);
			res.on('finish', () => (entry.status = res.statusCode));
			if (!this.patchSupported && req.method === 'PATCH') {
				res.status(501).json({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '501', detail: 'PATCH is not supported' });
				return;
			}
			if (!this.patchSupported && req.method === 'GET' && req.path.endsWith('/ServiceProviderConfig')) {
				const original = res.json.bind(res);
				res.json = (body: any) => original({ ...body, patch: { supported: false } });
			}
			next();
		});
		app.use(
			'/scim/v2',
			new SCIMMYRouters({
				type: 'bearer',
				docUri: 'https://example.org/auth',
				handler: (req: express.Request) => {
					if (req.header('Authorization') !== `Bearer ${this.token}`) throw new Error('Bearer token missing or wrong');
					return 'test-client';
				},
				context: () => ({ store: this.store }),
			}) as unknown as express.Router,
		);
		await new Promise<void>((resolve) => {
			this.server = app.listen(port, '127.0.0.1', () => resolve());
		});
		const bound = (this.server!.address() as { port: number }).port;
		this.baseUrl = `http://127.0.0.1:${bound}/scim/v2`;
	}

	private applyFaults(req: express.Request, res: express.Response, next: express.NextFunction): void {
		const fault = this.faults.find(
			(f) =>
				f.times > 0 &&
				(!f.method || f.method === req.method) &&
				(!f.pathIncludes || req.path.includes(f.pathIncludes)) &&
				(!f.filterIncludes || String(req.query.filter ?? '').includes(f.filterIncludes)) &&
				(!f.bodyIncludes || JSON.stringify(req.body ?? null).includes(f.bodyIncludes)),
		);
		if (!fault) return next();
		if (fault.skip) {
			fault.skip--;
			return next();
		}
		fault.times--;
		this.requests.push({
			method: req.method,
			path: req.path,
			query: { ...req.query },
			body: req.body,
			status: fault.status ?? (fault.drop ? 0 : undefined),
		});
		const act = () => {
			if (fault.drop) {
				req.socket.destroy();
				return;
			}
			if (fault.dropAfterHandling) {
				res.end = (() => {
					req.socket.destroy();
					return res;
				}) as typeof res.end;
				// Not recorded twice: the handler still runs and changes the store.
				return next();
			}
			if (fault.status) {
				if (fault.retryAfter) res.set('Retry-After', fault.retryAfter);
				res
					.status(fault.status)
					.type('application/scim+json')
					.send(
						JSON.stringify({
							schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
							status: String(fault.status),
							detail: 'Injected fault',
						}),
					);
				return;
			}
			next();
		};
		if (fault.delayMs) setTimeout(act, fault.delayMs);
		else act();
	}

	/** Requests that reached the SCIM router, optionally filtered by method. */
	writes(method?: string): RecordedRequest[] {
		return this.requests.filter((r) => r.method !== 'GET' && (!method || r.method === method));
	}

	resetLog(): void {
		this.requests.length = 0;
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
		(this.server as any)?.closeAllConnections?.();
	}
}
