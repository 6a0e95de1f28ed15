import { type IExecuteFunctions, type INodeExecutionData, NodeOperationError } from 'n8n-workflow';
import type { ProvisioningError } from '../../lib/errors';
import type { ProvisioningLogRecord } from '../../lib/provisioning/log';

export interface ItemOutcome {
	record: ProvisioningLogRecord;
	error?: ProvisioningError;
}

const reasonOf = (error: ProvisioningError, itemIndex: number) => `Item ${itemIndex}: ${error.message}`;

/**
 * One output item per input item, each carrying its provisioning-log record. Under continueOnFail a
 * failure becomes `{ message, error }`: the shape n8n routes to the error output, and, unlike
 * `item.error` (which n8n collapses to a bare message), it keeps the log record.
 * Without continueOnFail the first failure stops the node, as n8n users expect.
 */
export function shapeOutcomes(ctx: IExecuteFunctions, outcomes: ItemOutcome[]): INodeExecutionData[] {
	const items: INodeExecutionData[] = [];
	for (let i = 0; i < outcomes.length; i++) {
		const { record, error } = outcomes[i];
		if (!error) {
			items.push({ json: record as unknown as INodeExecutionData['json'], pairedItem: { item: i } });
			continue;
		}
		if (!ctx.continueOnFail()) {
			throw new NodeOperationError(ctx.getNode(), reasonOf(error, i), {
				itemIndex: i,
				description: `${error.code}${error.field ? ` (field "${error.field}")` : ''}`,
			});
		}
		const detail = { code: error.code, reason: error.message, ...(error.field ? { field: error.field } : {}), itemIndex: i, provisioningLog: record };
		items.push({ json: { message: reasonOf(error, i), error: detail } as unknown as INodeExecutionData['json'], pairedItem: { item: i } });
	}
	return items;
}
