/** Groundwork for the SCIM Trigger (issue 4): the embedded, durable identity store. */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileIdentityStore } from '../../lib/store/fileIdentityStore';
import { badLines, injectShortWrites, seeded } from '../harness/shortWrites';
import { pagingContract } from '../harness/storePaging';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const user = (n: number) => ({
	schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
	userName: `User${n}@Example.org`,
	externalId: `E${n}`,
	counter: 0,
});

test('create, look up by id, name (ignoring case) and externalId, update with versions, delete', async () => {
	const store = new FileIdentityStore(dir);
	const created = await store.create('User', user(1));
	expect(created.meta).toMatchObject({ resourceType: 'User', version: 'W/"1"' });
	expect((await store.findByName('User', 'user1@example.org')).map((r) => r.id)).toEqual([created.id]);
	expect((await store.findByExternalId('User', 'E1')).map((r) => r.id)).toEqual([created.id]);
	expect(await store.findByExternalId('User', 'e1')).toEqual([]);
	await expect(store.create('User', user(1))).rejects.toMatchObject({ name: 'StoreError', kind: 'conflict' });
	await expect(store.create('User', { ...user(2), userName: 'USER1@EXAMPLE.ORG' })).rejects.toMatchObject({ kind: 'conflict' });
	const updated = await store.update('User', created.id, (r) => ({ ...r, title: 'Eng' }), 'W/"1"');
	expect(updated!.after).toMatchObject({ title: 'Eng', meta: { version: 'W/"2"' } });
	expect(updated!.before.title).toBeUndefined();
	await expect(store.update('User', created.id, (r) => r, 'W/"1"')).rejects.toMatchObject({ kind: 'versionMismatch' });
	expect(await store.update('User', 'missing', (r) => r)).toBeUndefined();
	expect((await store.delete('User', created.id))!.id).toBe(created.id);
	expect(await store.get('User', created.id)).toBeUndefined();
	expect(await store.findByName('User', 'user1@example.org')).toEqual([]);
	await store.close();
});

test('everything survives a reopen, and a torn last line is ignored', async () => {
	const store = new FileIdentityStore(dir);
	const ids = [];
	for (let i = 0; i < 20; i++) ids.push((await store.create('User', user(i))).id);
	await store.create('Group', { displayName: 'Staff', members: ids.slice(0, 3).map((value) => ({ value })) });
	await store.delete('User', ids[5]);
	await store.close();
	appendFileSync(join(dir, 'journal.jsonl'), '{"op":"put","type":"User","id":"torn","da');
	const reopened = new FileIdentityStore(dir);
	expect(await reopened.count('User')).toBe(19);
	expect((await reopened.findByName('Group', 'staff'))[0].members).toHaveLength(3);
	expect(await reopened.get('User', 'torn')).toBeUndefined();
	await reopened.create('User', user(100));
	await reopened.close();
	expect(await new FileIdentityStore(dir).count('User')).toBe(20);
});

test('compaction writes a snapshot and keeps every resource', async () => {
	const store = new FileIdentityStore(dir, { compactAfter: 50 });
	for (let i = 0; i < 120; i++) await store.create('User', user(i));
	for (let i = 0; i < 10; i++) {
		const [r] = await store.findByExternalId('User', `E${i}`);
		await store.update('User', r.id, (c) => ({ ...c, title: `T${i}` }));
	}
	expect(existsSync(join(dir, 'snapshot.jsonl'))).toBe(true);
	await store.close();
	const reopened = new FileIdentityStore(dir);
	expect(await reopened.count('User')).toBe(120);
	expect((await reopened.findByExternalId('User', 'E3'))[0].title).toBe('T3');
	await reopened.close();
});

test('50 concurrent writers on the same and on distinct users lose no update', async () => {
	const store = new FileIdentityStore(dir);
	const shared = await store.create('User', user(0));
	await Promise.all([
		...Array.from({ length: 50 }, () => store.update('User', shared.id, (r) => ({ ...r, counter: Number(r.counter) + 1 }))),
		...Array.from({ length: 50 }, (_, i) => store.create('User', user(i + 1))),
	]);
	expect((await store.get('User', shared.id))!.counter).toBe(50);
	expect(await store.count('User')).toBe(51);
	await store.close();
});

test('one process owns a store directory', async () => {
	const store = new FileIdentityStore(dir);
	expect(() => new FileIdentityStore(dir)).toThrow(/already open/);
	await store.close();
});

