/**
 * Entra's API-driven inbound provisioning (`POST …/bulkUpload`) on the SCIM Trigger: a BulkRequest of POSTs to /Users,
 * each an upsert matched on the anchor attribute (uploadAnchor.ts). Not found: a create (POST /Users). Found once: an
 * update that merges what the record sends into the user (a path-less PATCH replace, RFC 7644 §3.5.2.3: attributes and
 * sub-attributes the record leaves out stay, so partial HR records work); an update that changes nothing emits no
 * event. Found more than once: 409. Lookups, creates and updates are sub-requests answered by the service provider as
 * single requests (the same validation, store transactions and events). A manager given by its anchor value (what
 * Entra documents) is stored as the manager's id: managers in the same upload go first (managersFirst). The outcomes are
 * kept in the store, read back by `GET …/bulkUpload/<id>`; the answer is 202 with a Location there.
 */
import { randomUUID } from 'node:crypto';
import { isObject, keyIgnoringCase } from '../../util';
import { ENTERPRISE_USER_SCHEMA, PATCH_OP_MESSAGE } from '../schema';
import { type Answer, type BulkOperation, readBulkRequest, type RunOne } from './bulk';
import type { ScimEvent } from './events';
import { isUploadId, type UploadOutcome, type UploadRecord } from './identityStore';
import { ScimError } from './scimError';
import { prune } from './patch';
import { type Anchor, anchorFor } from './uploadAnchor';

export interface UploadOptions {
	/** Entra allows 50 records a request. */
	maxOperations: number;
	/** The attribute records are matched on: externalId by default. */
	anchor: string;
}

export interface UploadDeps {
	baseUrl: string;
	userAgent?: string;
	runOne: RunOne;
	save: (upload: UploadRecord) => Promise<void>;
	/** The store work is done and the events go out even if the record cannot be kept; this is told why. */
	onSaveError: (error: unknown) => void;
}

const SERVER_OWNED = ['id', 'meta', 'resourceType'];
const SCIM_JSON = { 'Content-Type': 'application/scim+json' };

/** A shallow copy without what the server owns (CSV2SCIM sends `resourceType` in the data). */
function recordData(data: Record<string, unknown>): Record<string, unknown> {
	const out = { ...data };
	for (const name of SERVER_OWNED) {
		const key = keyIgnoringCase(out, name);
		if (key !== undefined) delete out[key];
	}
	return out;
}

type Found = { total: number; resources: Array<Record<string, unknown>> };

/** The manager a record names (Entra: the enterprise extension's manager, by the manager's anchor value), copied. */
function managerOf(data: Record<string, unknown>) {
	const enterpriseKey = keyIgnoringCase(data, ENTERPRISE_USER_SCHEMA);
	const enterprise = enterpriseKey === undefined ? undefined : data[enterpriseKey];
	if (!isObject(enterprise)) return undefined;
	const managerKey = keyIgnoringCase(enterprise, 'manager');
	const raw = managerKey === undefined ? undefined : enterprise[managerKey];
	const manager = typeof raw === 'string' ? { value: raw } : isObject(raw) ? { ...raw } : undefined;
	if (!manager || typeof manager.value !== 'string' || manager.value === '') return undefined;
	return { enterpriseKey: enterpriseKey!, managerKey: managerKey!, manager };
}

/**
 * The records with every manager uploaded in the same request before its reports (otherwise in request order): a
 * report then names its manager's id when it is created, one event per worker. A circle of managers keeps its order;
 * the later managers are filled in after the upload (resolvePendingManagers).
 */
function managersFirst(operations: BulkOperation[], anchor: Anchor): BulkOperation[] {
	const byAnchor = new Map<string, BulkOperation>();
	const bossOf = new Map<BulkOperation, BulkOperation>();
	for (const op of operations) {
		const value = isObject(op.data) ? anchor.valueOf(recordData(op.data)) : undefined;
		if (value !== undefined && !byAnchor.has(value)) byAnchor.set(value, op);
	}
	for (const op of operations) {
		const boss = isObject(op.data) ? byAnchor.get(String(managerOf(op.data)?.manager.value)) : undefined;
		if (boss && boss !== op) bossOf.set(op, boss);
	}
	const placed = new Set<BulkOperation>();
	const ordered: BulkOperation[] = [];
	for (const op of operations) {
		// The chain of managers above this record, up to one already placed (or back to a record in the chain).
		const chain: BulkOperation[] = [];
		const inChain = new Set<BulkOperation>();
		for (let at: BulkOperation | undefined = op; at && !placed.has(at) && !inChain.has(at); at = bossOf.get(at)) {
			chain.push(at);
			inChain.add(at);
		}
		for (const link of chain.reverse()) {
			placed.add(link);
			ordered.push(link);
		}
	}
	return ordered;
}

