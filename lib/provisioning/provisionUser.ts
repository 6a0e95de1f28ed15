import pLimit from 'p-limit';
import { type AttributeMap, compactAttributes, type ProvisioningEnvelope } from '../envelope';
import { ProvisioningError, toProvisioningError } from '../errors';
import { scrubError, secretScrubber, secretValues } from '../redact';
import type { Target, TargetEntry } from '../targets/target';
import type { AttributeChange } from '../attributeChanges';
import { unique } from '../util';
import { anchorFirst } from './anchor';
import { diffAttributes } from './diff';
import { type LinkBook, rememberAccounts } from './links';
import { type ItemOutcome, type LogRecordBuilder, type ProvisioningLogRecord, recordFor } from './log';
import { matchEnvelopes, matchInTarget, type MatchResult } from './match';
import { completeReferences, resolveReferences, type UnresolvedReference } from './references';

export interface ProvisionOptions {
	dryRun?: boolean;
	allowCreate?: boolean;
	allowUpdate?: boolean;
	/** Items in flight at once against the target (default 4). */
	concurrency?: number;
	/** How many times a create that failed transiently is re-checked and retried (default 2). */
	createRetries?: number;
	/** Remembered target ids of items from a SCIM Trigger store: matched first, and recorded after a success. */
	links?: LinkBook;
	/** Target attribute holding the source key (employeeNumber, externalId): matched before every other key. */
	anchor?: string;
}

/** An input that could not even be read as an envelope fails on its own, without stopping the batch. */
export type ProvisionInput = ProvisioningEnvelope | ProvisioningError;

/** An envelope reduced to what provisioning needs. */
export interface PreparedItem {
	envelope: ProvisioningEnvelope;
	attributes: AttributeMap;
	createOnly: AttributeMap;
	clear: string[];
	/** Attributes to read from the target for this item. */
	wanted: string[];
	/** References (a manager) that named no single account yet: written without them, set when found. */
	unresolved: UnresolvedReference[];
}

function prepare(envelope: ProvisioningEnvelope): PreparedItem {
	const attributes = compactAttributes(envelope.attributes);
	const clear = envelope.clearAttributes ?? [];
	return {
		envelope,
		attributes,
		createOnly: compactAttributes(envelope.createOnly),
		clear,
		wanted: unique([...Object.keys(attributes), ...clear, ...envelope.matchKeys.map((k) => k.attribute)]),
		unresolved: [],
	};
}

/** Puts resolved references into the attributes; the unresolved ones wait for the second pass. */
async function withReferences(target: Target, items: PreparedItem[], links?: LinkBook): Promise<void> {
	if (!items.some((p) => p.envelope.references && Object.keys(p.envelope.references).length)) return;
	const refs = await resolveReferences(
		target,
		items.map((p) => p.envelope),
		links,
	);
	items.forEach((item, i) => {
		Object.assign(item.attributes, refs[i].resolved);
		item.unresolved = refs[i].unresolved;
		item.wanted = unique([...item.wanted, ...Object.keys(item.envelope.references ?? {})]);
	});
}

/**
 * Provisions a batch of envelopes: one round of batched lookups per match-key precedence level,
 * then per item (bounded concurrency) create, update or leave alone. Results keep input order.
 */
