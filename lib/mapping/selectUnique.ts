/**
 * SelectUniqueValue: each item takes the first candidate that neither the target nor an earlier item of the
 * batch already holds. Every candidate of the batch is looked up in one batched pass per attribute.
 */
import { ProvisioningError, toProvisioningError } from '../errors';
import type { Accounts } from '../targets/target';
import { asList, unique } from '../util';
import type { MappedItem } from './mapping';

/** Resolves the pending unique values in place; returns, per item, the error that stopped it, if any. */
export async function resolveUniqueValues(accounts: Accounts, items: MappedItem[]): Promise<Array<ProvisioningError | undefined>> {
	const results: Array<ProvisioningError | undefined> = items.map(() => undefined);
	const attributes = unique(items.flatMap((m) => m.pendingUnique.map((u) => u.attribute)));
	const takenInTarget = new Map<string, Set<string>>();
	for (const attribute of attributes) {
		const candidates = unique(items.flatMap((m) => m.pendingUnique.filter((u) => u.attribute === attribute).flatMap((u) => u.candidates)));
		try {
			const entries = await accounts.findMany(attribute, candidates, [attribute]);
			const fold = accounts.caseInsensitiveMatch(attribute);
			const values = entries.flatMap((e) => asList(e.attributes[attribute])).map((v) => (fold ? String(v).toLowerCase() : String(v)));
			takenInTarget.set(attribute, new Set(values));
		} catch (error) {
			// The lookup failed at the target: every item needing this attribute fails with that reason.
			items.forEach((m, i) => m.pendingUnique.some((u) => u.attribute === attribute) && (results[i] ??= toProvisioningError(error)));
		}
	}
	const takenInBatch = new Set<string>();
	items.forEach((mapped, i) => {
		if (results[i]) return;
		for (const pending of mapped.pendingUnique) {
			const fold = accounts.caseInsensitiveMatch(pending.attribute);
			const key = (candidate: string) => `${pending.attribute.toLowerCase()}=${fold ? candidate.toLowerCase() : candidate}`;
			const taken = takenInTarget.get(pending.attribute)!;
			const chosen = pending.candidates.find((c) => !taken.has(fold ? c.toLowerCase() : c) && !takenInBatch.has(key(c)));
			if (chosen === undefined) {
				results[i] = new ProvisioningError(
					'Uniqueness',
					`every SelectUniqueValue candidate for ${pending.attribute} is taken (${pending.candidates.join(', ')})`,
					{ field: pending.attribute },
				);
				return;
			}
			takenInBatch.add(key(chosen));
			const envelope = mapped.envelope;
			envelope.createOnly = { ...(envelope.createOnly ?? {}), [pending.attribute]: chosen };
			envelope.matchKeys = envelope.matchKeys.map((k) =>
				k.attribute === pending.attribute && k.value === null ? { ...k, value: chosen } : k,
			);
		}
	});
	return results;
}
