/**
 * The IdP → SCIM Trigger → app flow, in process: the trigger's service provider over its real store, its events fed
 * to the real nodes (Map Attributes → Provision / Deprovision User, Group Sync) against the real SCIM server.
 * (The same conversations over HTTP through real n8n are in test/e2e.)
 */
import { ScimServiceProvider, type ScimEvent } from '../../lib/scim/server/serviceProvider';
import { openStoreAt, type StoreLocation } from '../../lib/store/openStore';
import { chain, type ChainStep, runWorkflow } from '../harness/workflow';
import { ScimTestServer } from '../servers/scimServer';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

let app: ScimTestServer;
let provider: ScimServiceProvider;
let location: StoreLocation;
let run = 0;
beforeAll(async () => {
	app = await ScimTestServer.start();
});
afterAll(() => app.stop());
beforeEach(() => {
	// A fresh trigger store per test: a new key is a new trigger node.
	location = { key: `idp-flow-${++run}`, kind: 'file' };
	const store = openStoreAt(location, process.env.N8N_USER_FOLDER!, process.env);
	provider = new ScimServiceProvider(store, { baseUrl: 'https://n8n.example/webhook/w/scim/v2', storeLocation: location });
	app.store.users.clear();
	app.store.groups.clear();
	app.faults.length = 0;
	app.resetLog();
});

const credentials = () => ({ scimTargetApi: { baseUrl: app.baseUrl, authentication: 'bearer', token: app.token, timeoutMs: 10000 } });
const USERS = 0;
const LEAVERS = 1;
const GROUPS = 2;
const outputOf = (e: ScimEvent) =>
	e.resourceType === 'Group' ? GROUPS : ['user.deactivated', 'user.deleted'].includes(e.event) ? LEAVERS : USERS;

/** One request to the trigger, as the IdP sends it; returns the answer and the events by output. */
async function push(method: string, path: string, body?: unknown) {
	const { response, events } = await provider.handle({ method, path, query: {}, headers: {}, body });
	return { response: response as { status: number; body: any }, events };
}

/** The flagship flow for user events: Map Attributes (current state, scoping on active) → Provision or Deprovision. */
const userFlow = (events: ScimEvent[]) => {
	const steps: ChainStep[] = [
		{
			name: 'Map',
			type: 'mapAttributes',
			parameters: {
				preset: 'scimPassthrough',
				scoping: { clause: [{ group: 1, attribute: 'active', operator: 'IS TRUE' }] },
				options: { sourcePath: 'resource' },
			},
		},
		{ name: 'Provision', type: 'provisionUser', parameters: { target: 'scim', inputMode: 'envelope' } },
		{
			name: 'Deprovision',
			type: 'deprovisionUser',
			after: 'Map',
			fromOutput: 1,
			parameters: { target: 'scim', mode: 'perItem', operation: 'disable', inputMode: 'envelope' },
		},
	];
	return runWorkflow(chain(events, steps), credentials());
};
const groupFlow = (events: ScimEvent[]) =>
	runWorkflow(chain(events, [{ name: 'Groups', type: 'groupSync', parameters: { target: 'scim', groupsFrom: 'events' } }]), credentials());

/** Runs what the trigger emitted, as the workflow would: one execution per request, in order. */
async function deliver(events: ScimEvent[]) {
	const users = events.filter((e) => outputOf(e) !== GROUPS);
	const groups = events.filter((e) => outputOf(e) === GROUPS);
	const results = [];
	if (users.length) results.push(await userFlow(users));
	if (groups.length) results.push(await groupFlow(groups));
	for (const r of results) expect(r.error).toBeUndefined();
	return results;
}

const appUser = (userName: string) => [...app.store.users.values()].find((u) => u.userName === userName);
const appGroup = (displayName: string) => [...app.store.groups.values()].find((g) => g.displayName === displayName);
const memberNames = (displayName: string) => {
	const byId = new Map([...app.store.users.values()].map((u) => [u.id, u.userName]));
	return (appGroup(displayName)?.members ?? []).map((m: { value: string }) => byId.get(m.value) ?? `?${m.value}`).sort();
};

async function createUser(userName: string, extra: object = {}) {
	const { response, events } = await push('POST', '/Users', {
		userName,
		externalId: `ext-${userName}`,
		active: true,
		displayName: userName,
		...extra,
	});
	await deliver(events);
	return response.body.id as string;
}

