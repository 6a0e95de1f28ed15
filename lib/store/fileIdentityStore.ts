/**
 * The embedded identity store: a JSON-lines journal, fsynced before a write is acknowledged, plus a snapshot
 * written to a temporary file and renamed into place on compaction. A torn last line (a crash mid-write) is
 * ignored on load, so an acknowledged write is never lost and the store never corrupts. Lookups by id, name
 * and externalId use in-memory indexes. No native modules. One process owns a store directory (a lock file
 * says which); queue mode with several webhook processes needs a shared store instead.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Journal, linesOf, readJournal, writeAll } from './journal';
import { StoreError } from '../scim/server/storeError';
import type { IdentityStore, Page, PageRequest, Resource, ResourceType } from '../scim/server/identityStore';

interface JournalEntry {
	op: 'put' | 'del';
	type: ResourceType;
	id: string;
	data?: Resource;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
/** Store directories open in this process: one owner each. */
const OPEN_STORES = new Set<string>();
const nameOf = (type: ResourceType, r: Record<string, unknown>) =>
	String((type === 'User' ? r.userName : r.displayName) ?? '').toLowerCase();
const externalOf = (r: Record<string, unknown>) => (r.externalId === undefined || r.externalId === null ? '' : String(r.externalId));

/** The listing order: created, then id. Neither changes after a create, so an update never moves a resource. */
const before = (a: Resource, b: Resource) => a.meta.created < b.meta.created || (a.meta.created === b.meta.created && a.id < b.id);

