/**
 * SCIM filters as a service provider must answer them (RFC 7644 §3.4.2.2), parsed by ./filterParser (linear, with
 * limits) and evaluated here with caseExact semantics: userName and most strings ignore case; id and externalId do not.
 */
import { isObject } from '../../util';
import { CORE_SCHEMA_PREFIX } from '../schema';
import { type Comparison, type Filter, FilterSyntaxError, type FilterLimits, parseFilter, type Presence } from './filterParser';
import { ScimError } from './scimError';
import { parseIsoTime } from '../../times';

export type { Filter } from './filterParser';

const CASE_EXACT = new Set(['id', 'externalid', 'members.value', 'groups.value', 'manager.value', 'meta.version', 'password']);

/**
 * What one filter may cost (README, SCIM Trigger, "Filters"): Entra ID and Okta send one to three comparisons in a few
 * hundred characters; Provision User's batched lookups send at most 50 clauses of one or two comparisons.
 */
export const FILTER_LIMITS: FilterLimits = { maxLength: 65536, maxComparisons: 200, maxDepth: 32 };

/** A client's filter as a tree; 400 invalidFilter (saying which limit, if one) when it is not valid. */
export function parseScimFilter(text: string): Filter {
	if (!text || !text.trim()) throw new ScimError(400, 'The filter is empty', 'invalidFilter');
	try {
		return parseFilter(text, FILTER_LIMITS);
	} catch (error) {
		if (!(error instanceof FilterSyntaxError)) throw error;
		if (error.limit) throw new ScimError(400, error.message, 'invalidFilter');
		const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
		throw new ScimError(400, `Invalid filter "${shown}": ${error.message}`, 'invalidFilter');
	}
}

type PlainObject = Record<string, unknown>;
/** A filter compiled for one request: a test of one resource, run on every resource a scan examines. */
export type ResourceTest = (resource: PlainObject) => boolean;

const ownKey = Object.prototype.hasOwnProperty;

/**
 * keyIgnoringCase (the name itself, else the first own key equal to it ignoring case), for one resource at a time:
 * an object's keys are lower-cased once, the first time a name misses in it, however many comparisons ask.
 */
class KeyFinder {
	private readonly lowered = new Map<object, Map<string, string>>();

	nextResource(): void {
		if (this.lowered.size) this.lowered.clear();
	}

	keyOf(obj: PlainObject, name: string, lower: string): string | undefined {
		if (ownKey.call(obj, name)) return name;
		let keys = this.lowered.get(obj);
		if (!keys) {
			keys = new Map();
			for (const key of Object.keys(obj)) if (!keys.has(key.toLowerCase())) keys.set(key.toLowerCase(), key);
			this.lowered.set(obj, keys);
		}
		return keys.get(lower);
	}
}

interface Name {
	name: string;
	lower: string;
}
const nameOf = (name: string): Name => ({ name, lower: name.toLowerCase() });

/** A complex value compared directly means its "value" sub-attribute (emails eq "x"). */
const valueOf = (v: unknown) => (isObject(v) && 'value' in v ? v.value : v);

/**
 * A reader of every value an attribute path reaches in a resource, flattening multi-valued attributes. It fills
 * and returns the same array on every call (a scan reads millions of values): use it before the next call.
 */
