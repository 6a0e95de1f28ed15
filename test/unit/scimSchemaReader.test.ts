/**
 * The SCIM schema reader's parsing: SCIMMY's own /Schemas definitions, discovery answers in the shapes apps publish
 * (rebuilt from their public documentation, cited per test), the RFC 7643 fallback, and hostile documents.
 */
import SCIMMY from 'scimmy';
import { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../../lib/scim/schema';
import { fallbackUserAttributes, parseScimSchemas } from '../../lib/targets/scim/scimSchemaReader';
import type { TargetAttributeList } from '../../lib/targets/attributeSchema';

/** The listed paths, without id and externalId, which every list ends with (RFC 7643 §3.1, in no schema document). */
const names = (list: TargetAttributeList) => list.attributes.map((a) => a.name).filter((n) => n !== 'id' && n !== 'externalId');
const find = (list: TargetAttributeList, name: string) => list.attributes.find((a) => a.name === name);
const attribute = (name: string, extra: Record<string, unknown> = {}) => ({
	name,
	type: 'string',
	multiValued: false,
	required: false,
	mutability: 'readWrite',
	...extra,
});

/** A document as it crosses the wire (SCIMMY's definitions serialise themselves through toJSON). */
const wire = (value: unknown) => JSON.parse(JSON.stringify(value));

describe("SCIMMY's /Schemas (the definitions its server publishes)", () => {
	const list = parseScimSchemas(
		wire({ Resources: [SCIMMY.Schemas.User.definition.describe(), SCIMMY.Schemas.EnterpriseUser.definition.describe()] }),
		{ Resources: [{ name: 'User', endpoint: '/Users', schema: CORE_USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA }] }] },
	);

	test('core User paths as users type them, the enterprise extension under its URN', () => {
		expect(list.origin).toBe('live');
		expect(names(list)).toEqual(
			expect.arrayContaining([
				'userName',
				'name.givenName',
				'name.familyName',
				'emails[type eq "work"].value',
				'emails[type eq "home"].primary',
				'addresses[type eq "work"].locality',
				'active',
				`${ENTERPRISE_USER_SCHEMA}:department`,
				`${ENTERPRISE_USER_SCHEMA}:manager.value`,
			]),
		);
		expect(list.note).toContain('1 extension');
	});

	test('userName is required and single-valued; emails is multi-valued; groups is read-only', () => {
		expect(find(list, 'userName')).toMatchObject({ required: true, multiValued: false, type: 'string' });
		expect(find(list, 'emails')).toMatchObject({ multiValued: true, type: 'complex' });
		expect(find(list, 'emails[type eq "work"].value')).toMatchObject({ multiValued: false, required: false });
		expect(find(list, 'groups')?.readOnly).toBe(true);
		// Common to every resource, though SCIMMY's User schema does not list them.
		expect(find(list, 'externalId')).toMatchObject({ readOnly: false, required: false });
		expect(find(list, 'id')?.readOnly).toBe(true);
	});
});

// Microsoft Q&A attachment (learn-attachment.microsoft.com, "idds-scimschemasjson"): a ListResponse whose
// resources carry meta and schemas; User and its custom extension listed by /ResourceTypes.
test('a ListResponse with meta, and a custom extension the User resource type lists', () => {
	const custom = 'urn:sap:cloud:scim:schemas:extension:custom:2.0:User';
	const list = parseScimSchemas(
		{
			totalResults: 3,
			Resources: [
				{ id: CORE_USER_SCHEMA, meta: { resourceType: 'Schema' }, attributes: [attribute('userName', { required: true })] },
				{ id: custom, name: 'CustomAttributes', attributes: [attribute('attributes', { multiValued: true })] },
				{ id: 'urn:ietf:params:scim:schemas:core:2.0:Group', attributes: [attribute('displayName', { required: true })] },
			],
		},
		{
			Resources: [
				{ id: 'User', name: 'User', endpoint: '/Users', schema: CORE_USER_SCHEMA, schemaExtensions: [{ schema: custom, required: false }] },
			],
		},
	);
	expect(names(list)).toEqual(['userName', `${custom}:attributes`]);
	expect(find(list, `${custom}:attributes`)?.multiValued).toBe(true);
});

// Okta custom attributes go to an extension namespace (support.okta.com, "Custom SCIM attribute is not available to
// map"; docs.universalapi.io, "Custom attributes for Okta SCIM applications"); an app answering /Schemas with a bare
// array and no /ResourceTypes still lists them.
test('a bare array of schemas without /ResourceTypes: extensions named like User are listed', () => {
	const custom = 'urn:ietf:params:scim:schemas:extension:custom:2.0:User';
	const list = parseScimSchemas(
		[
			{ id: CORE_USER_SCHEMA, attributes: [attribute('userName', { required: true }), attribute('displayName')] },
			{ id: custom, attributes: [attribute('custom_attr_1'), attribute('costCenterCode')] },
		],
		undefined,
	);
	expect(names(list)).toEqual(['userName', 'displayName', `${custom}:custom_attr_1`, `${custom}:costCenterCode`]);
});