export async function provisionUsers(target: Target, inputs: ProvisionInput[], options: ProvisionOptions = {}): Promise<ItemOutcome[]> {
	const prepared = inputs.map((input) => (input instanceof ProvisioningError ? input : prepare(anchorFirst(input, options.anchor))));
	const ready = prepared.filter((p): p is PreparedItem => !(p instanceof ProvisioningError));
	const derivedFrom = target.users.derivedFrom ?? [];
	if (derivedFrom.length) for (const p of ready) p.wanted = unique([...p.wanted, ...derivedFrom]);
	await withReferences(target, ready, options.links);
	const matches = await matchEnvelopes(
		target,
		ready.map((p) => p.envelope),
		unique(ready.flatMap((p) => p.wanted)),
		options.links,
	);
	// A batched lookup's failure is every item's, and may echo any item's secret match key: scrubbed of all of them.
	const keySecrets = secretScrubber(ready.flatMap((p) => secretValues({ matchKeys: p.envelope.matchKeys, redact: p.envelope.redact })));
	const matchOf = new Map(
		ready.map((p, i) => [p, matches[i] instanceof ProvisioningError ? scrubError(matches[i], keySecrets) : matches[i]]),
	);
	const limit = pLimit(Math.max(1, Math.floor(options.concurrency ?? 4)));
	const outcomes: ItemOutcome[] = new Array(prepared.length);
	// Items aimed at the same account run one after another, in input order; the later ones look the
	// account up again, so a batch behaves as if processed item by item (a rename, a create, then an update).
	const groups = new Map<string, number[]>();
	prepared.forEach((item, index) => {
		const key = item instanceof ProvisioningError ? `#${index}` : identityOf(item, matchOf.get(item)!, index);
		groups.set(key, [...(groups.get(key) ?? []), index]);
	});
	const bulk = await createInBulk(target, prepared, matchOf, [...groups.values()], options);
	await Promise.all(
		[...groups.values()].map((indices) =>
			limit(async () => {
				for (const [position, index] of indices.entries()) {
					const item = prepared[index];
					if (item instanceof ProvisioningError) {
						outcomes[index] = recordFor(target, options.dryRun ?? false).fail(item);
						continue;
					}
					let match = matchOf.get(item)!;
					if ((position > 0 || bulk.retry.has(index)) && !options.dryRun)
						match = await matchInTarget(target.users, item.envelope.matchKeys, item.wanted).catch(toProvisioningError);
					outcomes[index] = await provisionOne(target, item, match, options, bulk.created.get(index));
				}
			}),
		),
	);
	const done = prepared.flatMap((item, index) => (item instanceof ProvisioningError ? [] : [{ item, outcome: outcomes[index] }]));
	await completeReferences(target, done, options.dryRun ? undefined : options.links, options.dryRun);
	if (options.links && !options.dryRun)
		await rememberAccounts(
			options.links,
			done.map(({ item, outcome }) => ({ source: item.envelope.source, outcome })),
		);
	return outcomes;
}

/**
 * Targets that create many accounts in one statement (SQL) get every plain create of the batch (an unmatched item,
 * alone on its account) at once. An item whose statement failed is looked up again and provisioned on its own.
 */
async function createInBulk(
	target: Target,
	prepared: Array<PreparedItem | ProvisioningError>,
	matchOf: Map<PreparedItem, MatchResult | ProvisioningError>,
	groups: number[][],
	options: ProvisionOptions,
): Promise<{ created: Map<number, TargetEntry>; retry: Set<number> }> {
	const created = new Map<number, TargetEntry>();
	const retry = new Set<number>();
	if (!target.users.createMany || options.dryRun || options.allowCreate === false) return { created, retry };
	const indices = groups
		.filter((group) => group.length === 1)
		.map(([index]) => index)
		.filter((index) => {
			const item = prepared[index];
			if (item instanceof ProvisioningError) return false;
			const match = matchOf.get(item)!;
			return !(match instanceof ProvisioningError) && !match.entry;
		});
	if (indices.length === 0) return { created, retry };
	const items = indices.map((index) => prepared[index] as PreparedItem);
	const results = await target.users
		.createMany(items.map((item) => ({ ...item.createOnly, ...item.attributes })))
		.catch((error) => indices.map(() => toProvisioningError(error)));
	indices.forEach((index, n) => {
		const result = results[n];
		if (!result || result instanceof Error) retry.add(index);
		else created.set(index, result);
	});
	return { created, retry };
}

/** Which account an item is about: the matched entry, or the first match key it would be created under. */
function identityOf(item: PreparedItem, match: MatchResult | ProvisioningError, index: number): string {
	if (match instanceof ProvisioningError) return `#${index}`;
	if (match.entry) return `entry:${match.entry.id.toLowerCase()}`;
	const key = item.envelope.matchKeys.find((k) => k.value !== null && k.value !== '');
	return key ? `key:${key.attribute.toLowerCase()}=${String(key.value).toLowerCase()}` : `#${index}`;
}

