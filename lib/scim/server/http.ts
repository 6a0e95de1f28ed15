/**
 * The SCIM Trigger's HTTP side, free of n8n: a plain request (what the HTTP server received) in, a plain response
 * out. It checks the credentials and the content type, reads and decodes the JSON body, finds the SCIM path, then
 * hands a ScimHttpRequest to `serve` (the service provider). The node only adapts n8n's request and response to it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type InboundAuth, isAuthenticated } from './auth';
import { ScimError } from './scimError';
import type { ScimEvent, ScimHttpRequest, ScimHttpResponse } from './serviceProvider';

export interface PlainHttpRequest {
	method: string;
	/** The path as received (still percent-encoded), e.g. /webhook/<id>/scim/v2/Users/42. */
	path: string;
	headers: Record<string, string | string[] | undefined>;
	query: Record<string, unknown>;
	/** The body as the host already parsed it, if it did (n8n parses application/json). */
	parsedBody?: unknown;
	/** The body's bytes, when the host has read them already. */
	rawBody?: Buffer;
	/** Reads the body's bytes when no one has yet. */
	readRawBody?: () => Promise<Buffer | undefined>;
}

export interface ScimHttpOptions {
	auth: InboundAuth;
	maxBodyBytes: number;
	/** The SCIM base below which the service provider routes, e.g. scim/v2. */
	base: string;
	/** Answers an authenticated, decoded request. A ScimError it throws becomes the answer. */
	serve: (request: ScimHttpRequest) => Promise<{ response: ScimHttpResponse; events: ScimEvent[] }>;
}

export interface ScimHttpAnswer {
	response: ScimHttpResponse;
	events: ScimEvent[];
}

const SCIM_JSON = 'application/scim+json';
const WRITES = ['POST', 'PUT', 'PATCH'];

const first = (value: unknown): string | undefined =>
	Array.isArray(value) ? (value.length ? String(value[0]) : undefined) : value === undefined ? undefined : String(value);

const errorResponse = (error: ScimError, extra: Record<string, string> = {}): ScimHttpResponse => ({
	status: error.status,
	headers: { 'Content-Type': SCIM_JSON, ...extra },
	body: error.toBody(),
});

/** An RFC 7644 error as an answer, for failures outside the service provider (an unavailable store, say). */
export const errorAnswer = (error: ScimError): ScimHttpAnswer => ({ response: errorResponse(error), events: [] });

const tooLarge = (maxBytes: number) => new ScimError(413, `The body is larger than ${maxBytes} bytes`, 'tooMany');

/** The JSON body of a write, within the size limit. */
async function decodeBody(req: PlainHttpRequest, headers: Record<string, string | undefined>, maxBytes: number): Promise<unknown> {
	const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	if (type && type !== SCIM_JSON && type !== 'application/json')
		throw new ScimError(415, `Send application/scim+json or application/json, not ${type}`);
	if (Number(headers['content-length'] ?? 0) > maxBytes) throw tooLarge(maxBytes);
	// n8n parses application/json itself; SCIM's own type arrives raw.
	if (type === 'application/json' && req.parsedBody !== undefined && !Buffer.isBuffer(req.parsedBody)) return req.parsedBody;
	const raw = req.rawBody ?? (await req.readRawBody?.()) ?? Buffer.alloc(0);
	if (raw.length > maxBytes) throw tooLarge(maxBytes);
	try {
		return raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
	} catch {
		throw new ScimError(400, 'The body is not valid JSON', 'invalidSyntax');
	}
}

async function answer(req: PlainHttpRequest, options: ScimHttpOptions): Promise<ScimHttpAnswer> {
	const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), first(v)]));
	if (!isAuthenticated(headers.authorization, options.auth)) {
		const error = new ScimError(401, 'Authentication failed: send the bearer token from the SCIM Trigger credential');
		return { response: errorResponse(error, { 'WWW-Authenticate': 'Bearer realm="SCIM"' }), events: [] };
	}
	const method = req.method.toUpperCase();
	const body = WRITES.includes(method) ? await decodeBody(req, headers, options.maxBodyBytes) : undefined;
	const at = req.path.toLowerCase().indexOf(`/${options.base}`);
	const path = at === -1 ? '/' : req.path.slice(at + options.base.length + 1) || '/';
	const query = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, first(v)]));
	return await options.serve({ method, path, query, headers, body });
}

/** Answers one HTTP request to the SCIM endpoint. */
export async function answerScimHttp(req: PlainHttpRequest, options: ScimHttpOptions): Promise<ScimHttpAnswer> {
	try {
		return await answer(req, options);
	} catch (error) {
		if (error instanceof ScimError) return errorAnswer(error);
		throw error;
	}
}

/** The plain request of an HTTP server's request (node:http or express; n8n adds body, rawBody and readRawBody). */
export function plainRequestOf(
	req: IncomingMessage & { path?: string; query?: unknown; body?: unknown; rawBody?: Buffer; readRawBody?: () => Promise<void> },
): PlainHttpRequest {
	return {
		method: req.method ?? 'GET',
		path: req.path ?? new URL(req.url ?? '/', 'http://localhost').pathname,
		headers: req.headers,
		query:
			(req.query as Record<string, unknown> | undefined) ?? Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams),
		parsedBody: req.body,
		rawBody: req.rawBody,
		readRawBody: async () => {
			if (!req.rawBody) await req.readRawBody?.();
			return req.rawBody;
		},
	};
}

/**
 * Sends an answer. Written directly: express's send() would hash every body for an ETag of its own and test
 * freshness (SCIM ETags are per resource, set by the service provider), which costs more than the answer.
 */
export function writeScimResponse(res: ServerResponse, response: ScimHttpResponse): void {
	res.statusCode = response.status;
	for (const [name, value] of Object.entries(response.headers))
		res.setHeader(name, name.toLowerCase() === 'content-type' && !value.includes('charset') ? `${value}; charset=utf-8` : value);
	if (response.body === undefined) {
		res.end();
		return;
	}
	const text = JSON.stringify(response.body);
	res.setHeader('Content-Length', Buffer.byteLength(text));
	res.end(text);
}
