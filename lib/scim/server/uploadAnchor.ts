/**
 * The anchor of an Entra-style bulk upload: the attribute a record is matched on in the trigger's store (Entra's
 * "matching attribute"; externalId by default). A core attribute (`externalId`, `userName`, `name.familyName`), an
 * enterprise one by its bare name (`employeeNumber`, `department`, …) or any attribute with its schema URN.
 */
import { isObject, keyIgnoringCase } from '../../util';
import { ENTERPRISE_USER_SCHEMA } from '../schema';
import { isInheritedName } from './inheritedNames';
import { ScimError } from './scimError';

export interface Anchor {
	/** As configured, for messages. */
	name: string;
	/** The attribute path a SCIM filter names it by. */
	filterPath: string;
	/** The record's value of it, as a string; undefined when it has none. */
	valueOf(data: Record<string, unknown>): string | undefined;
}

const ENTERPRISE = new Set(['employeenumber', 'costcenter', 'organization', 'division', 'department']);
const NAME = /^[A-Za-z][\w-]*$/;

const child = (value: unknown, name: string): unknown => {
	if (!isObject(value)) return undefined;
	const key = keyIgnoringCase(value, name);
	return key === undefined ? undefined : value[key];
};

export function anchorFor(configured: string): Anchor {
	const name = configured.trim() || 'externalId';
	const colon = name.lastIndexOf(':');
	const [schema, path] = /^urn:/i.test(name)
		? [name.slice(0, colon), name.slice(colon + 1)]
		: ENTERPRISE.has(name.toLowerCase())
			? [ENTERPRISE_USER_SCHEMA, name]
			: [undefined, name];
	const parts = path.split('.');
	if (
		parts.length > 2 ||
		parts.some((p) => !NAME.test(p) || isInheritedName(p)) ||
		(schema !== undefined && !/^urn:[^\s"[\]]+$/i.test(schema))
	)
		throw new ScimError(500, `The SCIM Trigger's Upload Matching Attribute "${name.slice(0, 100)}" is not an attribute path`);
	return {
		name,
		filterPath: schema ? `${schema}:${path}` : path,
		valueOf(data) {
			let value: unknown = schema ? child(data, schema) : data;
			for (const part of parts) value = child(value, part);
			if (typeof value === 'number' || typeof value === 'boolean') return String(value);
			return typeof value === 'string' && value !== '' ? value : undefined;
		},
	};
}
