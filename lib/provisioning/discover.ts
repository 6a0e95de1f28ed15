/**
 * Discover Accounts: what is in a target, classified against the complete source (Entra's account discovery,
 * midPoint's synchronization situations). One paged listing of the managed scope, the remembered links read once
 * per store, and reconcile's comparison kept as pairs (keyPairs.ts); then a pure classification (discoverClassify.ts).
 * Reads only: nothing is written to the target or to the links.
 */
import { isEmptyValue, type ScalarValue } from '../envelope';
import type { Target, TargetEntry } from '../targets/target';
import { unique } from '../util';
import { classify, type DiscoverSource, type Discovery, type Relations } from './discoverClassify';
import { matchPairs } from './keyPairs';
import type { LinkBook } from './links';
import { protectionTest } from './reconcile';

export type { Candidate, Classified, DiscoverSource, Discovery, MatchedKey, Situation } from './discoverClassify';
export { SITUATIONS } from './discoverClassify';

export interface DiscoverOptions {
	/** Target-native filter for the managed scope (as reconcile's). */
	scopeFilter?: string;
	protectedValues?: string[];
	protectedFilter?: string;
	/** The anchor attribute: an account holding a source item's anchor value is linked to it. */
	anchor?: string;
	/** Delayed deletion as reconcile applies it: a disabled orphan is deleted this many days after its disable. */
	deleteDisabledAfterDays?: number;
	/** The remembered links of this target (items from a SCIM Trigger's store). */
	links?: LinkBook;
	clock?: () => Date;
}

/** Lower-cased, no spaces after commas: the bucket a remembered id is looked for in (then compared exactly or by sameId). */
const idBucket = (id: string) => id.trim().toLowerCase().replace(/,\s+/g, ',');

/** Source values of one attribute, each once, with the (source, key position) pairs that hold it. */
interface ValueTable {
	values: ScalarValue[];
	holders: number[][];
}

function valueTables(sources: DiscoverSource[], anchor: string | undefined): Map<string, ValueTable> {
	const tables = new Map<string, ValueTable & { seen: Map<string | number | boolean, number> }>();
	const add = (attribute: string, value: ScalarValue, s: number, k: number) => {
		let table = tables.get(attribute);
		if (!table) tables.set(attribute, (table = { values: [], holders: [], seen: new Map() }));
		// The value itself is the key: "1", 1 and true stay apart, as reconcile keeps them.
		let i = table.seen.get(value);
		if (i === undefined) {
			i = table.values.push(value) - 1;
			table.holders.push([]);
			table.seen.set(value, i);
		}
		table.holders[i].push(s, k);
	};
	sources.forEach((source, s) => {
		// Position -1 is the anchor, a link rather than a match key.
		if (anchor && source.anchor !== undefined && !isEmptyValue(source.anchor)) add(`\u0001${anchor}`, source.anchor, s, -1);
		source.keys.forEach((key, k) => {
			if (!isEmptyValue(key.value)) add(key.attribute, key.value as ScalarValue, s, k);
		});
	});
	return tables;
}

/** The remembered account of each source item, among the listed ones (-1: none, or a stale id that is not listed). */
async function rememberedEntries(target: Target, listed: TargetEntry[], sources: DiscoverSource[], links: LinkBook | undefined) {
	const out = sources.map(() => -1);
	const stale = new Map<number, string>();
	const linked = sources.flatMap((s, i) => (s.linked ? [{ i, item: s.linked }] : []));
	if (!links || linked.length === 0) return { out, stale };
	const ids = await links.targetIds(
		'User',
		linked.map((l) => l.item),
	);
	const buckets = new Map<string, number[]>();
	listed.forEach((entry, j) => {
		const key = idBucket(entry.id);
		const list = buckets.get(key);
		if (list) list.push(j);
		else buckets.set(key, [j]);
	});
	for (const { i, item } of linked) {
		// Unknown is not "not linked": a store that could not be read stops the discovery.
		const failure = ids.failure(item);
		if (failure) throw failure;
		const id = ids.targetId(item);
		if (id === undefined) continue;
		const j = (buckets.get(idBucket(id)) ?? []).find((n) => listed[n].id === id || target.users.sameId?.(listed[n].id, id));
		if (j === undefined) stale.set(i, id);
		else out[i] = j;
	}
	return { out, stale };
}

export async function discoverAccounts(target: Target, sources: DiscoverSource[], options: DiscoverOptions = {}): Promise<Discovery> {
	const accounts = target.users;
	const matchAttributes = unique(sources.flatMap((s) => s.keys.filter((k) => !isEmptyValue(k.value)).map((k) => k.attribute)));
	const listedAttributes = unique([...matchAttributes, ...accounts.identityAttributes, ...(options.anchor ? [options.anchor] : [])]);
	const listed: TargetEntry[] = [];
	for await (const entry of accounts.listAll({ attributes: listedAttributes, filter: options.scopeFilter })) listed.push(entry);

	const isProtected = await protectionTest(accounts, options, listedAttributes);
	const { out: remembered, stale } = await rememberedEntries(target, listed, sources, options.links);
	// Pairs per account: flat (source, key position) runs; per source: flat (key position, account) runs.
	const byEntry: number[][] = listed.map(() => []);
	const bySource: number[][] = sources.map(() => []);
	for (const [attribute, table] of valueTables(sources, options.anchor)) {
		const name = attribute.startsWith('\u0001') ? attribute.slice(1) : attribute;
		const pairs = await matchPairs(accounts, listed, name, table.values);
		pairs.forEach((valueIndices, j) => {
			for (const i of valueIndices) {
				const holders = table.holders[i];
				for (let h = 0; h < holders.length; h += 2) {
					byEntry[j].push(holders[h], holders[h + 1]);
					bySource[holders[h]].push(holders[h + 1], j);
				}
			}
		});
	}
	const relations: Relations = {
		listed,
		sources,
		anchor: options.anchor,
		remembered,
		stale,
		byEntry,
		bySource,
		isProtected: listed.map((entry) => isProtected(entry)),
	};
	return classify(relations, { deleteDisabledAfterDays: options.deleteDisabledAfterDays, now: (options.clock ?? (() => new Date()))() });
}
