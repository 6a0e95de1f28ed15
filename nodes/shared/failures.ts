/**
 * The one failure policy of every node in this package:
 * - a problem with the node's set-up (parameters, credential, mapping) found before any item runs stops the
 *   node with a NodeOperationError that says what to fix, whatever "On Error" says;
 * - a problem found while working on an item fails that item: it goes to the error output (On Error →
 *   Continue (using error output)), stays in the main output with its reason (On Error → Continue), or else
 *   stops the node: a NodeApiError when the target failed (saying what to do), a NodeOperationError otherwise.
 */
import { type IExecuteFunctions, type INodeExecutionData, type JsonObject, NodeApiError, NodeOperationError } from 'n8n-workflow';
import { ProvisioningError, remedyFor, toProvisioningError } from '../../lib/errors';
import type { ItemOutcome } from '../../lib/provisioning/log';
import { secretOverrides } from '../../lib/redact';

const reasonOf = (error: ProvisioningError, itemIndex: number) => `Item ${itemIndex}: ${error.message}`;

const describe = (error: ProvisioningError) => `${error.code}. ${remedyFor(error)}`;

function targetError(ctx: IExecuteFunctions, error: ProvisioningError, message: string, itemIndex: number): NodeApiError {
	const response: JsonObject = { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
	return new NodeApiError(ctx.getNode(), response, {
		message,
		description: describe(error),
		itemIndex,
		...(error.targetStatus ? { httpCode: String(error.targetStatus) } : {}),
	});
}

/** The error that stops the node for a failed item. */
export function itemError(ctx: IExecuteFunctions, thrown: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	const error = toProvisioningError(thrown);
	if (error.fromTarget) return targetError(ctx, error, reasonOf(error, itemIndex), itemIndex);
	return new NodeOperationError(ctx.getNode(), reasonOf(error, itemIndex), { itemIndex, description: describe(error) });
}

/** A failure of the whole run (a listing reconcile needs, say): a NodeApiError when the target failed, else what to fix. */
export function runError(ctx: IExecuteFunctions, thrown: unknown, itemIndex = 0): NodeApiError | NodeOperationError {
	if (thrown instanceof NodeOperationError || thrown instanceof NodeApiError) return thrown;
	const error = toProvisioningError(thrown);
	return error.fromTarget ? targetError(ctx, error, error.message, itemIndex) : configurationError(ctx, error, itemIndex);
}

/** A set-up error (or a bug found before any item ran): always stops the node, saying what to fix. */
export function configurationError(ctx: IExecuteFunctions, thrown: unknown, itemIndex = 0): NodeOperationError {
	if (thrown instanceof NodeOperationError) return thrown;
	const error = toProvisioningError(thrown);
	return new NodeOperationError(ctx.getNode(), error.message, { itemIndex, description: describe(error) });
}

/**
 * The item for a failure under continueOnFail: `{ message, error }`, the shape n8n routes to the error output.
 * n8n merges the input item into error-output items; when that input holds secrets (a password to set), the
 * failure rides in `item.error` instead, which n8n reduces to the message, so no secret is copied.
 * Without continueOnFail it throws.
 */
export function failureItem(
	ctx: IExecuteFunctions,
	thrown: unknown,
	itemIndex: number,
	pairedIndex = itemIndex,
	record?: ItemOutcome['record'],
): INodeExecutionData {
	const error = toProvisioningError(thrown);
	if (!ctx.continueOnFail()) throw itemError(ctx, error, itemIndex);
	const pairedItem = { item: pairedIndex };
	const detail = {
		code: error.code,
		reason: error.message,
		...(error.field ? { field: error.field } : {}),
		itemIndex,
		...(record ? { provisioningLog: record } : {}),
	};
	const input = ctx.getInputData()[pairedIndex]?.json ?? {};
	if (Object.keys(secretOverrides(input)).length === 0) {
		return { json: { message: reasonOf(error, itemIndex), error: detail } as unknown as INodeExecutionData['json'], pairedItem };
	}
	const failure = itemError(ctx, error, itemIndex);
	Object.assign(failure.context, { code: error.code, field: error.field, provisioningLog: record });
	return { json: { error: failure.message }, error: failure, pairedItem };
}

/**
 * One output item per outcome, each carrying its provisioning-log record; failures follow the policy above.
 * `pairedIndex` maps an outcome to the input item it came from (reconcile pairs its leavers with item 0).
 */
export function shapeOutcomes(
	ctx: IExecuteFunctions,
	outcomes: ItemOutcome[],
	pairedIndex: (index: number) => number = (i) => i,
): INodeExecutionData[] {
	return shapeAt(ctx, outcomes, pairedIndex);
}

/** Like shapeOutcomes, for outcomes at input indexes where some inputs have none (a quarantined run tries nothing). */
export function shapeAt(
	ctx: IExecuteFunctions,
	outcomes: Array<ItemOutcome | undefined>,
	pairedIndex: (index: number) => number = (i) => i,
): INodeExecutionData[] {
	return outcomes.flatMap((outcome, i) => {
		if (!outcome) return [];
		const { record, error } = outcome;
		return [
			error
				? failureItem(ctx, error, i, pairedIndex(i), record)
				: { json: record as unknown as INodeExecutionData['json'], pairedItem: { item: pairedIndex(i) } },
		];
	});
}

/**
 * Outcomes of items retried from an earlier run (node version 2): no input item of this run belongs to them, so
 * they carry no pairedItem (n8n then copies no input into a failure) and are named by their key, not an index.
 * An escrowed item never holds a secret (see lib/provisioning/governance/keys.ts).
 */
export function shapeRetried(ctx: IExecuteFunctions, retried: Array<{ outcome: ItemOutcome; key: string }>): INodeExecutionData[] {
	return retried.map(({ outcome: { record, error }, key }) => {
		if (!error) return { json: record as unknown as INodeExecutionData['json'] };
		const message = `Retried item ${key}: ${error.message}`;
		if (!ctx.continueOnFail()) {
			if (error.fromTarget) return throwing(targetError(ctx, error, message, 0));
			return throwing(new NodeOperationError(ctx.getNode(), message, { itemIndex: 0, description: describe(error) }));
		}
		const detail = {
			code: error.code,
			reason: error.message,
			...(error.field ? { field: error.field } : {}),
			retriedKey: key,
			provisioningLog: record,
		};
		return { json: { message, error: detail } as unknown as INodeExecutionData['json'] };
	});
}

const throwing = (error: Error): never => {
	throw error;
};

/**
 * Runs a step that reads one item's parameters or input: what it throws becomes that item's failure. An n8n
 * expression that fails for this item is bad input, like an envelope that does not parse.
 */
export function readItem<T>(read: (index: number) => T, index = 0): T | ProvisioningError {
	try {
		// The index is passed, not captured: a node can hand one function for every item.
		return read(index);
	} catch (error) {
		// Already n8n's own errors: they stop the node as they are.
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
		if (error instanceof NodeOperationError || error instanceof NodeApiError) throw error;
		if ((error as Error)?.name === 'ExpressionError')
			return new ProvisioningError('InvalidInput', (error as Error).message, { cause: error });
		return toProvisioningError(error);
	}
}
