import { compileMapping } from '../../lib/mapping/mapping';
import { PRESETS, withPreset } from '../../lib/mapping/presets';
import { compileScoping, type ScopingClause } from '../../lib/mapping/scoping';
import { readSourcePath, MISSING } from '../../lib/mapping/sourcePath';

const inScope = (clauses: ScopingClause[], item: Record<string, unknown>) => compileScoping([clauses])(item);

describe('scoping operators (a clause on a null value is false)', () => {
	const item = {
		dept: 'Sales',
		email: 'ada@contoso.com',
		enabled: true,
		disabled: 'False',
		flags: 514,
		level: 7,
		roles: ['Admin', 'Reader'],
		empty: '',
		none: null,
	};
	test.each<[ScopingClause, boolean, boolean]>([
		// clause, result on the item, result when the attribute is null
		[{ attribute: 'dept', operator: 'EQUALS', value: 'Sales' }, true, false],
		[{ attribute: 'dept', operator: 'EQUALS', value: 'sales' }, false, false],
		[{ attribute: 'dept', operator: 'NOT EQUALS', value: 'HR' }, true, false],
		[{ attribute: 'enabled', operator: 'IS TRUE' }, true, false],
		[{ attribute: 'disabled', operator: 'IS FALSE' }, true, false],
		[{ attribute: 'dept', operator: 'IS NOT NULL' }, true, false],
		[{ attribute: 'dept', operator: 'IS NULL' }, false, true],
		[{ attribute: 'email', operator: 'REGEX MATCH', value: '^[a-z]+@contoso\\.com$' }, true, false],
		[{ attribute: 'email', operator: 'NOT REGEX MATCH', value: '@fabrikam' }, true, false],
		[{ attribute: 'level', operator: 'Greater_Than', value: '6' }, true, false],
		[{ attribute: 'level', operator: 'Greater_Than_OR_EQUALS', value: '7' }, true, false],
		[{ attribute: 'email', operator: 'ENDS_WITH', value: '@CONTOSO.COM' }, true, false],
		[{ attribute: 'roles', operator: 'Includes', value: 'admin' }, true, false],
		[{ attribute: 'flags', operator: '&', value: '2' }, true, false],
		[{ attribute: 'flags', operator: '!&', value: '16' }, true, false],
	])('%j', (clause, expected, onNull) => {
		expect(inScope([clause], item)).toBe(expected);
		expect(inScope([{ ...clause, attribute: 'none' }], item)).toBe(onNull);
		expect(inScope([{ ...clause, attribute: 'absent' }], item)).toBe(onNull);
	});
	test('clauses are ANDed within a filter, filters ORed', () => {
		const test = compileScoping([
			[
				{ attribute: 'dept', operator: 'EQUALS', value: 'Sales' },
				{ attribute: 'level', operator: 'Greater_Than', value: '5' },
			],
			[{ attribute: 'dept', operator: 'EQUALS', value: 'HR' }],
		]);
		expect(test({ dept: 'Sales', level: 6 })).toBe(true);
		expect(test({ dept: 'Sales', level: 2 })).toBe(false);
		expect(test({ dept: 'HR' })).toBe(true);
		expect(compileScoping([])({})).toBe(true);
	});
	test('bad clauses are refused before any item runs, naming the clause', () => {
		expect(() => compileScoping([[{ attribute: 'a', operator: 'REGEX MATCH', value: '(unclosed' }]])).toThrow(
			/scoping filter 1, clause 1: invalid regular expression "\(unclosed"/,
		);
		expect(() => compileScoping([[{ attribute: 'a', operator: 'Greater_Than', value: 'ten' }]])).toThrow(/"ten" is not an integer/);
		expect(() => compileScoping([[{ attribute: '', operator: 'EQUALS', value: 'x' }]])).toThrow(/no attribute/);
	});
});

describe('source paths', () => {
	const item = { 'a.b': 1, a: { b: 2 }, list: [{ v: 'x' }], 'urn:x:User': { n: 5 }, emails: [{ type: 'work', value: 'w@x' }] };
	test.each([
		['a.b', 1],
		['list[0].v', 'x'],
		['["urn:x:User"].n', 5],
		['urn:x:User', { n: 5 }],
		['emails[type eq "work"].value', 'w@x'],
	])('%s', (path, expected) => expect(readSourcePath(item, path)).toEqual(expected));
	test.each(['missing', 'a.c', 'list[3].v', '__proto__', 'constructor.name', 'a.__proto__'])('%s is missing', (path) =>
		expect(readSourcePath(item, path)).toBe(MISSING),
	);
});

