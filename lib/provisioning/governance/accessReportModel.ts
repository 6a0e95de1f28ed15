/** The access report's shape, shared by its builder (accessReport.ts) and its renderer (accessReportHtml.ts). */
import type { PlainObject } from '../../util';
import type { ActivityDay } from './accessActivity';

export const SITUATIONS = ['linked', 'matched', 'disputed', 'orphan', 'protected', 'pendingDeletion', 'missing'] as const;
export type Situation = (typeof SITUATIONS)[number];
export type SituationCounts = Record<Situation, number>;

export interface ReportTarget {
	system: string;
	endpoint: string;
}

/** An account of an Accounts / To Review item, as the tables show it. */
export interface ReportAccount {
	situation: Situation;
	id: string;
	active: boolean | null;
	attributes: PlainObject;
	reason: string;
	/** Disputed: the source items involved (their match keys, as `attribute=value`). */
	candidates: string[];
}

export interface TargetReport {
	target: ReportTarget;
	/** From the Summary item; counted from the Accounts items when there is none; null when only the log names the target. */
	counts: SituationCounts | null;
	total: number | null;
	discoveredAt: string | null;
	orphans: ReportAccount[];
	disputed: ReportAccount[];
	days: ActivityDay[];
	activity: Record<'creates' | 'updates' | 'disables' | 'failures', number>;
}

export interface AccessReport {
	generatedAt: string;
	/** The activity window: whole UTC days. */
	window: { from: string; to: string; days: number; timeZone: 'UTC' };
	targets: TargetReport[];
	/** Sums over the targets. */
	counts: SituationCounts & { total: number };
	/** Activity per day over every target. */
	days: ActivityDay[];
	html: string;
	/** One flat row for a Data Table (trend): the run's counts and activity. */
	summary: PlainObject;
}
