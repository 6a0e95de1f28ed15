/**
 * The editor's load methods against a real SCIM server (SCIMMY, test/servers' demo app): Target Attribute lists
 * the app's published schema, Schema Check reports the rows' problems, an app without /Schemas falls back to
 * RFC 7643's User schema, and the panel's repeated calls read the schema once.
 */
import { ScimTestServer } from '../../dev/scimApp';
import { ENTERPRISE_USER_SCHEMA } from '../../lib/scim/schema';
import { schemaCache } from '../../nodes/shared/loadContext';
import { loadOptions } from '../harness/loadOptions';

let scim: ScimTestServer;
beforeAll(async () => {
	scim = await ScimTestServer.start();
});
afterAll(async () => {
	await scim.stop();
});
beforeEach(() => schemaCache.clear());

const credentials = () => ({ scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, timeoutMs: 3000 } });
const rows = (...targets: Array<string | [string, string]>) => ({
	attribute: targets.map((t) => (Array.isArray(t) ? { name: t[0], value: t[1] } : { name: t, value: `={{ $json.${t} }}` })),
});
const discoveryReads = () => scim.requests.filter((r) => /\/(Schemas|ResourceTypes)/.test(r.path)).length;

test("Provision User's Target Attribute lists the app's schema: required marked, types and multi-valued shown", async () => {
	const options = await loadOptions({
		node: 'provisionUser',
		method: 'targetAttributes',
		parameters: { target: 'scim', inputMode: 'define', attributes: rows('userName') },
		credentials: credentials(),
		path: 'parameters.attributes.attribute[0].name',
	});
	const byValue = Object.fromEntries(options.map((o) => [o.value, o]));
	expect(byValue.userName.name).toBe('userName (required)');
	expect(byValue.userName.description).toMatch(/^string · single value · required/);
	expect(byValue['name.givenName'].name).toBe('name.givenName');
	expect(byValue['emails[type eq "work"].value']).toBeDefined();
	expect(byValue.emails.description).toContain('multi-valued');
	expect(byValue[`${ENTERPRISE_USER_SCHEMA}:department`]).toBeDefined();
	// Read-only attributes (groups) are not offered.
	expect(byValue.groups).toBeUndefined();
});

test('Schema Check: an unknown attribute and a missing required one fail the check, naming them', async () => {
	const check = (attributes: ReturnType<typeof rows>) =>
		loadOptions({
			node: 'provisionUser',
			method: 'checkTargetSchema',
			parameters: { target: 'scim', inputMode: 'define', attributes },
			credentials: credentials(),
		});
	await expect(check(rows('displayName', 'nickname2'))).rejects.toThrow(
		'2 problems: "nickname2" is not an attribute of the target\'s schema; "userName" is required, and no row fills it',
	);
	await expect(check(rows('userName', ['active', '={{ [true, false] }}']))).rejects.toThrow(
		'"active" holds one value, but the row gives a list',
	);
	const fine = await check(rows('userName', 'name.givenName', 'emails[type eq "work"].value'));
	expect(fine).toEqual([expect.objectContaining({ value: 'checked', name: expect.stringMatching(/^No problems found/) })]);
});

test('Map Attributes with a SCIM target: preset rows count, and its Target Attribute lists the same schema', async () => {
	const parameters = {
		target: 'scim',
		preset: 'scimPassthrough',
		mappings: { mapping: [{ target: 'title', type: 'direct', source: 'title' }] },
	};
	const options = await loadOptions({
		node: 'mapAttributes',
		method: 'targetAttributes',
		parameters,
		credentials: credentials(),
		path: 'parameters.mappings.mapping[0].target',
	});
	expect(options.map((o) => o.value)).toContain('title');
	const check = await loadOptions({ node: 'mapAttributes', method: 'checkTargetSchema', parameters, credentials: credentials() });
	expect(check[0].value).toBe('checked');
});

test('an app that answers /Schemas with 404 gets the RFC 7643 User schema, and unknown attributes are only warned of', async () => {
	scim.faults.push({ pathIncludes: '/Schemas', status: 404, times: 1 });
	const parameters = { target: 'scim', inputMode: 'define', attributes: rows('userName', 'slackHandle') };
	const check = await loadOptions({ node: 'provisionUser', method: 'checkTargetSchema', parameters, credentials: credentials() });
	expect(check[0].name).toBe('1 warning: "slackHandle" is not in the standard schema (allowed: the target publishes none)');
	expect(check[0].description).toMatch(/publishes no \/Schemas/);
	const options = await loadOptions({
		node: 'provisionUser',
		method: 'targetAttributes',
		parameters,
		credentials: credentials(),
		path: 'parameters.attributes.attribute[1].name',
	});
	// The row's own unknown name stays selectable (no issue marker), said to be outside the standard schema.
	expect(options[0]).toMatchObject({ value: 'slackHandle', name: 'slackHandle (not in the standard schema: allowed)' });
});

test('a wrong token is a failure the editor shows, without the token', async () => {
	const wrong = { scimTargetApi: { ...credentials().scimTargetApi, token: 'wrong-token-Secret-1' } };
	const call = loadOptions({
		node: 'provisionUser',
		method: 'targetAttributes',
		parameters: { target: 'scim', attributes: rows('userName') },
		credentials: wrong,
		path: 'parameters.attributes.attribute[0].name',
	});
	await expect(call).rejects.toThrow(/The target's schema could not be read/);
	await expect(call).rejects.not.toThrow(/wrong-token-Secret-1/);
});

test('the panel calling once per row and for the check reads the schema once', async () => {
	const before = discoveryReads();
	const parameters = { target: 'scim', inputMode: 'define', attributes: rows('userName', 'displayName', 'title', 'active') };
	await Promise.all([
		...[0, 1, 2, 3].map((i) =>
			loadOptions({
				node: 'provisionUser',
				method: 'targetAttributes',
				parameters,
				credentials: credentials(),
				path: `parameters.attributes.attribute[${i}].name`,
			}),
		),
		loadOptions({ node: 'provisionUser', method: 'checkTargetSchema', parameters, credentials: credentials() }),
	]);
	// /Schemas and /ResourceTypes, once.
	expect(discoveryReads() - before).toBe(2);
});
