import pLimit from 'p-limit';
import { type AttributeMap, compactAttributes, type ProvisioningEnvelope } from '../envelope';
import { ProvisioningError, toProvisioningError } from '../errors';
import type { AttributeChange, Target, TargetEntry } from '../targets/target';
import { diffAttributes } from './diff';
import { LogRecordBuilder, type ProvisioningLogRecord } from './log';
import { matchInTarget } from './match';

export interface ProvisionOptions {
	dryRun?: boolean;
	allowCreate?: boolean;
	allowUpdate?: boolean;
	/** Items in flight at once against the target (default 4). */
	concurrency?: number;
	/** How many times a create that failed transiently is re-checked and retried (default 2). */
	createRetries?: number;
}

export interface ProvisionOutcome {
	record: ProvisioningLogRecord;
	/** Set when the item failed; the record then has action Failed. */
	error?: ProvisioningError;
}

/** An input that could not even be read as an envelope fails on its own, without stopping the batch. */
export type ProvisionInput = ProvisioningEnvelope | ProvisioningError;

const unique = (names: string[]) => [...new Set(names)];

/** The outcome for an item that failed before reaching the target (bad credential, unusable configuration). */
export function failedOutcome(error: ProvisioningError, context: { system: Target['system']; endpoint: string; dryRun?: boolean }): ProvisionOutcome {
	const log = new LogRecordBuilder({ dryRun: context.dryRun ?? false, targetSystem: context.system, targetEndpoint: context.endpoint });
	log.record.error = { code: error.code, reason: error.message, ...(error.field ? { field: error.field } : {}) };
	log.step('Provision', 'Failure', error.message);
	return { record: log.finish('Failed', 'Failure'), error };
}

/** Provisions a batch of envelopes: match, then create, update or leave alone. Results keep input order. */
export async function provisionUsers(target: Target, inputs: ProvisionInput[], options: ProvisionOptions = {}): Promise<ProvisionOutcome[]> {
	const limit = pLimit(Math.max(1, Math.floor(options.concurrency ?? 4)));
	return Promise.all(inputs.map((input) => limit(() => provisionOne(target, input, options))));
}

async function provisionOne(target: Target, input: ProvisionInput, options: ProvisionOptions): Promise<ProvisionOutcome> {
	const dryRun = options.dryRun ?? false;
	const envelope = input instanceof ProvisioningError ? undefined : input;
	const log = new LogRecordBuilder(
		{ dryRun, targetSystem: target.system, targetEndpoint: target.endpoint, source: envelope?.source },
		new Set(envelope?.redact ?? []),
		envelope?.trace,
	);
	try {
		if (!envelope) throw input;
		const attributes = compactAttributes(envelope.attributes);
		const createOnly = compactAttributes(envelope.createOnly);
		const clear = envelope.clearAttributes ?? [];
		const wanted = unique([...Object.keys(attributes), ...clear, ...envelope.matchKeys.map((k) => k.attribute)]);
		log.step('Evaluate', 'Success', `${Object.keys(attributes).length} attributes, ${Object.keys(createOnly).length} create-only, ${envelope.matchKeys.length} match keys`);

		const match = await matchInTarget(target, envelope.matchKeys, wanted);
		if (match.entry) {
			log.matched(match.key!).step('Match', 'Success', `Matched ${match.entry.id} by ${match.key!.attribute}`);
			return { record: await updateExisting(target, match.entry, attributes, clear, options, log) };
		}
		log.step('Match', 'Success', `No account has ${match.tried.join(', then ')}`);
		if (options.allowCreate === false) {
			log.step('Provision', 'Skipped', 'Creating accounts is switched off');
			return { record: log.finish('Skipped', 'Skipped') };
		}
		const all: AttributeMap = { ...createOnly, ...attributes };
		const previewId = target.previewId(all);
		log.changes(Object.entries(all).map(([attribute, newValue]): AttributeChange => ({ attribute, oldValue: undefined, newValue })));
		if (dryRun) {
			log.step('Provision', 'Success', 'Dry run: the account would be created');
			return { record: log.finish('Create', 'Success', previewId) };
		}
		const created = await createWithRecovery(target, envelope, all, wanted, options.createRetries ?? 2);
		if (created.adoptedAfterConflict) {
			log.matched(created.adoptedAfterConflict).step('Match', 'Success', `The account appeared meanwhile (409 on create); matched ${created.entry.id}`);
			return { record: await updateExisting(target, created.entry, attributes, clear, options, log) };
		}
		log.step('Provision', 'Success', created.recovered ? `Created ${created.entry.id} (confirmed after a failed response)` : `Created ${created.entry.id}`);
		return { record: log.finish('Create', 'Success', created.entry.id) };
	} catch (thrown) {
		const error = toProvisioningError(thrown);
		log.record.error = { code: error.code, reason: error.message, ...(error.field ? { field: error.field } : {}) };
		log.step('Provision', 'Failure', error.message);
		return { record: log.finish('Failed', 'Failure'), error };
	}
}

async function updateExisting(
	target: Target,
	entry: TargetEntry,
	attributes: AttributeMap,
	clear: string[],
	options: ProvisionOptions,
	log: LogRecordBuilder,
): Promise<ProvisioningLogRecord> {
	const changes = diffAttributes(entry.attributes, attributes, { clear, ignoreCase: (a) => target.caseInsensitiveValues(a) });
	if (changes.length === 0) {
		log.step('Provision', 'Success', 'The account already has the desired values');
		return log.finish('NoChange', 'Success', entry.id);
	}
	log.changes(changes);
	if (options.allowUpdate === false) {
		log.step('Provision', 'Skipped', `Updating accounts is switched off; ${changes.length} attributes differ`);
		return log.finish('Skipped', 'Skipped', entry.id);
	}
	if (options.dryRun) {
		log.step('Provision', 'Success', `Dry run: ${changes.length} attributes would change`);
		return log.finish('Update', 'Success', entry.id);
	}
	const id = await target.update(entry.id, changes);
	log.step('Provision', 'Success', `Updated ${changes.map((c) => c.attribute).join(', ')}${id !== entry.id ? `; renamed to ${id}` : ''}`);
	return log.finish('Update', 'Success', id);
}

/**
 * Creates, and makes the create safe to repeat: after a 409 or a transient failure (the request may
 * have landed), the account is looked up again before anything is retried, so no duplicate is made.
 */
async function createWithRecovery(
	target: Target,
	envelope: ProvisioningEnvelope,
	all: AttributeMap,
	wanted: string[],
	retries: number,
): Promise<{ entry: TargetEntry; recovered?: boolean; adoptedAfterConflict?: ProvisioningEnvelope['matchKeys'][number] }> {
	for (let attempt = 0; ; attempt++) {
		try {
			return { entry: await target.create(all), recovered: attempt > 0 };
		} catch (thrown) {
			const error = toProvisioningError(thrown);
			if (error.code !== 'Uniqueness' && !error.transient) throw error;
			const again = await matchInTarget(target, envelope.matchKeys, wanted);
			if (again.entry) {
				return error.code === 'Uniqueness'
					? { entry: again.entry, adoptedAfterConflict: again.key! }
					: { entry: again.entry, recovered: true };
			}
			if (error.code === 'Uniqueness') {
				throw new ProvisioningError(
					'Uniqueness',
					`${error.message}. No account matches the match keys, so a different unique attribute (such as userName, mail or the DN) is already taken.`,
					{ field: error.field, targetStatus: error.targetStatus },
				);
			}
			if (attempt >= retries) throw error;
		}
	}
}
