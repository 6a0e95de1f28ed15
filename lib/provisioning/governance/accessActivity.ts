/**
 * Provisioning activity per day, from provisioning-log rows (the Data Table's columns) or records: creates, updates,
 * disables and failures in a window of whole days. Days are UTC days (00:00 to 24:00 UTC), whatever zone the
 * process or the workflow runs in: the log's times are instants, and a report read in several places must agree.
 */
import { parseTime } from '../../times';
import { isObject } from '../../util';
import { type LogRow, recordInItem, rowFor } from './logRows';

export const DAY_MS = 24 * 60 * 60 * 1000;

export type ActivitySeries = 'creates' | 'updates' | 'disables' | 'failures';
export const ACTIVITY_SERIES: readonly ActivitySeries[] = ['creates', 'updates', 'disables', 'failures'];

export interface ActivityDay extends Record<ActivitySeries, number> {
	/** The UTC day, YYYY-MM-DD. */
	day: string;
}

/** The part of a log row the activity needs. */
export type ActivityRow = Pick<LogRow, 'time' | 'action' | 'status' | 'target_system' | 'target'> & { dry_run?: boolean | null };

/**
 * Which series a row counts in, if any: a failure whatever its action; otherwise Create, Update and Enable, Disable
 * and Delete. NoChange, Skipped and staged (approval) rows changed nothing; dry runs neither.
 */
export function seriesOf(row: Pick<ActivityRow, 'action' | 'status' | 'dry_run'>): ActivitySeries | undefined {
	if (row.dry_run === true) return undefined;
	if (row.status === 'Failure' || row.action === 'Failed') return 'failures';
	if (row.status !== 'Success' && row.status !== 'Warning') return undefined;
	switch (row.action) {
		case 'Create':
			return 'creates';
		case 'Update':
		case 'Enable':
			return 'updates';
		case 'Disable':
		case 'Delete':
			return 'disables';
		default:
			return undefined;
	}
}

/** The UTC day of an instant, YYYY-MM-DD. */
export const utcDay = (at: Date | number): string => new Date(at).toISOString().slice(0, 10);

/** The window: `days` whole UTC days ending with the day of `now` (inclusive); `to` is exclusive. */
export function activityWindow(now: Date, days: number): { from: Date; to: Date; days: string[] } {
	const count = Math.max(1, Math.floor(days));
	const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
	const list = Array.from({ length: count }, (_, i) => utcDay(today - (count - 1 - i) * DAY_MS));
	return { from: new Date(today - (count - 1) * DAY_MS), to: new Date(today + DAY_MS), days: list };
}

/** The time of a row as an instant; a time written without an offset is UTC, as the log writes them. */
export function rowTime(value: unknown): Date | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const time = typeof value === 'number' ? new Date(value) : parseTime(value);
	return time && !Number.isNaN(time.getTime()) ? time : undefined;
}

/** One zero-filled entry per day of the window, in order, with the rows counted in. Rows outside the window are left out. */
export function activityByDay(rows: Iterable<ActivityRow>, window: { from: Date; to: Date; days: string[] }): ActivityDay[] {
	const byDay = new Map(window.days.map((day) => [day, { day, creates: 0, updates: 0, disables: 0, failures: 0 }]));
	for (const row of rows) {
		const series = seriesOf(row);
		const time = series && rowTime(row.time);
		if (!series || !time || time < window.from || time >= window.to) continue;
		byDay.get(utcDay(time))![series]++;
	}
	return [...byDay.values()];
}

/** Totals of a list of days. */
export function activityTotals(days: ActivityDay[]): Record<ActivitySeries, number> {
	const totals = { creates: 0, updates: 0, disables: 0, failures: 0 };
	for (const day of days) for (const s of ACTIVITY_SERIES) totals[s] += day[s];
	return totals;
}

/** A log row (n8n's Data Table node or Query Records gives these) or a record (an action node's output), as an activity row. */
export function activityRowOf(json: unknown): ActivityRow | undefined {
	if (!isObject(json)) return undefined;
	const looksLikeRow =
		typeof json.action === 'string' && typeof json.status === 'string' && 'time' in json && typeof json.target === 'string';
	if (looksLikeRow) {
		return {
			time: json.time as string,
			action: json.action as string,
			status: json.status as string,
			target_system: String(json.target_system ?? ''),
			target: json.target as string,
			dry_run: json.dry_run === true || json.dry_run === 'true',
		};
	}
	const record = recordInItem(json);
	if (!record) return undefined;
	return rowFor(record, { runId: '', workflowId: '', workflow: '', node: '' });
}
