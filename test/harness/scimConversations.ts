/**
 * The conversations Microsoft Entra ID and Okta have with a SCIM service provider, written once and run both
 * against the service provider core (unit) and through real n8n over HTTP (e2e).
 */
export const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export interface ScimAnswer {
	status: number;
	headers: Record<string, string>;
	body: any;
}
export type ScimCall = (
	method: string,
	path: string,
	body?: unknown,
	query?: Record<string, string>,
	headers?: Record<string, string>,
) => Promise<ScimAnswer>;
/** Events emitted so far, when the caller can see them (the core can; over HTTP they flow to the workflow). */
export interface EventProbe {
	take(): string[];
}

const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

export async function entraUserConversation(call: ScimCall, events?: EventProbe, userName = 'Ada@contoso.com'): Promise<string> {
	events?.take();
	const probe = await call('GET', '/Users', undefined, { filter: 'userName eq "8b1f6e0b-5b2c-4f0e-9a11-27d2f1c0e6aa"' });
	expect(probe).toMatchObject({ status: 200, body: { totalResults: 0, Resources: [], startIndex: 1, itemsPerPage: 0 } });
	const externalId = `ext-${userName}`;
	const workEmail = userName.toLowerCase();
	const created = await call('POST', '/Users', {
		schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
		externalId,
		userName,
		active: true,
		displayName: 'Ada Lovelace',
		emails: [{ primary: true, type: 'work', value: workEmail }],
		name: { givenName: 'Ada', familyName: 'Lovelace' },
		[ENT]: { employeeNumber: '7', department: 'R&D' },
	});
	expect(created.status).toBe(201);
	expect(created.headers.location ?? created.headers.Location).toMatch(new RegExp(`/Users/${created.body.id}$`));
	const id = created.body.id;
	if (events) expect(events.take()).toEqual(['user.created']);
	for (const filter of [
		`userName eq "${userName.toUpperCase()}"`,
		`externalId eq "${externalId}"`,
		`emails[type eq "work"].value eq "${workEmail}"`,
	]) {
		expect((await call('GET', '/Users', undefined, { filter })).body.totalResults).toBe(1);
	}
	expect((await call('GET', `/Users/${id}`)).body).toMatchObject({ id, userName, meta: { resourceType: 'User' } });
	const patches: Array<[unknown[], (u: any) => void]> = [
		[[{ op: 'Replace', path: 'displayName', value: 'Ada King' }], (u) => expect(u.displayName).toBe('Ada King')],
		[
			[{ op: 'replace', value: { 'name.givenName': 'Augusta', [`${ENT}:department`]: 'Math' } }],
			(u) => expect([u.name.givenName, u[ENT].department]).toEqual(['Augusta', 'Math']),
		],
		[
			[
				{ op: 'Add', path: 'addresses[type eq "work"].streetAddress', value: '1 Main' },
				{ op: 'Add', path: 'addresses[type eq "work"].locality', value: 'London' },
			],
			(u) => expect(u.addresses).toEqual([{ type: 'work', streetAddress: '1 Main', locality: 'London' }]),
		],
		[
			[{ op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+44 7700 900000' }],
			(u) => expect(u.phoneNumbers).toEqual([{ type: 'mobile', value: '+44 7700 900000' }]),
		],
		[[{ op: 'Add', path: `${ENT}:manager`, value: 'boss-1' }], (u) => expect(u[ENT].manager).toEqual({ value: 'boss-1' })],
		[[{ op: 'Replace', path: `${ENT}:manager`, value: 'boss-2' }], (u) => expect(u[ENT].manager.value).toBe('boss-2')],
		[[{ op: 'Replace', path: `${ENT}:manager`, value: '' }], (u) => expect(u[ENT].manager).toBeUndefined()],
		[
			[
				{ op: 'Replace', path: 'title', value: 'x' },
				{ op: 'Replace', path: 'title', value: '' },
			],
			(u) => expect(u.title).toBeUndefined(),
		],
	];
	for (const [ops, check] of patches) {
		expect((await call('PATCH', `/Users/${id}`, PATCH(ops))).status).toBe(200);
		check((await call('GET', `/Users/${id}`)).body);
	}
	events?.take();
	expect((await call('PATCH', `/Users/${id}`, PATCH([{ op: 'Replace', path: 'active', value: 'False' }]))).status).toBe(200);
	expect((await call('GET', `/Users/${id}`)).body.active).toBe(false);
	if (events) expect(events.take()).toEqual(['user.deactivated']);
	return id;
}

export async function entraDelete(call: ScimCall, id: string, events?: EventProbe): Promise<void> {
	events?.take();
	expect((await call('DELETE', `/Users/${id}`)).status).toBe(204);
	expect((await call('GET', `/Users/${id}`)).status).toBe(404);
	if (events) expect(events.take()).toEqual(['user.deleted']);
}

export async function entraGroupConversation(call: ScimCall, events?: EventProbe, prefix = 'g'): Promise<void> {
	const ids: string[] = [];
	for (const n of ['a', 'b', 'c']) ids.push((await call('POST', '/Users', { userName: `${prefix}-${n}@contoso.com` })).body.id);
	const group = await call('POST', '/Groups', {
		schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
		displayName: `${prefix} Staff`,
		externalId: `${prefix}-1`,
		members: [],
	});
	expect(group.status).toBe(201);
	const gid = group.body.id;
	const lookup = await call('GET', '/Groups', undefined, { excludedAttributes: 'members', filter: `displayName eq "${prefix} Staff"` });
	expect(lookup.body.Resources).toHaveLength(1);
	expect(lookup.body.Resources[0].members).toBeUndefined();
	events?.take();
	const add = PATCH([{ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) }]);
	expect((await call('PATCH', `/Groups/${gid}`, add)).status).toBe(204);
	expect((await call('PATCH', `/Groups/${gid}`, add)).status).toBe(204); // re-adding is not a 409
	expect((await call('GET', `/Groups/${gid}`)).body.members).toHaveLength(3);
	await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'Remove', path: 'members', value: [{ $ref: null, value: ids[0] }] }]));
	await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'remove', path: `members[value eq "${ids[1]}"]` }]));
	expect((await call('GET', `/Groups/${gid}`)).body.members).toEqual([{ value: ids[2] }]);
	expect((await call('DELETE', `/Groups/${gid}`)).status).toBe(204);
	if (events) expect(events.take()).toEqual(['group.membersAdded', 'group.membersRemoved', 'group.membersRemoved', 'group.deleted']);
}

