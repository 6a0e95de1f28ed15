import { type IExecuteFunctions, type INodeExecutionData, NodeOperationError } from 'n8n-workflow';
import type { ProvisioningError } from '../../lib/errors';
import type { ProvisioningLogRecord } from '../../lib/provisioning/log';
import { secretOverrides } from '../../lib/redact';

export interface ItemOutcome {
	record: ProvisioningLogRecord;
	error?: ProvisioningError;
}

const reasonOf = (error: ProvisioningError, itemIndex: number) => `Item ${itemIndex}: ${error.message}`;

function nodeError(ctx: IExecuteFunctions, error: ProvisioningError, itemIndex: number): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), reasonOf(error, itemIndex), {
		itemIndex,
		description: `${error.code}${error.field ? ` (field "${error.field}")` : ''}`,
	});
}

/**
 * One output item per input item, each carrying its provisioning-log record.
 * Under continueOnFail a failure becomes `{ message, error }`, the shape n8n routes to the error
 * output, with the log record inside. n8n then merges the input item into it; when that input holds
 * secrets (a password to set), the failure is reported as `item.error` instead, which n8n reduces to
 * the message, so no secret is copied; the log record then rides in the error's context.
 * Without continueOnFail the first failure stops the node, as n8n users expect.
 */
export function shapeOutcomes(ctx: IExecuteFunctions, outcomes: ItemOutcome[]): INodeExecutionData[] {
	const items: INodeExecutionData[] = [];
	const inputs = ctx.getInputData();
	for (let i = 0; i < outcomes.length; i++) {
		const { record, error } = outcomes[i];
		const pairedItem = { item: i };
		if (!error) {
			items.push({ json: record as unknown as INodeExecutionData['json'], pairedItem });
			continue;
		}
		if (!ctx.continueOnFail()) throw nodeError(ctx, error, i);
		const detail = { code: error.code, reason: error.message, ...(error.field ? { field: error.field } : {}), itemIndex: i, provisioningLog: record };
		if (Object.keys(secretOverrides(inputs[i]?.json ?? {})).length === 0) {
			items.push({ json: { message: reasonOf(error, i), error: detail } as unknown as INodeExecutionData['json'], pairedItem });
			continue;
		}
		const failure = nodeError(ctx, error, i);
		Object.assign(failure.context, { code: error.code, field: error.field, provisioningLog: record });
		items.push({ json: { error: failure.message }, error: failure, pairedItem });
	}
	return items;
}
