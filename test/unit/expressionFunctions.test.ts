/**
 * Vectors for all 43 functions: Microsoft's documented examples (functions-for-customizing-application-data)
 * plus edge cases of our own.
 */
import { compileExpression, parseExpression } from '../../lib/mapping/expression';
import { FUNCTIONS, IgnoreFlow, Redacted, UniqueCandidates, type MappingValue } from '../../lib/mapping/functions';
import { defaultDateText } from '../../lib/mapping/dates';
import { compileMapping } from '../../lib/mapping/mapping';

const run = (expression: string, attributes: Record<string, unknown> = {}, now?: Date): MappingValue =>
	compileExpression(expression)({ attribute: (name) => (attributes[name] ?? null) as MappingValue, now: now ? () => now : undefined });
const asText = (v: MappingValue) => (v instanceof Date ? defaultDateText(v) : v);

describe('all 43 functions', () => {
	const vectors: Array<[string, string, Record<string, unknown>, unknown]> = [
		['Append', 'Append([userPrincipalName], "@contoso.com")', { userPrincipalName: 'John.Doe' }, 'John.Doe@contoso.com'],
		['BitAnd', 'BitAnd(&HF, &HF7)', {}, 7],
		['CBool', 'CBool([attribute1] = [attribute2])', { attribute1: 'x', attribute2: 'x' }, true],
		['CDate', 'CDate([StatusHireDate])', { StatusHireDate: '2012-03-16-07:00' }, '3/16/2012 7:00:00 AM'],
		['Coalesce', 'Coalesce([mail], [otherMail], "nobody@contoso.com")', { mail: '', otherMail: 'jane@contoso.com' }, 'jane@contoso.com'],
		['ConvertToBase64', 'ConvertToBase64("Hello world!")', {}, 'SABlAGwAbABvACAAdwBvAHIAbABkACEA'],
		['ConvertToUTF8Hex', 'ConvertToUTF8Hex("Hello world!")', {}, '48656C6C6F20776F726C6421'],
		['Count', 'Count([proxyAddresses])', { proxyAddresses: ['smtp:a@x.com', 'smtp:b@x.com', 'SMTP:c@x.com'] }, 3],
		['CStr', 'CStr([employeeId])', { employeeId: 42 }, '42'],
		['DateAdd', 'DateAdd("d", 7, CDate([StatusHireDate]))', { StatusHireDate: '2012-03-16-07:00' }, '3/23/2012 7:00:00 AM'],
		['DateDiff', 'DateDiff("d", CDate([start]), CDate([end]))', { start: '2021-01-01T00:00:00Z', end: '2021-03-01T00:00:00Z' }, 59],
		[
			'DateFromNum',
			'FormatDateTime(DateFromNum([lastLogonTimestamp]), , "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ssK")',
			{ lastLogonTimestamp: '129699324000000000' },
			'2012-01-01T23:00:00Z',
		],
		[
			'FormatDateTime',
			'FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")',
			{ extensionAttribute1: '20150123105347.1Z' },
			'2015-01-23',
		],
		['IIF', 'IIF([Country]="USA", [Country], [Department])', { Country: 'USA', Department: 'Sales' }, 'USA'],
		['InStr', 'InStr("The quick brown fox", "quick")', {}, 5],
		['IsNull', 'IsNull([displayName])', {}, true],
		['IsNullOrEmpty', 'IsNullOrEmpty([displayName])', { displayName: '' }, true],
		['IsPresent', 'IsPresent([directManager])', { directManager: 'm1' }, true],
		['IsString', 'IsString([displayName])', { displayName: 'Ada' }, true],
		['Item', 'Item([proxyAddresses], 1)', { proxyAddresses: ['smtp:a@x.com', 'smtp:b@x.com'] }, 'smtp:a@x.com'],
		['Join', 'Join(".", [givenName], [surname])', { givenName: 'john', surname: 'doe' }, 'john.doe'],
		['Left', 'Left("John Doe", 3)', {}, 'Joh'],
		['Mid', 'Mid("John Doe", 3, 5)', {}, 'hn Do'],
		['NormalizeDiacritics', 'NormalizeDiacritics([givenName])', { givenName: 'Zoë' }, 'Zoe'],
		['Not', 'Not([accountEnabled])', { accountEnabled: 'True' }, false],
		['NumFromDate', 'NumFromDate("2012-01-01T23:00:00Z")', {}, '129699324000000000'],
		['PCase', 'PCase("NEW YORK")', {}, 'New York'],
		['RemoveDuplicates', 'RemoveDuplicates([proxyAddresses])', { proxyAddresses: ['a', 'b', 'a'] }, ['a', 'b']],
		[
			'Replace',
			'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>.*)", , "${phoneNumber}", , )',
			{ telephoneNumber: '+1 4251234567' },
			'4251234567',
		],
		[
			'SingleAppRoleAssignment',
			'SingleAppRoleAssignment([appRoleAssignments])',
			{ appRoleAssignments: [{ displayName: 'Admin', id: 'r1' }] },
			'Admin',
		],
		['Split', 'Split([extensionAttribute5], ",")', { extensionAttribute5: 'Finance,Marketing' }, ['Finance', 'Marketing']],
		['StripSpaces', 'StripSpaces("John Doe")', {}, 'JohnDoe'],
		[
			'Switch',
			'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney", "QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")',
			{ state: 'QLD' },
			'Australia/Brisbane',
		],
		['ToLower', 'ToLower([userPrincipalName])', { userPrincipalName: 'JOHN.DOE@CONTOSO.COM' }, 'john.doe@contoso.com'],
		['ToUpper', 'ToUpper([userPrincipalName])', { userPrincipalName: 'john.doe@contoso.com' }, 'JOHN.DOE@CONTOSO.COM'],
		['Word', 'Word("The quick brown fox", 3, " ")', {}, 'brown'],
	];
	test.each(vectors)('%s: %s', (_name, expression, attributes, expected) => {
		expect(asText(run(expression, attributes))).toEqual(expected);
	});

	test('AppRoleAssignmentsComplex: roles as SCIM role objects', () => {
		expect(
			run('AppRoleAssignmentsComplex([appRoleAssignments])', { appRoleAssignments: [{ displayName: 'Admin' }, { displayName: 'Reader' }] }),
		).toEqual([
			{ primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Admin', value: 'Admin' },
			{ primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: 'Reader' },
		]);
	});
	test('Guid: a new GUID each time', () => {
		const a = run('Guid()');
		expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(run('Guid()')).not.toBe(a);
	});
	test('IgnoreFlowIfNullOrEmpty: drops empty values only', () => {
		expect(run('IgnoreFlowIfNullOrEmpty([department])', { department: '' })).toBeInstanceOf(IgnoreFlow);
		expect(run('IgnoreFlowIfNullOrEmpty([department])', { department: 'Sales' })).toBe('Sales');
	});
	test('Now: the current time as a DateTime', () => {
		const now = new Date('2026-11-26T10:00:00Z');
		expect(asText(run('Now()', {}, now))).toBe('11/26/2026 10:00:00 AM');
	});
	test('RandomString(6,3,0,0,3): length and minimums hold, and avoided characters never appear', () => {
		for (let i = 0; i < 50; i++) {
			const s = String(run('RandomString(6, 3, 0, 0, 3)'));
			expect(s).toHaveLength(6);
			expect(s.replace(/\D/g, '').length).toBeGreaterThanOrEqual(3);
			expect(s.replace(/[^a-z]/g, '').length).toBeGreaterThanOrEqual(3);
			const t = String(run('RandomString(12, 2, 2, 2, 2, "01lIoO")'));
			expect(t).not.toMatch(/[01lIoO]/);
			expect(t.replace(/[A-Za-z0-9]/g, '').length).toBeGreaterThanOrEqual(2);
		}
	});
	test('Redact: the value flows but is marked', () => {
		const v = run('Redact("StringToBeRedacted")');
		expect(v).toBeInstanceOf(Redacted);
		expect((v as Redacted).value).toBe('StringToBeRedacted');
		expect(run('Join("", Redact("a"), "b")')).toBe('ab');
	});
	test('SelectUniqueValue: candidates in order, empty ones skipped', () => {
		const v = run(
			'SelectUniqueValue(Join("@", NormalizeDiacritics(StripSpaces([givenName])), "contoso.com"), Join("@", NormalizeDiacritics(StripSpaces(Mid([givenName], 1, 1))), "contoso.com"), Join("@", "", "contoso.com"))',
			{ givenName: 'Zoë Ann' },
		);
		expect(v).toBeInstanceOf(UniqueCandidates);
		expect((v as UniqueCandidates).candidates).toEqual(['ZoeAnn@contoso.com', 'Z@contoso.com', 'contoso.com']);
	});
	test('the table covers exactly the 43 documented functions', () => {
		expect(Object.keys(FUNCTIONS)).toHaveLength(43);
	});
});

describe('Entra semantics and edge cases', () => {
	test.each([
		['InStr("repEated", "e", 3, vbBinaryCompare)', 7],
		['InStr("repEated", "e", 3, vbTextCompare)', 4],
		['InStr("abc", "z")', 0],
		['Word("This,string!has&many separators", 3, ",!&#")', 'has'],
		['Word("a b", 5, " ")', null],
		['Item([x], 3)', null],
		['Mid("abc", 2, 10)', 'bc'],
		['Left("abc", 10)', 'abc'],
		['Switch([s], "default", "a", "A")', 'default'],
		['Switch("A", "default", "a", "lower")', 'default'],
		['Replace("john.doe", ".", , , "", , )', 'johndoe'],
		['Replace([upn], "@contoso.com", , , , , "Login: @contoso.com")', 'Login: ada'],
		['Replace("abc123def", , "[0-9]+", , "#", , )', 'abc#def'],
		['Replace("+44 2079460000", , "\\\\+(?<cc>\\\\d+) (?<rest>.*)", "cc", "1", , )', '+1 2079460000'],
		['Replace("+44 2079460000", , "\\\\+(?<cc>\\\\d+) (?<rest>.*)", "cc", , "countryCode", )', '+33 2079460000'],
		['NormalizeDiacritics("Straße Æsir Søren Łódź Ångström")', 'Strasse AEsir Soeren Lodz Angstrom'],
		['ToUpper("istanbul", "tr-TR")', 'İSTANBUL'],
		['ToLower("TITLE")', 'title'],
		['PCase("jean-luc o\'NEIL")', "Jean-Luc O'neil"],
		['Join(", ", [list], "x")', 'a, b, x'],
		['Coalesce([none1], [none2])', null],
		['IIF([n] > 5, "big", "small")', 'big'],
		['IIF([n] <> 10, "ne", "eq")', 'ne'],
		['CBool(0)', false],
		['Count([missing])', 0],
		['DateDiff("yyyy", CDate("1990-06-01"), CDate("2020-01-01"))', 30],
		['FormatDateTime("2021-07-04T15:30:00Z", , , "dd.MM.yyyy HH:mm")', '04.07.2021 15:30'],
		['FormatDateTime("04/07/2021 03:30 PM", , "dd/MM/yyyy hh:mm tt", "yyyy-MM-ddTHH:mm")', '2021-07-04T15:30'],
		['Append([missing], "@x.org")', null],
		['StripSpaces(" a b ")', 'ab'],
	])('%s', (expression, expected) => {
		expect(asText(run(expression, { s: 'zzz', upn: 'ada', list: ['a', 'b'], n: 12, countryCode: '33' }))).toEqual(expected);
	});
});

describe('parse-time errors name the position and what was expected', () => {
	test.each([
		['Join(".", [givenName]', /Expected "," or "\)" in the arguments of Join but found the end at position 22/],
		['Jion(".", [a])', /Unknown function Jion at position 1/],
		['join(".", [a])', /function names are case-sensitive: did you mean Join\?/],
		['Left("abc")', /Left takes 2 arguments, not 1 at position 1/],
		['Switch([a])', /Switch takes at least 2 arguments, not 1/],
		['SelectUniqueValue("a")', /SelectUniqueValue takes at least 2 arguments, not 1/],
		['Join(".", "unterminated)', /Unterminated string/],
		['[givenName', /Unterminated attribute/],
		['Join(".", [a]) extra', /Unexpected "extra" after the end of the expression/],
		['givenName', /Expected "\(" after function name givenName/],
		['Guid(1)', /Guid takes 0 arguments, not 1/],
		['Join(".", [a]) ; Now()', /Unexpected character ";"/],
	])('%s', (expression, message) => {
		expect(() => parseExpression(expression)).toThrow(message);
	});
	test('an expression over 10,000 characters is refused', () => {
		expect(() => parseExpression(`Join("", ${Array(2000).fill('"abcd"').join(', ')})`)).toThrow(/limit is 10000/);
	});
});

describe('no code execution is reachable', () => {
	// Through the real mapping: a plain source item (with Object's prototype) read by the real attribute lookup.
	const mapOne = (expression: string) => {
		const map = compileMapping([{ target: 'out', type: 'expression', expression }]);
		return map({ givenName: 'Ada', toString: 'own-value-is-fine' } as Record<string, unknown>).envelope.attributes.out;
	};
	test.each([
		['Join("", [constructor])'],
		['[__proto__]'],
		['Switch([__proto__], "x", "y", "z")'],
		['Join("", [hasOwnProperty])'],
		['Join("-", [prototype], [valueOf])'],
		['Join("", [__proto__.constructor])'],
	])('%s reads nothing from the prototype chain', (expression) => {
		const out = mapOne(expression);
		// Inherited members are not attributes: the value is empty (and so not sent), or the Switch default.
		expect(out === undefined || out === 'x').toBe(true);
		expect(String(out)).not.toMatch(/function|native code|\[object/);
	});
	test('an own attribute of the same name as a prototype member is read normally', () => {
		expect(mapOne('Join("", [toString])')).toBe('own-value-is-fine');
	});
	test.each(['constructor.constructor("return process")()', 'process.exit(1)', 'require("child_process")', '`${1+1}`'])(
		'%s is refused when the mapping is compiled',
		(expression) => {
			expect(() => compileMapping([{ target: 'out', type: 'expression', expression }])).toThrow(/Unexpected|Expected|Unknown function/);
		},
	);
	test('the engine never uses eval or Function', () => {
		const fs = require('node:fs') as typeof import('node:fs');
		const dir = require('node:path').dirname(require.resolve('../../lib/mapping/expression.ts'));
		const files = ['expression.ts', ...fs.readdirSync(`${dir}/functions`).map((f) => `functions/${f}`)];
		const source = files.map((f) => fs.readFileSync(`${dir}/${f}`, 'utf8')).join('\n');
		expect(files.length).toBeGreaterThan(3);
		expect(source).not.toMatch(/\beval\s*\(|new Function\s*\(|\bFunction\s*\(/);
	});
});