test('a crash (SIGKILL) mid-stream loses no acknowledged write and corrupts nothing', async () => {
	const script = `
		const { FileIdentityStore } = require(${JSON.stringify(join(__dirname, '..', '..', 'lib', 'store', 'fileIdentityStore.ts'))});
		const store = new FileIdentityStore(${JSON.stringify(dir)});
		(async () => { for (let i = 0; ; i++) { const r = await store.create('User', { userName: 'crash' + i }); process.stdout.write(r.id + '\\n'); } })();
	`;
	const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
		cwd: join(__dirname, '..', '..'),
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const acknowledged: string[] = [];
	await new Promise<void>((resolve) => {
		let buffer = '';
		child.stdout!.on('data', (chunk) => {
			buffer += chunk;
			const lines = buffer.split('\n');
			buffer = lines.pop()!;
			acknowledged.push(...lines);
			if (acknowledged.length >= 200 && !child.killed) {
				child.kill('SIGKILL');
				resolve();
			}
		});
	});
	await new Promise((r) => child.once('exit', r));
	const reopened = new FileIdentityStore(dir);
	for (const id of acknowledged) expect(await reopened.get('User', id)).toBeDefined();
	expect(await reopened.count('User')).toBeGreaterThanOrEqual(acknowledged.length);
	await reopened.close();
});

/** A journal or snapshot line is one entry: a put with its resource, or a delete. */
const isEntry = (v: unknown) => {
	const e = v as { op?: string; type?: string; id?: string; data?: { id?: string } };
	return (e.op === 'put' && e.data?.id === e.id) || (e.op === 'del' && typeof e.id === 'string');
};
const fileProblems = () => [
	...badLines(join(dir, 'journal.jsonl'), isEntry, '{"op":'),
	...badLines(join(dir, 'snapshot.jsonl'), isEntry, '{"op":', false),
];

test('short writes (journal and snapshot): every acknowledged entry loads, each on its own line', async () => {
	const SEED = 1802;
	const shortWrites = injectShortWrites(seeded(SEED));
	const expected = new Map<string, string>();
	try {
		const store = new FileIdentityStore(dir, { compactAfter: 40 });
		for (let i = 0; i < 100; i++) expected.set((await store.create('User', user(i))).id, `T${i}`);
		for (const id of [...expected.keys()].slice(0, 30)) {
			await store.update('User', id, (r) => ({ ...r, title: `T${r.userName}` }));
			expected.set(id, `TUser${[...expected.keys()].indexOf(id)}@Example.org`);
		}
		for (const id of [...expected.keys()].slice(90)) {
			await store.delete('User', id);
			expected.delete(id);
		}
		await store.close();
	} finally {
		shortWrites.restore();
	}
	expect(shortWrites.short).toBeGreaterThan(10);
	expect({ seed: SEED, problems: fileProblems() }).toEqual({ seed: SEED, problems: [] });
	const reopened = new FileIdentityStore(dir);
	expect({ seed: SEED, count: await reopened.count('User') }).toEqual({ seed: SEED, count: expected.size });
	for (const [id, title] of expected) {
		const found = await reopened.get('User', id);
		expect({ seed: SEED, id, title: found?.title ?? (found ? `T${[...expected.keys()].indexOf(id)}` : undefined) }).toEqual({
			seed: SEED,
			id,
			title,
		});
	}
	await reopened.close();
});

test('an append that fails midway (a full disk) or whose sync fails is cut back off: nothing unacknowledged stays, the next write loads', async () => {
	const fs = require('node:fs') as typeof import('node:fs');
	const store = new FileIdentityStore(dir);
	const a = await store.create('User', user(1));
	const realWrite = fs.writeSync;
	let calls = 0;
	// The first call writes 10 bytes, the next finds the disk full.
	(fs as { writeSync: unknown }).writeSync = (fd: number, buffer: Buffer, offset: number) => {
		if (++calls > 1) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
		return realWrite(fd, buffer, offset, 10, null);
	};
	await expect(store.create('User', user(2))).rejects.toThrow(/ENOSPC/);
	fs.writeSync = realWrite;
	const realSync = fs.fdatasync;
	(fs as { fdatasync: unknown }).fdatasync = (_fd: number, callback: (error: Error) => void) => callback(new Error('EIO: i/o error'));
	await expect(store.create('User', user(3))).rejects.toThrow(/EIO/);
	fs.fdatasync = realSync;
	const c = await store.create('User', user(4));
	await store.close();
	expect(fileProblems()).toEqual([]);
	const reopened = new FileIdentityStore(dir);
	expect((await reopened.list('User')).map((r) => r.id)).toEqual([a.id, c.id]);
	await reopened.close();
});

/**
 * One writer in a child process, its writes cut short at random (seeded), killed with SIGKILL: either stopped right
 * after a short write (mid-line, for certain) or at a random moment. Its acknowledged ids are what it printed after
 * each create resolved.
 */
