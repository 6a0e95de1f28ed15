/**
 * The IdP → SCIM Trigger → app flow, in process: the trigger's service provider over its real store, its events fed
 * to the real nodes (Map Attributes → Provision / Deprovision User, Group Sync) against the real SCIM server.
 * (The same conversations over HTTP through real n8n are in test/e2e.)
 */
import { ScimServiceProvider, type ScimEvent } from '../../lib/scim/server/serviceProvider';
import { openStoreAt, registerWebhook, type StoreLocation } from '../../lib/store/openStore';
import { type StoreRef, StoreRefSigner } from '../../lib/store/storeRef';
import { chain, type ChainStep, runWorkflow } from '../harness/workflow';
import { ScimTestServer } from '../../dev/scimApp';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

let app: ScimTestServer;
let provider: ScimServiceProvider;
let location: StoreLocation;
/** The location as the trigger's events carry it: signed for the workflow they run in (the harness's default id). */
let signed: StoreRef;
let run = 0;
beforeAll(async () => {
	app = await ScimTestServer.start();
});
afterAll(() => app.stop());
beforeEach(() => {
	// A fresh trigger store per test: a new key is a new trigger node.
	location = { key: `idp-flow-${++run}`, kind: 'file' };
	const store = openStoreAt(location, process.env.N8N_USER_FOLDER!, process.env);
	signed = StoreRefSigner.of(process.env)!.sign(location, 'test-workflow');
	provider = new ScimServiceProvider(store, { baseUrl: 'https://n8n.example/webhook/w/scim/v2', storeLocation: signed });
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
			parameters: {
				target: 'scim',
				mode: 'perItem',
				operation: 'disable',
				inputMode: 'envelope',
				options: { whenSourceDeleted: 'delete' },
			},
		},
	];
	return runWorkflow(chain(events, steps), credentials());
};
const groupFlow = (events: ScimEvent[]) =>
	runWorkflow(chain(events, [{ name: 'Groups', type: 'groupSync', parameters: { target: 'scim', groupsFrom: 'events' } }]), credentials());

/** Runs what the trigger emitted, as the workflow would: one execution per request, in order. */
async function deliver(events: ScimEvent[], expectSuccess = true) {
	const users = events.filter((e) => outputOf(e) !== GROUPS);
	const groups = events.filter((e) => outputOf(e) === GROUPS);
	const results = [];
	if (users.length) results.push(await userFlow(users));
	if (groups.length) results.push(await groupFlow(groups));
	if (expectSuccess) for (const r of results) expect(r.error).toBeUndefined();
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
		expect(appUser('boss@contoso.com')).toBeUndefined();
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
	store: signed,
});

describe('Okta group push', () => {
	test('create with members, rename, remove and add, replace the whole list, unlink: the app ends identical', async () => {
		const ids: string[] = [];
		for (const n of ['a', 'b', 'c', 'd']) ids.push(await createUser(`okta-${n}@okta.example`));
		const created = await push('POST', '/Groups', {
			displayName: 'Engineering',
			members: [{ value: ids[0], display: 'a' }, { value: ids[1] }],
		});
		await deliver(created.events);
		const gid = created.response.body.id;
		expect(memberNames('Engineering')).toEqual(['okta-a@okta.example', 'okta-b@okta.example']);
		await deliver((await push('PATCH', `/Groups/${gid}`, PATCH([{ op: 'replace', value: { id: gid, displayName: 'Eng' } }]))).events);
		const change = PATCH([
			{ op: 'remove', path: `members[value eq "${ids[0]}"]` },
			{ op: 'add', path: 'members', value: [{ value: ids[2], display: 'c' }] },
		]);
		await deliver((await push('PATCH', `/Groups/${gid}`, change)).events);
		expect(memberNames('Eng')).toEqual(['okta-b@okta.example', 'okta-c@okta.example']);
		const replace = PATCH([{ op: 'replace', path: 'members', value: [{ value: ids[3] }, { value: ids[0] }] }]);
		await deliver((await push('PATCH', `/Groups/${gid}`, replace)).events);
		expect(memberNames('Eng')).toEqual(['okta-a@okta.example', 'okta-d@okta.example']);
		expect(appGroup('Engineering')).toBeUndefined();
		await deliver((await push('DELETE', `/Groups/${gid}`)).events);
		expect(appGroup('Eng')).toBeUndefined();
	});
});

