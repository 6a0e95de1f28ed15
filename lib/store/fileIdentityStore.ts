/**
 * The embedded identity store: a JSON-lines journal, fsynced before a write is acknowledged, plus a snapshot
 * written to a temporary file and renamed into place on compaction. A torn last line (a crash mid-write) is
 * ignored on load, so an acknowledged write is never lost and the store never corrupts. Lookups by id, name
 * and externalId use in-memory indexes. No native modules. One process owns a store directory (a lock file
 * says which); queue mode with several webhook processes needs a shared store instead. The journal, the snapshot and
 * the indexes are their own modules (identityJournal.ts, identitySnapshot.ts, identityIndex.ts); this one holds the lock,
 * orders the writes and decides when to compact.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from '../scim/server/storeError';
import {
	type IdentityStore,
	type Page,
	type PageRequest,
	type Resource,
	type ResourceType,
	type UploadRecord,
	unchangedContent,
} from '../scim/server/identityStore';
import { IdentityIndex } from './identityIndex';
import { type JournalEntry, openJournal, replayJournal, restartJournal } from './identityJournal';
import { readSnapshot, writeSnapshot } from './identitySnapshot';
import type { Journal } from './journal';
import { FileUploads } from './uploads/fileUploads';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
/** Store directories open in this process: one owner each. */
const OPEN_STORES = new Set<string>();

export class FileIdentityStore implements IdentityStore {
	private readonly index = new IdentityIndex();
	private readonly resources = this.index.resources;
	private journal: Journal;
	private journalEntries = 0;
	private queue: Promise<unknown> = Promise.resolve();
	private readonly lockPath: string;
	private readonly uploads: FileUploads;

	constructor(
		readonly dir: string,
		private readonly options: { compactAfter?: number } = {},
	) {
		mkdirSync(dir, { recursive: true });
		this.lockPath = join(dir, 'store.lock');
		this.takeLock();
		readSnapshot(dir, (entry) => this.apply(entry));
		this.journalEntries = replayJournal(dir, (entry) => this.apply(entry));
		this.journal = openJournal(dir);
		this.uploads = new FileUploads(dir);
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

	private apply(entry: JournalEntry): void {
		if (entry.op === 'put') this.index.put(entry.type, entry.data!);
		else this.index.remove(entry.type, entry.id);
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
		const live = this.index.size;
		// Rewriting everything once the journal outgrows the live data keeps compaction O(1) per write, amortised.
		if (this.journalEntries >= (this.options.compactAfter ?? 10000) && this.journalEntries >= live) this.compact();
	}

	/**
	 * Snapshot to a temporary file, written a megabyte at a time (no copy of the whole store in memory), fsync, rename
	 * over the old one and fsync the directory (the rename is durable before the journal is emptied), then start an
	 * empty journal.
	 */
	compact(): void {
		writeSnapshot(this.dir, this.resources);
		this.journal = restartJournal(this.dir, this.journal);
		this.journalEntries = 0;
	}

	/** Writes run one at a time, in arrival order, so read-modify-write sequences never interleave. */
	private exclusive<T>(work: () => T | Promise<T>): Promise<T> {
		const run = this.queue.then(work, work);
		this.queue = run.catch(() => undefined);
		return run;
	}

	async get(type: ResourceType, id: string): Promise<Resource | undefined> {
		const r = this.resources[type].get(id);
		return r && clone(r);
	}

	async findByName(type: ResourceType, name: string): Promise<Resource[]> {
		return this.index.byNameOf(type, name).map(clone);
	}

	async findByExternalId(type: ResourceType, externalId: string): Promise<Resource[]> {
		return this.index.byExternalIdOf(type, externalId).map(clone);
	}

	async list(type: ResourceType): Promise<Resource[]> {
		const map = this.resources[type];
		return this.index.ordered(type).map((id) => clone(map.get(id)!));
	}

	/** Unfiltered: a slice of the kept order, O(page). With `match`: one pass that copies only the page's resources. */
	async page(type: ResourceType, { offset, limit, match }: PageRequest): Promise<Page> {
		const order = this.index.ordered(type);
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
		const name = this.index.nameOf(type, data);
		if (!name) throw new StoreError('invalid', 'userName is required');
		if (this.index.nameTaken(type, name, id)) throw new StoreError('conflict', `userName "${String(data.userName)}" is already taken`);
	}

	create(type: ResourceType, data: Record<string, unknown>): Promise<Resource> {
		return this.exclusive(async () => {
			this.assertUniqueName(type, data);
			// Strictly after the previous create (a burst in one millisecond, or a clock set back, moves it by a few ms).
			const now = new Date(Math.max(Date.now(), this.index.lastCreated + 1)).toISOString();
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
			if (unchangedContent(current, data)) return { before, after: clone(current) };
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

	/** One at a time with the store's writes (retention removes files). */
	saveUpload(upload: UploadRecord): Promise<void> {
		return this.exclusive(() => this.uploads.save(upload));
	}

	async getUpload(id: string): Promise<UploadRecord | undefined> {
		return this.uploads.get(id);
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
