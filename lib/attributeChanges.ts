/**
 * Comparing attribute values and the changes between them: what the provisioning core diffs, what a target writes
 * and what the log shows. At the bottom of lib/, beside the envelope, so targets and the core share it.
 */
import type { AttributeValue, ScalarValue } from './envelope';

/** One attribute that differs between the target and the desired state. */
export interface AttributeChange {
	attribute: string;
	oldValue: AttributeValue | undefined;
	newValue: AttributeValue | undefined;
	/** For multi-valued attributes: values to add and to remove, for a minimal write. */
	added?: ScalarValue[];
	removed?: ScalarValue[];
}

/** A canonical string for comparing values across types ("512" equals 512, "TRUE" equals true). */
export function canonicalValue(value: unknown, ignoreCase = false): string {
	let out: string;
	if (typeof value === 'boolean') out = value ? 'true' : 'false';
	else if (typeof value === 'string' && /^(true|false)$/i.test(value)) out = value.toLowerCase();
	else if (typeof value === 'object' && value !== null) out = stableJson(value);
	else out = String(value);
	return ignoreCase ? out.toLowerCase() : out;
}

function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (typeof value === 'object' && value !== null) {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, v]) => v !== undefined && v !== null)
			.sort(([a], [b]) => a.localeCompare(b));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
	}
	return JSON.stringify(typeof value === 'boolean' || typeof value === 'number' ? String(value) : value);
}
