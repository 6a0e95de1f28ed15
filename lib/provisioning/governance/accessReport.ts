/**
 * The access report: per target, the counts by situation (Discover Accounts' Summary), the orphans and disputed
 * accounts, and the provisioning activity of the last days from the log. Its input is whatever a workflow merges
 * in front of it: Discover Accounts' Summary and Accounts items, and log rows or records; each is recognised by its
 * shape. The HTML is rendered in accessReportHtml.ts.
 */
import { isObject, type PlainObject } from '../../util';
import { activityByDay, activityRowOf, type ActivityRow, activityTotals, activityWindow } from './accessActivity';
import { renderAccessReport } from './accessReportHtml';
import {
	type AccessReport,
	type ReportAccount,
	type ReportTarget,
	type Situation,
	type SituationCounts,
	SITUATIONS,
	type TargetReport,
} from './accessReportModel';

export * from './accessReportModel';

export interface AccessReportOptions {
	now: Date;
	/** Days of activity (30). */
	days?: number;
	title?: string;
}

const zeroCounts = (): SituationCounts => ({ linked: 0, matched: 0, disputed: 0, orphan: 0, protected: 0, pendingDeletion: 0, missing: 0 });
const isSituation = (value: unknown): value is Situation => typeof value === 'string' && (SITUATIONS as readonly string[]).includes(value);
const targetOf = (value: unknown): ReportTarget | undefined =>
	isObject(value) && typeof value.system === 'string' && typeof value.endpoint === 'string'
		? { system: value.system, endpoint: value.endpoint }
		: undefined;
const keyOf = (t: ReportTarget) => `${t.system} ${t.endpoint}`;

export type InputKind = 'summary' | 'account' | 'activity' | 'empty';

/** What an input item is; undefined when it is none of them. */
export function inputKind(json: unknown): InputKind | undefined {
	if (!isObject(json)) return undefined;
	if (Object.keys(json).length === 0) return 'empty';
	if (isObject(json.counts) && typeof json.total === 'number' && targetOf(json.target)) return 'summary';
	if (isSituation(json.situation) && targetOf(json.target)) return 'account';
	if (activityRowOf(json)) return 'activity';
	return undefined;
}

function accountOf(json: PlainObject): ReportAccount | undefined {
	const account = isObject(json.account) ? json.account : undefined;
	if (!account) return undefined;
	const candidates = Array.isArray(json.candidates) ? json.candidates : [];
	return {
		situation: json.situation as Situation,
		id: String(account.id ?? ''),
		active: typeof account.active === 'boolean' ? account.active : null,
		attributes: isObject(account.attributes) ? account.attributes : {},
		reason: String(json.reason ?? ''),
		candidates: candidates.filter(isObject).map((c) => {
			const keys = Array.isArray(c.matchedKeys) ? c.matchedKeys.filter(isObject) : [];
			const named = keys.map((k) => `${String(k.attribute)}=${String(k.value)}`).join(', ');
			// linkedTo: the account ids its links name (a list; the notes once said one id or null).
			const linked = (Array.isArray(c.linkedTo) ? c.linkedTo : [c.linkedTo]).filter((id) => typeof id === 'string' && id !== '');
			return `source item ${String(c.sourceIndex)}${named ? ` (${named})` : ''}${linked.length ? `, linked to ${linked.join(', ')}` : ''}`;
		}),
	};
}

interface Gathered {
	target: ReportTarget;
	summary?: PlainObject;
	counted: SituationCounts;
	seen: number;
	orphans: ReportAccount[];
	disputed: ReportAccount[];
	activity: ActivityRow[];
}

/** Sorts the input items by target; `unknown` lists the indexes of items that are none of the known shapes. */
export function gather(items: unknown[]): { targets: Gathered[]; unknown: number[] } {
	const byKey = new Map<string, Gathered>();
	const unknown: number[] = [];
	const slot = (target: ReportTarget) => {
		const key = keyOf(target);
		let found = byKey.get(key);
		if (!found) byKey.set(key, (found = { target, counted: zeroCounts(), seen: 0, orphans: [], disputed: [], activity: [] }));
		return found;
	};
	items.forEach((json, index) => {
		const kind = inputKind(json);
		const item = json as PlainObject;
		if (kind === 'summary') slot(targetOf(item.target)!).summary = item;
		else if (kind === 'account') {
			const at = slot(targetOf(item.target)!);
			at.counted[item.situation as Situation]++;
			at.seen++;
			const account = accountOf(item);
			if (account && account.situation === 'orphan') at.orphans.push(account);
			// To Review repeats the disputed items: one row per account.
			if (account && account.situation === 'disputed' && !at.disputed.some((d) => d.id === account.id)) at.disputed.push(account);
		} else if (kind === 'activity') {
			const row = activityRowOf(item)!;
			slot({ system: row.target_system, endpoint: row.target }).activity.push(row);
		} else if (kind === undefined) unknown.push(index);
	});
	return { targets: [...byKey.values()], unknown };
}

function countsOf(g: Gathered): SituationCounts | null {
	if (g.summary && isObject(g.summary.counts)) {
		const counts = zeroCounts();
		for (const s of SITUATIONS) counts[s] = Number(g.summary.counts[s]) || 0;
		return counts;
	}
	return g.seen ? g.counted : null;
}

/** Builds the report from the input items' json. Throws nothing for odd items: `gather` tells the caller about them. */
export function buildAccessReport(items: unknown[], options: AccessReportOptions): AccessReport {
	const window = activityWindow(options.now, options.days ?? 30);
	const { targets: gathered } = gather(items);
	const targets: TargetReport[] = gathered.map((g) => {
		const days = activityByDay(g.activity, window);
		const counts = countsOf(g);
		return {
			target: g.target,
			counts,
			total: g.summary ? Number(g.summary.total) || 0 : counts ? g.seen : null,
			discoveredAt: g.summary && typeof g.summary.at === 'string' ? g.summary.at : null,
			orphans: g.orphans,
			disputed: g.disputed,
			days,
			activity: activityTotals(days),
		};
	});
	const counts = { ...zeroCounts(), total: 0 };
	for (const t of targets) {
		for (const s of SITUATIONS) counts[s] += t.counts?.[s] ?? 0;
		counts.total += t.total ?? 0;
	}
	const days = activityByDay(
		gathered.flatMap((g) => g.activity),
		window,
	);
	const activity = activityTotals(days);
	const report = {
		generatedAt: options.now.toISOString(),
		window: { from: window.from.toISOString(), to: window.to.toISOString(), days: window.days.length, timeZone: 'UTC' as const },
		targets,
		counts,
		days,
		summary: {
			at: options.now.toISOString(),
			targets: targets.filter((t) => t.counts).length,
			total: counts.total,
			linked: counts.linked,
			matched: counts.matched,
			disputed: counts.disputed,
			orphan: counts.orphan,
			protected: counts.protected,
			pending_deletion: counts.pendingDeletion,
			missing: counts.missing,
			...activity,
		},
	};
	return { ...report, html: renderAccessReport(report, options.title ?? 'Access report') };
}
