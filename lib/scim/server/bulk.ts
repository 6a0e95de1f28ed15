/**
 * RFC 7644 §3.7 /Bulk. Each operation becomes a sub-request (method, path, data as body, version as If-Match) that
 * the service provider answers exactly as a single request (`RunOne`: the same routing, validation, store
 * transaction and events). An operation's failure is its own `status` and `response`, not the bulk's. bulkId
 * references are resolved whatever the order: an operation naming a create not yet done waits for it and runs right
 * after it (§3.7.2); what can never be resolved (a circle) is 409; `failOnErrors` stops the bulk (§3.7.3). The
 * BulkResponse lists the operations in request order; events come in processing order.
 */
import { isObject, keyIgnoringCase } from '../../util';
import { bulkIdReferences, resolveBulkIds } from './bulkIds';
import { refuseInheritedKeys } from './inheritedNames';
import { ScimError } from './scimError';
import type { BulkContext, ScimEvent } from './events';
import type { ScimHttpRequest, ScimHttpResponse } from './messages';

export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

export interface BulkLimits {
	maxOperations: number;
	/** Bytes; the HTTP side (http.ts) enforces it, discovery advertises it. */
	maxPayloadSize: number;
}

export interface BulkOperation {
	index: number;
	method: string;
	path: string;
	bulkId?: unknown;
	version?: unknown;
	data?: unknown;
}

export interface BulkRequest {
	operations: BulkOperation[];
	failOnErrors?: number;
}

export type Answer = { response: ScimHttpResponse; events: ScimEvent[] };
/** Answers one sub-request as the provider answers a single request; `context` goes into its events. */
export type RunOne = (request: ScimHttpRequest, context: BulkContext) => Promise<Answer>;

const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
const field = (object: Record<string, unknown>, name: string) => {
	const key = keyIgnoringCase(object, name);
	return key === undefined ? undefined : object[key];
};

/**
 * Reads a BulkRequest: 400 invalidSyntax when it is not one, 413 beyond `maxOperations`; with `uniqueBulkIds`, a
 * bulkId used twice refuses the whole request (400 invalidValue), before anything is written.
 */
export function readBulkRequest(body: unknown, maxOperations: number, uniqueBulkIds: boolean): BulkRequest {
	if (!isObject(body)) throw new ScimError(400, 'A bulk request must be a JSON object (a BulkRequest)', 'invalidSyntax');
	refuseInheritedKeys(body, 'invalidSyntax', '');
	const schemas = field(body, 'schemas');
	if (!Array.isArray(schemas) || !schemas.some((s) => text(s).toLowerCase() === BULK_REQUEST.toLowerCase()))
		throw new ScimError(400, `A bulk request must list the schema ${BULK_REQUEST}`, 'invalidSyntax');
	const list = field(body, 'Operations');
	if (!Array.isArray(list)) throw new ScimError(400, 'A bulk request needs an "Operations" list', 'invalidSyntax');
	if (list.length > maxOperations)
		throw new ScimError(413, `The number of operations (${list.length}) exceeds the maxOperations (${maxOperations})`);
	const rawFail = field(body, 'failOnErrors');
	if (rawFail !== undefined && rawFail !== null && !(Number.isInteger(rawFail) && (rawFail as number) >= 1))
		throw new ScimError(400, 'failOnErrors must be a whole number of at least 1', 'invalidSyntax');
	const operations = list.map((entry, index): BulkOperation => {
		if (!isObject(entry)) throw new ScimError(400, `Operations[${index}] is not an object`, 'invalidSyntax');
		return {
			index,
			method: text(field(entry, 'method')).toUpperCase(),
			path: text(field(entry, 'path')),
			bulkId: field(entry, 'bulkId'),
			version: field(entry, 'version'),
			data: field(entry, 'data'),
		};
	});
	if (uniqueBulkIds) {
		const seen = new Set<string>();
		for (const { bulkId } of operations) {
			if (typeof bulkId !== 'string') continue;
			if (seen.has(bulkId)) throw new ScimError(400, `bulkId "${bulkId}" is used by more than one operation`, 'invalidValue');
			seen.add(bulkId);
		}
	}
	return { operations, failOnErrors: (rawFail ?? undefined) as number | undefined };
}

/** The operation's entry in the BulkResponse (RFC 7644 §3.7.3: status as a string). */
export type OperationResult = Record<string, unknown> & { status: string };

const errorResult = (op: BulkOperation, error: ScimError): OperationResult => ({
	method: op.method,
	...(typeof op.bulkId === 'string' ? { bulkId: op.bulkId } : {}),
	status: String(error.status),
	response: error.toBody(),
});

