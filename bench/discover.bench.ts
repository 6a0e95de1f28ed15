/**
 * Discover Accounts at scale: N accounts vs N source items at 10k and 100k, through the core (one listing, the
 * anchor, two match keys in precedence order, remembered links, protection), on the in-memory target adapter
 * (test/harness/memoryTarget.ts, exact keys): the classification's own time, without a server's listing speed.
 * Prints the time ratio for 10× the data (linear: about 10×, goal ≤ 12×) and peak memory.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type DiscoverSource, discoverAccounts } from '../lib/provisioning/discover';
import { LinkBook } from '../lib/provisioning/links';
import type { TargetEntry } from '../lib/targets/target';
import { MemoryLinkStore, memoryTarget } from '../test/harness/memoryTarget';

const STORE = { kind: 'file' as const, key: 'bench', sig: 'bench' };
const NOW = new Date('2026-06-01T00:00:00Z');

/**
 * A population with every situation, per 100 accounts: 10 anchored (linked), 1 remembered link, a pair disputed by
 * a shared first key, 1 disabled orphan (pending deletion), 1 orphan with a missing source item, 1 protected orphan,
 * 1 plain orphan; the rest matched by their first key.
 */
function population(n: number) {
	const entries: TargetEntry[] = [];
	const sources: DiscoverSource[] = [];
	const store = new MemoryLinkStore();
	const dn = (i: number) => `uid=u${i},ou=People,dc=example,dc=org`;
	for (let i = 0; i < n; i++) {
		const kind = i % 100;
		entries.push({
			id: dn(i),
			attributes: {
				mail: kind === 1 ? `u${i - 1}@x.org` : `u${i}@x.org`,
				uid: `u${i}`,
				...(kind >= 10 && kind < 20 ? { employeeNumber: `E${i}` } : {}),
			},
			active: kind !== 2,
			...(kind === 2 ? { disabledAt: new Date(NOW.getTime() - (i % 40) * 86400000) } : {}),
		});
		if (kind === 2 || kind === 4 || kind === 5) continue; // orphans: pending deletion, protected, plain
		if (kind === 20) store.links.set(`s${i}`, dn(i));
		const gone = kind === 3; // a source item whose account has other values: missing, and its account an orphan
		sources.push({
			keys: [
				{ attribute: 'mail', value: gone ? `gone${i}@x.org` : `u${i}@x.org` },
				{ attribute: 'uid', value: gone ? `gone${i}` : `u${i}` },
			],
			...(kind >= 10 && kind < 20 ? { anchor: `E${i}` } : {}),
			linked: { store: STORE, id: `s${i}` },
		});
	}
	return { entries, sources, store };
}

/** A full collection between rounds, so one round's garbage is not charged to the next. */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function measure(
	n: number,
): Promise<{ ms: number; cpuMs: number; counts: Record<string, number>; peakRssMb: number; heapMb: number }> {
	const { entries, sources, store } = population(n);
	const times: number[] = [];
	const cpu: number[] = [];
	let counts: Record<string, number> = {};
	let peak = process.memoryUsage().rss;
	let heap = 0;
	const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
	for (let round = 0; round < 5; round++) {
		collect();
		const target = memoryTarget(entries);
		const started = process.hrtime.bigint();
		const cpuBefore = process.cpuUsage();
		const result = await discoverAccounts(target, sources, {
			anchor: 'employeeNumber',
			protectedValues: Array.from({ length: Math.ceil(entries.length / 100) }, (_, k) => `u${k * 100 + 5}`),
			deleteDisabledAfterDays: 30,
			links: new LinkBook('memory', () => store),
			clock: () => NOW,
		});
		times.push(Number(process.hrtime.bigint() - started) / 1e6);
		const used = process.cpuUsage(cpuBefore);
		cpu.push((used.user + used.system) / 1000);
		heap = Math.max(heap, process.memoryUsage().heapUsed);
		counts = result.counts;
		if (target.users.calls.listAll !== 1) throw new Error('discovery must list the target once');
	}
	clearInterval(timer);
	return { ms: median(times), cpuMs: median(cpu), counts, peakRssMb: mb(Math.max(peak, process.memoryUsage().rss)), heapMb: mb(heap) };
}

export async function benchDiscover(sizes = (process.env.BENCH_DISCOVER_SIZES ?? '10000,100000').split(',').map(Number)): Promise<void> {
	console.log(
		'\nDiscover Accounts: N accounts × N source items, in-memory target adapter (exact keys), median of 5, a full GC before each',
	);
	console.log(
		`  process before: RSS ${mb(process.memoryUsage().rss)} MB, heap ${mb(process.memoryUsage().heapUsed)} MB (ts-node and the TypeScript compiler)`,
	);
	const results = [];
	for (const n of sizes) {
		const r = await measure(n);
		results.push({ n, ...r });
		console.log(
			`  ${n.toLocaleString('en')}: ${r.ms.toFixed(0)} ms (CPU ${r.cpuMs.toFixed(0)} ms), peak RSS ${r.peakRssMb} MB (maxRSS so far ${mb(process.resourceUsage().maxRSS * 1024)} MB), heap ${r.heapMb} MB; ${JSON.stringify(r.counts)}`,
		);
	}
	for (let i = 1; i < results.length; i++) {
		const [a, b] = [results[i - 1], results[i]];
		console.log(
			`  ${a.n.toLocaleString('en')} → ${b.n.toLocaleString('en')}: ${(b.ms / a.ms).toFixed(1)}× the time (CPU ${(b.cpuMs / a.cpuMs).toFixed(1)}×) for ${b.n / a.n}× the data (goal ≤ 12×)`,
		);
	}
}
