/**
 * An attribute named `__proto__`, `constructor` or `prototype` (alone or as a segment of a path) would be written
 * into a plain object with `obj[name] = value`: at best silently dropped, at worst a prototype changed. Every door
 * an attribute name comes through refuses it with an error naming the row or field: Map Attributes rows, Provision
 * User's Define Below rows, and an envelope arriving from another node or a webhook.
 */
import fc from 'fast-check';
import { parseEnvelope } from '../../lib/envelope';
import { ProvisioningError } from '../../lib/errors';
import { compileMapping } from '../../lib/mapping/mapping';
import { envelopeFromRows } from '../../nodes/shared/envelopeFromRows';

const HOSTILE = ['__proto__', 'constructor', 'prototype', 'name.__proto__', 'constructor.prototype.polluted', 'emails[__proto__].value'];

const refused = (run: () => unknown, pattern: RegExp) => {
	let error: unknown;
	try {
		run();
	} catch (e) {
		error = e;
	}
	expect(error).toBeInstanceOf(ProvisioningError);
	expect((error as ProvisioningError).code).toBe('InvalidInput');
	expect((error as Error).message).toMatch(pattern);
};

describe.each(HOSTILE)('the attribute name %j', (name) => {
	test('is refused by Map Attributes when the mapping is compiled, naming the row', () => {
		refused(() => compileMapping([{ type: 'constant', target: name, constant: 'x' }]), /Mapping row 1\b.*reserved/);
	});

	test("is refused in Provision User's Define Below rows, naming the row", () => {
		refused(() => envelopeFromRows([{ name, value: 'x' }], { id: '0' }), /Attribute row 1\b.*reserved/);
	});

	test('is refused in an envelope from another node, in attributes, createOnly, matchKeys and clearAttributes', () => {
		const own = (key: string) => JSON.parse(`{${JSON.stringify(key)}: {"polluted": true}}`) as Record<string, unknown>;
		refused(() => parseEnvelope({ attributes: own(name) }), /reserved/);
		refused(() => parseEnvelope({ attributes: {}, createOnly: own(name) }), /reserved/);
		refused(() => parseEnvelope({ attributes: {}, matchKeys: [{ attribute: name, value: 'x' }] }), /reserved/);
		refused(() => parseEnvelope({ attributes: {}, clearAttributes: [name] }), /reserved/);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});
});

test('ordinary names, URNs and SCIM paths that merely contain the words stay allowed (fast-check, seed 4141)', () => {
	const seed = 4141;
	process.stdout.write(`reservedAttributeNames: fast-check seed ${seed}\n`);
	const allowed = fc.constantFrom(
		'userName',
		'name.givenName',
		'emails[type eq "work"].value',
		'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
		'protoType',
		'constructorId',
		'x__proto__x',
	);
	fc.assert(
		fc.property(allowed, (name) => {
			expect(() => compileMapping([{ type: 'constant', target: name, constant: 'x' }])).not.toThrow();
			expect(envelopeFromRows([{ name, value: 'x' }], { id: '0' }).attributes[name]).toBe('x');
			expect(parseEnvelope({ attributes: { [name]: 'x' } }).attributes[name]).toBe('x');
		}),
		{ seed, numRuns: 50 },
	);
});
