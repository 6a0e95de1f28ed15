/** Values of the mapping language, its markers, and the conversions every function shares (Entra's rules). */
import { ProvisioningError } from '../../errors';
import { defaultDateText, parseDate } from '../dates';

export type MappingValue = string | number | boolean | Date | null | undefined | MappingValue[] | Marker;

/** IgnoreFlowIfNullOrEmpty: drop the attribute from the flow. */
export class IgnoreFlow {}
/** Redact: the value flows, but logs show [Redact]. */
export class Redacted {
	constructor(readonly value: MappingValue) {}
}
/** SelectUniqueValue: candidates, tried against the target in order; the first free one wins. */
export class UniqueCandidates {
	constructor(readonly candidates: string[]) {}
}
export type Marker = IgnoreFlow | Redacted | UniqueCandidates;

export interface EvalContext {
	/** `read` is the name's path compiled beforehand (see sourceAccessor); a context may use it or ignore it. */
	attribute(name: string, read?: (item: Record<string, unknown>) => unknown): MappingValue;
	now?: () => Date;
	/** Values Redact() marked while the current item is mapped: scrubbed from any error a later function throws. */
	secrets?: string[];
}

export type Thunk = (ctx: EvalContext) => MappingValue;
export interface FunctionSpec {
	min: number;
	max: number;
	fn: (args: Thunk[], ctx: EvalContext) => MappingValue;
}

export const fail = (message: string) => {
	throw new ProvisioningError('InvalidInput', message, { field: 'expression' });
};

/** Unwraps Redact, so a redacted value can still feed other functions. */
export const plain = (v: MappingValue): MappingValue => (v instanceof Redacted ? plain(v.value) : v);
export const isEmpty = (v: MappingValue): boolean => {
	const p = plain(v);
	return p === null || p === undefined || p === '' || (Array.isArray(p) && p.length === 0);
};
/** Text of a value; dates take Entra's default form. */
export const text = (v: MappingValue): string | null => {
	const p = plain(v);
	if (p === null || p === undefined || p instanceof IgnoreFlow) return null;
	if (p instanceof Date) return defaultDateText(p);
	if (typeof p === 'boolean') return p ? 'True' : 'False';
	if (Array.isArray(p)) return p.length ? text(p[0]) : null;
	if (typeof p === 'object') return JSON.stringify(p);
	return String(p);
};
export const num = (v: MappingValue, name: string): number => {
	const n = Number(text(v));
	if (text(v) === null || Number.isNaN(n)) fail(`${name} must be a number, not "${text(v)}"`);
	return n;
};
export const bool = (v: MappingValue): boolean => {
	const p = plain(v);
	if (typeof p === 'boolean') return p;
	if (typeof p === 'number') return p !== 0;
	const s = text(p);
	if (s === null) return false;
	if (/^true$/i.test(s)) return true;
	if (/^false$/i.test(s) || s === '') return false;
	const n = Number(s);
	return Number.isNaN(n) ? true : n !== 0;
};
export const date = (v: MappingValue): Date => {
	const p = plain(v);
	if (p instanceof Date) return p;
	const s = text(p);
	if (s === null) return fail('a date is required') as never;
	return parseDate(s);
};
export const list = (v: MappingValue): MappingValue[] => {
	const p = plain(v);
	if (p === null || p === undefined) return [];
	return Array.isArray(p) ? p : [p];
};
export const arg = (args: Thunk[], i: number, ctx: EvalContext): MappingValue => (args[i] ? args[i](ctx) : undefined);

export const spec = (min: number, max: number, fn: FunctionSpec['fn']): FunctionSpec => ({ min, max, fn });
export const unary = (fn: (v: MappingValue) => MappingValue) => spec(1, 1, (a, c) => fn(a[0](c)));
