/**
 * The embedded identity store: a JSON-lines journal, fsynced before a write is acknowledged, plus a snapshot
 * written to a temporary file and renamed into place on compaction. A torn last line (a crash mid-write) is
 * ignored on load, so an acknowledged write is never lost and the store never corrupts. Lookups by id, name
 * and externalId use in-memory indexes. No native modules. One process owns a store directory (a lock file
 * says which); queue mode with several webhook processes needs a shared store instead.
 */
import { randomUUID } from 'node:crypto';
import {
	closeSync,
	existsSync,
	fsyncSync,
	mkdirSync,
	openSync,
	readFileSync,
	renameSync,
	truncateSync,
	unlinkSync,
	writeFileSync,
	writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './storeError';
import type { IdentityStore, Resource, ResourceType } from './identityStore';

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

export class FileIdentityStore implements IdentityStore {
	private readonly resources: Record<ResourceType, Map<string, Resource>> = { User: new Map(), Group: new Map() };
	private readonly byName: Record<ResourceType, Map<string, Set<string>>> = { User: new Map(), Group: new Map() };
	private readonly byExternalId: Record<ResourceType, Map<string, Set<string>>> = { User: new Map(), Group: new Map() };
	private journal: number;
	private journalEntries = 0;
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
		this.journal = openSync(join(dir, 'journal.jsonl'), 'a');
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
		const snapshot = join(this.dir, 'snapshot.json');
		if (existsSync(snapshot)) {
			const data = JSON.parse(readFileSync(snapshot, 'utf8')) as Record<ResourceType, Resource[]>;
			for (const type of ['User', 'Group'] as const) for (const r of data[type] ?? []) this.index(type, r);
		}
		const journal = join(this.dir, 'journal.jsonl');
		if (!existsSync(journal)) return;
		const text = readFileSync(journal, 'utf8');
		// A torn tail (crash mid-line) is cut off, so the next append starts on a clean line.
		if (text.length && !text.endsWith('\n')) truncateSync(journal, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
		const lines = text.split('\n');
		for (const line of lines) {
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
		this.unindex(type, r.id);
		this.resources[type].set(r.id, r);
		const add = (map: Map<string, Set<string>>, key: string) => {
			if (!key) return;
			const ids = map.get(key) ?? new Set<string>();
			ids.add(r.id);
			map.set(key, ids);
		};
		add(this.byName[type], nameOf(type, r));
		add(this.byExternalId[type], r.externalId === undefined || r.externalId === null ? '' : String(r.externalId));
	}

	private unindex(type: ResourceType, id: string): void {
		const old = this.resources[type].get(id);
		if (!old) return;
		this.resources[type].delete(id);
		this.byName[type].get(nameOf(type, old))?.delete(id);
		if (old.externalId !== undefined) this.byExternalId[type].get(String(old.externalId))?.delete(id);
	}

	/** Appends and fsyncs before the write counts. */
	private write(entry: JournalEntry): void {
		writeSync(this.journal, `${JSON.stringify(entry)}\n`);
		fsyncSync(this.journal);
		this.apply(entry);
		this.journalEntries++;
		const live = this.resources.User.size + this.resources.Group.size;
		// Rewriting everything once the journal outgrows the live data keeps compaction O(1) per write, amortised.
		if (this.journalEntries >= (this.options.compactAfter ?? 10000) && this.journalEntries >= live) this.compact();
	}

	/** Snapshot to a temporary file, fsync, rename over the old one, then start an empty journal. */
	compact(): void {
		const tmp = join(this.dir, 'snapshot.json.tmp');
		const fd = openSync(tmp, 'w');
		writeSync(fd, JSON.stringify({ User: [...this.resources.User.values()], Group: [...this.resources.Group.values()] }));
		fsyncSync(fd);
		closeSync(fd);
		renameSync(tmp, join(this.dir, 'snapshot.json'));
		closeSync(this.journal);
		const fresh = join(this.dir, 'journal.jsonl.tmp');
		writeFileSync(fresh, '');
		renameSync(fresh, join(this.dir, 'journal.jsonl'));
		this.journal = openSync(join(this.dir, 'journal.jsonl'), 'a');
		this.journalEntries = 0;
	}

	/** Writes run one at a time, in arrival order, so read-modify-write sequences never interleave. */
	private exclusive<T>(work: () => T): Promise<T> {
		const run = this.queue.then(work, work);
		this.queue = run.catch(() => undefined);
		return run;
	}

	private ids(type: ResourceType, map: Map<string, Set<string>>, key: string): Resource[] {
		return [...(map.get(key) ?? [])]
			.map((id) => this.resources[type].get(id))
			.filter((r): r is Resource => !!r)
			.map(clone);
	}

	async get(type: ResourceType, id: string): Promise<Resource | undefined> {
		const r = this.resources[type].get(id);
		return r && clone(r);
	}

	async findByName(type: ResourceType, name: string): Promise<Resource[]> {
		return this.ids(type, this.byName[type], name.toLowerCase());
	}

	async findByExternalId(type: ResourceType, externalId: string): Promise<Resource[]> {
		return this.ids(type, this.byExternalId[type], externalId);
	}

	async list(type: ResourceType): Promise<Resource[]> {
		return [...this.resources[type].values()].map(clone);
	}

	async count(type: ResourceType): Promise<number> {
		return this.resources[type].size;
	}

	private assertUniqueName(type: ResourceType, data: Record<string, unknown>, id?: string): void {
		if (type !== 'User') return;
		const name = nameOf(type, data);
		if (!name) throw new StoreError('invalid', 'userName is required');
		const taken = [...(this.byName.User.get(name) ?? [])].some((other) => other !== id);
		if (taken) throw new StoreError('conflict', `userName "${String(data.userName)}" is already taken`);
	}

	create(type: ResourceType, data: Record<string, unknown>): Promise<Resource> {
		return this.exclusive(() => {
			this.assertUniqueName(type, data);
			const now = new Date().toISOString();
			const resource = {
				...clone(data),
				id: randomUUID(),
				meta: { resourceType: type, created: now, lastModified: now, version: 'W/"1"' },
			} as Resource;
			this.write({ op: 'put', type, id: resource.id, data: resource });
			return clone(resource);
		});
	}

	update(type: ResourceType, id: string, change: (current: Resource) => Record<string, unknown>, ifMatch?: string) {
		return this.exclusive(() => {
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
			this.write({ op: 'put', type, id, data: after });
			return { before, after: clone(after) };
		});
	}

	delete(type: ResourceType, id: string): Promise<Resource | undefined> {
		return this.exclusive(() => {
			const current = this.resources[type].get(id);
			if (!current) return undefined;
			this.write({ op: 'del', type, id });
			return clone(current);
		});
	}

	async close(): Promise<void> {
		await this.queue;
		closeSync(this.journal);
		OPEN_STORES.delete(this.dir);
		try {
			unlinkSync(this.lockPath);
		} catch {
			/* already gone */
		}
	}
}
