/**
 * The file link store on a real disk: a batch torn by a crash mid-write is dropped, and the next acknowledged batch
 * never shares its line (it would be skipped on load: a link lost, so a renamed user is created again). A line that
 * cannot be read anywhere but at the end is damage, not a torn write: the links are unknown, and opening says so.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinkBook } from '../../lib/provisioning/links';
import { FileLinkStore } from '../../lib/store/links/fileLinkStore';

const scope = 'scim:https://app.example/scim/v2/Users';
const dirs: string[] = [];
const freshDir = (): string => {
	const dir = mkdtempSync(join(tmpdir(), 'links-'));
	dirs.push(dir);
	return dir;
};
afterAll(() => {
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('a torn last batch is dropped and the next batch loads after a restart', async () => {
	const dir = freshDir();
	const first = new FileLinkStore(dir);
	await first.put(scope, 'User', [{ sourceId: 'a', targetId: 'A' }]);
	await first.close();
	// A crash in the middle of the next batch's line.
	appendFileSync(join(dir, 'links.jsonl'), '{"s":"scim:x","t":"User","l":{"b":"B');

	const second = new FileLinkStore(dir);
	await second.put(scope, 'User', [{ sourceId: 'c', targetId: 'C' }]);
	await second.close();

	const third = new FileLinkStore(dir);
	expect(Object.fromEntries(await third.get(scope, 'User', ['a', 'b', 'c']))).toEqual({ a: 'A', c: 'C' });
	await third.close();
});

test('a damaged line before the end makes the links unknown: the items fail as retryable, not matched by other keys', async () => {
	const dir = freshDir();
	const store = new FileLinkStore(dir);
	await store.put(scope, 'User', [{ sourceId: 'a', targetId: 'A' }]);
	await store.put(scope, 'User', [{ sourceId: 'b', targetId: 'B' }]);
	await store.close();
	const path = join(dir, 'links.jsonl');
	const [line1, line2] = readFileSync(path, 'utf8').split('\n');
	writeFileSync(path, `${line1.slice(0, 10)}\n${line2}\n`);

	expect(() => new FileLinkStore(dir)).toThrow(/line 1/);
	const storeRef = { kind: 'file' as const, key: 'k', sig: 'not-checked-here' };
	const book = new LinkBook(scope, () => new FileLinkStore(dir));
	const ids = await book.targetIds('User', [{ store: storeRef, id: 'b' }]);
	expect(ids.targetId({ store: storeRef, id: 'b' })).toBeUndefined();
	expect(ids.failure({ store: storeRef, id: 'b' })).toMatchObject({ code: 'StoreUnavailable', transient: true });
});
