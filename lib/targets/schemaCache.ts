/**
 * Schema listings kept for the editor session. n8n calls a node's load methods whenever a panel opens or a
 * parameter they depend on changes, once per mapping row; the target's schema is read once per credential and
 * target settings, then served from here for a short while.
 *
 * This is in-process state used only by the editor's load methods, never by executions: a run always reads the
 * target itself. Keys are digests of the credential and settings, so no secret is kept in a key; failures are
 * not kept (the next call tries again), and their messages are the targets' own scrubbed ones.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** Keys are keyed digests: a kept key says nothing about a credential's secret, even to a dictionary. */
const KEY_SECRET = randomBytes(32);

export interface SchemaCacheOptions {
	/** How long a listing is served, in milliseconds (default one minute). */
	ttlMs?: number;
	/** Most listings kept; the oldest goes first (default 50). */
	maxEntries?: number;
	now?: () => number;
}

/** A stable digest of any JSON-like value: object keys sorted, so the same settings give the same key. */
export function digestOf(value: unknown): string {
	const stable = (v: unknown): unknown => {
		if (Array.isArray(v)) return v.map(stable);
		if (v && typeof v === 'object') {
			return Object.keys(v)
				.sort()
				.map((k) => [k, stable((v as Record<string, unknown>)[k])]);
		}
		return v;
	};
	return createHmac('sha256', KEY_SECRET)
		.update(JSON.stringify(stable(value) ?? null))
		.digest('hex');
}

export class SchemaCache<T> {
	private readonly entries = new Map<string, { at: number; value: Promise<T> }>();
	private readonly ttlMs: number;
	private readonly maxEntries: number;
	private readonly now: () => number;
	/** Reads that reached the target (tests and the bench count them). */
	reads = 0;

	constructor(options: SchemaCacheOptions = {}) {
		this.ttlMs = options.ttlMs ?? 60_000;
		this.maxEntries = Math.max(1, options.maxEntries ?? 50);
		this.now = options.now ?? Date.now;
	}

	/** The listing for these key parts: kept, in flight (shared), or read now with `load`. */
	get(keyParts: unknown, load: () => Promise<T>): Promise<T> {
		const key = digestOf(keyParts);
		const now = this.now();
		const kept = this.entries.get(key);
		if (kept && now - kept.at < this.ttlMs) return kept.value;
		this.entries.delete(key);
		for (const [k, entry] of this.entries) if (now - entry.at >= this.ttlMs) this.entries.delete(k);
		while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
		this.reads++;
		const value = load();
		this.entries.set(key, { at: now, value });
		value.catch(() => {
			if (this.entries.get(key)?.value === value) this.entries.delete(key);
		});
		return value;
	}

	get size(): number {
		return this.entries.size;
	}

	clear(): void {
		this.entries.clear();
	}
}
