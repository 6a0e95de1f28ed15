/**
 * Quarantine and escrow state in files under the n8n user folder, for n8n on SQLite (one process runs every
 * execution; queue mode needs PostgreSQL, see postgresGovernanceStore.ts). One JSON file per workflow, one file of
 * successes per target (accounts/), and the run sequence; each read afresh for every operation and replaced
 * atomically (written, fsynced, renamed). Every operation reads, decides and writes without yielding, so two
 * executions of the one process never interleave inside it.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { planClaim, planSettle, type StoredEntry, type Successes, isStale } from '../../provisioning/governance/claims';
import type { ClaimedEntry, EscrowChange } from '../../provisioning/governance/escrow';
import { writeAll } from '../journal';
import type { QuarantineState } from '../../provisioning/governance/quarantine';
import type { GovernanceScope, GovernanceStore, QuarantineRow } from '../../provisioning/governance/store';

interface WorkflowFile {
	quarantine: Record<string, QuarantineRow>;
	escrow: Record<string, Record<string, StoredEntry>>;
}

const fileName = (workflowId: string) => `${Buffer.from(workflowId).toString('hex')}.json`;
const SEQUENCE = 'run-sequence';
const ACCOUNTS = 'accounts';
/** Entries written before versions and sequence numbers were kept read as version 0, sequence 0. */
const loaded = (stored: StoredEntry): StoredEntry => ({
	...stored,
	version: stored.version ?? 0,
	entry: { ...stored.entry, inputSeq: stored.entry.inputSeq ?? 0 },
});

export class FileGovernanceStore implements GovernanceStore {
	private readonly queues = new Map<string, Promise<unknown>>();

	constructor(private readonly dir: string) {
		mkdirSync(dir, { recursive: true });
	}

	private read(file: string): WorkflowFile {
		return this.readJson(file, { quarantine: {}, escrow: {} });
	}

	private readJson<T>(file: string, empty: T): T {
		const path = join(this.dir, file);
		if (!existsSync(path)) return empty;
		return JSON.parse(readFileSync(path, 'utf8')) as T;
	}

	private accountsFile(target: string): string {
		return join(ACCOUNTS, `${createHash('sha256').update(target).digest('hex')}.json`);
	}

	private successes(target: string): Successes {
		const newest = this.readJson<Record<string, number>>(this.accountsFile(target), {});
		return (account) => (Object.prototype.hasOwnProperty.call(newest, account) ? newest[account] : undefined);
	}

	private write(file: string, data: unknown): void {
		const path = join(this.dir, file);
		const tmp = `${path}.tmp`;
		const fd = openSync(tmp, 'w');
		try {
			writeAll(fd, JSON.stringify(data));
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		renameSync(tmp, path);
	}

	/** Runs `work` after every earlier operation on the same file. */
	private serial<T>(file: string, work: () => T): Promise<T> {
		const previous = this.queues.get(file) ?? Promise.resolve();
		const next = previous.catch(() => undefined).then(work);
		this.queues.set(
			file,
			next.finally(() => {
				if (this.queues.get(file) === next) this.queues.delete(file);
			}),
		);
		return next;
	}

	/** Runs `work` on a workflow's file after every earlier operation on it, and writes what it returns. */
	private withFile<T>(workflowId: string, work: (data: WorkflowFile) => { data?: WorkflowFile; result: T }): Promise<T> {
		const file = fileName(workflowId);
		return this.serial(file, () => {
			const { data, result } = work(this.read(file));
			if (data) this.write(file, data);
			return result;
		});
	}

	updateQuarantine<T>(
		scope: GovernanceScope,
		change: (state: QuarantineState | undefined) => { state: QuarantineState; result: T },
	): Promise<T> {
		return this.withFile(scope.workflowId, (data) => {
			const { state, result } = change(data.quarantine[scope.key]?.state);
			data.quarantine[scope.key] = { scope, state, updated: new Date().toISOString() };
			return { data, result };
		});
	}

	async listQuarantine(filter: { workflowId?: string } = {}): Promise<QuarantineRow[]> {
		const files = filter.workflowId ? [fileName(filter.workflowId)] : readdirSync(this.dir).filter((f) => f.endsWith('.json'));
		return files.flatMap((file) => Object.values(this.read(file).quarantine));
	}

	clearQuarantine(filter: { workflowId: string; nodeName?: string }): Promise<number> {
		return this.withFile(filter.workflowId, (data) => {
			const keys = Object.keys(data.quarantine).filter(
				(key) => data.quarantine[key].state.quarantine && (!filter.nodeName || data.quarantine[key].scope.nodeName === filter.nodeName),
			);
			for (const key of keys) delete data.quarantine[key];
			return { data: keys.length ? data : undefined, result: keys.length };
		});
	}

	nextRunSeq(): Promise<number> {
		return this.serial(SEQUENCE, () => {
			const next = Number(this.readJson<number>(SEQUENCE, 0)) + 1;
			this.write(SEQUENCE, next);
			return next;
		});
	}

	private kept(data: WorkflowFile, scope: GovernanceScope): StoredEntry[] {
		return Object.values(data.escrow[scope.key] ?? {}).map(loaded);
	}

	private store(data: WorkflowFile, scope: GovernanceScope, entries: StoredEntry[]): WorkflowFile {
		if (entries.length) data.escrow[scope.key] = Object.fromEntries(entries.map((s) => [s.entry.key, s]));
		else delete data.escrow[scope.key];
		return data;
	}

	claimEscrow(scope: GovernanceScope, runId: string, now: number, leaseMs: number): Promise<ClaimedEntry[]> {
		return this.withFile(scope.workflowId, (data) => {
			const kept = this.kept(data, scope);
			const { drop, claim, claimed } = planClaim(kept, this.successes(scope.target), runId, now, leaseMs);
			if (!drop.length && !claim.length) return { result: [] };
			const byKey = new Map(kept.map((s) => [s.entry.key, s]));
			for (const key of drop) byKey.delete(key);
			for (const s of claim) byKey.set(s.entry.key, s);
			return { data: this.store(data, scope, [...byKey.values()]), result: claimed };
		});
	}

	settleEscrow(scope: GovernanceScope, runId: string, change: EscrowChange): Promise<{ discarded: string[] }> {
		return this.withFile(scope.workflowId, (data) => {
			if (change.succeeded.length) {
				const file = this.accountsFile(scope.target);
				mkdirSync(join(this.dir, ACCOUNTS), { recursive: true });
				const newest = this.readJson<Record<string, number>>(file, {});
				for (const { account, inputSeq } of change.succeeded) {
					const known = Object.prototype.hasOwnProperty.call(newest, account) ? newest[account] : -Infinity;
					newest[account] = Math.max(known, inputSeq);
				}
				this.write(file, newest);
			}
			const byKey = new Map(this.kept(data, scope).map((s) => [s.entry.key, s]));
			const plan = planSettle(byKey, change, this.successes(scope.target), runId);
			for (const key of plan.delete) byKey.delete(key);
			for (const s of plan.write) byKey.set(s.entry.key, s);
			const changed = plan.delete.length + plan.write.length > 0;
			return { data: changed ? this.store(data, scope, [...byKey.values()]) : undefined, result: { discarded: plan.discarded } };
		});
	}

	async countEscrow(scope: Pick<GovernanceScope, 'key' | 'workflowId' | 'target'>): Promise<number> {
		const successes = this.successes(scope.target);
		return Object.values(this.read(fileName(scope.workflowId)).escrow[scope.key] ?? {})
			.map(loaded)
			.filter((s) => !isStale(s.entry, successes)).length;
	}

	async close(): Promise<void> {}
}
