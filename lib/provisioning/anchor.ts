/**
 * The anchor: a target attribute that records the source key on the account (employeeNumber, SCIM externalId), as
 * Entra's anchor does. It is matched before every other key, so a change of all the other match keys at once (a
 * name change that alters userName and mail) is an Update, not a Create. Reconcile can keep to anchored accounts,
 * leaving alone the ones the package never created.
 */
import { isEmptyValue, type MatchKey, type ProvisioningEnvelope, type ScalarValue } from '../envelope';
import type { TargetEntry } from '../targets/target';
import { asList, keyIgnoringCase } from '../util';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The envelope's anchor value (from its attributes, else its create-only values), as a match key. */
export function anchorKey(envelope: ProvisioningEnvelope, anchor: string): MatchKey | undefined {
	for (const map of [envelope.attributes, envelope.createOnly ?? {}]) {
		const key = keyIgnoringCase(map, anchor);
		const value = key === undefined ? undefined : map[key];
		if (isEmptyValue(value)) continue;
		if (['string', 'number', 'boolean'].includes(typeof value)) return { attribute: key!, value: value as ScalarValue };
	}
	const matched = envelope.matchKeys.find((k) => same(k.attribute, anchor) && !isEmptyValue(k.value));
	return matched ? { attribute: matched.attribute, value: matched.value } : undefined;
}

/** The envelope with its anchor as the first match key; one without an anchor value is matched as before. */
export function anchorFirst(envelope: ProvisioningEnvelope, anchor: string | undefined): ProvisioningEnvelope {
	if (!anchor) return envelope;
	const key = anchorKey(envelope, anchor);
	if (!key) return envelope;
	return { ...envelope, matchKeys: [key, ...envelope.matchKeys.filter((k) => !same(k.attribute, key.attribute))] };
}

/** Whether an account carries the anchor (any non-empty value). */
export function hasAnchor(entry: TargetEntry, anchor: string): boolean {
	const key = keyIgnoringCase(entry.attributes, anchor);
	return key !== undefined && asList(entry.attributes[key]).some((v) => !isEmptyValue(v));
}
