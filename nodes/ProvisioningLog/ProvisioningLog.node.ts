import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';
import type { LogQuery } from '../../lib/dataTables/logTable';
import { buildAccessReport, gather } from '../../lib/provisioning/governance/accessReport';
import { recordInItem, rowFor } from '../../lib/provisioning/governance/logRows';
import { parseTime } from '../../lib/times';
import { configurationError } from '../shared/failures';
import { logTableFor } from '../shared/governance';
import { listSearch } from '../shared/listSearch';
import { DATA_TABLE_PICKER, locatorText, PICKER_VERSION, withPickers } from '../shared/pickers';
import { openStateStore } from '../shared/stores';
import { provisioningLogProperties } from './ProvisioningLogDescription';
import { stateWorkflows } from './stateAccess';

type Operation = 'query' | 'prune' | 'append' | 'formatRows' | 'accessReport' | 'quarantineStatus' | 'resetQuarantine';

const DAY = 24 * 60 * 60 * 1000;

export class ProvisioningLog implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Provisioning Log',
		name: 'provisioningLog',
		icon: { light: 'file:provisioningLog.svg', dark: 'file:provisioningLog.dark.svg' },
		group: ['transform'],
		// Version 2: quarantine status and reset act on this workflow unless an n8n API key vouches for another.
		// Version 3: the Data Table is a picker (nodes/shared/pickers.ts).
		version: [1, 2, PICKER_VERSION],
		defaultVersion: PICKER_VERSION,
		subtitle:
			'={{ {"query": "Query records", "prune": "Prune old records", "append": "Append records", "formatRows": "Format as table rows", "accessReport": "Build access report", "quarantineStatus": "Quarantine status", "resetQuarantine": "Reset quarantine"}[$parameter["operation"]] }}',
		description: 'Query and prune the provisioning log kept in a Data Table; build the access report; see and reset quarantined targets',
		defaults: { name: 'Provisioning Log' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'provisioningLogApi',
				required: true,
				// Hidden by value rather than shown by it: see nodes/shared/governanceDescriptions.ts. The quarantine
				// operations need it only for another workflow (version 1 never: "own" is its hidden setting).
				displayOptions: { hide: { operation: ['formatRows', 'accessReport'], stateWorkflow: ['this', 'own'] } },
			},
		],
		properties: withPickers(provisioningLogProperties, DATA_TABLE_PICKER),
	};

	methods = { listSearch: { dataTableSearch: listSearch.dataTableSearch } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as Operation;
		const text = (name: string, i = 0) => locatorText(this.getNodeParameter(name, i, ''));
		try {
			switch (operation) {
				case 'query':
					return [await query(this)];
				case 'prune': {
					const days = Number(this.getNodeParameter('retentionDays', 0, 30));
					if (!(days > 0)) throw new NodeOperationError(this.getNode(), `Keep records for at least one day, not ${days}`);
					const before = new Date(Date.now() - days * DAY);
					const table = await logTableFor(this, text('logTable'), false);
					const deleted = await table.prune(before);
					return [
						[{ json: { operation: 'prune', table: text('logTable'), olderThan: before.toISOString(), deleted }, pairedItem: { item: 0 } }],
					];
				}
				case 'append': {
					const rows = rowsOfInput(this);
					const table = await logTableFor(this, text('logTable'));
					await table.append(rows.map((r) => r.row));
					return [this.getInputData()];
				}
				case 'formatRows':
					return [rowsOfInput(this).map(({ row, index }) => ({ json: { ...row }, pairedItem: { item: index } }))];
				case 'accessReport':
					return [accessReport(this)];
				case 'quarantineStatus':
					return [await quarantineStatus(this)];
				case 'resetQuarantine': {
					const store = storeOf(this);
					const nodeName = text('stateNode') || undefined;
					const out: INodeExecutionData[] = [];
					for (const workflowId of await stateWorkflows(this, store)) {
						const reset = await store.clearQuarantine({ workflowId, nodeName });
						out.push({ json: { operation: 'resetQuarantine', workflowId, node: nodeName ?? null, reset }, pairedItem: { item: 0 } });
					}
					return [out];
				}
			}
		} catch (error) {
			// Already n8n's own error, saying what to fix: it stops the node as it is.
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
			if (error instanceof NodeOperationError) throw error;
			throw configurationError(this, error);
		}
	}
}

const storeOf = (ctx: IExecuteFunctions) => openStateStore(ctx);

