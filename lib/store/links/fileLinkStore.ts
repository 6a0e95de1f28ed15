/**
 * Links in a JSON-lines journal beside the file identity store, loaded into memory once per process. Each
 * write batch is appended and synced (one at a time); the journal is rewritten when it outgrows the live links.
 */
import { closeSync, fsyncSync, openSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceType } from '../../scim/server/identityStore';
import { Journal, readJournal, writeAll } from '../journal';
import type { Link, LinkStore } from '../../provisioning/linkStore';

interface Entry {
	s: string;
	t: ResourceType;
	/** Source id → target id; null removes the link. */
	l: Record<string, string | null>;
}

const keyOf = (scope: string, type: ResourceType) => `${type}\u0000${scope}`;

export class FileLinkStore implements LinkStore {
	private readonly links = new Map<string, Map<string, string>>();
	private readonly path: string;
	private journal: Journal;
	private entries = 0;
	private queue: Promise<unknown> = Promise.resolve();

	constructor(dir: string) {
		this.path = join(dir, 'links.jsonl');
		// A torn last line (a crash mid-write: that batch was never acknowledged) is cut off the file. A whole line that
		// does not read is damage: the links are unknown, and opening fails rather than report them missing (which
		// would let a renamed user be created again).
		let number = 0;
		for (const line of readJournal(this.path)) {
			number++;
			if (!line.trim()) continue;
			let entry: Entry;
			try {
				entry = JSON.parse(line) as Entry;
			} catch {
				throw new Error(`the links journal ${this.path} is damaged at line ${number}`);
			}
			this.apply(entry);
			this.entries++;
		}
		this.journal = new Journal(this.path);
	}

	private apply(entry: Entry): void {
		const key = keyOf(entry.s, entry.t);
		const map = this.links.get(key) ?? new Map<string, string>();
		for (const [source, target] of Object.entries(entry.l)) {
			if (target === null) map.delete(source);
			else map.set(source, target);
		}
		this.links.set(key, map);
	}

	/** One batch at a time, in arrival order; applied once it is on disk. */
	private write(entry: Entry): Promise<void> {
		const run = this.queue.then(async () => {
			await this.journal.append(`${JSON.stringify(entry)}\n`);
			this.apply(entry);
			this.entries++;
			const live = [...this.links.values()].reduce((n, m) => n + (m.size ? 1 : 0), 0);
			if (this.entries > 1000 && this.entries > live * 4) this.compact();
		});
		this.queue = run.catch(() => undefined);
		return run;
	}

	private compact(): void {
		const tmp = `${this.path}.tmp`;
		const fd = openSync(tmp, 'w');
		let count = 0;
		for (const [key, map] of this.links) {
			if (!map.size) continue;
			const [t, s] = key.split('\u0000') as [ResourceType, string];
			writeAll(fd, `${JSON.stringify({ s, t, l: Object.fromEntries(map) })}\n`);
			count++;
		}
		fsyncSync(fd);
		closeSync(fd);
		renameSync(tmp, this.path);
		this.journal.close();
		this.journal = new Journal(this.path);
		this.entries = count;
	}

	async get(scope: string, type: ResourceType, sourceIds: string[]): Promise<Map<string, string>> {
		const map = this.links.get(keyOf(scope, type));
		const out = new Map<string, string>();
		if (!map) return out;
		for (const id of sourceIds) {
			const target = map.get(id);
			if (target !== undefined) out.set(id, target);
		}
		return out;
	}

	async put(scope: string, type: ResourceType, links: Link[]): Promise<void> {
		const current = this.links.get(keyOf(scope, type));
		const changed = links.filter((l) => current?.get(l.sourceId) !== l.targetId);
		if (changed.length) await this.write({ s: scope, t: type, l: Object.fromEntries(changed.map((l) => [l.sourceId, l.targetId])) });
	}

	async remove(scope: string, type: ResourceType, sourceIds: string[]): Promise<void> {
		const current = this.links.get(keyOf(scope, type));
		const present = sourceIds.filter((id) => current?.has(id));
		if (present.length) await this.write({ s: scope, t: type, l: Object.fromEntries(present.map((id) => [id, null])) });
	}

	async sources(type: ResourceType): Promise<string[]> {
		const ids = new Set<string>();
		for (const [key, map] of this.links) if (key.startsWith(`${type}\u0000`)) for (const id of map.keys()) ids.add(id);
		return [...ids];
	}

	async close(): Promise<void> {
		await this.queue;
		this.journal.close();
	}
}