describe('users, managers and groups pushed by the IdP reach the app', () => {
	test('Entra: users, a manager by its trigger id, a group and its membership changes', async () => {
		const boss = await createUser('boss@contoso.com');
		const ada = await createUser('ada@contoso.com', { [ENT]: { manager: { value: boss } } });
		expect(appUser('ada@contoso.com')![ENT].manager.value).toBe(appUser('boss@contoso.com')!.id);
		const bob = await createUser('bob@contoso.com');

		const group = await push('POST', '/Groups', { displayName: 'Staff', externalId: 'G1', members: [] });
		await deliver(group.events);
		const gid = group.response.body.id;
		await deliver(
			(
				await push(
					'PATCH',
					`/Groups/${gid}`,
					PATCH([{ op: 'Add', path: 'members', value: [{ value: ada }, { value: bob }, { value: boss }] }]),
				)
			).events,
		);
		expect(memberNames('Staff')).toEqual(['ada@contoso.com', 'bob@contoso.com', 'boss@contoso.com']);
		// Entra's legacy removal form and the RFC form.
		await deliver(
			(await push('PATCH', `/Groups/${gid}`, PATCH([{ op: 'Remove', path: 'members', value: [{ $ref: null, value: ada }] }]))).events,
		);
		await deliver((await push('PATCH', `/Groups/${gid}`, PATCH([{ op: 'remove', path: `members[value eq "${bob}"]` }]))).events);
		expect(memberNames('Staff')).toEqual(['boss@contoso.com']);
		// A rename, then the manager changes, then a deletion takes the user out of the group.
		await deliver((await push('PATCH', `/Groups/${gid}`, PATCH([{ op: 'Replace', path: 'displayName', value: 'All Staff' }]))).events);
		expect(appGroup('All Staff')).toBeDefined();
		await deliver((await push('PATCH', `/Users/${ada}`, PATCH([{ op: 'Replace', path: `${ENT}:manager`, value: bob }]))).events);
		expect(appUser('ada@contoso.com')![ENT].manager.value).toBe(appUser('bob@contoso.com')!.id);
		await deliver((await push('DELETE', `/Users/${boss}`)).events);
		expect(memberNames('All Staff')).toEqual([]);
		expect(appUser('boss@contoso.com')!.active).toBe(false);
		await deliver((await push('DELETE', `/Groups/${gid}`)).events);
		expect(appGroup('All Staff')).toBeUndefined();
	});

	test('a membership event on a group the app is known to hold costs one request per 100 members, no lookups', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 150; i++)
			ids.push(await pushOnly('POST', '/Users', { userName: `m${i}@x.org`, externalId: `M${i}`, active: true }));
		const users = await provider.handle({ method: 'GET', path: '/Users', query: { count: '1000' }, headers: {} });
		await deliver((users.response.body as any).Resources.map((r: any) => syncEvent('User', r)));
		const created = await push('POST', '/Groups', { displayName: 'Big', members: [] });
		await deliver(created.events);
		app.resetLog();
		const added = await push(
			'PATCH',
			`/Groups/${created.response.body.id}`,
			PATCH([{ op: 'add', path: 'members', value: ids.slice(0, 100).map((value) => ({ value })) }]),
		);
		await deliver(added.events);
		expect(app.requests.map((r) => r.method)).toEqual(['PATCH']);
		expect(appGroup('Big')!.members).toHaveLength(100);
	});

	test('executions that run out of order still leave the app at the latest state', async () => {
		const id = await createUser('order@x.org', { title: 'A' });
		const first = await push('PATCH', `/Users/${id}`, PATCH([{ op: 'replace', path: 'title', value: 'B' }]));
		const second = await push('PATCH', `/Users/${id}`, PATCH([{ op: 'replace', path: 'title', value: 'C' }]));
		await deliver(second.events);
		await deliver(first.events); // the older execution runs last
		expect(appUser('order@x.org')!.title).toBe('C');
		const off = await push('PATCH', `/Users/${id}`, PATCH([{ op: 'replace', path: 'active', value: false }]));
		const on = await push('PATCH', `/Users/${id}`, PATCH([{ op: 'replace', path: 'active', value: true }]));
		await deliver(on.events);
		await deliver(off.events);
		expect(appUser('order@x.org')!.active).toBe(true);
	});

	test('a user whose every match key changed is updated through the remembered target id, not duplicated', async () => {
		const id = await createUser('old.name@x.org');
		const appId = appUser('old.name@x.org')!.id;
		const renamed = await push(
			'PATCH',
			`/Users/${id}`,
			PATCH([{ op: 'replace', value: { userName: 'new.name@x.org', externalId: 'ext-new' } }]),
		);
		const [result] = await deliver(renamed.events);
		expect(result.output('Provision').map((i) => [i.json.action, (i.json.matchedBy as any)?.attribute])).toEqual([['Update', 'id']]);
		expect(app.store.users.size).toBe(1);
		expect(app.store.users.get(appId)).toMatchObject({ userName: 'new.name@x.org', externalId: 'ext-new' });
	});
});

/** Pushes a request without delivering its events (the IdP creating users before the workflow runs them). */
async function pushOnly(method: string, path: string, body?: unknown): Promise<string> {
	return (await push(method, path, body)).response.body.id;
}
const syncEvent = (type: 'User' | 'Group', resource: any) => ({
	event: type === 'User' ? 'user.sync' : 'group.sync',
	resourceType: type,
	resourceId: resource.id,
	resource,
	store: location,
});
