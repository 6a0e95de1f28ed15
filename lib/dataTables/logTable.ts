/**
 * The provisioning log kept in an n8n Data Table: created with the right columns when missing, appended to in
 * batches, queried by user, action, status, time and run, and pruned by age.
 */
import { ProvisioningError } from '../errors';
import { LOG_COLUMNS, type LogRow } from '../provisioning/governance/logRows';
import { chunks } from '../util';
import type { DataTableApi, DataTableFilter, DataTableInfo, DataTableRow } from './dataTableApi';

export interface LogQuery {
	/** Part of the source key (`userName=ada@example.org`, a group's name), without regard to case. */
	user?: string;
	/** Part of the target id (SCIM id, DN, row key). */
	targetId?: string;
	actions?: string[];
	statuses?: string[];
	/** ISO timestamps, inclusive. */
	from?: string;
	to?: string;
	runId?: string;
	workflowId?: string;
	node?: string;
	/** Most rows returned, newest first. */
	limit: number;
}

/** Rows per insert request. */
export const INSERT_BATCH = 500;
const PAGE = 250;

/** n8n's Data Table ids are short alphanumeric strings; a name may look like one, so an id is tried first, then a name. */
const mayBeId = (text: string) => /^[A-Za-z0-9]{8,36}$/.test(text);

export class ProvisioningLogTable {
	private table?: DataTableInfo;

	constructor(
		private readonly api: DataTableApi,
		private readonly nameOrId: string,
		private readonly options: { create?: boolean } = { create: true },
	) {
		if (!nameOrId.trim())
			throw new ProvisioningError('Configuration', 'Name the Data Table for the provisioning log', { field: 'logTable' });
	}

	/** Finds the table (by id, then by name), creates it when missing, and adds missing columns. */
	async prepare(): Promise<DataTableInfo> {
		if (this.table) return this.table;
		const wanted = this.nameOrId.trim();
		let table = mayBeId(wanted) ? await this.api.get(wanted) : null;
		if (!table) {
			const [found] = await this.api.findByName(wanted);
			table = found ? ((await this.api.get(found.id)) ?? found) : null;
		}
		if (!table) {
			if (!this.options.create) {
				throw new ProvisioningError('Configuration', `There is no Data Table "${wanted}" for the API key's user`, { field: 'logTable' });
			}
			table = await this.api.create(wanted, [...LOG_COLUMNS]);
		} else {
			const have = new Map((table.columns ?? []).map((c) => [c.name, c.type]));
			for (const column of LOG_COLUMNS) {
				const type = have.get(column.name);
				if (type && type !== column.type) {
					throw new ProvisioningError(
						'Configuration',
						`The Data Table "${table.name}" has a column "${column.name}" of type ${type}; the provisioning log needs ${column.type}. Pick another table, or let the node create one.`,
						{ field: 'logTable' },
					);
				}
				if (!type && this.options.create) await this.api.addColumn(table.id, column);
			}
		}
		this.table = table;
		return table;
	}

	async append(rows: LogRow[]): Promise<void> {
		const { id } = await this.prepare();
		for (const batch of chunks(rows, INSERT_BATCH)) await this.api.insertRows(id, batch as unknown as DataTableRow[]);
	}

	/** Newest first; conditions n8n's filter cannot combine (several actions or statuses) are applied to the pages read. */
	async query(query: LogQuery): Promise<Array<DataTableRow & { id: number }>> {
		const { id } = await this.prepare();
		const filters: DataTableFilter['filters'] = [];
		if (query.user) filters.push({ columnName: 'source_key', condition: 'ilike', value: query.user });
		if (query.targetId) filters.push({ columnName: 'target_id', condition: 'ilike', value: query.targetId });
		if (query.actions?.length === 1) filters.push({ columnName: 'action', condition: 'eq', value: query.actions[0] });
		if (query.statuses?.length === 1) filters.push({ columnName: 'status', condition: 'eq', value: query.statuses[0] });
		if (query.from) filters.push({ columnName: 'time', condition: 'gte', value: query.from });
		if (query.to) filters.push({ columnName: 'time', condition: 'lte', value: query.to });
		if (query.runId) filters.push({ columnName: 'run_id', condition: 'eq', value: query.runId });
		if (query.workflowId) filters.push({ columnName: 'workflow_id', condition: 'eq', value: query.workflowId });
		if (query.node) filters.push({ columnName: 'node', condition: 'eq', value: query.node });
		const keep = (row: DataTableRow) =>
			(!query.actions || query.actions.length < 2 || query.actions.includes(String(row.action))) &&
			(!query.statuses || query.statuses.length < 2 || query.statuses.includes(String(row.status)));
		const out: Array<DataTableRow & { id: number }> = [];
		let cursor: string | undefined;
		do {
			const page = await this.api.getRows(id, { filter: { type: 'and', filters }, sortBy: 'time:desc', limit: PAGE, cursor });
			for (const row of page.data) if (keep(row) && out.length < query.limit) out.push(row);
			cursor = page.nextCursor ?? undefined;
		} while (cursor && out.length < query.limit);
		return out;
	}

	/** Deletes the records older than `before`; returns how many. */
	async prune(before: Date): Promise<number> {
		const { id } = await this.prepare();
		return this.api.deleteRows(id, { type: 'and', filters: [{ columnName: 'time', condition: 'lt', value: before.toISOString() }] });
	}
}
