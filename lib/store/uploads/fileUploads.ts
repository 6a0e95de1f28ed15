/**
 * Bulk upload records of the file store: one JSON file each under `uploads/` in the store's folder, written to a
 * temporary file, synced and renamed into place (a crash leaves the old state or the new, never half a record). The
 * file name is the upload's id, a UUID the trigger made, checked again here before it names a file. The oldest go
 * past UPLOAD_RETENTION (by age or number); the list of kept uploads is read once per process, then kept in order.
 */
import {
	closeSync,
	existsSync,
	fsyncSync,
	mkdirSync,
	openSync,
	readdirSync,
	readFileSync,
	renameSync,
	statSync,
	unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { isUploadId, UPLOAD_RETENTION, type UploadRecord } from '../../scim/server/identityStore';
import { syncDirectory, writeAll } from '../journal';

export class FileUploads {
	private readonly dir: string;
	/** Kept uploads, oldest first: [id, received in ms]. */
	private kept?: Array<[string, number]>;

	constructor(storeDir: string) {
		this.dir = join(storeDir, 'uploads');
	}

	private file(id: string): string {
		if (!isUploadId(id)) throw new Error(`"${id.slice(0, 40)}" is not an upload id`);
		return join(this.dir, `${id}.json`);
	}

	private listed(): Array<[string, number]> {
		this.kept ??= existsSync(this.dir)
			? readdirSync(this.dir)
					.filter((name) => name.endsWith('.json') && isUploadId(name.slice(0, -5)))
					.map((name): [string, number] => [name.slice(0, -5), statSync(join(this.dir, name)).mtimeMs])
					.sort((a, b) => a[1] - b[1])
			: [];
		return this.kept;
	}

	save(upload: UploadRecord): void {
		mkdirSync(this.dir, { recursive: true });
		const target = this.file(upload.id);
		const temporary = `${target}.tmp`;
		const fd = openSync(temporary, 'w');
		try {
			writeAll(fd, JSON.stringify(upload));
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		renameSync(temporary, target);
		syncDirectory(this.dir);
		const kept = this.listed();
		kept.push([upload.id, Date.parse(upload.received) || Date.now()]);
		kept.sort((a, b) => a[1] - b[1]);
		const oldest = Date.now() - UPLOAD_RETENTION.days * 86_400_000;
		while (kept.length > UPLOAD_RETENTION.count || (kept.length && kept[0][1] < oldest)) {
			const [id] = kept.shift()!;
			try {
				unlinkSync(this.file(id));
			} catch {
				/* already gone */
			}
		}
	}

	get(id: string): UploadRecord | undefined {
		if (!isUploadId(id)) return undefined;
		const path = this.file(id);
		if (!existsSync(path)) return undefined;
		return JSON.parse(readFileSync(path, 'utf8')) as UploadRecord;
	}
}
