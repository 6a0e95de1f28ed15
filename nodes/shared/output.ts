import { type IExecuteFunctions, type INodeExecutionData, NodeOperationError } from 'n8n-workflow';
import type { ProvisioningError } from '../../lib/errors';
import type { ProvisioningLogRecord } from '../../lib/provisioning/log';

export interface ItemOutcome {
	record: ProvisioningLogRecord;
	error?: ProvisioningError;
}

function nodeError(ctx: IExecuteFunctions, error: ProvisioningError, itemIndex: number): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: ${error.message}`, {
		itemIndex,
		description: `${error.code}${error.field ? ` (field "${error.field}")` : ''}`,
	});
}

/**
 * One output item per input item, each carrying its provisioning-log record. Failures go to the
 * error output or stay inline under continueOnFail; otherwise the first failure stops the node.
 */
export function shapeOutcomes(ctx: IExecuteFunctions, outcomes: ItemOutcome[]): INodeExecutionData[] {
	const items: INodeExecutionData[] = [];
	for (let i = 0; i < outcomes.length; i++) {
		const { record, error } = outcomes[i];
		if (!error) {
			items.push({ json: record as unknown as INodeExecutionData['json'], pairedItem: { item: i } });
			continue;
		}
		if (!ctx.continueOnFail()) throw nodeError(ctx, error, i);
		items.push({ json: record as unknown as INodeExecutionData['json'], error: nodeError(ctx, error, i), pairedItem: { item: i } });
	}
	return items;
}