function pathReader(path: string, keys: KeyFinder): (resource: PlainObject) => unknown[] {
	let rest = path;
	let extension: Name | undefined;
	if (/^urn:/i.test(path)) {
		const colon = path.lastIndexOf(':');
		rest = path.slice(colon + 1);
		if (!/:core:2\.0:(User|Group)$/i.test(path.slice(0, colon))) extension = nameOf(path.slice(0, colon));
	}
	const segments = rest.split('.').map(nameOf);
	let current: unknown[] = [];
	let next: unknown[] = [];
	const out: unknown[] = [];
	const step = (from: unknown, segment: Name) => {
		if (!isObject(from)) return;
		const key = keys.keyOf(from, segment.name, segment.lower);
		if (key !== undefined) next.push(from[key]);
	};
	return (resource) => {
		out.length = 0;
		let base: PlainObject = resource;
		if (extension) {
			const key = keys.keyOf(resource, extension.name, extension.lower);
			if (key === undefined || !isObject(resource[key])) return out;
			base = resource[key] as PlainObject;
		}
		current.length = 0;
		current.push(base);
		for (const segment of segments) {
			next.length = 0;
			for (const v of current) {
				if (Array.isArray(v)) for (const element of v) step(element, segment);
				else step(v, segment);
			}
			const read = next;
			next = current;
			current = read;
		}
		for (const v of current) {
			if (Array.isArray(v)) for (const element of v) out.push(valueOf(element));
			else out.push(valueOf(v));
		}
		return out;
	};
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
		// A time without an offset is UTC, never the machine's zone (lib/times.ts).
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

type Leaf = Comparison | Presence;
const isLeaf = (f: Filter): f is Leaf => f.op !== 'and' && f.op !== 'or' && f.op !== 'not' && f.op !== '[]';
/** Only these operators can throw (on booleans): an `or` whose comparisons cannot throw may be evaluated in any order. */
const MAY_THROW = new Set(['gt', 'ge', 'lt', 'le', 'co', 'sw', 'ew']);
const mayThrow = (f: Filter): boolean =>
	isLeaf(f) ? MAY_THROW.has(f.op) : f.op === 'not' ? mayThrow(f.filter) : f.op === '[]' ? mayThrow(f.valFilter) : f.filters.some(mayThrow);
/** `attr eq "text"`: the comparisons an `or` can answer with one set lookup per value. */
const isTextEquality = (f: Filter): f is Comparison => f.op === 'eq' && typeof (f as Comparison).compValue === 'string';

function compileLeaf(filter: Leaf, keys: KeyFinder): ResourceTest {
	const { op, attrPath } = filter;
	const compValue = op === 'pr' ? undefined : (filter as Comparison).compValue;
	const values = pathReader(attrPath, keys);
	const exact = caseExactFor(attrPath);
	const text = exact ? String(compValue) : String(compValue).toLowerCase();
	if (op === 'ne')
		return (r) => {
			const found = values(r);
			return found.length === 0 ? compValue !== null : found.every((v) => compare('ne', v, compValue, exact, text));
		};
	return (r) => values(r).some((v) => compare(op, v, compValue, exact, text));
}

/** `a eq "x" or a eq "y" or …` on one attribute path: what compare('eq', …) answers for text values, as a set lookup. */
function textEqualities(attrPath: string, texts: string[], keys: KeyFinder): ResourceTest {
	const values = pathReader(attrPath, keys);
	const exact = caseExactFor(attrPath);
	const wanted = new Set(texts.map((t) => (exact ? t : t.toLowerCase())));
	return (r) =>
		values(r).some(
			(v) => v !== null && v !== undefined && typeof v !== 'boolean' && wanted.has(exact ? String(v) : String(v).toLowerCase()),
		);
}

function compileOr(filters: Filter[], keys: KeyFinder): ResourceTest {
	const tests: ResourceTest[] = [];
	// Text equalities on one path become one set lookup, when no comparison of the `or` can throw (then its order is free).
	const grouped = new Map<string, string[]>();
	const groupable = !filters.some(mayThrow);
	for (const f of filters) {
		if (!groupable || !isTextEquality(f)) tests.push(compileNode(f, keys));
		else if (grouped.has(f.attrPath)) grouped.get(f.attrPath)!.push(f.compValue as string);
		else grouped.set(f.attrPath, [f.compValue as string]);
	}
	for (const [attrPath, texts] of grouped) tests.unshift(textEqualities(attrPath, texts, keys));
	return (r) => tests.some((test) => test(r));
}

function compileNode(filter: Filter, keys: KeyFinder): ResourceTest {
	switch (filter.op) {
		case 'and': {
			const tests = filter.filters.map((f) => compileNode(f, keys));
			return (r) => tests.every((test) => test(r));
		}
		case 'or':
			return compileOr(filter.filters, keys);
		case 'not': {
			const test = compileNode(filter.filter, keys);
			return (r) => !test(r);
		}
		case '[]': {
			const attribute = nameOf(filter.attrPath.replace(/^urn:.*:/i, ''));
			const test = compileNode(filter.valFilter, keys);
			return (r) => {
				const key = keys.keyOf(r, attribute.name, attribute.lower);
				const value = key === undefined ? undefined : r[key];
				if (value === undefined || value === null) return false;
				return Array.isArray(value) ? value.some((element) => isObject(element) && test(element)) : isObject(value) && test(value);
			};
		}
		default:
			return compileLeaf(filter, keys);
	}
}

/**
 * A parsed filter compiled into a test of one resource (RFC 7644 §3.4.2.2 with caseExact semantics). Per comparison,
 * the path is split and the expected value lower-cased once, not once per resource; values are read without building
 * lists; text equalities or-ed on one attribute (the batched lookups clients send) are one set lookup.
 */
export function compileFilter(filter: Filter): ResourceTest {
	const keys = new KeyFinder();
	const test = compileNode(filter, keys);
	return (resource) => {
		keys.nextResource();
		return test(resource);
	};
}

const compiled = new WeakMap<Filter, ResourceTest>();

/** Evaluates a parsed filter against a resource (compiled on first use). */
export function matchesFilter(filter: Filter, resource: PlainObject): boolean {
	let test = compiled.get(filter);
	if (!test) compiled.set(filter, (test = compileFilter(filter)));
	return test(resource);
}

/** The single attribute an equality filter pins down (for index lookups): `userName eq "x"` → ['userName', 'x']. */
export function equalityKey(filter: Filter): { attribute: string; value: string } | undefined {
	if (filter.op !== 'eq') return undefined;
	const { attrPath, compValue } = filter as { attrPath: string; compValue: unknown };
	if (typeof compValue !== 'string' && typeof compValue !== 'number') return undefined;
	return { attribute: attrPath.replace(CORE_SCHEMA_PREFIX, ''), value: String(compValue) };
}
