import type { AttributeValue, MatchKey, ProvisioningEnvelope, ScalarValue } from '../../lib/envelope';
import { ProvisioningError } from '../../lib/errors';
import { hasReservedSegment, RESERVED_NAME_REASON } from '../../lib/util';

export interface AttributeRow {
	name?: string;
	value?: unknown;
	apply?: 'always' | 'create';
	matchPrecedence?: number;
	secret?: boolean;
}

/** objectClass is always multi-valued, so a comma-separated string is taken as its list. */
function rowValue(name: string, value: unknown): AttributeValue {
	if (name.toLowerCase() === 'objectclass' && typeof value === 'string' && value.includes(',')) {
		return value
			.split(',')
			.map((v) => v.trim())
			.filter(Boolean);
	}
	return value as AttributeValue;
}

/** Builds an envelope from the node's "Define Below" attribute rows (already expression-resolved). */
export function envelopeFromRows(rows: AttributeRow[], source: ProvisioningEnvelope['source']): ProvisioningEnvelope {
	const envelope: ProvisioningEnvelope = { attributes: {}, createOnly: {}, matchKeys: [], redact: [], source };
	const keyed: Array<MatchKey & { precedence: number }> = [];
	rows.forEach((row, index) => {
		const name = String(row.name ?? '').trim();
		if (!name) {
			throw new ProvisioningError('InvalidInput', `Attribute row ${index + 1} has no target attribute name`, {
				field: `attributes[${index}].name`,
			});
		}
		if (hasReservedSegment(name)) {
			throw new ProvisioningError('InvalidInput', `Attribute row ${index + 1}: "${name}" ${RESERVED_NAME_REASON}`, {
				field: `attributes[${index}].name`,
			});
		}
		const value = rowValue(name, row.value);
		(row.apply === 'create' ? envelope.createOnly! : envelope.attributes)[name] = value;
		if (row.secret) envelope.redact!.push(name);
		const precedence = Number(row.matchPrecedence ?? 0);
		if (precedence > 0) {
			const scalar = (Array.isArray(value) ? value[0] : value) as ScalarValue | null | undefined;
			keyed.push({ attribute: name, value: scalar ?? null, precedence });
		}
	});
	envelope.matchKeys = keyed.sort((a, b) => a.precedence - b.precedence).map(({ attribute, value }) => ({ attribute, value }));
	return envelope;
}
