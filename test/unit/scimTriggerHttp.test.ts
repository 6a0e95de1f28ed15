/**
 * The SCIM Trigger's HTTP side (lib/scim/server/http.ts) behind a real HTTP server that reads bodies the way n8n
 * does (packages/cli/src/middlewares/body-parser.ts and webhooks/webhook-helpers.ts, 1.123 and 2.x): `readRawBody`
 * reads the whole body (gunzipping) into `req.rawBody`; node version 1 has it read for every request, version 2 only
 * for application/json (and other types n8n parses), which n8n also parses into `req.body`. Issue 18: the body limit
 * holds however the body arrives; a malformed percent-encoding is a 400.
 */
import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, createInflate, gzipSync } from 'node:zlib';
import { answerScimHttp, plainRequestOf, writeScimResponse } from '../../lib/scim/server/http';
import { ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import { FileIdentityStore } from '../../lib/store/fileIdentityStore';

const TOKEN = 'http-test-token-0123456789abcdef';
const MAX_BODY = 1024;

type N8nRequest = express.Request & { rawBody?: Buffer; readRawBody?: () => Promise<void> };

/** n8n's rawBodyReader: `readRawBody` reads the whole stream (n8n caps it at N8N_PAYLOAD_SIZE_MAX, 16 MB). */
const rawBodyReader: express.RequestHandler = (req, _res, next) => {
	const r = req as N8nRequest;
	r.readRawBody = async () => {
		if (r.rawBody) return;
		const encoding = req.headers['content-encoding'];
		const stream = encoding === 'gzip' ? req.pipe(createGunzip()) : encoding === 'deflate' ? req.pipe(createInflate()) : req;
		const chunks: Buffer[] = [];
		for await (const chunk of stream) chunks.push(chunk as Buffer);
		r.rawBody = Buffer.concat(chunks);
	};
	next();
};

/** n8n's parseRequestBody for a trigger of this node version. */
const parseLikeN8n =
	(nodeVersion: number): express.RequestHandler =>
	async (req, _res, next) => {
		const r = req as N8nRequest;
		const type = String(req.headers['content-type'] ?? '');
		if (nodeVersion > 1 && !type.startsWith('application/json')) return next();
		await r.readRawBody!();
		if (type.startsWith('application/json') && r.rawBody?.length) r.body = JSON.parse(r.rawBody.toString('utf8'));
		next();
	};

let dir: string;
let store: FileIdentityStore;
const servers: Record<number, { server: Server; port: number }> = {};
beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'scimhttp-'));
	store = new FileIdentityStore(dir);
	const provider = new ScimServiceProvider(store, { baseUrl: 'http://localhost/scim/v2' });
	for (const version of [1, 2]) {
		const app = express();
		app.use(rawBodyReader);
		app.all(/.*/, parseLikeN8n(version), async (req, res) => {
			const { response } = await answerScimHttp(plainRequestOf(req as N8nRequest), {
				auth: { token: TOKEN },
				maxBodyBytes: MAX_BODY,
				base: 'scim/v2',
				serve: (scimRequest) => provider.handle(scimRequest),
			});
			writeScimResponse(res, response);
		});
		const server = await new Promise<Server>((resolve) => {
			const s = app.listen(0, '127.0.0.1', () => resolve(s));
		});
		servers[version] = { server, port: (server.address() as AddressInfo).port };
	}
});
afterAll(async () => {
	for (const { server } of Object.values(servers)) server.close();
	await store.close();
	rmSync(dir, { recursive: true, force: true });
});

/** One request; the body is sent in chunks without a Content-Length (Transfer-Encoding: chunked) unless it is given. */
function send(
	version: number,
	method: string,
	path: string,
	chunks: Buffer[] = [],
	headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
	return new Promise((resolve, reject) => {
		const req = request(
			{ host: '127.0.0.1', port: servers[version].port, method, path, headers: { Authorization: `Bearer ${TOKEN}`, ...headers } },
			(res) => {
				let text = '';
				res.on('data', (c) => (text += c));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
			},
		);
		req.on('error', reject);
		for (const chunk of chunks) req.write(chunk);
		req.end();
	});
}

const user = (userName: string, padding = 0) => Buffer.from(JSON.stringify({ userName, title: 'x'.repeat(padding) }));
const inChunks = (body: Buffer, size = 256) =>
	Array.from({ length: Math.ceil(body.length / size) }, (_, i) => body.subarray(i * size, (i + 1) * size));

describe.each([1, 2])('node version %s behind an n8n-like server', (version) => {
	test.each(['application/json', 'application/scim+json', 'application/json; charset=utf-8', ''])(
		'a chunked body over the limit is 413 (Content-Type "%s")',
		async (type) => {
			const headers: Record<string, string> = type ? { 'Content-Type': type } : {};
			const over = await send(
				version,
				'POST',
				'/webhook/x/scim/v2/Users',
				inChunks(user(`big-${version}-${type}@x`, 4 * MAX_BODY)),
				headers,
			);
			expect(over).toMatchObject({ status: 413, body: { status: '413', scimType: 'tooMany' } });
			const under = await send(version, 'POST', '/webhook/x/scim/v2/Users', inChunks(user(`small-${version}-${type}@x`, 100)), headers);
			expect(under.status).toBe(201);
		},
	);
	test('a gzipped body is measured after decompression', async () => {
		const headers = { 'Content-Type': 'application/scim+json', 'Content-Encoding': 'gzip' };
		const over = await send(version, 'POST', '/webhook/x/scim/v2/Users', [gzipSync(user(`zip-${version}@x`, 8 * MAX_BODY))], headers);
		expect(over).toMatchObject({ status: 413, body: { scimType: 'tooMany' } });
		expect((await send(version, 'POST', '/webhook/x/scim/v2/Users', [gzipSync(user(`zip-ok-${version}@x`))], headers)).status).toBe(201);
	});
	test('a Content-Length over the limit is 413 before the body is read', async () => {
		const body = user(`declared-${version}@x`, 2 * MAX_BODY);
		const res = await send(version, 'POST', '/webhook/x/scim/v2/Users', [body], {
			'Content-Type': 'application/scim+json',
			'Content-Length': String(body.length),
		});
		expect(res.status).toBe(413);
	});
	test.each(['/Users/%E0%A4%A', '/Users/%', '/Users/abc%ZZ', '/Schemas/%C0', '/Groups/%E0%A4%A'])(
		'a malformed escape in %s is 400, not 500',
		async (path) => {
			for (const method of ['GET', 'DELETE']) {
				const res = await send(version, method, `/webhook/x/scim/v2${path}`);
				expect(res).toMatchObject({ status: 400, body: { status: '400', detail: expect.stringContaining('percent-encoding') } });
			}
		},
	);
});

test('an endless chunked body is refused at the limit, not read to its end', async () => {
	const endless = new Readable({ read: () => undefined });
	endless.push('{"userName":"endless","title":"');
	const timer = setInterval(() => endless.push('x'.repeat(512)), 1);
	try {
		const plain = plainRequestOf(
			Object.assign(endless, {
				method: 'POST',
				url: '/scim/v2/Users',
				headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
			}) as never,
		);
		const served = jest.fn();
		const { response } = await answerScimHttp(plain, { auth: { token: TOKEN }, maxBodyBytes: MAX_BODY, base: 'scim/v2', serve: served });
		expect(response.status).toBe(413);
		expect(served).not.toHaveBeenCalled();
	} finally {
		clearInterval(timer);
		endless.destroy();
	}
});
