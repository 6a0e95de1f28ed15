/**
 * SelectUniqueValue: each item takes the first candidate that neither the target nor an earlier item of the
 * batch already holds. Every candidate of the batch is looked up in one batched pass per attribute.
 */
import { ProvisioningError, toProvisioningError } from '../errors';
import { lookupEach } from '../provisioning/keyMatch';
import type { Accounts } from '../targets/target';
import { unique } from '../util';
import type { MappedItem } from './mapping';

/** Resolves the pending unique values in place; returns, per item, the error that stopped it, if any. */
export async function resolveUniqueValues(accounts: Accounts, items: MappedItem[]): Promise<Array<ProvisioningError | undefined>> {
	const results: Array<ProvisioningError | undefined> = items.map(() => undefined);
	const attributes = unique(items.flatMap((m) => m.pendingUnique.map((u) => u.attribute)));
	// Per attribute: the candidates the target already holds, and every candidate's match key (how the target compares).
	const takenInTarget = new Map<string, Set<string>>();
	const keyOf = new Map<string, Map<string, string | undefined>>();
	for (const attribute of attributes) {
		const candidates = unique(items.flatMap((m) => m.pendingUnique.filter((u) => u.attribute === attribute).flatMap((u) => u.candidates)));
		try {
			const found = await lookupEach(accounts, attribute, candidates, [attribute]);
			const failed = found.find((f): f is ProvisioningError => f instanceof ProvisioningError);
			if (failed) throw failed;
			takenInTarget.set(attribute, new Set(candidates.filter((_, n) => (found[n] as unknown[]).length > 0)));
			const { keys } = await accounts.matchKeys(attribute, candidates);
			keyOf.set(attribute, new Map(candidates.map((c, n) => [c, keys[n]])));
		} catch (error) {
			// The lookup failed at the target: every item needing this attribute fails with that reason.
			items.forEach((m, i) => m.pendingUnique.some((u) => u.attribute === attribute) && (results[i] ??= toProvisioningError(error)));
		}
	}
	const takenInBatch = new Set<string>();
	items.forEach((mapped, i) => {
		if (results[i]) return;
		for (const pending of mapped.pendingUnique) {
			// Two candidates the target may find equal are one name: the second of the batch is taken too.
			const key = (candidate: string) => `${pending.attribute.toLowerCase()}=${keyOf.get(pending.attribute)!.get(candidate) ?? candidate}`;
			const taken = takenInTarget.get(pending.attribute)!;
			const chosen = pending.candidates.find((c) => !taken.has(c) && !takenInBatch.has(key(c)));
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
