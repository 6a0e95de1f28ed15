/**
 * JSON-lines journals for the file stores. write(2) may write less than it is asked to (a signal, a full disk, a
 * file size limit), so every write here loops until all of it is on the file; an append that fails midway, or whose
 * sync fails, is cut back off the file, so the next append starts on a clean line and nothing unacknowledged stays;
 * and a torn last line (a crash mid-write, never acknowledged) is cut off when the journal is read.
 */
import {
	closeSync,
	existsSync,
	fdatasync,
	fstatSync,
	fsyncSync,
	ftruncateSync,
	openSync,
	readFileSync,
	truncateSync,
	writeSync,
} from 'node:fs';

/** Writes all of `data` at the file's position (at its end, for a file opened to append), however many writes it takes. */
export function writeAll(fd: number, data: string | Buffer): void {
	const bytes = typeof data === 'string' ? Buffer.from(data) : data;
	for (let done = 0; done < bytes.length;) {
		const written = writeSync(fd, bytes, done, bytes.length - done);
		if (written <= 0) throw new Error(`A write to the store made no progress (${done} of ${bytes.length} bytes written)`);
		done += written;
	}
}

/** Makes renames in a directory durable. */
export function syncDirectory(dir: string): void {
	const fd = openSync(dir, 'r');
	try {
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}

/** The lines of a file read as bytes, decoded one at a time (no second copy of the whole file as text). */
export function* linesOf(bytes: Buffer): Generator<string> {
	for (let start = 0; start < bytes.length;) {
		let end = bytes.indexOf(0x0a, start);
		if (end === -1) end = bytes.length;
		if (end > start) yield bytes.toString('utf8', start, end);
		start = end + 1;
	}
}

/** The complete lines of a journal, after cutting a torn tail off the file (so the next append starts a clean line). */
export function readJournal(path: string): Generator<string> {
	if (!existsSync(path)) return linesOf(Buffer.alloc(0));
	const bytes = readFileSync(path);
	const complete = bytes.lastIndexOf(0x0a) + 1;
	if (complete < bytes.length) truncateSync(path, complete);
	return linesOf(bytes.subarray(0, complete));
}

/** An open journal: one append at a time (the stores serialise their writes), each on disk before it resolves. */
export class Journal {
	private readonly fd: number;
	private size: number;
	/** Set when a failed append could not be cut back: the file's end is unknown, so nothing more is appended. */
	private broken?: Error;

	constructor(readonly path: string) {
		this.fd = openSync(path, 'a');
		this.size = fstatSync(this.fd).size;
	}

	/** Appends whole lines and syncs them (fdatasync: the data and the file's new length). */
	async append(lines: string): Promise<void> {
		if (this.broken)
			throw new Error(`The journal ${this.path} is unusable after a failed write (${this.broken.message}); reopen the store`);
		const before = this.size;
		const bytes = Buffer.from(lines);
		try {
			writeAll(this.fd, bytes);
			await new Promise<void>((resolve, reject) => fdatasync(this.fd, (error) => (error ? reject(error) : resolve())));
			this.size = before + bytes.length;
		} catch (error) {
			try {
				ftruncateSync(this.fd, before);
			} catch (cut) {
				this.broken = cut as Error;
			}
			throw error;
		}
	}

	close(): void {
		closeSync(this.fd);
	}
}
