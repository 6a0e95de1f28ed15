import { diffAttributes } from '../../lib/provisioning/diff';
import { canonicalValue } from '../../lib/attributeChanges';
import { compactAttributes, parseEnvelope } from '../../lib/envelope';
import { envelopeFromRows } from '../../nodes/shared/envelopeFromRows';

describe('diffAttributes', () => {
	test('reports only what differs, and ignores attributes not asked for', () => {
		const changes = diffAttributes({ cn: 'Ada', sn: 'L', title: 'Eng' }, { cn: 'Ada', sn: 'Lovelace' });
		expect(changes).toEqual([{ attribute: 'sn', oldValue: 'L', newValue: 'Lovelace' }]);
	});
	test('treats numbers, booleans and their strings as equal', () => {
		expect(diffAttributes({ a: '512', b: 'TRUE', c: true }, { a: 512, b: true, c: 'true' })).toEqual([]);
		expect(canonicalValue({ b: 1, a: null, c: 'x' })).toBe(canonicalValue({ c: 'x', b: '1' }));
	});
	test('multi-valued: order does not matter, and only added/removed values are listed', () => {
		expect(diffAttributes({ mail: ['a', 'b'] }, { mail: ['b', 'a'] })).toEqual([]);
		expect(diffAttributes({ mail: ['a', 'b'] }, { mail: ['a', 'c'] })).toEqual([
			{ attribute: 'mail', oldValue: ['a', 'b'], newValue: ['a', 'c'], added: ['c'], removed: ['b'] },
		]);
		expect(diffAttributes({ mail: 'a' }, { mail: ['a'] })).toEqual([]);
	});
	test('case-insensitive attributes', () => {
		const ignoreCase = (a: string) => a === 'objectClass';
		expect(diffAttributes({ objectClass: ['TOP', 'inetorgperson'] }, { objectClass: ['top', 'inetOrgPerson'] }, { ignoreCase })).toEqual(
			[],
		);
		expect(diffAttributes({ cn: 'ADA' }, { cn: 'Ada' }, { ignoreCase })).toHaveLength(1);
	});
	test('a missing current value is a change; clear removes only what exists', () => {
		expect(diffAttributes({}, { title: 'Eng' })).toEqual([{ attribute: 'title', oldValue: undefined, newValue: 'Eng' }]);
		expect(diffAttributes({ title: 'Eng' }, {}, { clear: ['title', 'mobile'] })).toEqual([
			{ attribute: 'title', oldValue: 'Eng', newValue: undefined, removed: ['Eng'] },
		]);
	});
});

describe('envelopes', () => {
	test('null and empty values are never sent', () => {
		expect(compactAttributes({ a: '', b: null, c: [], d: ['', 'x'], e: 0, f: false })).toEqual({ d: ['x'], e: 0, f: false });
	});
	test.each([
		[{}, 'attributes'],
		[{ attributes: 'x' }, 'attributes'],
		[{ attributes: {}, matchKeys: 'userName' }, 'matchKeys'],
		[{ attributes: {}, matchKeys: [{ value: 'a' }] }, 'matchKeys[0]'],
		[{ attributes: {}, matchKeys: [{ attribute: 'a', value: { x: 1 } }] }, 'matchKeys[0].value'],
		[{ attributes: {}, createOnly: [] }, 'createOnly'],
		[{ attributes: {}, clearAttributes: [1] }, 'clearAttributes'],
	])('a bad envelope names the field: %j', (json, field) => {
		expect(() => parseEnvelope(json)).toThrow(expect.objectContaining({ code: 'InvalidInput', field }));
	});
	test('rows become an envelope with match keys in precedence order', () => {
		const envelope = envelopeFromRows(
			[
				{ name: 'mail', value: 'a@x.org', matchPrecedence: 2 },
				{ name: 'uid', value: 'ada', matchPrecedence: 1 },
				{ name: 'objectClass', value: 'top, person,inetOrgPerson' },
				{ name: 'userPassword', value: 'pw', apply: 'create', secret: true },
			],
			{ id: '0' },
		);
		expect(envelope.matchKeys).toEqual([
			{ attribute: 'uid', value: 'ada' },
			{ attribute: 'mail', value: 'a@x.org' },
		]);
		expect(envelope.attributes.objectClass).toEqual(['top', 'person', 'inetOrgPerson']);
		expect(envelope.createOnly).toEqual({ userPassword: 'pw' });
		expect(envelope.redact).toEqual(['userPassword']);
	});
	test('a row without a name is an error naming the row', () => {
		expect(() =>
			envelopeFromRows(
				[
					{ name: 'uid', value: 'a' },
					{ name: ' ', value: 'b' },
				],
				{},
			),
		).toThrow(expect.objectContaining({ field: 'attributes[1].name' }));
	});
});
