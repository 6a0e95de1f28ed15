/**
 * Discover Accounts on the real SCIM server (SCIMMY): every situation classified exactly (the app decides every
 * match through its own lookups), Link and Unlink Account, and the server's request log shows no method but GET.
 */
import { deprovisionItems } from '../../lib/provisioning/deprovision';
import { ScimClient } from '../../lib/scim/client';
import { ScimTarget } from '../../lib/targets/scim/scimTarget';
import { ScimTestServer } from '../../dev/scimApp';
import { ACCOUNTS, ANCHOR, DISABLED_AT, discoverySuite, FIRST_KEY } from '../harness/discoverScenario';

let scim: ScimTestServer;
beforeAll(async () => {
	scim = await ScimTestServer.start();
});
afterAll(async () => {
	await scim.stop();
});

const DISABLED_TIME = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter';

describe('Discover Accounts → SCIM (real SCIM server)', () => {
	discoverySuite(() => ({
		params: { target: 'scim', options: { disabledTimeAttribute: DISABLED_TIME } },
		credentials: () => ({ scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, timeoutMs: 10000 } }),
		attributes: ['displayName', 'userName', 'externalId'],
		absentAccountId: '00000000-0000-4000-8000-000000000000',
		async seed() {
			for (const userName of ACCOUNTS) {
				const response = await fetch(`${scim.baseUrl}/Users`, {
					method: 'POST',
					headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json' },
					body: JSON.stringify({
						schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
						userName,
						displayName: FIRST_KEY[userName],
						...(ANCHOR[userName] ? { externalId: ANCHOR[userName] } : {}),
						active: true,
					}),
				});
				expect(response.status).toBe(201);
			}
			const client = new ScimClient({ baseUrl: scim.baseUrl, auth: { type: 'bearer', token: scim.token } });
			const pend = { attributes: {}, matchKeys: [{ attribute: 'userName', value: 'pend' }] };
			await deprovisionItems(new ScimTarget(client, { disabledTimeAttribute: DISABLED_TIME }), [pend], {
				action: 'disable',
				clock: () => new Date(DISABLED_AT),
			});
		},
		mark: async () => scim.requests.length,
		writesSince: async (mark) =>
			scim.requests
				.slice(mark as number)
				.filter((r) => r.method !== 'GET')
				.map((r) => `${r.method} ${r.path}`),
	}));
});
