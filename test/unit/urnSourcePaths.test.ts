/**
 * Entra names the attributes of an extension schema by their flattened URN, `urn:…:enterprise:2.0:User:employeeNumber`
 * or `urn:…:csv:1.0:User:HireDate` (API-driven inbound provisioning, custom attributes): mappings read them by that
 * name, in expressions and Direct rows alike, as they read `["urn:…:User"].employeeNumber`.
 */
import { compileMapping, type MappingRow } from '../../lib/mapping/mapping';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CSV = 'urn:ietf:params:scim:schemas:extension:csv:1.0:User';
const item = {
	userName: 'ada@example.org',
	[ENT]: { employeeNumber: '1001', manager: { value: '1000' } },
	[CSV]: { HireDate: '2024-01-02', LastDayOfWork: '' },
};
const map = (rows: MappingRow[], source: Record<string, unknown> = item) => compileMapping(rows)(source).envelope;

test('an expression reads an extension attribute by its flattened URN name', () => {
	const envelope = map([
		{ target: 'employeeNumber', type: 'expression', expression: `[${ENT}:employeeNumber]` },
		{ target: 'manager', type: 'expression', expression: `[${ENT}:manager.value]` },
		{ target: 'hired', type: 'expression', expression: `FormatDateTime([${CSV}:HireDate], , "yyyy-MM-dd", "dd.MM.yyyy")` },
	]);
	expect(envelope.attributes).toEqual({ employeeNumber: '1001', manager: '1000', hired: '02.01.2024' });
});

test('a Direct row reads the same names; the schema URN is matched ignoring case, as SCIM says', () => {
	const envelope = map([
		{ target: 'employeeNumber', type: 'direct', source: `${ENT.toUpperCase().replace('URN:', 'urn:')}:employeeNumber` },
		{ target: 'hired', type: 'direct', source: `${CSV}:HireDate` },
	]);
	expect(envelope.attributes).toEqual({ employeeNumber: '1001', hired: '2024-01-02' });
});

test('absent extensions and attributes read as empty; an item key spelled as the whole name still wins', () => {
	expect(map([{ target: 'x', type: 'expression', expression: `IsNullOrEmpty([${CSV}:LastDayOfWork])` }]).attributes).toEqual({ x: true });
	expect(map([{ target: 'x', type: 'expression', expression: `IsNull([${CSV}:Nope])` }], { userName: 'u' }).attributes).toEqual({
		x: true,
	});
	expect(map([{ target: 'x', type: 'direct', source: `${CSV}:HireDate` }], { [`${CSV}:HireDate`]: 'flat' }).attributes).toEqual({
		x: 'flat',
	});
	expect(() => map([{ target: 'x', type: 'direct', source: `${CSV}:Nope` }])).toThrow(/no field/);
});

test('reserved names are refused, never read from an object prototype', () => {
	for (const name of ['__proto__', 'constructor', 'prototype']) {
		expect(() => map([{ target: 'x', type: 'expression', expression: `CStr([${CSV}:${name}])` }])).toThrow(/reserved name/);
		expect(() => map([{ target: 'x', type: 'direct', source: `${CSV}:${name}` }])).toThrow(/reserved name/);
	}
});