describe('mapping rows', () => {
	test('Direct, Constant, Expression and None rows build an envelope with match keys in precedence order', () => {
		const map = compileMapping([
			{ target: 'userName', type: 'direct', source: 'email', matchPrecedence: 2 },
			{ target: 'externalId', type: 'direct', source: 'id', matchPrecedence: 1 },
			{ target: 'displayName', type: 'expression', expression: 'Join(" ", [first], [last])' },
			{ target: 'company', type: 'constant', constant: 'Contoso' },
			{ target: 'usageLocation', type: 'none', defaultValue: 'US' },
			{ target: 'title', type: 'direct', source: 'title', defaultValue: 'Staff' },
			{ target: 'password', type: 'expression', expression: '"Initial-1!"', apply: 'create' },
			{ target: 'department', type: 'expression', expression: 'IgnoreFlowIfNullOrEmpty([dept])' },
			{ target: 'pin', type: 'expression', expression: 'Redact([pin])' },
		]);
		const { envelope } = map({ email: 'ada@x.org', id: 'E1', first: 'Ada', last: 'L', title: '', dept: '', pin: '1234' });
		expect(envelope.attributes).toEqual({ userName: 'ada@x.org', externalId: 'E1', displayName: 'Ada L', company: 'Contoso', pin: '1234' });
		expect(envelope.createOnly).toEqual({ usageLocation: 'US', title: 'Staff', password: 'Initial-1!' });
		expect(envelope.matchKeys).toEqual([
			{ attribute: 'externalId', value: 'E1' },
			{ attribute: 'userName', value: 'ada@x.org' },
		]);
		expect(envelope.redact).toEqual(['password', 'pin']);
		expect(envelope.trace).toMatchObject({
			displayName: 'Expression: Join(" ", [first], [last])',
			userName: 'Direct: email',
			company: 'Constant',
		});
	});
	test('errors name the mapping row', () => {
		expect(() => compileMapping([{ target: 'a', type: 'expression', expression: 'Jion([x])' }])).toThrow(
			/^Mapping row 1 \(a\): Unknown function Jion/,
		);
		expect(() =>
			compileMapping([
				{ target: 'a', type: 'direct', source: 'x' },
				{ target: 'b', type: 'expression', expression: 'Left([x])' },
			]),
		).toThrow(/^Mapping row 2 \(b\): Left takes 2 arguments, not 1/);
		expect(() =>
			compileMapping([
				{ target: 'a', type: 'direct', source: 'x' },
				{ target: 'a', type: 'direct', source: 'y' },
			]),
		).toThrow(/mapped twice/);
		const map = compileMapping([
			{ target: 'mail', type: 'direct', source: 'email' },
			{ target: 'cn', type: 'expression', expression: 'Join(" ", [a])', required: true },
		]);
		expect(() => map({ mail: 'x' })).toThrow(/^Mapping row 1 \(mail\): the item has no field "email"/);
		expect(() => map({ email: 'x' })).toThrow(/^Mapping row 2 \(cn\): a required value is empty/);
		expect(() =>
			compileMapping([{ target: 'd', type: 'expression', expression: 'FormatDateTime([x], , "yyyyMMdd", "yyyy")' }])({ x: 'garbage' }),
		).toThrow(/^Mapping row 1 \(d\): "garbage" does not match the date format "yyyyMMdd"/);
	});
	test('presets are rows the user can override or remove', () => {
		const rows = withPreset('scimToOpenLdap', [{ target: 'title', type: 'constant', constant: 'Employee' }], ['departmentNumber']);
		expect(rows.filter((r) => r.target === 'title')).toEqual([{ target: 'title', type: 'constant', constant: 'Employee' }]);
		expect(rows.some((r) => r.target === 'departmentNumber')).toBe(false);
		expect(Object.keys(PRESETS)).toEqual([
			'scimToOpenLdap',
			'scimToActiveDirectory',
			'hrCsvToScim',
			'scimPassthrough',
			'hrInboundToOpenLdap',
			'hrInboundToActiveDirectory',
			'hrInboundToScim',
		]);
	});
});

describe('clear when empty', () => {
	const rows = [
		{ target: 'userName', type: 'direct' as const, source: 'upn', matchPrecedence: 1 },
		{ target: 'title', type: 'direct' as const, source: 'title', clearWhenEmpty: true },
		{ target: 'mobile', type: 'direct' as const, source: 'mobile', clearWhenEmpty: true },
		{ target: 'department', type: 'direct' as const, source: 'department' },
		{ target: 'nickName', type: 'direct' as const, source: 'nick', clearWhenEmpty: true, apply: 'create' as const },
		{ target: 'locale', type: 'direct' as const, source: 'locale', clearWhenEmpty: true, defaultValue: 'en-US' },
		{ target: 'costCenter', type: 'expression' as const, expression: 'IgnoreFlowIfNullOrEmpty([cc])', clearWhenEmpty: true },
	];
	const map = compileMapping(rows, { missingAsEmpty: true });

	test('an empty value of a flagged row is cleared; unflagged, create-only, defaulted and IgnoreFlow rows are not', () => {
		const { envelope } = map({ upn: 'ada@example.org', title: '', mobile: null, department: '', nick: '', locale: '', cc: '' });
		expect(envelope.clearAttributes).toEqual(['title', 'mobile']);
		expect(envelope.attributes).toEqual({ userName: 'ada@example.org' });
		expect(envelope.createOnly).toEqual({ locale: 'en-US' });
		expect(envelope.trace?.title).toBe('Direct: title (empty: cleared)');
	});

	test('a value present is set as usual, and nothing is cleared', () => {
		const { envelope } = map({ upn: 'ada@example.org', title: 'Analyst', mobile: '+1', department: 'R&D' });
		expect(envelope.clearAttributes).toBeUndefined();
		expect(envelope.attributes).toMatchObject({ title: 'Analyst', mobile: '+1', department: 'R&D' });
	});
});