async function provisionOne(
	target: Target,
	item: PreparedItem,
	match: MatchResult | ProvisioningError,
	options: ProvisionOptions,
	/** Created already, with the batch's other creates. */
	preCreated?: TargetEntry,
): Promise<ItemOutcome> {
	const dryRun = options.dryRun ?? false;
	const { envelope, attributes, createOnly, wanted } = item;
	const log = recordFor(target, dryRun, envelope);
	try {
		log.step(
			'Evaluate',
			'Success',
			`${Object.keys(attributes).length} attributes, ${Object.keys(createOnly).length} create-only, ${envelope.matchKeys.length} match keys`,
		);
		for (const u of item.unresolved) log.step('Evaluate', 'Warning', `${u.attribute}: ${u.detail}; written without it`);
		if (match instanceof ProvisioningError) throw match;
		if (match.entry) {
			log.matched(match.key!).step('Match', 'Success', `Matched ${match.entry.id} by ${match.key!.attribute}`);
			return { record: await updateExisting(target, match.entry, item, options, log) };
		}
		log.step('Match', 'Success', `No account has ${match.tried.join(', then ')}`);
		if (options.allowCreate === false) {
			log.step('Provision', 'Skipped', 'Creating accounts is switched off');
			return { record: log.finish('Skipped', 'Skipped') };
		}
		const given: AttributeMap = { ...createOnly, ...attributes };
		const all = target.users.adjustDesired?.(given) ?? given;
		const previewId = target.users.previewId(all);
		log.changes(Object.entries(all).map(([attribute, newValue]): AttributeChange => ({ attribute, oldValue: undefined, newValue })));
		if (dryRun) {
			log.step('Provision', 'Success', 'Dry run: the account would be created');
			return { record: log.finish('Create', 'Success', previewId) };
		}
		const created = preCreated
			? { entry: preCreated }
			: await createWithRecovery(target, envelope, all, wanted, options.createRetries ?? 2);
		if (created.adoptedAfterConflict) {
			log
				.matched(created.adoptedAfterConflict)
				.step('Match', 'Success', `The account appeared meanwhile (409 on create); matched ${created.entry.id}`);
			return { record: await updateExisting(target, created.entry, item, options, log) };
		}
		log.step(
			'Provision',
			'Success',
			created.recovered ? `Created ${created.entry.id} (confirmed after a failed response)` : `Created ${created.entry.id}`,
		);
		return { record: log.finish('Create', 'Success', created.entry.id) };
	} catch (thrown) {
		return log.fail(thrown);
	}
}

/** The changes that bring an account to the desired state: a new identifier (an LDAP move) first, then the values. */
function changesFor(target: Target, entry: TargetEntry, item: PreparedItem): AttributeChange[] {
	const { attributes, createOnly, clear } = item;
	const users = target.users;
	const desiredId = users.desiredId?.(attributes, createOnly) ?? null;
	const adjusted = users.adjustDesired?.(attributes, entry) ?? attributes;
	const values = desiredId === null ? adjusted : Object.fromEntries(Object.entries(adjusted).filter(([a]) => a.toLowerCase() !== 'dn'));
	const comparable = users.comparable?.bind(users);
	const desired = comparable ? Object.fromEntries(Object.entries(values).map(([a, v]) => [a, comparable(a, v)])) : values;
	const changes = diffAttributes(entry.attributes, desired, { clear, ignoreCase: (a) => users.caseInsensitiveValues(a) });
	if (desiredId !== null && !(users.sameId?.(entry.id, desiredId) ?? entry.id === desiredId)) {
		changes.unshift({ attribute: 'dn', oldValue: entry.id, newValue: desiredId });
	}
	return changes;
}

async function updateExisting(
	target: Target,
	entry: TargetEntry,
	item: PreparedItem,
	options: ProvisionOptions,
	log: LogRecordBuilder,
): Promise<ProvisioningLogRecord> {
	const changes = changesFor(target, entry, item);
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
	const id = await target.users.update(entry.id, changes);
	const moved = changes.some((c) => c.attribute === 'dn');
	const cleared = changes.filter((c) => c.newValue === undefined || c.newValue === null).map((c) => c.attribute);
	const set = changes.filter((c) => !cleared.includes(c.attribute)).map((c) => c.attribute);
	const what = [...(set.length ? [`Updated ${set.join(', ')}`] : []), ...(cleared.length ? [`cleared ${cleared.join(', ')}`] : [])];
	log.step('Provision', 'Success', `${what.join('; ')}${id !== entry.id ? `; ${moved ? 'moved' : 'renamed'} to ${id}` : ''}`);
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
			return { entry: await target.users.create(all), recovered: attempt > 0 };
		} catch (thrown) {
			const error = toProvisioningError(thrown);
			if (error.code !== 'Uniqueness' && !error.transient) throw error;
			const again = await matchInTarget(target.users, envelope.matchKeys, wanted);
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
