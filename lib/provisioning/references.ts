/**
 * References to other accounts (a manager named by an employee id, a userName or a trigger id) resolved to the
 * target's own id or DN in batches: remembered links first, then one batched lookup per key attribute.
 */
import type { AccountReference, AttributeMap, ProvisioningEnvelope } from '../envelope';
import { ProvisioningError, toProvisioningError } from '../errors';
import type { Target } from '../targets/target';
import { unique } from '../util';
import { diffAttributes } from './diff';
import { lookupEach } from './keyMatch';
import { type LinkBook, RememberedIds } from './links';
import type { ItemOutcome } from './log';

export interface UnresolvedReference {
	attribute: string;
	/** Why no single account was found, for the log. */
	detail: string;
}

export interface ResolvedReferences {
	/** Attribute → the referenced account's id or DN. */
	resolved: AttributeMap;
	unresolved: UnresolvedReference[];
}

const describe = (ref: AccountReference) => `${ref.by} = "${String(ref.value)}"`;

/** Resolves every envelope's references; envelopes without references get empty results. */
export async function resolveReferences(
	target: Target,
	envelopes: ProvisioningEnvelope[],
	links?: LinkBook,
): Promise<ResolvedReferences[]> {
	const results: ResolvedReferences[] = envelopes.map(() => ({ resolved: {}, unresolved: [] }));
	const pending: Array<{ index: number; attribute: string; ref: AccountReference }> = [];
	envelopes.forEach((envelope, index) => {
		for (const [attribute, ref] of Object.entries(envelope.references ?? {})) pending.push({ index, attribute, ref });
	});
	if (!pending.length) return results;

	// Remembered links: the referenced user's trigger id → its target id, without asking the target.
	const linked = pending.filter((p) => p.ref.sourceId && envelopes[p.index].source?.store);
	const known = links
		? await links.targetIds(
				'User',
				linked.map((p) => ({ store: envelopes[p.index].source!.store!, id: p.ref.sourceId! })),
			)
		: new RememberedIds();
	const rest = pending.filter((p) => {
		const store = envelopes[p.index].source?.store;
		const item = p.ref.sourceId && store ? { store, id: p.ref.sourceId } : undefined;
		const hit = item && known.targetId(item);
		if (hit) results[p.index].resolved[p.attribute] = hit;
		const error = item && known.failure(item);
		if (error) results[p.index].unresolved.push({ attribute: p.attribute, detail: `${describe(p.ref)}: ${error.message}` });
		return !hit && !error;
	});

	// One batched lookup per key attribute for the rest.
	for (const by of unique(rest.map((p) => p.ref.by))) {
		const group = rest.filter((p) => p.ref.by === by);
		const values = unique(group.map((p) => p.ref.value));
		const found = await lookupEach(target.users, by, values, [by]);
		const byValue = new Map(values.map((value, n) => [value, found[n]]));
		for (const p of group) {
			const hits = byValue.get(p.ref.value)!;
			if (hits instanceof ProvisioningError) {
				if (hits.transient) throw hits;
				results[p.index].unresolved.push({ attribute: p.attribute, detail: `${describe(p.ref)}: ${hits.message}` });
			} else if (hits.length === 1) results[p.index].resolved[p.attribute] = hits[0].id;
			else
				results[p.index].unresolved.push({
					attribute: p.attribute,
					detail: hits.length ? `${describe(p.ref)} matches ${hits.length} accounts` : `no account has ${describe(p.ref)} yet`,
				});
		}
	}
	return results;
}

/** What the second pass needs of an item: its envelope, what is still unresolved, and how it ended. */
interface Done {
	item: { envelope: ProvisioningEnvelope; unresolved: UnresolvedReference[] };
	outcome: ItemOutcome;
}

/**
 * The second pass: a reference to an account created later in the same batch (the report before the manager)
 * is resolved once every item has run, and set on the account. What is still unresolved leaves the record at
 * Warning; a rerun sets it once the referenced account exists.
 */
export async function completeReferences(target: Target, done: Done[], links?: LinkBook, dryRun = false): Promise<void> {
	const waiting = done.filter(
		({ item, outcome }) => item.unresolved.length && !outcome.error && outcome.record.targetId && outcome.record.action !== 'Skipped',
	);
	if (dryRun) {
		for (const { item, outcome } of done)
			if (item.unresolved.length && outcome.record.status === 'Success') outcome.record.status = 'Warning';
		return;
	}
	if (!waiting.length) return;
	const retry = waiting.map(({ item }) => ({
		...item.envelope,
		references: Object.fromEntries(item.unresolved.map((u) => [u.attribute, item.envelope.references![u.attribute]])),
	}));
	let again: ResolvedReferences[];
	try {
		again = await resolveReferences(target, retry, links);
	} catch (error) {
		for (const { outcome } of waiting)
			outcome.record.steps.push({
				step: 'Provision',
				status: 'Warning',
				detail: `References not resolved: ${toProvisioningError(error).message}`,
			});
		again = retry.map(() => ({ resolved: {}, unresolved: [] }));
	}
	await Promise.all(
		waiting.map(async ({ item, outcome }, i) => {
			const { record } = outcome;
			const resolved = again[i].resolved;
			item.unresolved = item.unresolved.filter((u) => !(u.attribute in resolved));
			if (Object.keys(resolved).length) {
				try {
					const current = await target.users.get(record.targetId!, Object.keys(resolved));
					const changes = current ? diffAttributes(current.attributes, resolved) : [];
					if (changes.length) {
						record.targetId = await target.users.update(record.targetId!, changes);
						record.modifiedProperties.push(...changes.map((c) => ({ name: c.attribute, oldValue: c.oldValue, newValue: c.newValue })));
						if (record.action === 'NoChange') record.action = 'Update';
					}
					record.steps.push({
						step: 'Provision',
						status: 'Success',
						detail: `Set ${Object.keys(resolved).join(', ')} once the referenced account existed`,
					});
				} catch (error) {
					item.unresolved.push(...Object.keys(resolved).map((attribute) => ({ attribute, detail: toProvisioningError(error).message })));
				}
			}
			for (const u of item.unresolved)
				record.steps.push({
					step: 'Provision',
					status: 'Warning',
					detail: `${u.attribute} not set: ${u.detail}. A rerun sets it once that account exists.`,
				});
			if (item.unresolved.length && record.status === 'Success') record.status = 'Warning';
		}),
	);
}