const ENDPOINT = /^\/?(users|groups)(?:\/([^/?#]+))?\/?$/i;
const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** What an operation may address: /Users and /Groups and their ids, nothing else (not /Bulk, searches or discovery). */
function checkOperation(op: BulkOperation): ScimError | undefined {
	if (!METHODS.includes(op.method))
		return new ScimError(400, `A bulk operation's method is POST, PUT, PATCH or DELETE, not "${op.method}"`, 'invalidValue');
	const match = ENDPOINT.exec(op.path);
	if (!match || match[2]?.startsWith('.'))
		return new ScimError(404, `No bulk endpoint at "${op.path.slice(0, 200)}": a bulk operation addresses /Users or /Groups`);
	if (op.method === 'POST' && (typeof op.bulkId !== 'string' || op.bulkId === ''))
		return new ScimError(400, 'A POST operation needs a bulkId (RFC 7644 §3.7)', 'invalidValue');
	if (op.bulkId !== undefined && typeof op.bulkId !== 'string') return new ScimError(400, 'A bulkId must be a string', 'invalidValue');
	return undefined;
}

/** Runs the operations; answers the BulkResponse (200) and every operation's events, in processing order. */
export async function runBulk(request: BulkRequest, baseUrl: string, userAgent: string | undefined, runOne: RunOne): Promise<Answer> {
	const { operations, failOnErrors } = request;
	const creates = new Set(
		operations.filter((op) => op.method === 'POST' && typeof op.bulkId === 'string').map((op) => op.bulkId as string),
	);
	const created = new Map<string, string>();
	const failed = new Map<string, string>();
	const results: OperationResult[] = [];
	const events: ScimEvent[] = [];
	let errors = 0;
	const finish = (op: BulkOperation, result: OperationResult) => {
		results[op.index] = result;
		if (Number(result.status) < 400) return;
		errors++;
		if (op.method === 'POST' && typeof op.bulkId === 'string') failed.set(op.bulkId, result.status);
	};
	const stopped = () => failOnErrors !== undefined && errors >= failOnErrors;

	const run = async (op: BulkOperation) => {
		const problem = checkOperation(op);
		if (problem) return finish(op, errorResult(op, problem));
		const { path, data } = resolveBulkIds(op.path.startsWith('/') ? op.path : `/${op.path}`, op.data, created);
		const version = op.version === undefined || op.version === null ? undefined : String(op.version);
		const headers: Record<string, string | undefined> = { 'user-agent': userAgent, ...(version ? { 'if-match': version } : {}) };
		const bulkId = typeof op.bulkId === 'string' ? op.bulkId : undefined;
		const answer = await runOne(
			{ method: op.method, path, query: {}, headers, body: data },
			{ operation: op.index, ...(bulkId !== undefined ? { bulkId } : {}) },
		);
		events.push(...answer.events);
		const { status, headers: answered, body } = answer.response;
		if (status >= 400)
			return finish(op, { method: op.method, ...(bulkId !== undefined ? { bulkId } : {}), status: String(status), response: body });
		const [, collection, id] = ENDPOINT.exec(path)!;
		const location = answered.Location ?? `${baseUrl}/${collection.toLowerCase() === 'users' ? 'Users' : 'Groups'}/${id}`;
		if (op.method === 'POST' && bulkId !== undefined) created.set(bulkId, (body as { id: string }).id);
		finish(op, {
			method: op.method,
			...(bulkId !== undefined ? { bulkId } : {}),
			location,
			...(answered.ETag ? { version: answered.ETag } : {}),
			status: String(status),
		});
	};

	// In request order, except that an operation naming a create not yet done waits for it, and runs as soon as it
	// is done (before any later operation), so the order the client wrote holds wherever the references allow.
	let waiting: BulkOperation[] = [];
	/** Runs the operation, fails it, or (false) leaves it waiting. */
	const attempt = async (op: BulkOperation): Promise<boolean> => {
		const references = [...bulkIdReferences(op.path, op.data)];
		const unknown = references.find((r) => !creates.has(r));
		const failedReference = references.find((r) => failed.has(r));
		if (unknown !== undefined)
			finish(op, errorResult(op, new ScimError(400, `bulkId "${unknown}" names no POST operation in this bulk request`, 'invalidValue')));
		else if (failedReference !== undefined)
			finish(
				op,
				errorResult(
					op,
					new ScimError(409, `bulkId "${failedReference}" names a create that failed (status ${failed.get(failedReference)})`),
				),
			);
		else if (references.some((r) => !created.has(r))) return false;
		else await run(op);
		return true;
	};
	/** Runs what waited on creates now done (or failed), until nothing more can run. */
	const drain = async () => {
		for (let progress = true; progress && waiting.length && !stopped();) {
			progress = false;
			for (const op of [...waiting]) {
				if (stopped()) return;
				if (await attempt(op)) {
					waiting = waiting.filter((w) => w !== op);
					progress = true;
				}
			}
		}
	};
	for (const op of operations) {
		if (stopped()) break;
		if (!(await attempt(op))) waiting.push(op);
		else if (op.method === 'POST') await drain();
	}
	// What still waits, waits on itself, in a circle (RFC 7644 §3.7.2 allows refusing it).
	for (const op of waiting) {
		if (stopped()) break;
		const names = [...bulkIdReferences(op.path, op.data)]
			.filter((r) => !created.has(r))
			.map((r) => JSON.stringify(r))
			.join(', ');
		finish(op, errorResult(op, new ScimError(409, `Circular bulkId references: this operation waits on ${names}, which wait on it`)));
	}
	return {
		response: {
			status: 200,
			headers: { 'Content-Type': 'application/scim+json' },
			body: { schemas: [BULK_RESPONSE], Operations: results.filter(Boolean) },
		},
		events,
	};
}
