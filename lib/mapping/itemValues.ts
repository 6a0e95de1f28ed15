/** What a mapping reads from the item it works on, and how evaluated values become an envelope's values. */
import type { AttributeValue, ScalarValue } from '../envelope';
import { defaultDateText } from './dates';
import type { EvalContext, MappingValue } from './functions/values';
import { MISSING, sourceAccessor } from './sourcePath';

/** What expressions read: the item the mapping is working on. */
export class ItemContext implements EvalContext {
	item: Record<string, unknown> = {};
	secrets: string[] = [];

	constructor(readonly now?: () => Date) {}

	attribute(name: string, read = sourceAccessor(name)): MappingValue {
		const value = read(this.item);
		return value === MISSING ? null : (value as MappingValue);
	}
}

/** Flattens an evaluated value into what an envelope holds. */
export function toAttributeValue(value: MappingValue): AttributeValue {
	if (value === undefined || value === null) return null;
	if (value instanceof Date) return defaultDateText(value);
	if (Array.isArray(value)) {
		const flat = value.map(toAttributeValue).filter((v) => v !== null && v !== '');
		return flat as AttributeValue;
	}
	if (typeof value === 'object') return value as unknown as AttributeValue;
	return value as ScalarValue;
}

export const nonEmptyScalar = (v: MappingValue): v is ScalarValue =>
	typeof v === 'string' ? v !== '' : typeof v === 'number' || typeof v === 'boolean';

export const empty = (v: AttributeValue) => v === null || v === '' || (Array.isArray(v) && v.length === 0);
