/**
 * The one execution pipeline of the action nodes: read each item (a failure stays that item's), build the
 * target from the credential, run the core, close the target, and shape the outputs under the one failure
 * policy (see failures.ts).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { ProvisioningError, toProvisioningError } from '../../lib/errors';
import { type ItemOutcome, recordFor } from '../../lib/provisioning/log';
import type { Target } from '../../lib/targets/target';
import { configurationError, readItem, shapeOutcomes } from './failures';
import { type TargetKind, type TargetSettings, targetFromCredentials } from './targets';

/** The options every action node shares, read in one place. */
export interface CommonOptions {
	dryRun: boolean;
	concurrency: number;
}

export function commonOptions(ctx: IExecuteFunctions): CommonOptions {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	return { dryRun: options.dryRun === true, concurrency: Math.max(1, Math.floor(Number(options.concurrency) || 4)) };
}

/** Builds the target (a bad credential is a configuration error), runs the work, and always closes it. */
export async function withTarget<T>(
	ctx: IExecuteFunctions,
	kind: TargetKind,
	settings: TargetSettings,
	work: (target: Target) => Promise<T>,
): Promise<T> {
	let target: Target;
	try {
		target = await targetFromCredentials(ctx, kind, settings);
	} catch (error) {
		throw configurationError(ctx, error);
	}
	try {
		return await work(target);
	} finally {
		await target.close();
	}
}

export interface PerItemRun<I> {
	kind: TargetKind;
	settings: TargetSettings;
	dryRun: boolean;
	/** Reads one item into the core's input; a ProvisioningError thrown here fails only that item. */
	read: (item: INodeExecutionData, index: number) => I;
	/** Runs the core: one outcome per input, in input order. */
	run: (target: Target, inputs: Array<I | ProvisioningError>) => Promise<ItemOutcome[]>;
}

/** Reads the inputs of a node whose outputs pair one-to-one with its input items. */
export function readInputs<I>(ctx: IExecuteFunctions, read: (item: INodeExecutionData, index: number) => I): Array<I | ProvisioningError> {
	return ctx.getInputData().map((item, i) => readItem(() => read(item, i)));
}

/**
 * Runs the core over a batch of per-item inputs. When a step serving the whole batch fails at the target (a
 * batched lookup, a count), every item fails with that reason; anything else the core throws stops the node.
 */
export async function runBatch<I, R>(
	ctx: IExecuteFunctions,
	target: Target,
	inputs: Array<I | ProvisioningError>,
	dryRun: boolean,
	run: () => Promise<R>,
	asResult: (outcomes: ItemOutcome[]) => R,
): Promise<R> {
	try {
		return await run();
	} catch (thrown) {
		const error = toProvisioningError(thrown);
		if (!error.fromTarget) throw configurationError(ctx, error);
		return asResult(inputs.map((input) => recordFor(target, dryRun).fail(input instanceof ProvisioningError ? input : error)));
	}
}

/** A node whose items map one-to-one to outcomes. */
export async function runPerItem<I>(ctx: IExecuteFunctions, spec: PerItemRun<I>): Promise<INodeExecutionData[]> {
	const inputs = readInputs(ctx, spec.read);
	const outcomes = await withTarget(ctx, spec.kind, spec.settings, (target) =>
		runBatch(
			ctx,
			target,
			inputs,
			spec.dryRun,
			() => spec.run(target, inputs),
			(all) => all,
		),
	);
	return shapeOutcomes(ctx, outcomes);
}