// Phrase's /Schemas documentation (developers.phrase.com, "Get supported SCIM schemas") spells the characteristics
// in capitals: "type": "STRING", "mutability": "READ_ONLY".
test('characteristics in capitals are understood', () => {
	const list = parseScimSchemas(
		[{ id: CORE_USER_SCHEMA, attributes: [attribute('id', { type: 'STRING', mutability: 'READ_ONLY' }), attribute('userName')] }],
		[],
	);
	expect(find(list, 'id')?.readOnly).toBe(true);
	expect(find(list, 'userName')?.readOnly).toBe(false);
});

describe('apps that publish no schema', () => {
	test.each([
		['nothing', undefined],
		['an empty list', { Resources: [] }],
		['no core User schema', [{ id: ENTERPRISE_USER_SCHEMA, attributes: [attribute('department')] }]],
		['an HTML page', '<html>Not Found</html>'],
	])('%s: the RFC 7643 User schema, said to be a fallback', (_what, schemas) => {
		const list = parseScimSchemas(schemas, undefined);
		expect(list.origin).toBe('fallback');
		expect(list.note).toMatch(/publishes no \/Schemas/);
		expect(names(list)).toEqual(expect.arrayContaining(['userName', 'name.givenName', `${ENTERPRISE_USER_SCHEMA}:employeeNumber`]));
		expect(find(list, 'userName')?.required).toBe(true);
	});

	test('the fallback is the same list as the one parsed from our own published schema', () => {
		expect(fallbackUserAttributes().attributes.length).toBeGreaterThan(40);
	});
});

describe('hostile documents', () => {
	test('__proto__, constructor and prototype keys pollute nothing and are not attributes', () => {
		const hostile = JSON.parse(
			`[{"id":"${CORE_USER_SCHEMA}","attributes":[{"name":"__proto__","type":"string"},{"name":"userName","__proto__":{"required":true}},` +
				`{"name":"name","type":"complex","subAttributes":[{"name":"__proto__"},{"name":"givenName","constructor":{"x":1}}]}],"__proto__":{"polluted":true}}]`,
		);
		const list = parseScimSchemas(hostile, { __proto__: { Resources: [] } });
		expect(names(list)).toEqual(['userName', 'name.givenName']);
		// required came only through __proto__: not an own property, so not read.
		expect(find(list, 'userName')?.required).toBe(false);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(({} as Record<string, unknown>).required).toBeUndefined();
	});

	test('huge lists are capped', () => {
		const many = Array.from({ length: 100_000 }, (_, i) => attribute(`a${i}`));
		const list = parseScimSchemas([{ id: CORE_USER_SCHEMA, attributes: many }], undefined);
		expect(names(list).length).toBeLessThanOrEqual(500);
		const types = Array.from({ length: 1000 }, (_, i) => `t${i}`);
		const wide = parseScimSchemas(
			[
				{
					id: CORE_USER_SCHEMA,
					attributes: [
						attribute('emails', {
							type: 'complex',
							multiValued: true,
							subAttributes: [attribute('type', { canonicalValues: types }), attribute('value')],
						}),
					],
				},
			],
			undefined,
		);
		expect(names(wide).length).toBeLessThanOrEqual(1 + 12);
	});

	test('deep nesting is not followed past one level of sub-attributes', () => {
		let deep: Record<string, unknown> = attribute('leaf');
		for (let i = 0; i < 5000; i++) deep = attribute(`n${i}`, { type: 'complex', subAttributes: [deep] });
		const list = parseScimSchemas([{ id: CORE_USER_SCHEMA, attributes: [deep] }], undefined);
		expect(names(list)).toEqual(['n4999.n4998']);
	});

	test('names that are not SCIM names, and values of the wrong type, are skipped', () => {
		const list = parseScimSchemas(
			[
				{
					id: CORE_USER_SCHEMA,
					attributes: [
						attribute('bad name'),
						attribute('x"]; drop'),
						{ name: 42 },
						null,
						'text',
						attribute('good', { multiValued: 'yes', required: 'true', description: 'd'.repeat(100_000) }),
					],
				},
			],
			undefined,
		);
		expect(names(list)).toEqual(['good']);
		expect(find(list, 'good')).toMatchObject({ multiValued: false, required: false });
		expect(find(list, 'good')!.description!.length).toBeLessThanOrEqual(500);
	});
});
