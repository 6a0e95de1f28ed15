/**
 * Quarantine and escrow state in files under the n8n user folder, for n8n on SQLite (one process runs every
 * execution; queue mode needs PostgreSQL, see postgresGovernanceStore.ts). One JSON file per workflow, read
 * afresh for every operation and replaced atomically (written, fsynced, renamed); operations on a file are
 * serialised within the process, so two executions finishing at once both land.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeAll } from '../journal';
import type { EscrowEntry } from '../../provisioning/governance/escrow';
import type { QuarantineState } from '../../provisioning/governance/quarantine';
import type { GovernanceScope, GovernanceStore, QuarantineRow } from '../../provisioning/governance/store';

interface KeptEntry {
	entry: EscrowEntry;
	claimedBy?: string;
	claimedUntil?: number;
}

interface WorkflowFile {
	quarantine: Record<string, QuarantineRow>;
	escrow: Record<string, Record<string, KeptEntry>>;
}

const fileName = (workflowId: string) => `${Buffer.from(workflowId).toString('hex')}.json`;

export class FileGovernanceStore implements GovernanceStore {
	private readonly queues = new Map<string, Promise<unknown>>();

	constructor(private readonly dir: string) {
		mkdirSync(dir, { recursive: true });
	}

	private read(file: string): WorkflowFile {
		const path = join(this.dir, file);
		if (!existsSync(path)) return { quarantine: {}, escrow: {} };
		return JSON.parse(readFileSync(path, 'utf8')) as WorkflowFile;
	}

	private write(file: string, data: WorkflowFile): void {
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

	/** Runs `work` on a workflow's file after every earlier operation on it, and writes what it returns. */
	private withFile<T>(workflowId: string, work: (data: WorkflowFile) => { data?: WorkflowFile; result: T }): Promise<T> {
		const file = fileName(workflowId);
		const previous = this.queues.get(file) ?? Promise.resolve();
		const next = previous
			.catch(() => undefined)
			.then(() => {
				const { data, result } = work(this.read(file));
				if (data) this.write(file, data);
				return result;
			});
		this.queues.set(
			file,
			next.finally(() => {
				if (this.queues.get(file) === next) this.queues.delete(file);
			}),
		);
		return next;
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

	claimEscrow(scope: GovernanceScope, runId: string, now: number, leaseMs: number): Promise<EscrowEntry[]> {
		return this.withFile(scope.workflowId, (data) => {
			const kept = data.escrow[scope.key] ?? {};
			const claimed = Object.values(kept).filter((k) => !k.claimedUntil || k.claimedUntil < now);
			if (!claimed.length) return { result: [] };
			for (const k of claimed) Object.assign(k, { claimedBy: runId, claimedUntil: now + leaseMs });
			const result = claimed.map((k) => k.entry).sort((a, b) => a.firstFailedAt.localeCompare(b.firstFailedAt));
			return { data, result };
		});
	}

	settleEscrow(scope: GovernanceScope, runId: string, change: { put: EscrowEntry[]; remove: string[] }): Promise<void> {
		return this.withFile(scope.workflowId, (data) => {
			const kept = (data.escrow[scope.key] ??= {});
			for (const key of change.remove) delete kept[key];
			for (const entry of change.put) kept[entry.key] = { entry };
			for (const k of Object.values(kept)) {
				if (k.claimedBy === runId) kept[k.entry.key] = { entry: k.entry };
			}
			if (!Object.keys(kept).length) delete data.escrow[scope.key];
			return { data, result: undefined };
		});
	}

	async countEscrow(scope: Pick<GovernanceScope, 'key' | 'workflowId'>): Promise<number> {
		return Object.keys(this.read(fileName(scope.workflowId)).escrow[scope.key] ?? {}).length;
	}

	async close(): Promise<void> {}
}