/** One row per input item that carries a provisioning-log record (a record, or a failure with one). */
function rowsOfInput(ctx: IExecuteFunctions) {
	const workflow = ctx.getWorkflow();
	const context = {
		runId: String(ctx.getExecutionId() ?? ''),
		workflowId: String(workflow.id ?? ''),
		workflow: String(workflow.name ?? ''),
	};
	return ctx.getInputData().flatMap((item, index) => {
		const record = recordInItem(item.json, (item.error as { context?: unknown } | undefined)?.context);
		if (!record) {
			const error = new NodeOperationError(ctx.getNode(), `Item ${index} holds no provisioning-log record`, {
				itemIndex: index,
				description: 'Connect the Done or error output of Provision User, Deprovision User or Group Sync.',
			});
			if (ctx.continueOnFail()) return [];
			throw error;
		}
		const node = String(ctx.getNodeParameter('sourceNode', index, '') ?? '');
		return [{ index, row: rowFor(record, { ...context, node }, { attempt: record.retry?.attempt }) }];
	});
}

async function query(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const f = ctx.getNodeParameter('filters', 0, {}) as Record<string, unknown>;
	const iso = (value: unknown) => {
		if (value === undefined || value === '' || value === null) return undefined;
		// The editor's date picker gives a time without a zone: it is the workflow's time zone, as in n8n's own nodes.
		const time = parseTime(String(value), ctx.getTimezone());
		if (!time) throw new NodeOperationError(ctx.getNode(), `Filters: "${String(value)}" is not a date and time`);
		return time.toISOString();
	};
	const str = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
	const query: LogQuery = {
		user: str(f.user),
		targetId: str(f.targetId),
		actions: Array.isArray(f.actions) && f.actions.length ? (f.actions as string[]) : undefined,
		statuses: Array.isArray(f.statuses) && f.statuses.length ? (f.statuses as string[]) : undefined,
		from: iso(f.from),
		to: iso(f.to),
		runId: str(f.runId),
		workflowId: str(f.workflowId),
		node: str(f.node),
		limit: Math.max(1, Number(ctx.getNodeParameter('limit', 0, 50)) || 50),
	};
	const table = await logTableFor(ctx, locatorText(ctx.getNodeParameter('logTable', 0, '')), false);
	const rows = await table.query(query);
	return rows.map((row) => ({ json: row, pairedItem: { item: 0 } }));
}

async function quarantineStatus(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const nodeName = String(ctx.getNodeParameter('stateNode', 0, '') ?? '').trim();
	const only = ctx.getNodeParameter('onlyQuarantined', 0, true) !== false;
	const store = storeOf(ctx);
	const listed = [];
	for (const workflowId of await stateWorkflows(ctx, store)) listed.push(...(await store.listQuarantine({ workflowId })));
	const rows = listed.filter((r) => (!nodeName || r.scope.nodeName === nodeName) && (!only || r.state.quarantine));
	const out: INodeExecutionData[] = [];
	for (const { scope, state, updated } of rows) {
		const q = state.quarantine;
		out.push({
			json: {
				workflowId: scope.workflowId,
				node: scope.nodeName,
				target: scope.target,
				quarantined: q !== undefined,
				since: q?.since ?? null,
				reason: q?.reason ?? null,
				nextTrialAt: q?.nextTrialAt ?? null,
				failedTrials: q?.failedTrials ?? 0,
				keptItems: await store.countEscrow(scope),
				updated,
			},
			pairedItem: { item: 0 },
		});
	}
	return out;
}

/** One item: the page (`html`), the counts and the activity per day, and a flat `summary` row for a Data Table. */
function accessReport(ctx: IExecuteFunctions): INodeExecutionData[] {
	const items = ctx.getInputData().map((item) => item.json);
	const { unknown } = gather(items);
	if (unknown.length)
		throw new NodeOperationError(ctx.getNode(), `Item ${unknown[0]} is not Discover Accounts output nor a provisioning-log row or record`, {
			itemIndex: unknown[0],
			description:
				'Merge in front of this node: Discover Accounts’ Summary and Accounts outputs, and the log’s rows (n8n’s Data Table node, Query Records) or an action node’s records.',
		});
	const days = Number(ctx.getNodeParameter('reportDays', 0, 30));
	if (!(days >= 1 && days <= 366)) throw new NodeOperationError(ctx.getNode(), `Days of Activity: 1 to 366, not ${days}`);
	const title = String(ctx.getNodeParameter('reportTitle', 0, '') ?? '').trim() || 'Access report';
	const report = buildAccessReport(items, { now: new Date(), days, title });
	return [{ json: report as never, pairedItem: items.map((_, item) => ({ item })) }];
}
