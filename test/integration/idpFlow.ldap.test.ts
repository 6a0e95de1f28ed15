/**
 * The IdP → SCIM Trigger → directory flow, in process, into a real slapd: users with the OpenLDAP preset, the manager
 * as a DN, and a group whose members are DNs, all resolved through the ids the nodes remember.
 */
import { normaliseDn } from '../../lib/ldap/escape';
import { ScimServiceProvider, type ScimEvent } from '../../lib/scim/server/serviceProvider';
import { openStoreAt, type StoreLocation } from '../../lib/store/openStore';
import { StoreRefSigner } from '../../lib/store/storeRef';
import { chain, runWorkflow } from '../harness/workflow';
import { parseLdif, Slapd } from '../servers/slapd';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PEOPLE = 'ou=People,dc=example,dc=org';
const GROUPS = 'ou=Groups,dc=example,dc=org';
const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

let slapd: Slapd;
let provider: ScimServiceProvider;
beforeAll(async () => {
	slapd = await Slapd.start({});
	const location: StoreLocation = { key: 'idp-flow-ldap', kind: 'file' };
	provider = new ScimServiceProvider(openStoreAt(location, process.env.N8N_USER_FOLDER!, process.env), {
		baseUrl: 'https://n8n.example/webhook/l/scim/v2',
		// As the trigger does: signed for the workflow its events run in (the harness's default id).
		storeLocation: StoreRefSigner.of(process.env)!.sign(location, 'test-workflow'),
	});
});
afterAll(() => slapd.stop());

const credentials = () => ({
	ldapDirectoryApi: { ...slapd.credential() },
});
const ldap = { target: 'ldap', searchBase: PEOPLE, objectFilter: '(objectClass=inetOrgPerson)' };

async function push(method: string, path: string, body?: unknown) {
	const { response, events } = await provider.handle({ method, path, query: {}, headers: {}, body });
	const users = events.filter((e) => e.resourceType === 'User');
	const groups = events.filter((e) => e.resourceType === 'Group');
	if (users.length) await flow(users, 'users');
	if (groups.length) await flow(groups, 'groups');
	return response as { status: number; body: any };
}

async function flow(events: ScimEvent[], kind: 'users' | 'groups') {
	const steps =
		kind === 'users'
			? [
					{
						name: 'Map',
						type: 'mapAttributes',
						parameters: {
							preset: 'scimToOpenLdap',
							scoping: { clause: [{ group: 1, attribute: 'active', operator: 'IS TRUE' }] },
							options: { sourcePath: 'resource' },
						},
					},
					{ name: 'Provision', type: 'provisionUser', parameters: { ...ldap, inputMode: 'envelope', dnTemplate: `uid={uid},${PEOPLE}` } },
				]
			: [
					{
						name: 'Groups',
						type: 'groupSync',
						parameters: {
							...ldap,
							groupsFrom: 'events',
							groupSchema: 'groupOfNames',
							groupSearchBase: GROUPS,
							groupDnTemplate: `cn={displayName},${GROUPS}`,
						},
					},
				];
	const res = await runWorkflow(chain(events, steps), credentials());
	expect(res.error).toBeUndefined();
	return res;
}

const entry = (base: string, filter: string) => [...parseLdif(slapd.ldapsearch(base, filter, ['*'])).values()][0];

test('users, the manager as a DN and a groupOfNames with member DNs, from an Entra-style conversation', async () => {
	const user = async (userName: string, extra: object = {}) =>
		(
			await push('POST', '/Users', {
				userName,
				active: true,
				displayName: userName.split('@')[0],
				name: { givenName: 'G', familyName: userName.split('@')[0] },
				emails: [{ type: 'work', value: userName, primary: true }],
				...extra,
			})
		).body.id as string;
	const boss = await user('boss@corp.example');
	const ada = await user('ada@corp.example', { [ENT]: { manager: { value: boss } } });
	expect(normaliseDn(entry(PEOPLE, '(uid=ada)').manager[0])).toBe(normaliseDn(`uid=boss,${PEOPLE}`));

	const group = (await push('POST', '/Groups', { displayName: 'Staff', members: [] })).body.id;
	await push('PATCH', `/Groups/${group}`, PATCH([{ op: 'Add', path: 'members', value: [{ value: ada }, { value: boss }] }]));
	expect(entry(GROUPS, '(cn=Staff)').member.map(normaliseDn).sort()).toEqual(
		[`uid=ada,${PEOPLE}`, `uid=boss,${PEOPLE}`].map(normaliseDn).sort(),
	);
	await push('PATCH', `/Groups/${group}`, PATCH([{ op: 'Remove', path: 'members', value: [{ value: ada }] }]));
	expect(entry(GROUPS, '(cn=Staff)').member.map(normaliseDn)).toEqual([normaliseDn(`uid=boss,${PEOPLE}`)]);
	// Re-adding a member the directory holds is no error (OpenLDAP has no permissive modify: one read, then the rest).
	await push('PATCH', `/Groups/${group}`, PATCH([{ op: 'Add', path: 'members', value: [{ value: ada }, { value: boss }] }]));
	expect(entry(GROUPS, '(cn=Staff)').member).toHaveLength(2);
	await push('DELETE', `/Groups/${group}`);
	expect(entry(GROUPS, '(cn=Staff)')).toBeUndefined();
});
