/**
 * Links in a JSON-lines journal beside the file identity store, loaded into memory once per process. Each
 * write batch is appended and fsynced; the journal is rewritten when it outgrows the live links.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceType } from '../identityStore';
import type { Link, LinkStore } from './linkStore';

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
	private journal: number;
	private entries = 0;

	constructor(dir: string) {
		this.path = join(dir, 'links.jsonl');
		if (existsSync(this.path)) this.load(readFileSync(this.path, 'utf8'));
		this.journal = openSync(this.path, 'a');
	}

	/**
	 * A torn last line (a crash mid-write: never acknowledged) is cut off, so the next batch starts on its own line.
	 * A line that does not read anywhere else is damage: the links are unknown, and opening fails rather than
	 * report them missing (which would let a renamed user be created again).
	 */
	private load(text: string): void {
		const lines = text.split('\n');
		let good = 0;
		for (const [index, line] of lines.entries()) {
			const last = index === lines.length - 1;
			if (line.trim()) {
				try {
					this.apply(JSON.parse(line) as Entry);
					this.entries++;
				} catch {
					if (!last) throw new Error(`the links journal ${this.path} is damaged at line ${index + 1}`);
					truncateSync(this.path, good);
					return;
				}
			}
			good += Buffer.byteLength(line) + (last ? 0 : 1);
		}
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

	/** Writes all of it: a short write would otherwise leave the next batch on this line. */
	private static writeAll(fd: number, text: string): void {
		const bytes = Buffer.from(text);
		for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
	}

	private write(entry: Entry): void {
		FileLinkStore.writeAll(this.journal, `${JSON.stringify(entry)}\n`);
		fsyncSync(this.journal);
		this.apply(entry);
		this.entries++;
		const live = [...this.links.values()].reduce((n, m) => n + (m.size ? 1 : 0), 0);
		if (this.entries > 1000 && this.entries > live * 4) this.compact();
	}

	private compact(): void {
		const tmp = `${this.path}.tmp`;
		const fd = openSync(tmp, 'w');
		let count = 0;
		for (const [key, map] of this.links) {
			if (!map.size) continue;
			const [t, s] = key.split('\u0000') as [ResourceType, string];
			FileLinkStore.writeAll(fd, `${JSON.stringify({ s, t, l: Object.fromEntries(map) })}\n`);
			count++;
		}
		fsyncSync(fd);
		closeSync(fd);
		renameSync(tmp, this.path);
		closeSync(this.journal);
		this.journal = openSync(this.path, 'a');
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
		if (changed.length) this.write({ s: scope, t: type, l: Object.fromEntries(changed.map((l) => [l.sourceId, l.targetId])) });
	}

	async remove(scope: string, type: ResourceType, sourceIds: string[]): Promise<void> {
		const current = this.links.get(keyOf(scope, type));
		const present = sourceIds.filter((id) => current?.has(id));
		if (present.length) this.write({ s: scope, t: type, l: Object.fromEntries(present.map((id) => [id, null])) });
	}

	async sources(type: ResourceType): Promise<string[]> {
		const ids = new Set<string>();
		for (const [key, map] of this.links) if (key.startsWith(`${type}\u0000`)) for (const id of map.keys()) ids.add(id);
		return [...ids];
	}

	async close(): Promise<void> {
		closeSync(this.journal);
	}
}
