/**
 * Matching against reconcile on the real SCIM test server (SCIMMY): userName, externalId, displayName, title, a work
 * e-mail, the enterprise employeeNumber and the id. The client cannot know how an app compares values, so whatever the
 * app does, the accounts Provision User finds for a source value must be the accounts reconcile counts as matched.
 */
import { ScimClient } from '../../lib/scim/client';
import { ScimTarget } from '../../lib/targets/scim/scimTarget';
import { mismatches, SEED, sampleSources, sampleStored } from '../harness/differential';
import { ScimTestServer } from '../../dev/scimApp';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ATTRIBUTES = ['userName', 'externalId', 'displayName', 'title', 'emails[type eq "work"].value', `${ENT}:employeeNumber`];
const USERS = 40;

let app: ScimTestServer;
let target: ScimTarget;
const stored = new Map<string, string[]>();

beforeAll(async () => {
	app = await ScimTestServer.start();
	target = new ScimTarget(new ScimClient({ baseUrl: app.baseUrl, auth: { type: 'bearer', token: app.token } }));
	const values = ATTRIBUTES.map((_, i) => sampleStored(25, SEED + i, (v) => v.trim() !== ''));
	ATTRIBUTES.forEach((attribute, i) => stored.set(attribute, []));
	for (let n = 0; n < USERS; n++) {
		// Some values twice (ambiguous keys); userName is unique in the app, without case.
		const pick = (i: number) => values[i][n % values[i].length];
		const userName = n < values[0].length ? pick(0) : `user-${n}`;
		const body = {
			schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
			userName,
			externalId: pick(1),
			displayName: pick(2),
			title: pick(3),
			emails: [{ type: 'work', value: pick(4) }],
			[ENT]: { employeeNumber: pick(5) },
		};
		const res = await fetch(`${app.baseUrl}/Users`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${app.token}`, 'Content-Type': 'application/scim+json' },
			body: JSON.stringify(body),
		});
		if (res.status !== 201) continue;
		ATTRIBUTES.forEach((attribute, i) => stored.get(attribute)!.push(i === 0 ? userName : pick(i)));
	}
});
afterAll(() => app.stop());

test.each(['id', ...ATTRIBUTES])('%s', async (attribute) => {
	const base = attribute === 'id' ? [...app.store.users.keys()].slice(0, 20) : [...new Set(stored.get(attribute))];
	expect(base.length).toBeGreaterThan(10);
	const sources = sampleSources(base, 60, SEED * 100 + ATTRIBUTES.indexOf(attribute));
	expect(await mismatches(target.users, attribute, sources, SEED)).toEqual([]);
});
