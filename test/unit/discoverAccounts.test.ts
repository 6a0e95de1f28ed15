/**
 * Discovery's classification (indexes and pairs, O(source + target)) agrees with a naive O(n·m) reference that
 * compares every source item with every account, on random populations with collisions, case variants, anchors,
 * remembered links (some stale), protection and disabled accounts. Fixed seed (fast-check prints it on failure);
 * both with exact match keys and with keys that only say "maybe" (the lookups settle those).
 */
import fc from 'fast-check';
import type { ScalarValue } from '../../lib/envelope';
import { type DiscoverSource, discoverAccounts, type Situation } from '../../lib/provisioning/discover';
import { LinkBook } from '../../lib/provisioning/links';
import { DAY_MS } from '../../lib/provisioning/reconcile';
import type { TargetEntry } from '../../lib/targets/target';
import { MemoryLinkStore, memoryTarget, norm } from '../harness/memoryTarget';

const SEED = 2222;
const NOW = new Date('2026-06-01T00:00:00Z');
const DELAY = 30;
const STORE = { kind: 'file' as const, key: 'k', sig: 's' };

/** The spec, pair by pair: links first, then the first key (in precedence order) that finds any account. */
function reference(entries: TargetEntry[], sources: DiscoverSource[], links: Map<string, string>, protectedIds: Set<string>) {
	const eq = (e: TargetEntry, attribute: string, v: ScalarValue | null) =>
		v !== null &&
		String(v).trim() !== '' &&
		[e.attributes[attribute]].flat().some((x) => x !== undefined && norm(x as ScalarValue) === norm(v));
	const linkOf = sources.map((s) =>
		entries.flatMap((e, j) =>
			(s.linked && links.get(s.linked.id) === e.id) || (s.anchor !== undefined && eq(e, 'employeeNumber', s.anchor)) ? [j] : [],
		),
	);
	const firstHit = sources.map((s, i) => {
		if (linkOf[i].length) return [];
		for (const key of s.keys) {
			const hits = entries.flatMap((e, j) => (eq(e, key.attribute, key.value) ? [j] : []));
			if (hits.length) return hits;
		}
		return [];
	});
	const anyKey = (s: DiscoverSource, e: TargetEntry) => s.keys.some((k) => eq(e, k.attribute, k.value));
	const out = new Map<string, { situation: Situation; sourceIndex: number | null; candidates: number[] }>();
	entries.forEach((e, j) => {
		const L = sources.flatMap((_, i) => (linkOf[i].includes(j) ? [i] : []));
		const M = sources.flatMap((_, i) => (firstHit[i].includes(j) ? [i] : []));
		const E = sources.flatMap((s, i) => (linkOf[i].length && !linkOf[i].includes(j) && anyKey(s, e) ? [i] : []));
		let situation: Situation;
		let sourceIndex: number | null = null;
		if (L.length === 1 && linkOf[L[0]].length === 1 && !M.length) [situation, sourceIndex] = ['linked', L[0]];
		else if (!L.length && M.length === 1 && firstHit[M[0]].length === 1 && !E.length) [situation, sourceIndex] = ['matched', M[0]];
		else if (L.length || M.length || E.length) situation = 'disputed';
		else if (protectedIds.has(e.id)) situation = 'protected';
		else if (e.active === false && e.disabledAt) situation = 'pendingDeletion';
		else situation = 'orphan';
		const candidates = situation === 'disputed' ? [...new Set([...L, ...M, ...E])].sort((a, b) => a - b) : [];
		out.set(e.id, { situation, sourceIndex, candidates });
	});
	const missing = sources.flatMap((_, i) => (!linkOf[i].length && !firstHit[i].length ? [i] : []));
	return { accounts: out, missing };
}

const value = fc.constantFrom('a', 'A', ' a ', 'b', 'B', 'c', 'd', 'e', '');
const population = fc.record({
	entries: fc.array(
		fc.record({
			mail: fc.oneof(value, fc.array(value, { maxLength: 2 })),
			uid: value,
			employeeNumber: fc.option(value, { nil: undefined }),
			active: fc.boolean(),
			disabledDaysAgo: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
			protected: fc.boolean(),
		}),
		{ maxLength: 12 },
	),
	sources: fc.array(
		fc.record({
			mail: fc.option(value, { nil: null }),
			uid: fc.option(value, { nil: null }),
			reversed: fc.boolean(),
			anchor: fc.option(value, { nil: undefined }),
			link: fc.option(fc.integer({ min: 0, max: 14 }), { nil: undefined }),
		}),
		{ maxLength: 12 },
	),
	exact: fc.boolean(),
});

