/**
 * The one execution pipeline of the action nodes: read each item (a failure stays that item's), build the
 * target from the credential, run the core, close the target, and shape the outputs under the one failure
 * policy (see failures.ts).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { ProvisioningError, toProvisioningError } from '../../lib/errors';
import type { Alert } from '../../lib/provisioning/governance/alerts';
import type { Keeping } from '../../lib/provisioning/governance/escrow';
import { type ItemOutcome, recordFor } from '../../lib/provisioning/log';
import type { Target } from '../../lib/targets/target';
import { configurationError, readItem, runError, shapeAt, shapeRetried } from './failures';
import { alertItems, alertsText, governorFor, isGoverned } from './governance';
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
	/** How an input is kept for a retry (node version 2): its key, or why it cannot be (lib/provisioning/governance/keys.ts). */
	keep: (input: I) => Keeping;
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

/** What a run under governance produced (version 1 nodes: just the outcomes of their items). */
export interface GovernedRun<R> {
	/** Outcomes of this run's input items, by input index; none for items a quarantined run did not try. */
	current: Array<ItemOutcome | undefined>;
	/** Outcomes of items retried from earlier runs, tried first, with their keys. */
	retried: Array<{ outcome: ItemOutcome; key: string }>;
	alerts: Alert[];
	/** The target is quarantined: this run did not contact it. */
	skipped: boolean;
	/** What the core returned besides the outcomes (Deprovision User's threshold verdict). */
	result?: R;
}

export interface GovernedSpec<I> {
	kind: TargetKind;
	dryRun: boolean;
	keep: (input: I) => Keeping;
	/** Kept items are not retried (reconcile works from the whole source every run). */
	noRetry?: boolean;
}

/**
 * The one place where the provisioning log, quarantine and retry meet a run (node version 2): the run may be
 * skipped (quarantined target), kept items are tried first, and afterwards the verdict, the kept items and the log
 * rows are settled. Version 1 nodes run as before. `run` gets the inputs to try and returns one outcome per input.
 */
export async function governedRun<I, R = undefined>(
	ctx: IExecuteFunctions,
	target: Target,
	inputs: Array<I | ProvisioningError>,
	spec: GovernedSpec<I>,
	run: (inputs: Array<I | ProvisioningError>) => Promise<{ outcomes: ItemOutcome[]; result?: R }>,
): Promise<GovernedRun<R>> {
	const governor = await governorFor<I>(ctx, spec.kind, target, {
		dryRun: spec.dryRun,
		keep: spec.keep,
		retry: !spec.noRetry,
	}).catch((error) => {
		throw configurationError(ctx, error);
	});
	if (!governor) {
		const { outcomes, result } = await run(inputs).catch((error) => {
			throw runError(ctx, error);
		});
		return { current: outcomes, retried: [], alerts: [], skipped: false, result };
	}
	const begun = await governor.begin(spec.noRetry ? [] : inputs).catch((error) => {
		throw configurationError(ctx, error);
	});
	if (begun.skip) {
		const current: Array<ItemOutcome | undefined> = inputs.map(() => undefined);
		for (const { index, error } of begun.failures) current[index] = recordFor(target, spec.dryRun).fail(error);
		return { current, retried: [], alerts: begun.alerts, skipped: true };
	}
	const planned: Array<{ input: I | ProvisioningError; keeping: Keeping; retried: boolean }> = spec.noRetry
		? inputs.map((input) => ({ input, keeping: { notKept: 'reconcile reads the whole source every run' }, retried: false }))
		: begun.inputs;
	let ran: { outcomes: ItemOutcome[]; result?: R };
	try {
		ran = await run(planned.map((p) => p.input));
	} catch (error) {
		const alerts = [...begun.alerts, ...(await governor.finishFailed(error))];
		throw withAlerts(runError(ctx, error), alerts);
	}
	const alerts = [...begun.alerts, ...(await governor.finish(spec.noRetry ? [] : begun.inputs, ran.outcomes))];
	const retriedCount = planned.filter((p) => p.retried).length;
	return {
		retried: ran.outcomes.slice(0, retriedCount).map((outcome, i) => ({ outcome, key: planned[i].keeping.key ?? '' })),
		current: ran.outcomes.slice(retriedCount),
		alerts,
		skipped: false,
		result: ran.result,
	};
}

/** Adds the alerts of the run to an error that stops the node, where the Alerts output cannot carry them. */
export function withAlerts<E extends Error>(error: E, alerts: Alert[]): E {
	if (!alerts.length || !(error instanceof NodeApiError || error instanceof NodeOperationError)) return error;
	error.description = [error.description, alertsText(alerts)].filter(Boolean).join('\n\n');
	return error;
}

/**
 * Shapes a run's records (retried items first, then this run's items in input order) under the failure policy.
 * A failure that stops the node carries the run's alerts in its description.
 */
export function shapeRun<R>(ctx: IExecuteFunctions, run: GovernedRun<R>, pairedIndex?: (index: number) => number): INodeExecutionData[] {
	try {
		return [...shapeRetried(ctx, run.retried), ...shapeAt(ctx, run.current, pairedIndex)];
	} catch (error) {
		throw withAlerts(error as Error, run.alerts);
	}
}

/** A node whose items map one-to-one to outcomes: [records] in version 1; [records, alerts] from version 2. */
export async function runPerItem<I>(ctx: IExecuteFunctions, spec: PerItemRun<I>): Promise<INodeExecutionData[][]> {
	const inputs = readInputs(ctx, spec.read);
	const run = await withTarget(ctx, spec.kind, spec.settings, (target) =>
		governedRun(ctx, target, inputs, spec, async (toRun) => ({
			outcomes: await runBatch(
				ctx,
				target,
				toRun,
				spec.dryRun,
				() => spec.run(target, toRun),
				(all) => all,
			),
		})),
	);
	const items = shapeRun(ctx, run);
	return isGoverned(ctx) ? [items, alertItems(run.alerts)] : [items];
}
