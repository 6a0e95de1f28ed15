/** Entra scoping filters: clauses within a filter are ANDed, filters are ORed, a clause on null is false. */
import { ProvisioningError } from '../errors';
import { MISSING, readSourcePath } from './sourcePath';

export const SCOPING_OPERATORS = [
	'EQUALS',
	'NOT EQUALS',
	'IS TRUE',
	'IS FALSE',
	'IS NULL',
	'IS NOT NULL',
	'REGEX MATCH',
	'NOT REGEX MATCH',
	'Greater_Than',
	'Greater_Than_OR_EQUALS',
	'ENDS_WITH',
	'Includes',
	'&',
	'!&',
] as const;
export type ScopingOperator = (typeof SCOPING_OPERATORS)[number];

export interface ScopingClause {
	attribute: string;
	operator: ScopingOperator;
	value?: string;
}

type Test = (item: Record<string, unknown>) => boolean;

const isNull = (v: unknown) => v === MISSING || v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
const values = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).filter((x) => x !== null && x !== undefined).map(String);

function integer(text: string | undefined, where: string): number {
	const n = Number(text);
	if (text === undefined || text.trim() === '' || !Number.isInteger(n))
		throw new ProvisioningError('InvalidInput', `${where}: "${text ?? ''}" is not an integer`, { field: where });
	return n;
}

function compileClause(clause: ScopingClause, where: string): Test {
	const { attribute, operator, value } = clause;
	if (!attribute?.trim()) throw new ProvisioningError('InvalidInput', `${where}: the clause has no attribute`, { field: where });
	if (!SCOPING_OPERATORS.includes(operator))
		throw new ProvisioningError('InvalidInput', `${where}: unknown operator "${operator}"`, { field: where });
	const read = (item: Record<string, unknown>) => readSourcePath(item, attribute);
	if (operator === 'IS NULL') return (item) => isNull(read(item));
	if (operator === 'IS NOT NULL') return (item) => !isNull(read(item));
	// Every other operator is false on a null value (Entra's rule).
	const guard =
		(test: (v: unknown) => boolean): Test =>
		(item) => {
			const v = read(item);
			return !isNull(v) && test(v);
		};
	switch (operator) {
		case 'EQUALS':
			return guard((v) => values(v).some((x) => x === (value ?? '')));
		case 'NOT EQUALS':
			return guard((v) => values(v).every((x) => x !== (value ?? '')));
		case 'IS TRUE':
			return guard((v) => v === true || /^true$/i.test(String(v)));
		case 'IS FALSE':
			return guard((v) => v === false || /^false$/i.test(String(v)));
		case 'ENDS_WITH':
			return guard((v) => values(v).some((x) => x.toLowerCase().endsWith((value ?? '').toLowerCase())));
		case 'Includes':
			return guard((v) => values(v).some((x) => x.toLowerCase().includes((value ?? '').toLowerCase())));
		case 'Greater_Than': {
			const n = integer(value, where);
			return guard((v) => Number(v) > n);
		}
		case 'Greater_Than_OR_EQUALS': {
			const n = integer(value, where);
			return guard((v) => Number(v) >= n);
		}
		case '&':
		case '!&': {
			const mask = integer(value, where);
			const negate = operator === '!&';
			return guard((v) => ((Number(v) & mask) !== 0) !== negate);
		}
		default: {
			let regex: RegExp;
			try {
				regex = new RegExp(value ?? '');
			} catch (error) {
				throw new ProvisioningError('InvalidInput', `${where}: invalid regular expression "${value}": ${(error as Error).message}`, {
					field: where,
				});
			}
			const negate = operator === 'NOT REGEX MATCH';
			return guard((v) => values(v).some((x) => regex.test(x)) !== negate);
		}
	}
}

/** Compiles filters (ORed) of clauses (ANDed); no filters means everything is in scope. */
export function compileScoping(filters: ScopingClause[][]): Test {
	const compiled = filters
		.filter((f) => f.length > 0)
		.map((clauses, f) => clauses.map((c, i) => compileClause(c, `scoping filter ${f + 1}, clause ${i + 1}`)));
	if (compiled.length === 0) return () => true;
	return (item) => compiled.some((clauses) => clauses.every((test) => test(item)));
}