describe('the app down, then a resync from the trigger store', () => {
	/** The resync workflow: every user and group the trigger holds, through the same nodes. */
	const resync = () =>
		runWorkflow(
			chain(
				[{}],
				[
					{ name: 'Store Users', type: 'scimStore', parameters: { tenantUrl: TENANT, operation: 'users' } },
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
						name: 'Disable',
						type: 'deprovisionUser',
						after: 'Map',
						fromOutput: 1,
						parameters: { target: 'scim', mode: 'perItem', operation: 'disable', inputMode: 'envelope' },
					},
					// Users the IdP deleted meanwhile: known by the ids remembered for them, and only those (never other accounts).
					{ name: 'Deleted Users', type: 'scimStore', after: 'Items', parameters: { tenantUrl: TENANT, operation: 'deletedUsers' } },
					{
						name: 'Delete',
						type: 'deprovisionUser',
						parameters: {
							target: 'scim',
							mode: 'perItem',
							operation: 'disable',
							inputMode: 'envelope',
							options: { whenSourceDeleted: 'delete' },
						},
					},
					{ name: 'Store Groups', type: 'scimStore', after: 'Items', parameters: { tenantUrl: TENANT, operation: 'groups' } },
					{ name: 'Groups', type: 'groupSync', parameters: { target: 'scim', groupsFrom: 'events' } },
				],
			),
			credentials(),
		);
	const TENANT = 'https://n8n.example/webhook/resync-test-webhook/scim/v2';

	test('changes lost while the app was down reach it on the next resync; a second resync writes nothing', async () => {
		await registerWebhook('resync-test-webhook', location, process.env.N8N_USER_FOLDER!, process.env);
		const [u1, u2, u3] = [await createUser('r1@x.org'), await createUser('r2@x.org'), await createUser('r3@x.org')];
		const group = await push('POST', '/Groups', { displayName: 'Team', members: [{ value: u1 }, { value: u2 }] });
		await deliver(group.events);

		// An account the package never created (HR-fed, or made by hand): the resync must leave it alone.
		await fetch(`${app.baseUrl}/Users`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${app.token}`, 'Content-Type': 'application/scim+json' },
			body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'hand-made@x.org', active: true }),
		});
		app.faults.push({ status: 400, times: 100000 }); // the app refuses everything: every execution fails
		const lost = [
			...(await push('POST', '/Users', { userName: 'r4@x.org', externalId: 'ext-r4', active: true })).events,
			...(await push('PATCH', `/Users/${u1}`, PATCH([{ op: 'replace', path: 'title', value: 'Lead' }]))).events,
			...(await push('PATCH', `/Users/${u2}`, PATCH([{ op: 'replace', path: 'active', value: 'False' }]))).events,
			...(await push('DELETE', `/Users/${u3}`)).events,
		];
		const u4 = lost[0].resourceId;
		lost.push(
			...(
				await push(
					'PATCH',
					`/Groups/${group.response.body.id}`,
					PATCH([
						{ op: 'add', path: 'members', value: [{ value: u4 }] },
						{ op: 'remove', path: `members[value eq "${u1}"]` },
					]),
				)
			).events,
		);
		const failed = await deliver(lost, false);
		expect(failed.some((r) => r.error)).toBe(true);
		expect(appUser('r4@x.org')).toBeUndefined();

		app.faults.length = 0;
		const first = await resync();
		expect(first.error).toBeUndefined();
		expect(appUser('r1@x.org')).toMatchObject({ title: 'Lead', active: true });
		expect(appUser('r2@x.org')).toMatchObject({ active: false });
		expect(appUser('r3@x.org')).toBeUndefined();
		expect(appUser('r4@x.org')).toMatchObject({ active: true });
		expect(memberNames('Team')).toEqual(['r2@x.org', 'r4@x.org']);
		expect(appUser('hand-made@x.org')).toMatchObject({ active: true });

		app.resetLog();
		const second = await resync();
		expect(second.error).toBeUndefined();
		expect(app.writes()).toEqual([]);
	});
});
