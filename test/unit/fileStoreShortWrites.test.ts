/**
 * The other file stores under short writes (fs.writeSync writing part of its buffer, seeded) and after a crash
 * mid-line: the link journal beside the identity store, and the governance store's per-workflow documents. (The
 * identity store's own crash tests are in fileIdentityStore.test.ts.)
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GovernanceScope } from '../../lib/provisioning/governance/store';
import { FileGovernanceStore } from '../../lib/store/governance/fileGovernanceStore';
import { FileLinkStore } from '../../lib/store/links/fileLinkStore';
import { badLines, injectShortWrites, seeded } from '../harness/shortWrites';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'short-writes-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const isLinkEntry = (v: unknown) => typeof (v as { s?: unknown }).s === 'string' && typeof (v as { l?: unknown }).l === 'object';
const linkProblems = () => badLines(join(dir, 'links.jsonl'), isLinkEntry, '{"s":');

describe('link store', () => {
	test('short writes (journal and compaction): every acknowledged link loads, each batch on its own line', async () => {
		const SEED = 1803;
		const shortWrites = injectShortWrites(seeded(SEED));
		const expected = new Map<string, string>();
		try {
			const links = new FileLinkStore(dir);
			for (let i = 0; i < 40; i++) {
				const batch = Array.from({ length: 3 }, (_, n) => ({ sourceId: `s${i}-${n}`, targetId: `t${i}-${n}` }));
				await links.put('scim:https://app/Users', 'User', batch);
				for (const l of batch) expected.set(l.sourceId, l.targetId);
			}
			// Enough changes to one link to make the journal compact itself (over 1000 entries, 4× the live links).
			for (let i = 0; i < 1010; i++) await links.put('scim:https://app/Users', 'User', [{ sourceId: 's0-0', targetId: `moved-${i}` }]);
			expected.set('s0-0', 'moved-1009');
			await links.remove('scim:https://app/Users', 'User', ['s1-0']);
			expected.delete('s1-0');
			await links.close();
		} finally {
			shortWrites.restore();
		}
		expect(shortWrites.short).toBeGreaterThan(10);
		expect({ seed: SEED, problems: linkProblems() }).toEqual({ seed: SEED, problems: [] });
		const reopened = new FileLinkStore(dir);
		const found = await reopened.get('scim:https://app/Users', 'User', [...expected.keys(), 's1-0']);
		expect({ seed: SEED, links: Object.fromEntries(found) }).toEqual({ seed: SEED, links: Object.fromEntries(expected) });
		await reopened.close();
	});

	test('a torn last line (a crash mid-write) is cut off on load: the next batch does not share its line', async () => {
		const links = new FileLinkStore(dir);
		await links.put('scope', 'User', [{ sourceId: 'a', targetId: 'A' }]);
		await links.close();
		appendFileSync(join(dir, 'links.jsonl'), '{"s":"scope","t":"User","l":{"torn":"T');
		const reopened = new FileLinkStore(dir);
		await reopened.put('scope', 'User', [{ sourceId: 'b', targetId: 'B' }]);
		await reopened.close();
		expect(linkProblems()).toEqual([]);
		const again = new FileLinkStore(dir);
		expect(Object.fromEntries(await again.get('scope', 'User', ['a', 'b', 'torn']))).toEqual({ a: 'A', b: 'B' });
		await again.close();
	});
});

describe('governance store', () => {
	const scope = (n: number): GovernanceScope => ({
		key: `wf-short|node-${n}|scim`,
		workflowId: 'wf-short',
		nodeId: `node-${n}`,
		nodeName: `Provision User ${n}`,
		target: 'scim',
	});

	test('short writes: every document is written whole', async () => {
		const SEED = 1804;
		const shortWrites = injectShortWrites(seeded(SEED));
		const store = new FileGovernanceStore(dir);
		try {
			for (let n = 0; n < 20; n++)
				await store.updateQuarantine(scope(n), () => ({
					state: { failures: [], quarantine: undefined } as never,
					result: undefined,
				}));
			await store.settleEscrow(scope(0), 'run-1', {
				put: [
					{
						entry: {
							key: 'userName=ada',
							input: { attributes: { userName: 'ada' } },
							attempts: 1,
							firstFailedAt: 'x',
							lastError: { code: 'Timeout', reason: 'e' },
							inputSeq: 1,
						},
						retried: false,
					},
				],
				remove: [],
				succeeded: [],
			});
		} finally {
			shortWrites.restore();
		}
		expect(shortWrites.short).toBeGreaterThan(5);
		const rows = await store.listQuarantine({ workflowId: 'wf-short' });
		expect({ seed: SEED, nodes: rows.map((r) => r.scope.nodeId).sort() }).toEqual({
			seed: SEED,
			nodes: Array.from({ length: 20 }, (_, n) => `node-${n}`).sort(),
		});
		expect(await store.countEscrow(scope(0))).toBe(1);
	});
});