/** One upload: its records in order, then the managers that became known later in it. */
class Upload {
	readonly id = randomUUID();
	readonly events: ScimEvent[] = [];
	private readonly pendingManagers: Array<{ outcome: UploadOutcome; manager: Record<string, unknown> }> = [];

	constructor(
		private readonly anchor: Anchor,
		private readonly deps: UploadDeps,
	) {}

	private run(op: BulkOperation, method: string, path: string, body: unknown, query: Record<string, string> = {}) {
		const bulkId = typeof op.bulkId === 'string' ? op.bulkId : undefined;
		return this.deps.runOne(
			{ method, path, query, headers: { 'user-agent': this.deps.userAgent }, body },
			{ operation: op.index, ...(bulkId !== undefined ? { bulkId } : {}), uploadId: this.id },
		);
	}

	/** The users whose anchor attribute has this value: a SCIM filter, answered as any list request. */
	private async find(op: BulkOperation, value: string): Promise<Found> {
		const filter = `${this.anchor.filterPath} eq ${JSON.stringify(value)}`;
		const { response } = await this.run(op, 'GET', '/Users', undefined, { filter, count: '2' });
		if (response.status !== 200) throw new ScimError(response.status, `Looking up ${this.anchor.name} "${value}" failed`);
		const body = response.body as { totalResults: number; Resources: Array<Record<string, unknown>> };
		return { total: body.totalResults, resources: body.Resources };
	}

	/** The manager's id when its anchor value names one user; the manager object to fix later otherwise. */
	private async resolveManager(op: BulkOperation, data: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
		const named = managerOf(data);
		if (!named) return undefined;
		const { enterpriseKey, managerKey, manager } = named;
		const found = await this.find(op, String(manager.value));
		if (found.total === 1) manager.value = String(found.resources[0].id);
		data[enterpriseKey] = { ...(data[enterpriseKey] as Record<string, unknown>), [managerKey]: manager };
		return found.total === 1 ? undefined : manager;
	}

	async record(op: BulkOperation): Promise<UploadOutcome> {
		const outcome: UploadOutcome = {
			operation: op.index,
			...(typeof op.bulkId === 'string' ? { bulkId: op.bulkId } : {}),
			result: 'failed',
			status: '',
		};
		const fail = (error: ScimError) => Object.assign(outcome, { result: 'failed', status: String(error.status), error: error.toBody() });
		if (op.method !== 'POST')
			return fail(
				new ScimError(400, `A bulk upload record is a POST to /Users (an upsert), not ${op.method || 'no method'}`, 'invalidValue'),
			);
		if (!/^\/?users\/?$/i.test(op.path))
			return fail(new ScimError(404, `No upload endpoint at "${op.path.slice(0, 200)}": records go to /Users`));
		if (!isObject(op.data)) return fail(new ScimError(400, "A record's data must be a User object", 'invalidSyntax'));
		const data = recordData(op.data);
		const anchorValue = this.anchor.valueOf(data);
		if (anchorValue === undefined)
			return fail(new ScimError(400, `The record has no ${this.anchor.name} (the attribute records are matched on)`, 'invalidValue'));
		outcome.anchorValue = anchorValue;
		const unresolvedManager = await this.resolveManager(op, data);
		const found = await this.find(op, anchorValue);
		if (found.total > 1)
			return fail(
				new ScimError(409, `${found.total} users have ${this.anchor.name} "${anchorValue}": the record matches none of them`, 'uniqueness'),
			);
		let answer: Answer;
		// Empty values mean no value, as they do in the merging update: a create does not keep "" an update would drop.
		if (found.total === 0) answer = await this.run(op, 'POST', '/Users', prune(data));
		else {
			const current = found.resources[0];
			const schemas = [
				...new Set([...((current.schemas as string[]) ?? []), ...(Array.isArray(data.schemas) ? data.schemas.map(String) : [])]),
			];
			const value = { ...data, schemas };
			answer = await this.run(op, 'PATCH', `/Users/${String(current.id)}`, {
				schemas: [PATCH_OP_MESSAGE],
				Operations: [{ op: 'replace', value }],
			});
		}
		this.events.push(...answer.events);
		const { status, body } = answer.response;
		if (status >= 400) return Object.assign(outcome, { status: String(status), error: body as Record<string, unknown> });
		outcome.resourceId = found.total === 0 ? (body as { id: string }).id : String(found.resources[0].id);
		outcome.status = String(status);
		outcome.result = found.total === 0 ? 'created' : answer.events.length ? 'updated' : 'unchanged';
		if (unresolvedManager) this.pendingManagers.push({ outcome, manager: unresolvedManager });
		return outcome;
	}

