/**
 * The identity store's journal: one JSON line per resource written or deleted, appended and synced before the write
 * is acknowledged (journal.ts), replayed on open, and started afresh once a snapshot holds everything.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource, ResourceType } from '../scim/server/identityStore';
import { Journal, readJournal, syncDirectory } from './journal';

/** One line of the journal (and of the snapshot, which holds only puts). */
export interface JournalEntry {
	op: 'put' | 'del';
	type: ResourceType;
	id: string;
	data?: Resource;
}

const journalPath = (dir: string) => join(dir, 'journal.jsonl');

/** Applies the journal's entries in order and returns how many it held; a torn tail is cut off the file. */
export function replayJournal(dir: string, apply: (entry: JournalEntry) => void): number {
	let entries = 0;
	for (const line of readJournal(journalPath(dir))) {
		if (!line.trim()) continue;
		let entry: JournalEntry;
		try {
			entry = JSON.parse(line);
		} catch {
			// A torn write: the process died mid-line, before the write was acknowledged.
			continue;
		}
		apply(entry);
		entries++;
	}
	return entries;
}

export function openJournal(dir: string): Journal {
	return new Journal(journalPath(dir));
}

/** Replaces the journal with an empty one, durably (an empty file renamed over it): call once a snapshot holds its entries. */
export function restartJournal(dir: string, old: Journal): Journal {
	old.close();
	const fresh = join(dir, 'journal.jsonl.tmp');
	writeFileSync(fresh, '');
	renameSync(fresh, journalPath(dir));
	syncDirectory(dir);
	return openJournal(dir);
}
