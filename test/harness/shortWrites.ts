/**
 * Short writes on demand: `fs.writeSync` to a regular file writes only part of what it is given — as write(2) may
 * (a signal, a full disk, a file size limit) — and returns how much it wrote. The part is chosen by a seeded
 * generator, so a failing case replays from its seed. Also the check the file stores' crash tests share.
 */
import fs from 'node:fs';

/** A small seeded generator (mulberry32): numbers in [0, 1). */
export function seeded(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface ShortWrites {
	/** Writes to regular files, and how many of them were cut short. */
	calls: number;
	short: number;
	restore(): void;
}

type WriteSync = (fd: number, data: string | Buffer, ...rest: unknown[]) => number;

/**
 * Makes every write to a regular file write 1 to n of its n bytes (at random); `afterWrite` runs after each, with
 * what was written and asked (the crash test stops a writer there, mid-line).
 */
export function injectShortWrites(random: () => number, afterWrite?: (written: number, asked: number) => void): ShortWrites {
	const real = fs.writeSync as unknown as WriteSync;
	const state: ShortWrites = { calls: 0, short: 0, restore: () => ((fs as { writeSync: unknown }).writeSync = real) };
	(fs as { writeSync: unknown }).writeSync = (fd: number, data: string | Buffer, ...rest: unknown[]) => {
		if (!fs.fstatSync(fd).isFile()) return real(fd, data, ...rest);
		const text = typeof data === 'string';
		const buffer = text ? Buffer.from(data) : data;
		const offset = text ? 0 : ((rest[0] as number | undefined) ?? 0);
		const asked = text ? buffer.length : ((rest[1] as number | undefined) ?? buffer.length - offset);
		const position = ((text ? rest[0] : rest[2]) as number | null | undefined) ?? null;
		const part = asked === 0 ? 0 : 1 + Math.floor(random() * asked);
		state.calls++;
		if (part < asked) state.short++;
		const written = real(fd, buffer, offset, part, position);
		afterWrite?.(written, asked);
		return written;
	};
	return state;
}

/**
 * What is wrong in a journal or snapshot file: a complete line that is not exactly one JSON entry (two merged, or a
 * piece), or a torn tail (an unfinished last line) that is more than the start of one entry. A torn tail is what a
 * crash mid-write leaves in a journal; a snapshot (written whole, then renamed) may have none.
 */
export function badLines(path: string, isEntry: (value: unknown) => boolean, entryStart: string, tornTail = true): string[] {
	if (!fs.existsSync(path)) return [];
	const text = fs.readFileSync(path, 'utf8');
	const end = text.lastIndexOf('\n') + 1;
	const bad = text
		.slice(0, end)
		.split('\n')
		.slice(0, -1)
		.flatMap((line, i) => {
			try {
				return isEntry(JSON.parse(line)) ? [] : [`line ${i + 1}: ${line.slice(0, 120)}`];
			} catch {
				return [`line ${i + 1}: ${line.slice(0, 120)}`];
			}
		});
	const tail = text.slice(end);
	if (tail && (!tornTail || tail.split(entryStart).length > 2)) bad.push(`torn tail: ${tail.slice(0, 120)}`);
	return bad;
}
