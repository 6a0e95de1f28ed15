/**
 * The SCIM Trigger's HTTP side, free of n8n: a plain request (what the HTTP server received) in, a plain response
 * out. It checks the credentials and the content type, reads and decodes the JSON body, finds the SCIM path, then
 * hands a ScimHttpRequest to `serve` (the service provider). The node only adapts n8n's request and response to it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
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
	/** The body's bytes, when the host has read them already (n8n keeps them, for the JSON it parsed too). */
	rawBody?: Buffer;
	/** Reads a body no one has read yet, giving up past `limit` bytes (then resolves undefined). */
	readBody?: (limit: number) => Promise<Buffer | undefined>;
}

export interface ScimHttpOptions {
	auth: InboundAuth;
	/** Reads the credentials again, when `auth` is a kept copy (authCache.ts): asked once if the request does not match it. */
	reauth?: () => Promise<InboundAuth>;
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

/** A bulk request's limit is its maxPayloadSize (RFC 7644 §3.7.4), named as such. */
const tooLarge = (maxBytes: number, bulk = false) =>
	bulk
		? new ScimError(413, `The size of the bulk request exceeds the maxPayloadSize (${maxBytes}) in bytes`)
		: new ScimError(413, `The body is larger than ${maxBytes} bytes`, 'tooMany');

/**
 * The JSON body of a write, within the size limit however it arrives: declared by Content-Length or chunked, read and
 * parsed by the host already (its bytes are measured, or the JSON when a host kept none), or read here, where the
 * reading stops at the limit.
 */
async function decodeBody(
	req: PlainHttpRequest,
	headers: Record<string, string | undefined>,
	maxBytes: number,
	bulk: boolean,
): Promise<unknown> {
	const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	if (type && type !== SCIM_JSON && type !== 'application/json')
		throw new ScimError(415, `Send application/scim+json or application/json, not ${type}`);
	if (Number(headers['content-length'] ?? 0) > maxBytes) throw tooLarge(maxBytes, bulk);
	// n8n parses application/json itself (and keeps its bytes); SCIM's own type arrives unread.
	const parsed = type === 'application/json' && req.parsedBody !== undefined && !Buffer.isBuffer(req.parsedBody);
	let raw = req.rawBody;
	if (!raw && !parsed && req.readBody) {
		raw = await req.readBody(maxBytes);
		if (!raw) throw tooLarge(maxBytes, bulk);
	}
	if (raw && raw.length > maxBytes) throw tooLarge(maxBytes, bulk);
	if (parsed) {
		if (!raw && Buffer.byteLength(JSON.stringify(req.parsedBody)) > maxBytes) throw tooLarge(maxBytes, bulk);
		return req.parsedBody;
	}
	if (!raw?.length) return undefined;
	try {
		return JSON.parse(raw.toString('utf8'));
	} catch {
		throw new ScimError(400, 'The body is not valid JSON', 'invalidSyntax');
	}
}

async function answer(req: PlainHttpRequest, options: ScimHttpOptions): Promise<ScimHttpAnswer> {
	const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), first(v)]));
	const authenticated =
		isAuthenticated(headers.authorization, options.auth) ||
		(options.reauth !== undefined && isAuthenticated(headers.authorization, await options.reauth()));
	if (!authenticated) {
		const error = new ScimError(401, 'Authentication failed: send the bearer token from the SCIM Trigger credential');
		return { response: errorResponse(error, { 'WWW-Authenticate': 'Bearer realm="SCIM"' }), events: [] };
	}
	const method = req.method.toUpperCase();
	const at = req.path.toLowerCase().indexOf(`/${options.base}`);
	const path = at === -1 ? '/' : req.path.slice(at + options.base.length + 1) || '/';
	const bulk = /^\/(bulk|bulkupload)\/?$/i.test(path);
	const body = WRITES.includes(method) ? await decodeBody(req, headers, options.maxBodyBytes, bulk) : undefined;
	// The service provider decodes ids with decodeURIComponent, which throws on a malformed escape.
	try {
		decodeURIComponent(path);
	} catch {
		throw new ScimError(400, `The path ${JSON.stringify(path.slice(0, 200))} is not valid percent-encoding`);
	}
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

/**
 * Reads a request body, decompressing gzip and deflate as n8n does, and stops at `limit` bytes (resolves undefined
 * then): what is left is drained unbuffered by node's HTTP server after the answer. Other encodings are 415.
 */
export function readBodyWithin(
	stream: Readable,
	headers: Record<string, string | string[] | undefined>,
	limit: number,
): Promise<Buffer | undefined> {
	const encoding = (first(headers['content-encoding']) ?? 'identity').trim().toLowerCase();
	if (!['identity', 'gzip', 'deflate'].includes(encoding))
		return Promise.reject(new ScimError(415, `Content-Encoding ${encoding} is not supported`));
	const decompressor = encoding === 'gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : undefined;
	const source: Readable = decompressor ? stream.pipe(decompressor) : stream;
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		const stop = () => {
			source.off('data', onData).off('end', onEnd).off('error', onError);
			if (decompressor) {
				stream.unpipe(decompressor);
				decompressor.destroy();
			}
		};
		const onData = (chunk: Buffer) => {
			size += chunk.length;
			if (size <= limit) {
				chunks.push(chunk);
				return;
			}
			stop();
			stream.resume();
			resolve(undefined);
		};
		const onEnd = () => {
			stop();
			resolve(Buffer.concat(chunks));
		};
		const onError = (error: Error) => {
			stop();
			reject(new ScimError(400, `The body could not be read: ${error.message}`, 'invalidSyntax'));
		};
		source.on('data', onData).on('end', onEnd).on('error', onError);
	});
}

/** The plain request of an HTTP server's request (node:http or express; n8n adds body and rawBody). */
export function plainRequestOf(
	req: IncomingMessage & { path?: string; query?: unknown; body?: unknown; rawBody?: Buffer },
): PlainHttpRequest {
	return {
		method: req.method ?? 'GET',
		path: req.path ?? new URL(req.url ?? '/', 'http://localhost').pathname,
		headers: req.headers,
		query:
			(req.query as Record<string, unknown> | undefined) ?? Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams),
		parsedBody: req.body,
		rawBody: req.rawBody,
		// Not n8n's readRawBody, which reads everything up to N8N_PAYLOAD_SIZE_MAX (16 MB) before we could refuse it.
		readBody: async (limit) => {
			if (req.rawBody) return req.rawBody;
			const body = await readBodyWithin(req, req.headers, limit);
			// Kept where n8n keeps it, should anything read the body again.
			if (body) req.rawBody = body;
			return body;
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
