/**
 * The classification of discovery, from the relations between source items and listed accounts (no I/O): links
 * (remembered target ids and the anchor) first, then match keys in precedence order as Provision User tries them,
 * so each situation says what Provision User and reconcile would do with the account.
 */
import type { AttributeMap, MatchKey, ScalarValue } from '../envelope';
import { isSecretAttribute, REDACTED } from '../redact';
import type { TargetEntry } from '../targets/target';
import type { Linked } from './links';
import { DAY_MS } from './reconcile';

/** One source item: its match keys in precedence order, its anchor value, and its trigger store id if it has one. */
export interface DiscoverSource {
	keys: MatchKey[];
	anchor?: ScalarValue;
	linked?: Linked;
}

export const SITUATIONS = ['linked', 'matched', 'disputed', 'orphan', 'protected', 'pendingDeletion', 'missing'] as const;
export type Situation = (typeof SITUATIONS)[number];

export interface MatchedKey {
	attribute: string;
	value: ScalarValue;
	sourceIndex: number;
}

/** A source item involved in a disputed account, and the accounts it is linked to (its remembered one, its anchor's). */
export interface Candidate {
	sourceIndex: number;
	matchedKeys: MatchedKey[];
	linkedTo: string[];
}

export interface AccountView {
	id: string;
	active?: boolean;
	disabledAt?: string;
	attributes: AttributeMap;
	protected: boolean;
}

export interface Classified {
	situation: Situation;
	reason: string;
	account: AccountView | null;
	sourceIndex: number | null;
	matchedKeys: MatchedKey[];
	linkedBy: 'remembered' | 'anchor' | null;
	candidates: Candidate[];
	deletionDue: string | null;
}

export interface Discovery {
	items: Classified[];
	counts: Record<Situation, number>;
	accounts: number;
	sources: number;
	at: string;
}

/** What discovery found between the two sides; pairs are flat runs (see discover.ts). */
export interface Relations {
	listed: TargetEntry[];
	sources: DiscoverSource[];
	anchor?: string;
	/** Per source: the listed account its remembered link names, or -1. */
	remembered: number[];
	/** Per source: a remembered target id that is not among the listed accounts. */
	stale: Map<number, string>;
	/** Per account: (source, key position) pairs; position -1 is the anchor. */
	byEntry: number[][];
	/** Per source: (key position, account) pairs. */
	bySource: number[][];
	isProtected: boolean[];
}

const uniq = (xs: number[]) => [...new Set(xs)];

/** The account as shown: the listed attributes, secrets redacted as the provisioning log redacts them. */
const secretNames = new Map<string, boolean>();
const isSecret = (name: string) => {
	let secret = secretNames.get(name);
	if (secret === undefined) secretNames.set(name, (secret = isSecretAttribute(name)));
	return secret;
};

function viewOf(entry: TargetEntry, isProtected: boolean): AccountView {
	const attributes: AttributeMap = {};
	for (const name of Object.keys(entry.attributes)) attributes[name] = isSecret(name) ? REDACTED : entry.attributes[name];
	return {
		id: entry.id,
		...(entry.active === undefined ? {} : { active: entry.active }),
		...(entry.disabledAt ? { disabledAt: entry.disabledAt.toISOString() } : {}),
		attributes,
		protected: isProtected,
	};
}

/** One classified item, always built in the same shape (one hidden class for 100,000 of them). */
function item(
	situation: Situation,
	reason: string,
	account: AccountView | null,
	sourceIndex: number | null = null,
	matchedKeys: MatchedKey[] = [],
	linkedBy: Classified['linkedBy'] = null,
	candidates: Candidate[] = [],
	deletionDue: string | null = null,
): Classified {
	return { situation, reason, account, sourceIndex, matchedKeys, linkedBy, candidates, deletionDue };
}