/** Makes renames in a directory durable. */
function syncDirectory(dir: string): void {
	const fd = openSync(dir, 'r');
	try {
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}

/** The ids under one index key: most keys have one, kept as a string; a Set only where ids share a key. */
type Ids = string | Set<string>;
function addId(map: Map<string, Ids>, key: string, id: string): void {
	if (!key) return;
	const ids = map.get(key);
	if (ids === undefined || ids === id) map.set(key, id);
	else if (typeof ids === 'string') map.set(key, new Set([ids, id]));
	else ids.add(id);
}
function removeId(map: Map<string, Ids>, key: string, id: string): void {
	const ids = map.get(key);
	if (ids === id) map.delete(key);
	else if (typeof ids === 'object') {
		ids.delete(id);
		if (ids.size === 0) map.delete(key);
	}
}
const idsOf = (ids: Ids | undefined): string[] => (ids === undefined ? [] : typeof ids === 'string' ? [ids] : [...ids]);

export class FileIdentityStore implements IdentityStore {
	private readonly resources: Record<ResourceType, Map<string, Resource>> = { User: new Map(), Group: new Map() };
	private readonly byName: Record<ResourceType, Map<string, Ids>> = { User: new Map(), Group: new Map() };
	private readonly byExternalId: Record<ResourceType, Map<string, Ids>> = { User: new Map(), Group: new Map() };
	/** Ids in listing order, built on first use (after loading) and then kept up to date by every create and delete. */
	private readonly order: Record<ResourceType, string[] | undefined> = { User: undefined, Group: undefined };
	private journal: Journal;
	private journalEntries = 0;
	/** The latest meta.created of any resource (ms): creates take a later millisecond, so the listing order is the creation order. */
	private lastCreated = 0;
	private queue: Promise<unknown> = Promise.resolve();
	private readonly lockPath: string;

	constructor(
		readonly dir: string,
		private readonly options: { compactAfter?: number } = {},
	) {
		mkdirSync(dir, { recursive: true });
		this.lockPath = join(dir, 'store.lock');
		this.takeLock();
		this.load();
		this.journal = new Journal(join(dir, 'journal.jsonl'));
	}

	private takeLock(): void {
		if (OPEN_STORES.has(this.dir)) throw new Error(`The identity store in ${this.dir} is already open in this process`);
		if (existsSync(this.lockPath)) {
			const pid = Number(readFileSync(this.lockPath, 'utf8'));
			let alive = false;
			try {
				alive = pid > 0 && pid !== process.pid && process.kill(pid, 0);
			} catch {
				alive = false;
			}
			if (alive) throw new Error(`The identity store in ${this.dir} is in use by process ${pid}`);
		}
		writeFileSync(this.lockPath, String(process.pid));
		OPEN_STORES.add(this.dir);
	}

	private load(): void {
		// snapshot.jsonl (one put a line) replaced snapshot.json (one JSON document); a store still holding only the
		// older one is read from it, and moves to the newer on its next compaction.
		const lines = join(this.dir, 'snapshot.jsonl');
		const legacy = join(this.dir, 'snapshot.json');
		if (existsSync(lines)) {
			for (const line of linesOf(readFileSync(lines))) this.apply(JSON.parse(line));
		} else if (existsSync(legacy)) {
			const data = JSON.parse(readFileSync(legacy, 'utf8')) as Record<ResourceType, Resource[]>;
			for (const type of ['User', 'Group'] as const) for (const r of data[type] ?? []) this.index(type, r);
		}
		// A torn tail (crash mid-line) is cut off, so the next append starts on a clean line.
		for (const line of readJournal(join(this.dir, 'journal.jsonl'))) {
			if (!line.trim()) continue;
			let entry: JournalEntry;
			try {
				entry = JSON.parse(line);
			} catch {
				// A torn write: the process died mid-line, before the write was acknowledged.
				continue;
			}
			this.apply(entry);
			this.journalEntries++;
		}
	}

	private apply(entry: JournalEntry): void {
		if (entry.op === 'put') this.index(entry.type, entry.data!);
		else this.unindex(entry.type, entry.id);
	}

	private index(type: ResourceType, r: Resource): void {
		const created = Date.parse(r.meta.created);
		if (created > this.lastCreated) this.lastCreated = created;
		const old = this.resources[type].get(r.id);
		if (old) {
			removeId(this.byName[type], nameOf(type, old), r.id);
			removeId(this.byExternalId[type], externalOf(old), r.id);
		}
		this.resources[type].set(r.id, r);
		if (!old && this.order[type]) this.order[type]!.splice(this.position(type, r), 0, r.id);
		addId(this.byName[type], nameOf(type, r), r.id);
		addId(this.byExternalId[type], externalOf(r), r.id);
	}

	private unindex(type: ResourceType, id: string): void {
		const old = this.resources[type].get(id);
		if (!old) return;
		const order = this.order[type];
		if (order) {
			const at = this.position(type, old);
			if (order[at] === id) order.splice(at, 1);
			else this.order[type] = undefined; // cannot happen; rebuilt on next use rather than trusted
		}
		this.resources[type].delete(id);
		removeId(this.byName[type], nameOf(type, old), id);
		removeId(this.byExternalId[type], externalOf(old), id);
	}

	/** Where `r` is or belongs in the listing order: the first position not before it (binary search; a create is usually last). */
	private position(type: ResourceType, r: Resource): number {
		const order = this.order[type]!;
		const map = this.resources[type];
		const at = (i: number) => map.get(order[i])!;
		if (order.length === 0 || before(at(order.length - 1), r)) return order.length;
		let low = 0;
		let high = order.length;
		while (low < high) {
			const mid = (low + high) >>> 1;
			if (before(at(mid), r)) low = mid + 1;
			else high = mid;
		}
		return low;
	}

	private ordered(type: ResourceType): string[] {
		let order = this.order[type];
		if (!order) {
			const all = [...this.resources[type].values()];
			all.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
			order = this.order[type] = all.map((r) => r.id);
		}
		return order;
	}

	/**
	 * Appends, and counts the write only once it is on disk (see journal.ts). The sync runs on libuv's thread pool, so
	 * n8n goes on serving other requests and running executions meanwhile; writes stay one at a time (exclusive), and
	 * readers see a write only after it is durable.
	 */
	private async write(entry: JournalEntry): Promise<void> {
		await this.journal.append(`${JSON.stringify(entry)}\n`);
		this.apply(entry);
		this.journalEntries++;
		const live = this.resources.User.size + this.resources.Group.size;
		// Rewriting everything once the journal outgrows the live data keeps compaction O(1) per write, amortised.
		if (this.journalEntries >= (this.options.compactAfter ?? 10000) && this.journalEntries >= live) this.compact();
	}

	/**
	 * Snapshot to a temporary file, written a megabyte at a time (no copy of the whole store in memory), fsync, rename
	 * over the old one and fsync the directory (the rename is durable before the journal is emptied), then start an
	 * empty journal.
	 */
	compact(): void {
		const tmp = join(this.dir, 'snapshot.jsonl.tmp');
		const fd = openSync(tmp, 'w');
		let chunk = '';
		for (const type of ['User', 'Group'] as const)
			for (const data of this.resources[type].values()) {
				chunk += `${JSON.stringify({ op: 'put', type, id: data.id, data })}\n`;
				if (chunk.length >= 1 << 20) {
					writeAll(fd, chunk);
					chunk = '';
				}
			}
		writeAll(fd, chunk);
		fsyncSync(fd);
		closeSync(fd);
		renameSync(tmp, join(this.dir, 'snapshot.jsonl'));
		syncDirectory(this.dir);
		if (existsSync(join(this.dir, 'snapshot.json'))) unlinkSync(join(this.dir, 'snapshot.json'));
		this.journal.close();
		const fresh = join(this.dir, 'journal.jsonl.tmp');
		writeFileSync(fresh, '');
		renameSync(fresh, join(this.dir, 'journal.jsonl'));
		syncDirectory(this.dir);
		this.journal = new Journal(join(this.dir, 'journal.jsonl'));
		this.journalEntries = 0;
	}

	/** Writes run one at a time, in arrival order, so read-modify-write sequences never interleave. */
	private exclusive<T>(work: () => T | Promise<T>): Promise<T> {
		const run = this.queue.then(work, work);
		this.queue = run.catch(() => undefined);
		return run;
	}

	private ids(type: ResourceType, ids: Ids | undefined): Resource[] {
		const found = idsOf(ids)
			.map((id) => this.resources[type].get(id))
			.filter((r): r is Resource => !!r);
		if (found.length > 1) found.sort((a, b) => (before(a, b) ? -1 : 1));
		return found.map(clone);
	}

	async get(type: ResourceType, id: string): Promise<Resource | undefined> {
		const r = this.resources[type].get(id);
		return r && clone(r);
	}

	async findByName(type: ResourceType, name: string): Promise<Resource[]> {
		return this.ids(type, this.byName[type].get(name.toLowerCase()));
	}

	async findByExternalId(type: ResourceType, externalId: string): Promise<Resource[]> {
		return this.ids(type, this.byExternalId[type].get(externalId));
	}

	async list(type: ResourceType): Promise<Resource[]> {
		const map = this.resources[type];
		return this.ordered(type).map((id) => clone(map.get(id)!));
	}

	/** Unfiltered: a slice of the kept order, O(page). With `match`: one pass that copies only the page's resources. */
	async page(type: ResourceType, { offset, limit, match }: PageRequest): Promise<Page> {
		const order = this.ordered(type);
		const map = this.resources[type];
		const start = Math.max(0, offset);
		if (!match) return { total: order.length, resources: order.slice(start, start + Math.max(0, limit)).map((id) => clone(map.get(id)!)) };
		let total = 0;
		const resources: Resource[] = [];
		for (const id of order) {
			const r = map.get(id)!;
			if (!match(r)) continue;
			if (total >= start && resources.length < limit) resources.push(clone(r));
			total++;
		}
		return { total, resources };
	}

	async count(type: ResourceType): Promise<number> {
		return this.resources[type].size;
	}

	private assertUniqueName(type: ResourceType, data: Record<string, unknown>, id?: string): void {
		if (type !== 'User') return;
		const name = nameOf(type, data);
		if (!name) throw new StoreError('invalid', 'userName is required');
		const taken = idsOf(this.byName.User.get(name)).some((other) => other !== id);
		if (taken) throw new StoreError('conflict', `userName "${String(data.userName)}" is already taken`);
	}

	create(type: ResourceType, data: Record<string, unknown>): Promise<Resource> {
		return this.exclusive(async () => {
			this.assertUniqueName(type, data);
			// Strictly after the previous create (a burst in one millisecond, or a clock set back, moves it by a few ms).
			const now = new Date(Math.max(Date.now(), this.lastCreated + 1)).toISOString();
			const resource = {
				...clone(data),
				id: randomUUID(),
				meta: { resourceType: type, created: now, lastModified: now, version: 'W/"1"' },
			} as Resource;
			await this.write({ op: 'put', type, id: resource.id, data: resource });
			return clone(resource);
		});
	}

	update(type: ResourceType, id: string, change: (current: Resource) => Record<string, unknown>, ifMatch?: string) {
		return this.exclusive(async () => {
			const current = this.resources[type].get(id);
			if (!current) return undefined;
			if (ifMatch && ifMatch !== '*' && ifMatch !== current.meta.version)
				throw new StoreError('versionMismatch', `The resource changed: its version is ${current.meta.version}, not ${ifMatch}`);
			const before = clone(current);
			const data = change(clone(current));
			this.assertUniqueName(type, data, id);
			const version = Number(/(\d+)/.exec(current.meta.version)?.[1] ?? 0) + 1;
			const after = {
				...data,
				id,
				meta: { ...current.meta, lastModified: new Date().toISOString(), version: `W/"${version}"` },
			} as Resource;
			await this.write({ op: 'put', type, id, data: after });
			return { before, after: clone(after) };
		});
	}

	delete(type: ResourceType, id: string): Promise<Resource | undefined> {
		return this.exclusive(async () => {
			const current = this.resources[type].get(id);
			if (!current) return undefined;
			await this.write({ op: 'del', type, id });
			return clone(current);
		});
	}

	async close(): Promise<void> {
		await this.queue;
		this.journal.close();
		OPEN_STORES.delete(this.dir);
		try {
			unlinkSync(this.lockPath);
		} catch {
			/* already gone */
		}
	}
}
