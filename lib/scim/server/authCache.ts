/**
 * Inbound credentials kept for a few seconds per key (the SCIM Trigger keys them by workflow, node and credential).
 * Reading them is the host's work on every request otherwise: on n8n 2.x, whose default expression engine runs in
 * V8 isolates, each credential read in a webhook builds and disposes an isolate, about as much CPU as the rest of a
 * write. Pair it with `reauth` (http.ts): credentials that do not match the kept copy are checked against a fresh
 * read, so a new token works at once and an old one stops within `keepMs`.
 */
import type { InboundAuth } from './auth';

export class AuthCache {
	private readonly entries = new Map<string, { auth: InboundAuth; until: number }>();

	constructor(
		private readonly keepMs: number,
		private readonly now: () => number = Date.now,
	) {}

	/** The kept credentials while they are fresh (`kept: true`), otherwise a fresh read, then kept. */
	async get(key: string, read: () => Promise<InboundAuth>): Promise<{ auth: InboundAuth; kept: boolean }> {
		const entry = this.entries.get(key);
		if (entry && entry.until > this.now()) return { auth: entry.auth, kept: true };
		return { auth: await this.refresh(key, read), kept: false };
	}

	/** Reads the credentials again and keeps them; a read that fails keeps nothing. */
	async refresh(key: string, read: () => Promise<InboundAuth>): Promise<InboundAuth> {
		const auth = await read();
		const now = this.now();
		for (const [other, entry] of this.entries) if (entry.until <= now) this.entries.delete(other);
		this.entries.set(key, { auth, until: now + this.keepMs });
		return auth;
	}
}