async function crashRound(seed: number, midLine: boolean): Promise<string[]> {
	const script = `
		const fs = require('node:fs');
		const { injectShortWrites, seeded } = require(${JSON.stringify(join(__dirname, '..', 'harness', 'shortWrites.ts'))});
		const { FileIdentityStore } = require(${JSON.stringify(join(__dirname, '..', '..', 'lib', 'store', 'fileIdentityStore.ts'))});
		const random = seeded(${seed});
		let stopAfter = ${midLine} ? 1 + Math.floor(random() * 40) : Infinity;
		injectShortWrites(random, (written, asked) => {
			if (written < asked && --stopAfter === 0) {
				fs.writeSync(1, 'MID-LINE\\n');
				Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
			}
		});
		const store = new FileIdentityStore(${JSON.stringify(dir)}, { compactAfter: 25 });
		(async () => {
			for (let i = 0; ; i++) {
				const r = await store.create('User', { userName: 'crash-${seed}-' + i });
				fs.writeSync(1, r.id + '\\n');
			}
		})();
	`;
	const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
		cwd: join(__dirname, '..', '..'),
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const killAfter = midLine ? Infinity : 5 + Math.floor(seeded(seed)() * 80);
	const acknowledged: string[] = [];
	await new Promise<void>((resolve) => {
		let buffer = '';
		child.stdout!.on('data', (chunk) => {
			buffer += chunk;
			const lines = buffer.split('\n');
			buffer = lines.pop()!;
			for (const line of lines) {
				if (line === 'MID-LINE' || acknowledged.length >= killAfter) {
					if (!child.killed) child.kill('SIGKILL');
					return resolve();
				}
				acknowledged.push(line);
			}
		});
		child.once('exit', () => resolve());
	});
	await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
	return acknowledged;
}

test('killed mid-line and at random points, with short writes: every acknowledged entry loads and no line is merged', async () => {
	const SEED = 18_300;
	const acknowledged: string[] = [];
	for (let round = 0; round < 6; round++) {
		const seed = SEED + round;
		const midLine = round % 2 === 0;
		const ids = await crashRound(seed, midLine);
		expect({ seed, acknowledgedSome: ids.length > 0 }).toEqual({ seed, acknowledgedSome: true });
		acknowledged.push(...ids);
		if (midLine) {
			// Stopped right after a short write: a line (or the snapshot being written) is unfinished on disk.
			const journal = readFileSync(join(dir, 'journal.jsonl'));
			const unfinished = journal.length > 0 && journal[journal.length - 1] !== 0x0a;
			expect({ seed, unfinished: unfinished || existsSync(join(dir, 'snapshot.jsonl.tmp')) }).toEqual({ seed, unfinished: true });
		}
		// Before the next writer cuts it off: only the last line may be torn; every complete line is one entry.
		expect({ seed, problems: fileProblems() }).toEqual({ seed, problems: [] });
		const reopened = new FileIdentityStore(dir);
		const missing = [];
		for (const id of acknowledged) if (!(await reopened.get('User', id))) missing.push(id);
		expect({ seed, missing }).toEqual({ seed, missing: [] });
		await reopened.close();
	}
});

test('pages in a stable (created, id) order: updates do not move a resource, deletes and creates keep the order, across a reopen', async () => {
	await pagingContract(
		() => new FileIdentityStore(dir, { compactAfter: 100 }),
		async (store) => {
			await store.close();
			return new FileIdentityStore(dir);
		},
	);
});

test('a store with the older one-document snapshot loads, and its next compaction moves it to the line snapshot', async () => {
	const legacy = {
		User: [
			{
				userName: 'old@x',
				id: 'u-old',
				meta: { resourceType: 'User', created: '2025-01-01T00:00:00.000Z', lastModified: '2025-01-01T00:00:00.000Z', version: 'W/"3"' },
			},
		],
		Group: [],
	};
	writeFileSync(join(dir, 'snapshot.json'), JSON.stringify(legacy));
	appendFileSync(
		join(dir, 'journal.jsonl'),
		`${JSON.stringify({ op: 'put', type: 'User', id: 'u-new', data: { ...legacy.User[0], id: 'u-new', userName: 'new@x' } })}\n`,
	);
	const store = new FileIdentityStore(dir);
	expect((await store.list('User')).map((r) => r.userName)).toEqual(['new@x', 'old@x']); // same created: by id
	store.compact();
	expect([existsSync(join(dir, 'snapshot.json')), existsSync(join(dir, 'snapshot.jsonl'))]).toEqual([false, true]);
	await store.delete('User', 'u-old');
	await store.close();
	const reopened = new FileIdentityStore(dir);
	expect((await reopened.list('User')).map((r) => r.userName)).toEqual(['new@x']);
	expect((await reopened.get('User', 'u-new'))!.meta.version).toBe('W/"3"');
	await reopened.close();
});
