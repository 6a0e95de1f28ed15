import type { ICredentialTestFunctions } from 'n8n-workflow';
import { ldapDirectoryApiTest, scimTargetApiTest } from '../../nodes/shared/credentialTests';
import { ScimTestServer } from '../../dev/scimApp';
import { Slapd } from '../servers/slapd';

let scim: ScimTestServer;
let slapd: Slapd;
beforeAll(async () => {
	scim = await ScimTestServer.start();
	slapd = await Slapd.start();
});
afterAll(async () => {
	await scim.stop();
	await slapd.stop();
});

const ctx = {} as ICredentialTestFunctions;
const testScim = (data: Record<string, unknown>) =>
	scimTargetApiTest.call(ctx, { id: '1', name: 'c', type: 'scimTargetApi', data: data as never });
const testLdap = (data: Record<string, unknown>) =>
	ldapDirectoryApiTest.call(ctx, { id: '1', name: 'c', type: 'ldapDirectoryApi', data: data as never });

describe('SCIM Target API credential test', () => {
	test('passes against a real server', async () => {
		scim.resetLog();
		expect(await testScim({ baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token })).toEqual({
			status: 'OK',
			message: 'Connection successful',
		});
		expect(scim.requests.map((r) => r.path)).toEqual(['/scim/v2/ServiceProviderConfig']);
	});
	test('falls back to /Users?count=1 when discovery is missing', async () => {
		scim.faults.push({ status: 404, pathIncludes: 'ServiceProviderConfig', times: 1 });
		scim.resetLog();
		expect((await testScim({ baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token })).status).toBe('OK');
		expect(scim.requests.map((r) => [r.path, r.query.count])).toEqual([
			['/scim/v2/ServiceProviderConfig', undefined],
			['/scim/v2/Users', '1'],
		]);
	});
	test('reports a wrong token without echoing it', async () => {
		const result = await testScim({ baseUrl: scim.baseUrl, authentication: 'bearer', token: 'not-the-token-123' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/answered 401/);
		expect(result.message).not.toContain('not-the-token-123');
	});
	test('reports a malformed URL', async () => {
		expect(await testScim({ baseUrl: 'nope', authentication: 'bearer', token: 'x' })).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/not a valid URL/),
		});
	});
});

describe('LDAP Directory API credential test', () => {
	const good = () => slapd.credential();
	test('binds for real', async () => {
		expect(await testLdap(good())).toEqual({ status: 'OK', message: 'Connection successful' });
	});
	test('a wrong password is reported, never echoed', async () => {
		const result = await testLdap({ ...good(), bindPassword: 'Bad-Pw-777' });
		expect(result).toMatchObject({ status: 'Error', message: expect.stringMatching(/invalid bind DN or password/) });
		expect(result.message).not.toContain('Bad-Pw-777');
	});
	test('a base DN that does not exist is reported', async () => {
		expect(await testLdap({ ...good(), baseDn: 'dc=nowhere,dc=org' })).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/does not exist/),
		});
	});
	test('an unreachable server is reported', async () => {
		expect(await testLdap({ ...good(), urls: 'ldap://127.0.0.1:1', connectTimeoutMs: 1000 })).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/No LDAP server answered/),
		});
	});
});
