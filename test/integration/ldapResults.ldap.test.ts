/**
 * The LDAP result codes the target decides on, against a real slapd: what is already done counts as done (an entry or
 * group already deleted, a member already added or removed), a move into a missing parent is explained, and every
 * other refusal still fails (a missing entry that is not the parent, a non-leaf delete, a missing account).
 */
import { ProvisioningError } from '../../lib/errors';
import { LdapTarget } from '../../lib/targets/ldap/ldapTarget';
import { parseLdif, Slapd } from '../servers/slapd';

let slapd: Slapd;
let target: LdapTarget;
const PEOPLE = () => `ou=People,${slapd.suffix}`;
const GROUPS = () => `ou=Groups,${slapd.suffix}`;

const newTarget = () =>
	new LdapTarget({
		connection: slapd.connection(),
		flavour: 'openldap',
		baseDn: slapd.suffix,
		searchBase: PEOPLE(),
		objectFilter: '(objectClass=inetOrgPerson)',
		dnTemplate: `uid={uid},${PEOPLE()}`,
		groups: { schema: 'groupOfNames', searchBase: GROUPS(), dnTemplate: `cn={displayName},${GROUPS()}` },
	});

beforeAll(async () => {
	slapd = await Slapd.start();
	target = newTarget();
});
afterAll(async () => {
	await target?.close();
	await slapd?.stop();
});

const person = (uid: string) => ({ objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid });
const members = (dn: string) => (parseLdif(slapd.ldapsearch(dn, '(objectClass=*)', ['member'], 'base')).get(dn)?.member ?? []).sort();
const refusal = (promise: Promise<unknown>) =>
	promise.then(
		() => undefined,
		(error: unknown) => error,
	);

test('deleting an account that is already gone counts as deleted', async () => {
	const { id } = await target.users.create(person('gone-twice'));
	await target.users.delete(id);
	await expect(target.users.delete(id)).resolves.toBeUndefined();
	expect(await target.users.get(id, ['uid'])).toBeNull();
});

test('deleting an entry that still has children fails: only "no such object" counts as done', async () => {
	await target.users.create(person('child'));
	const error = await refusal(target.users.delete(PEOPLE()));
	expect(error).toBeInstanceOf(ProvisioningError);
	expect(error).toMatchObject({ code: 'TargetRejected', targetStatus: 66 });
	expect(parseLdif(slapd.ldapsearch(PEOPLE(), '(objectClass=*)', ['ou'], 'base')).size).toBe(1);
});

test('a move into a missing parent says which parent; a move of a missing entry stays "not found"', async () => {
	const { id } = await target.users.create(person('mover'));
	const nowhere = `ou=Nowhere,${PEOPLE()}`;
	const change = (newValue: string) => [{ attribute: 'dn', oldValue: id, newValue, added: [], removed: [] }];
	const missingParent = await refusal(target.users.update(id, change(`uid=mover,${nowhere}`)));
	expect(missingParent).toMatchObject({ code: 'TargetRejected', targetStatus: 32, field: 'dn' });
	expect((missingParent as Error).message).toContain(`the new parent ${nowhere} does not exist`);

	const ghost = `uid=ghost,${PEOPLE()}`;
	const missingEntry = await refusal(target.users.update(ghost, change(`uid=ghost,${GROUPS()}`)));
	expect(missingEntry).toMatchObject({ code: 'NotFound', targetStatus: 32 });
	expect((missingEntry as Error).message).not.toContain('new parent');
});

test('members already present or already gone are no error; a group already deleted counts as deleted', async () => {
	const a = (await target.users.create(person('member-a'))).id;
	const b = (await target.users.create(person('member-b'))).id;
	const group = await target.groups.createGroup({ displayName: 'Twice' }, [a]);
	await target.groups.addMembers(group.id, [a, b]);
	expect(members(group.id)).toEqual([a, b].sort());
	await target.groups.removeMembers(group.id, [b], 1);
	// slapd refuses to delete an absent value even with permissive modify (noSuchAttribute): read, then nothing left.
	await target.groups.removeMembers(group.id, [b], 1);
	expect(members(group.id)).toEqual([a]);
	// A later execution does not know the group holds no placeholder: its delete is refused, the member still added.
	const later = newTarget();
	try {
		await later.groups.addMembers(group.id, [b]);
	} finally {
		await later.close();
	}
	expect(members(group.id)).toEqual([a, b].sort());
	await target.groups.deleteGroup(group.id);
	await expect(target.groups.deleteGroup(group.id)).resolves.toBeUndefined();
	expect(await target.groups.readGroup(group.id)).toBeNull();
});

test('removing a missing account from all groups fails as not found', async () => {
	const error = await refusal(target.groups.removeFromAllGroups(`uid=nobody,${PEOPLE()}`));
	expect(error).toMatchObject({ code: 'NotFound', targetStatus: 32 });
});