test('discovery classifies exactly as the naive reference on random populations', async () => {
	await fc.assert(
		fc.asyncProperty(population, async ({ entries: specs, sources: specSources, exact }) => {
			const entries: TargetEntry[] = specs.map((s, j) => ({
				id: `acc-${j}`,
				attributes: { mail: s.mail, uid: s.uid, ...(s.employeeNumber === undefined ? {} : { employeeNumber: s.employeeNumber }) },
				active: s.active,
				...(!s.active && s.disabledDaysAgo !== undefined ? { disabledAt: new Date(NOW.getTime() - s.disabledDaysAgo * DAY_MS) } : {}),
			}));
			const store = new MemoryLinkStore();
			const sources: DiscoverSource[] = specSources.map((s, i) => {
				// Links to acc-12..14 are stale: no such account is listed.
				if (s.link !== undefined) store.links.set(`src-${i}`, `acc-${s.link}`);
				const keys = [
					{ attribute: 'mail', value: s.mail },
					{ attribute: 'uid', value: s.uid },
				];
				return {
					keys: s.reversed ? keys.reverse() : keys,
					...(s.anchor === undefined || s.anchor.trim() === '' ? {} : { anchor: s.anchor }),
					linked: { store: STORE, id: `src-${i}` },
				};
			});
			const protectedIds = new Set(entries.filter((_, j) => specs[j].protected).map((e) => e.id));
			const target = memoryTarget(entries, exact);
			const got = await discoverAccounts(target, sources, {
				anchor: 'employeeNumber',
				protectedValues: [...protectedIds],
				deleteDisabledAfterDays: DELAY,
				links: new LinkBook('memory', () => store),
				clock: () => NOW,
			});
			const want = reference(entries, sources, store.links, protectedIds);
			expect(target.users.calls.listAll).toBe(1);
			const gotAccounts = new Map(
				got.items
					.filter((i) => i.account)
					.map((i) => [
						i.account!.id,
						{
							situation: i.situation,
							sourceIndex: i.sourceIndex,
							candidates: i.candidates.map((c) => c.sourceIndex).sort((a, b) => a - b),
						},
					]),
			);
			expect(gotAccounts).toEqual(want.accounts);
			expect(got.items.filter((i) => i.situation === 'missing').map((i) => i.sourceIndex)).toEqual(want.missing);
			expect(Object.values(got.counts).reduce((a, b) => a + b, 0)).toBe(entries.length + want.missing.length);
		}),
		{ seed: SEED, numRuns: 400 },
	);
});

test('pendingDeletion carries the day delayed deletion deletes it; an orphan without a recorded time stays an orphan', async () => {
	const entries: TargetEntry[] = [
		{ id: 'young', attributes: { mail: 'x' }, active: false, disabledAt: new Date('2026-05-20T00:00:00Z') },
		{ id: 'old', attributes: { mail: 'y' }, active: false, disabledAt: new Date('2026-04-01T00:00:00Z') },
		{ id: 'untimed', attributes: { mail: 'z' }, active: false },
	];
	const got = await discoverAccounts(memoryTarget(entries), [{ keys: [{ attribute: 'mail', value: 'w' }] }], {
		deleteDisabledAfterDays: DELAY,
		clock: () => NOW,
	});
	expect(got.items.map((i) => [i.account?.id ?? null, i.situation, i.deletionDue])).toEqual([
		['young', 'pendingDeletion', '2026-06-19T00:00:00.000Z'],
		['old', 'pendingDeletion', '2026-05-01T00:00:00.000Z'],
		['untimed', 'orphan', null],
		[null, 'missing', null],
	]);
	expect(got.items[1].reason).toMatch(/next reconcile run/);
	expect(got.items[2].reason).toMatch(/no recorded time/);
});

test('secret attributes are redacted in the account shown', async () => {
	const entries: TargetEntry[] = [{ id: 'a', attributes: { mail: 'x', userPassword: 'S3cr3t-pw' } }];
	const got = await discoverAccounts(memoryTarget(entries), [{ keys: [{ attribute: 'mail', value: 'x' }] }]);
	expect(got.items[0].account!.attributes).toEqual({ mail: 'x', userPassword: '[Redact]' });
});

test('links that cannot be read stop the discovery (unknown is not "not linked"): StoreUnavailable, retryable', async () => {
	const broken = new MemoryLinkStore();
	broken.get = async () => {
		throw new Error('connection refused');
	};
	const entries: TargetEntry[] = [{ id: 'a', attributes: { mail: 'x' } }];
	const source: DiscoverSource = { keys: [{ attribute: 'mail', value: 'y' }], linked: { store: STORE, id: 's0' } };
	await expect(discoverAccounts(memoryTarget(entries), [source], { links: new LinkBook('memory', () => broken) })).rejects.toMatchObject({
		code: 'StoreUnavailable',
		transient: true,
	});
});