export function classify(r: Relations, { deleteDisabledAfterDays, now }: { deleteDisabledAfterDays?: number; now: Date }): Discovery {
	const { listed, sources } = r;
	const keyOf = (s: number, k: number): MatchedKey =>
		k === -1
			? { attribute: r.anchor!, value: sources[s].anchor!, sourceIndex: s }
			: { attribute: sources[s].keys[k].attribute, value: sources[s].keys[k].value as ScalarValue, sourceIndex: s };

	// Per source: the accounts it is linked to, and (when it has none) the accounts its first hitting key finds.
	// Most lists are empty or hold one: they share NONE until something is added (100,000s of arrays are GC time).
	const NONE: number[] = [];
	const add = (lists: number[][], i: number, value: number) => {
		if (lists[i] === NONE) lists[i] = [value];
		else lists[i].push(value);
	};
	const links: number[][] = sources.map((_, s) => (r.remembered[s] === -1 ? NONE : [r.remembered[s]]));
	const firstHit: number[][] = sources.map(() => NONE);
	sources.forEach((_, s) => {
		const pairs = r.bySource[s];
		let first = Infinity;
		for (let p = 0; p < pairs.length; p += 2) {
			if (pairs[p] === -1) add(links, s, pairs[p + 1]);
			else first = Math.min(first, pairs[p]);
		}
		if (links[s].length > 1) links[s] = uniq(links[s]);
		if (links[s].length) return;
		for (let p = 0; p < pairs.length; p += 2) if (pairs[p] === first) add(firstHit, s, pairs[p + 1]);
		if (firstHit[s].length > 1) firstHit[s] = uniq(firstHit[s]);
	});
	const linkedBy: number[][] = listed.map(() => NONE);
	const matchedBy: number[][] = listed.map(() => NONE);
	sources.forEach((_, s) => {
		for (const j of links[s]) add(linkedBy, j, s);
		for (const j of firstHit[s]) add(matchedBy, j, s);
	});

	const items: Classified[] = [];
	const ids = (js: number[]) => js.map((j) => listed[j].id);
	const keysBetween = (j: number, s: number) => {
		const out: MatchedKey[] = [];
		const pairs = r.byEntry[j];
		for (let p = 0; p < pairs.length; p += 2) if (pairs[p] === s) out.push(keyOf(s, pairs[p + 1]));
		return out;
	};
	const spell = (keys: MatchedKey[]) => keys.map((k) => `${k.attribute} = ${String(k.value)}`).join(', ');
	listed.forEach((entry, j) => {
		const account = viewOf(entry, r.isProtected[j]);
		const L = linkedBy[j];
		const M = matchedBy[j];
		// Source items linked to other accounts that this one matches by a key.
		const pairs = r.byEntry[j];
		const elsewhere: number[] = [];
		for (let p = 0; p < pairs.length; p += 2) {
			const s = pairs[p];
			if (links[s].length > 0 && !links[s].includes(j) && !L.includes(s)) elsewhere.push(s);
		}
		const E = elsewhere.length > 1 ? uniq(elsewhere) : elsewhere;
		if (L.length === 1 && links[L[0]].length === 1 && M.length === 0) {
			const s = L[0];
			const remembered = r.remembered[s] === j;
			const keys = keysBetween(j, s).filter((k) => remembered || k.attribute === r.anchor);
			const how = remembered
				? `source item ${s}'s remembered link names it`
				: `the anchor ${spell(keys.filter((k) => k.attribute === r.anchor))}`;
			items.push(item('linked', `Linked to source item ${s}: ${how}`, account, s, keys, remembered ? 'remembered' : 'anchor'));
			return;
		}
		if (L.length === 0 && M.length === 1 && firstHit[M[0]].length === 1 && E.length === 0) {
			const keys = keysBetween(j, M[0]);
			items.push(item('matched', `Not linked; source item ${M[0]} matches it by ${spell(keys)}`, account, M[0], keys));
			return;
		}
		if (L.length || M.length || E.length) {
			const involved = uniq([...L, ...M, ...E]);
			const why: string[] = [];
			if (L.length > 1) why.push(`source items ${L.join(', ')} are all linked to it`);
			for (const s of L) if (links[s].length > 1) why.push(`source item ${s} is linked to ${links[s].length} accounts`);
			if (L.length && M.length)
				why.push(`it is linked, and source item${M.length > 1 ? 's' : ''} ${M.join(', ')} match${M.length > 1 ? '' : 'es'} it too`);
			if (!L.length && M.length > 1) why.push(`source items ${M.join(', ')} all match it`);
			for (const s of M) if (firstHit[s].length > 1) why.push(`source item ${s} matches ${firstHit[s].length} accounts`);
			for (const s of E) why.push(`it matches source item ${s}, which is linked to ${ids(links[s]).join(', ')}`);
			const candidates = involved.map((s) => ({ sourceIndex: s, matchedKeys: keysBetween(j, s), linkedTo: ids(links[s]) }));
			const keys = candidates.flatMap((c) => c.matchedKeys);
			items.push(item('disputed', `Disputed: ${why.join('; ')}`, account, null, keys, null, candidates));
			return;
		}
		const nobody = 'No source item links to it or matches it';
		if (r.isProtected[j]) {
			items.push(item('protected', `${nobody}; it is protected, so reconcile never touches it`, account));
		} else if (entry.active === false && deleteDisabledAfterDays !== undefined && entry.disabledAt) {
			const due = new Date(entry.disabledAt.getTime() + deleteDisabledAfterDays * DAY_MS);
			const when = due.getTime() < now.getTime() ? 'at the next reconcile run (overdue)' : `after ${due.toISOString()}`;
			const reason = `${nobody}; disabled since ${entry.disabledAt.toISOString()}, deleted ${when}`;
			items.push(item('pendingDeletion', reason, account, null, [], null, [], due.toISOString()));
		} else {
			const disabled =
				entry.active === false
					? deleteDisabledAfterDays === undefined
						? '; already disabled'
						: '; disabled with no recorded time, so delayed deletion keeps it'
					: '';
			items.push(item('orphan', `${nobody}${disabled}`, account));
		}
	});
	sources.forEach((source, s) => {
		if (links[s].length || firstHit[s].length) return;
		const keys = source.keys.filter((k) => k.value !== null && k.value !== '').map((k) => k.attribute);
		const stale = r.stale.has(s) ? `; its remembered account ${r.stale.get(s)} is not among them` : '';
		const reason = keys.length
			? `No account in the managed scope has its ${keys.join(' or ')}${stale}`
			: `It has no value for any match key${stale}`;
		items.push(item('missing', reason, null, s));
	});
	const counts = Object.fromEntries(SITUATIONS.map((s) => [s, 0])) as Record<Situation, number>;
	for (const one of items) counts[one.situation]++;
	return { items, counts, accounts: listed.length, sources: sources.length, at: now.toISOString() };
}
