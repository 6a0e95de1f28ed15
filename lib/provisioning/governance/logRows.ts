/**
 * The provisioning log as table rows: one flat row per record, with the run, workflow and node it belongs to.
 * The same columns serve an n8n Data Table and the SQL fallback table (README "Provisioning log"), so they are
 * snake_case and of the four Data Table types. Secrets are redacted when the record is built (log.ts); the row
 * redacts secret attribute names once more, by name, so a record from elsewhere cannot leak one either.
 */
import { isSecretAttribute, REDACTED } from '../../redact';
import { isObject } from '../../util';
import type { ModifiedProperty, ProvisioningLogRecord } from '../log';

export type LogColumnType = 'string' | 'number' | 'boolean' | 'date';

export const LOG_COLUMNS: ReadonlyArray<{ name: string; type: LogColumnType }> = [
	{ name: 'time', type: 'date' },
	{ name: 'run_id', type: 'string' },
	{ name: 'workflow_id', type: 'string' },
	{ name: 'workflow', type: 'string' },
	{ name: 'node', type: 'string' },
	{ name: 'target_system', type: 'string' },
	{ name: 'target', type: 'string' },
	{ name: 'action', type: 'string' },
	{ name: 'status', type: 'string' },
	{ name: 'source_key', type: 'string' },
	{ name: 'target_id', type: 'string' },
	{ name: 'changes', type: 'string' },
	{ name: 'error_code', type: 'string' },
	{ name: 'error_message', type: 'string' },
	{ name: 'dry_run', type: 'boolean' },
	{ name: 'attempt', type: 'number' },
	{ name: 'details', type: 'string' },
];

export interface LogRow {
	time: string;
	run_id: string;
	workflow_id: string;
	workflow: string;
	node: string;
	target_system: string;
	target: string;
	action: string;
	status: string;
	source_key: string | null;
	target_id: string | null;
	changes: string | null;
	error_code: string | null;
	error_message: string | null;
	dry_run: boolean;
	attempt: number | null;
	details: string | null;
}

/** The run a record belongs to. */
export interface LogContext {
	runId: string;
	workflowId: string;
	workflow: string;
	node: string;
}

/** Longest text kept in one cell; longer text is cut with a marker (a table row is not a dump). */
export const MAX_CELL = 4000;

const cut = (text: string) => (text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text);

const show = (value: unknown) => (value === undefined ? '(none)' : JSON.stringify(value));

/** `title: "Analyst" → "Lead Analyst"; active: true → false`, secrets as [Redact]. */
export function changesText(properties: ModifiedProperty[]): string | null {
	if (!properties.length) return null;
	return cut(
		properties
			.map((p) => {
				const secret = isSecretAttribute(p.name);
				const oldValue = secret && p.oldValue !== undefined ? REDACTED : p.oldValue;
				const newValue = secret && p.newValue !== undefined ? REDACTED : p.newValue;
				return `${p.name}: ${show(oldValue)} → ${show(newValue)}`;
			})
			.join('; '),
	);
}

/** The key an item is known by, for people: `userName=ada@example.org`, a group's name. */
export function sourceKeyOf(record: ProvisioningLogRecord, key?: string): string | null {
	if (key) return key;
	if (record.sourceKey) return record.sourceKey;
	if (record.matchedBy && record.matchedBy.value !== null) return `${record.matchedBy.attribute}=${record.matchedBy.value}`;
	return null;
}

/** One row for one record. */
export function rowFor(record: ProvisioningLogRecord, context: LogContext, extra: { key?: string; attempt?: number } = {}): LogRow {
	const details: Record<string, unknown> = {};
	if (record.source && Object.keys(record.source).length) details.source = record.source;
	if (record.details) details.details = record.details;
	if (record.error?.field) details.field = record.error.field;
	return {
		time: record.timestamp,
		run_id: context.runId,
		workflow_id: context.workflowId,
		workflow: context.workflow,
		node: context.node,
		target_system: record.targetSystem,
		target: record.targetEndpoint,
		action: record.action,
		status: record.status,
		source_key: sourceKeyOf(record, extra.key),
		target_id: record.targetId,
		changes: changesText(record.modifiedProperties ?? []),
		error_code: record.error?.code ?? null,
		error_message: record.error ? cut(record.error.reason) : null,
		dry_run: record.dryRun === true,
		attempt: extra.attempt ?? null,
		details: Object.keys(details).length ? cut(JSON.stringify(details)) : null,
	};
}

/** A provisioning-log record in an item of ours: a record, or a failure carrying one (either error shape). */
export function recordInItem(json: unknown, errorContext?: unknown): ProvisioningLogRecord | undefined {
	const isRecord = (v: unknown): v is ProvisioningLogRecord =>
		isObject(v) && typeof v.action === 'string' && typeof v.status === 'string' && typeof v.targetSystem === 'string';
	if (isRecord(json)) return json;
	if (isObject(json) && isObject(json.error) && isRecord(json.error.provisioningLog)) return json.error.provisioningLog;
	if (isObject(errorContext) && isRecord(errorContext.provisioningLog)) return errorContext.provisioningLog;
	return undefined;
}