export async function oktaUserConversation(call: ScimCall, prefix = 'okta'): Promise<void> {
	for (let i = 0; i < 150; i++) await call('POST', '/Users', { userName: `${prefix}${i}@okta.example` });
	const filter = `userName sw "${prefix}"`;
	const page1 = await call('GET', '/Users', undefined, { filter, startIndex: '1', count: '100' });
	const page2 = await call('GET', '/Users', undefined, { filter, startindex: '101', COUNT: '100' });
	expect([page1.body.totalResults, page1.body.itemsPerPage, page2.body.itemsPerPage, page2.body.startIndex]).toEqual([150, 100, 50, 101]);
	expect(new Set([...page1.body.Resources, ...page2.body.Resources].map((r: any) => r.id)).size).toBe(150);
	expect(
		(
			await call('GET', '/Users', undefined, {
				filter: `userName eq "${prefix.toUpperCase()}7@okta.example"`,
				startIndex: '1',
				count: '100',
			})
		).body.totalResults,
	).toBe(1);
	const created = await call(
		'POST',
		'/Users',
		{
			schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
			userName: `${prefix}.user@example.org`,
			name: { givenName: 'O', familyName: 'K' },
			password: 'Okta-Pw-123!',
			active: true,
		},
		{},
		{ 'User-Agent': 'Okta SCIM Client 1.0.0' },
	);
	expect(created.status).toBe(201);
	expect(JSON.stringify(created.body)).not.toContain('Okta-Pw-123!');
	expect((await call('POST', '/Users', { userName: `${prefix.toUpperCase()}.USER@example.org` })).body).toMatchObject({
		status: '409',
		scimType: 'uniqueness',
		detail: expect.any(String),
	});
	const current = (await call('GET', `/Users/${created.body.id}`)).body;
	const put = await call('PUT', `/Users/${created.body.id}`, { ...current, groups: [], name: { givenName: 'Okay', familyName: 'K' } });
	expect(put.status).toBe(200);
	expect(put.body).toMatchObject({ id: created.body.id, name: { givenName: 'Okay' } });
	expect(JSON.stringify((await call('GET', `/Users/${created.body.id}`)).body)).not.toContain('Okta-Pw-123!');
	expect((await call('PATCH', `/Users/${created.body.id}`, PATCH([{ op: 'replace', value: { active: false } }]))).body.active).toBe(false);
}

export async function oktaGroupConversation(call: ScimCall, prefix = 'og'): Promise<void> {
	const ids: string[] = [];
	for (const n of ['p', 'q', 'r']) ids.push((await call('POST', '/Users', { userName: `${prefix}-${n}@okta.example` })).body.id);
	const gid = (
		await call('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `${prefix} Group`, members: [] })
	).body.id;
	await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'replace', value: { id: gid, displayName: `${prefix} Group 2` } }]));
	await call(
		'PATCH',
		`/Groups/${gid}`,
		PATCH([
			{
				op: 'add',
				path: 'members',
				value: [
					{ value: ids[0], display: 'p' },
					{ value: ids[1], display: 'q' },
				],
			},
		]),
	);
	await call(
		'PATCH',
		`/Groups/${gid}`,
		PATCH([
			{ op: 'remove', path: `members[value eq "${ids[0]}"]` },
			{ op: 'add', path: 'members', value: [{ value: ids[2], display: 'r' }] },
		]),
	);
	expect((await call('GET', `/Groups/${gid}`)).body).toMatchObject({
		displayName: `${prefix} Group 2`,
		members: [{ value: ids[1] }, { value: ids[2] }],
	});
	await call('PATCH', `/Groups/${gid}`, PATCH([{ op: 'replace', path: 'members', value: [{ value: ids[0] }] }]));
	expect((await call('GET', `/Groups/${gid}`)).body.members.map((m: any) => m.value)).toEqual([ids[0]]);
	expect((await call('DELETE', `/Groups/${gid}`)).status).toBe(204);
}
