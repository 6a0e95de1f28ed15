/**
 * The identity store's snapshot: every resource as a journal "put" line, written to a temporary file a megabyte at a
 * time (no copy of the whole store in memory), synced and renamed into place, the rename itself made durable.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource, ResourceType } from '../scim/server/identityStore';
import type { JournalEntry } from './identityJournal';
import { linesOf, syncDirectory, writeAll } from './journal';

const TYPES = ['User', 'Group'] as const;

/**
 * Applies the snapshot's entries. snapshot.jsonl (one put a line) replaced snapshot.json (one JSON document); a store
 * still holding only the older one is read from it, and moves to the newer on its next snapshot.
 */
export function readSnapshot(dir: string, apply: (entry: JournalEntry) => void): void {
	const lines = join(dir, 'snapshot.jsonl');
	const legacy = join(dir, 'snapshot.json');
	if (existsSync(lines)) {
		for (const line of linesOf(readFileSync(lines))) apply(JSON.parse(line));
	} else if (existsSync(legacy)) {
		const data = JSON.parse(readFileSync(legacy, 'utf8')) as Record<ResourceType, Resource[]>;
		for (const type of TYPES) for (const r of data[type] ?? []) apply({ op: 'put', type, id: r.id, data: r });
	}
}

/** Writes every resource to a new snapshot and makes it the snapshot, durably, before anything else happens. */
export function writeSnapshot(dir: string, resources: Record<ResourceType, Map<string, Resource>>): void {
	const tmp = join(dir, 'snapshot.jsonl.tmp');
	const fd = openSync(tmp, 'w');
	let chunk = '';
	for (const type of TYPES)
		for (const data of resources[type].values()) {
			chunk += `${JSON.stringify({ op: 'put', type, id: data.id, data })}\n`;
			if (chunk.length >= 1 << 20) {
				writeAll(fd, chunk);
				chunk = '';
			}
		}
	writeAll(fd, chunk);
	fsyncSync(fd);
	closeSync(fd);
	renameSync(tmp, join(dir, 'snapshot.jsonl'));
	syncDirectory(dir);
	if (existsSync(join(dir, 'snapshot.json'))) unlinkSync(join(dir, 'snapshot.json'));
}
