import type { AttributeMap, AttributeValue, ScalarValue } from '../envelope';
import { type AttributeChange, canonicalValue } from '../attributeChanges';

const asList = (value: AttributeValue | undefined): unknown[] =>
	value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];

/** Desired values that differ from the current ones; attributes the caller did not ask for are left alone. */
export function diffAttributes(
	current: AttributeMap,
	desired: AttributeMap,
	options: { clear?: string[]; ignoreCase?: (attribute: string) => boolean } = {},
): AttributeChange[] {
	const changes: AttributeChange[] = [];
	for (const [attribute, newValue] of Object.entries(desired)) {
		const oldValue = current[attribute];
		const ignoreCase = options.ignoreCase?.(attribute) ?? false;
		if (Array.isArray(newValue) || Array.isArray(oldValue)) {
			const oldList = asList(oldValue);
			const newList = asList(newValue);
			const oldKeys = new Set(oldList.map((v) => canonicalValue(v, ignoreCase)));
			const newKeys = new Set(newList.map((v) => canonicalValue(v, ignoreCase)));
			const added = newList.filter((v) => !oldKeys.has(canonicalValue(v, ignoreCase))) as ScalarValue[];
			const removed = oldList.filter((v) => !newKeys.has(canonicalValue(v, ignoreCase))) as ScalarValue[];
			if (added.length || removed.length) changes.push({ attribute, oldValue, newValue, added, removed });
		} else if (
			oldValue === undefined ||
			oldValue === null ||
			canonicalValue(oldValue, ignoreCase) !== canonicalValue(newValue, ignoreCase)
		) {
			changes.push({ attribute, oldValue, newValue });
		}
	}
	for (const attribute of options.clear ?? []) {
		if (attribute in desired) continue;
		const oldValue = current[attribute];
		if (asList(oldValue).length > 0) changes.push({ attribute, oldValue, newValue: undefined, removed: asList(oldValue) as ScalarValue[] });
	}
	return changes;
}
