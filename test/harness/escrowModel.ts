/**
 * A reference model of kept items under overlapping runs, written apart from lib/provisioning/governance/claims.ts
 * with plain maps, for the model-based test: what each run claims when it begins, and what stays kept when it
 * finishes, crashes or fails for a reason other than the target.
 *
 * The rules it states: a run settles what it claimed only if no one wrote the entry since (a write counter per
 * entry); a run's own new input is kept unless the key holds a newer input or a newer input succeeded on the
 * account; an entry whose account succeeded for a newer input is never claimed again. "Newer" is the order runs
 * began in.
 */
import type { Planned, Result } from './governanceRuns';

export const LEASE_MS = 30 * 60 * 1000;

interface Kept {
	tag: string;
	inputSeq: number;
	attempts: number;
	writes: number;
	holder?: string;
	holderUntil?: number;
}

interface ModelItem extends Planned {
	inputSeq: number;
	/** The write counter of the entry when this run claimed it. */
	heldAt?: number;
}

export class EscrowModel {
	clock = Date.parse('2026-12-01T08:00:00.000Z');
	private seq = 0;
	/** The newest input that succeeded, per account (the key: both scopes act on one target's users). */
	readonly succeeded = new Map<string, number>();
	private readonly scopes = new Map<string, Map<string, Kept>>();
	private readonly runs = new Map<string, { scope: string; seq: number; items: ModelItem[] }>();

	constructor(readonly maxAttempts: number) {}

	private kept(scope: string): Map<string, Kept> {
		let kept = this.scopes.get(scope);
		if (!kept) this.scopes.set(scope, (kept = new Map()));
		return kept;
	}

	private stale = (key: string, inputSeq: number) => (this.succeeded.get(key) ?? -1) > inputSeq;

	begin(runId: string, scope: string, items: Array<[string, string]>): Planned[] {
		const seq = ++this.seq;
		const kept = this.kept(scope);
		const claimed = new Map<string, ModelItem>();
		for (const [key, entry] of kept) {
			if (entry.holderUntil !== undefined && entry.holderUntil >= this.clock) continue;
			if (this.stale(key, entry.inputSeq)) {
				kept.delete(key);
				continue;
			}
			Object.assign(entry, { holder: runId, holderUntil: this.clock + LEASE_MS, writes: entry.writes + 1 });
			const item = { key, tag: entry.tag, retried: true, attempts: entry.attempts, inputSeq: entry.inputSeq, heldAt: entry.writes };
			claimed.set(key, item);
		}
		const own = items.map(([key, tag]): ModelItem => {
			const prior = claimed.get(key);
			claimed.delete(key);
			return { key, tag, retried: false, attempts: prior?.attempts ?? 0, inputSeq: seq, heldAt: prior?.heldAt };
		});
		const planned = [...claimed.values(), ...own];
		this.runs.set(runId, { scope, seq, items: planned });
		return planned.map(({ key, tag, retried, attempts }) => ({ key, tag, retried, attempts }));
	}

	finish(runId: string, results: Record<string, Result>): void {
		const run = this.runs.get(runId)!;
		this.runs.delete(runId);
		const kept = this.kept(run.scope);
		const holds = (item: ModelItem) => {
			const entry = kept.get(item.key);
			return entry !== undefined && item.heldAt !== undefined && entry.holder === runId && entry.writes === item.heldAt;
		};
		for (const item of run.items) {
			if ((results[item.key] ?? 'ok') === 'ok') this.succeeded.set(item.key, Math.max(this.succeeded.get(item.key) ?? -1, item.inputSeq));
		}
		const removing = run.items.filter((item) => {
			const result = results[item.key] ?? 'ok';
			return result !== 'fail' || item.attempts + 1 >= this.maxAttempts;
		});
		for (const item of removing) if (holds(item)) kept.delete(item.key);
		for (const item of run.items.filter((i) => !removing.includes(i))) {
			const entry = kept.get(item.key);
			if (this.stale(item.key, item.inputSeq)) {
				if (holds(item)) kept.delete(item.key);
				continue;
			}
			const newer = !item.retried && (entry === undefined || entry.inputSeq < item.inputSeq);
			if (!holds(item) && !newer) continue;
			kept.set(item.key, { tag: item.tag, inputSeq: item.inputSeq, attempts: item.attempts + 1, writes: (entry?.writes ?? 0) + 1 });
		}
		this.release(runId, run.scope);
	}

	/** The run stopped for a reason other than the target: what it held is free at once, untouched. */
	failed(runId: string): void {
		const run = this.runs.get(runId)!;
		this.runs.delete(runId);
		this.release(runId, run.scope);
	}

	/** The run's process died: its claims hold until their lease runs out. */
	crashed(runId: string): void {
		this.runs.delete(runId);
	}

	private release(runId: string, scope: string): void {
		for (const entry of this.kept(scope).values()) {
			if (entry.holder !== runId) continue;
			Object.assign(entry, { holder: undefined, holderUntil: undefined, writes: entry.writes + 1 });
		}
	}

	/** Runs begun and not yet ended, oldest first. */
	get open(): string[] {
		return [...this.runs.keys()];
	}

	/** The newest input that succeeded for this key, for the invariant "no stale replay". */
	newestSuccess(key: string): number {
		return this.succeeded.get(key) ?? -1;
	}

	/** The sequence number of a retried item's input, as the model knows it. */
	inputSeqOf(runId: string, key: string): number | undefined {
		return this.runs.get(runId)?.items.find((i) => i.key === key)?.inputSeq;
	}
}
