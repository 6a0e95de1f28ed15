/**
 * The SCIM filter evaluator before the scan was compiled (issue 19): an interpreter that walks the tree for every
 * resource. Kept only as the oracle of the differential test (test/unit/scimFilterScan.test.ts): the compiled
 * evaluator in lib/scim/server/filter.ts must answer exactly as this does.
 */
import type { Filter } from '../../lib/scim/server/filterParser';
import { ScimError } from '../../lib/scim/server/scimError';
import { isObject, keyIgnoringCase as keyOf } from '../../lib/util';
import { parseIsoTime } from '../../lib/times';

const CASE_EXACT = new Set(['id', 'externalid', 'members.value', 'groups.value', 'manager.value', 'meta.version', 'password']);

/** All values an attribute path reaches in a resource, flattening multi-valued attributes. */
function valuesAt(resource: Record<string, unknown>, path: string): unknown[] {
	let base: Record<string, unknown> = resource;
	let rest = path;
	if (/^urn:/i.test(path)) {
		const colon = path.lastIndexOf(':');
		const schema = path.slice(0, colon);
		rest = path.slice(colon + 1);
		if (!/:core:2\.0:(User|Group)$/i.test(schema)) {
			const key = keyOf(resource, schema);
			if (!key || !isObject(resource[key])) return [];
			base = resource[key] as Record<string, unknown>;
		}
	}
	let current: unknown[] = [base];
	for (const segment of rest.split('.')) {
		const next: unknown[] = [];
		for (const c of current.flatMap((v) => (Array.isArray(v) ? v : [v]))) {
			if (!isObject(c)) continue;
			const key = keyOf(c, segment);
			if (key !== undefined) next.push(c[key]);
		}
		current = next;
	}
	const flat = current.flatMap((v) => (Array.isArray(v) ? v : [v]));
	// A complex multi-valued attribute compared directly means its "value" sub-attribute (emails eq "x").
	return flat.map((v) => (isObject(v) && 'value' in v ? v.value : v));
}

/** `expectedText` is the expected value as text, lower-cased unless caseExact (see preparedFor). */
function compare(op: string, actual: unknown, expected: unknown, caseExact: boolean, expectedText: string): boolean {
	if (op === 'pr')
		return actual !== null && actual !== undefined && actual !== '' && !(isObject(actual) && Object.keys(actual).length === 0);
	if (actual === null || actual === undefined) return op === 'ne' ? expected !== null : op === 'eq' && expected === null;
	if (typeof expected === 'boolean' || typeof actual === 'boolean') {
		if (['gt', 'ge', 'lt', 'le', 'co', 'sw', 'ew'].includes(op))
			throw new ScimError(400, `"${op}" cannot compare boolean values`, 'invalidFilter');
		const a = typeof actual === 'boolean' ? actual : String(actual).toLowerCase() === 'true';
		return op === 'eq' ? a === expected : a !== expected;
	}
	if (typeof expected === 'number' && typeof actual === 'number') {
		switch (op) {
			case 'eq':
				return actual === expected;
			case 'ne':
				return actual !== expected;
			case 'gt':
				return actual > expected;
			case 'ge':
				return actual >= expected;
			case 'lt':
				return actual < expected;
			case 'le':
				return actual <= expected;
		}
	}
	const a = caseExact ? String(actual) : String(actual).toLowerCase();
	const e = expectedText;
	if (['gt', 'ge', 'lt', 'le'].includes(op)) {
		// Times as the product reads them since (ISO only, no offset = UTC): the one deliberate change to this oracle.
		const da = parseIsoTime(a)?.getTime() ?? NaN;
		const de = parseIsoTime(e)?.getTime() ?? NaN;
		const [x, y]: Array<string | number> = !Number.isNaN(da) && !Number.isNaN(de) && /\d{4}-\d{2}-\d{2}/.test(a) ? [da, de] : [a, e];
		return op === 'gt' ? x > y : op === 'ge' ? x >= y : op === 'lt' ? x < y : x <= y;
	}
	switch (op) {
		case 'eq':
			return a === e;
		case 'ne':
			return a !== e;
		case 'co':
			return a.includes(e);
		case 'sw':
			return a.startsWith(e);
		case 'ew':
			return a.endsWith(e);
		default:
			throw new ScimError(400, `Unknown operator "${op}"`, 'invalidFilter');
	}
}

const caseExactFor = (path: string) => CASE_EXACT.has(path.replace(/^urn:.*:/i, '').toLowerCase());

/** Per comparison, worked out once rather than for every resource (a value may be 64K characters long). */
const prepared = new WeakMap<Filter, { exact: boolean; text: string }>();
function preparedFor(filter: Filter, attrPath: string, compValue: unknown): { exact: boolean; text: string } {
	let found = prepared.get(filter);
	if (!found) {
		const exact = caseExactFor(attrPath);
		found = { exact, text: exact ? String(compValue) : String(compValue).toLowerCase() };
		prepared.set(filter, found);
	}
	return found;
}

/** Evaluates a parsed filter against a resource. */
export function oldMatchesFilter(filter: Filter, resource: Record<string, unknown>): boolean {
	switch (filter.op) {
		case 'and':
			return (filter as { filters: Filter[] }).filters.every((f) => oldMatchesFilter(f, resource));
		case 'or':
			return (filter as { filters: Filter[] }).filters.some((f) => oldMatchesFilter(f, resource));
		case 'not':
			return !oldMatchesFilter((filter as { filter: Filter }).filter, resource);
		case '[]': {
			const { attrPath, valFilter } = filter as { attrPath: string; valFilter: Filter };
			const key = keyOf(resource, attrPath.replace(/^urn:.*:/i, ''));
			const list = key === undefined ? [] : ([] as unknown[]).concat(resource[key] ?? []);
			return list.some((element) => isObject(element) && oldMatchesFilter(valFilter, element));
		}
		default: {
			const { op, attrPath, compValue } = filter as { op: string; attrPath: string; compValue?: unknown };
			const values = valuesAt(resource, attrPath);
			const { exact, text } = preparedFor(filter, attrPath, compValue);
			if (op === 'ne') return values.length === 0 ? compValue !== null : values.every((v) => compare('ne', v, compValue, exact, text));
			if (values.length === 0) return false;
			return values.some((v) => compare(op, v, compValue, exact, text));
		}
	}
}