	/** Managers uploaded after their reports: now known, they replace the anchor value in the report. */
	async resolvePendingManagers(ops: BulkOperation[]): Promise<void> {
		for (const { outcome, manager } of this.pendingManagers) {
			const op = ops[outcome.operation];
			const found = await this.find(op, String(manager.value));
			if (found.total !== 1) continue;
			const value = { ...manager, value: found.resources[0].id };
			const patch = { schemas: [PATCH_OP_MESSAGE], Operations: [{ op: 'replace', path: `${ENTERPRISE_USER_SCHEMA}:manager`, value }] };
			const answer = await this.run(op, 'PATCH', `/Users/${outcome.resourceId}`, patch);
			this.events.push(...answer.events);
			if (answer.events.length && outcome.result === 'unchanged') outcome.result = 'updated';
		}
	}
}

const summaryOf = (records: UploadOutcome[]) => {
	const count = (result: UploadOutcome['result']) => records.filter((r) => r.result === result).length;
	return { created: count('created'), updated: count('updated'), unchanged: count('unchanged'), failed: count('failed') };
};

/** Runs an upload and keeps its outcomes; answers 202 with the upload's id and where to read its status. */
export async function runUpload(body: unknown, options: UploadOptions, deps: UploadDeps): Promise<Answer> {
	const anchor = anchorFor(options.anchor);
	// Microsoft's own CSV2SCIM sample repeats a bulkId: nothing refers to them here, so they need not be unique.
	const { operations } = readBulkRequest(body, options.maxOperations, false);
	const upload = new Upload(anchor, deps);
	const outcomes = new Map<BulkOperation, UploadOutcome>();
	for (const op of managersFirst(operations, anchor)) outcomes.set(op, await upload.record(op));
	await upload.resolvePendingManagers(operations);
	const records = operations.map((op) => outcomes.get(op)!);
	const record: UploadRecord = {
		id: upload.id,
		received: new Date().toISOString(),
		client: deps.userAgent ?? 'unknown',
		anchor: anchor.name,
		records,
	};
	try {
		await deps.save(record);
	} catch (error) {
		deps.onSaveError(error);
	}
	const location = `${deps.baseUrl}/bulkUpload/${upload.id}`;
	return {
		response: { status: 202, headers: { ...SCIM_JSON, Location: location }, body: { id: upload.id, location, ...summaryOf(records) } },
		events: upload.events,
	};
}

/** `GET …/bulkUpload/<id>`: the upload's outcomes, or 404. */
export async function uploadStatus(id: string, get: (id: string) => Promise<UploadRecord | undefined>): Promise<Answer> {
	let decoded = id;
	try {
		decoded = decodeURIComponent(id);
	} catch {
		/* not an id */
	}
	const upload = isUploadId(decoded) ? await get(decoded) : undefined;
	if (!upload) throw new ScimError(404, `No bulk upload ${JSON.stringify(decoded.slice(0, 60))} is kept here (uploads are kept 7 days)`);
	return {
		response: { status: 200, headers: SCIM_JSON, body: { ...upload, summary: summaryOf(upload.records) } },
		events: [],
	};
}
