/** The 389 Directory Server flavour: accounts are disabled with nsAccountLock (slapd with a stand-in schema). */
import { join } from 'node:path';
import { itemsInto, runWorkflow } from '../harness/workflow';
import { Slapd, parseLdif } from '../servers/slapd';

let slapd: Slapd;
beforeAll(async () => {
	slapd = await Slapd.start({ extraSchemas: [join(__dirname, '..', 'servers', 'schema', 'ds389-stand-in.schema')] });
	slapd.ldapadd(
		[
			'dn: uid=kim,ou=People,dc=example,dc=org',
			'objectClass: inetOrgPerson',
			'objectClass: ds389LockStandIn',
			'uid: kim',
			'cn: Kim',
			'sn: K',
			'',
		].join('\n'),
	);
});
afterAll(async () => {
	await slapd.stop();
});

test('disable sets nsAccountLock=TRUE, a rerun is NoChange, reactivation removes it', async () => {
	const run = (operation: string) =>
		runWorkflow(
			itemsInto(
				'deprovisionUser',
				{
					target: 'ldap',
					mode: 'perItem',
					operation,
					inputMode: 'define',
					objectFilter: '(objectClass=inetOrgPerson)',
					matchKeys: { key: [{ attribute: 'uid', value: 'kim' }] },
				},
				[{}],
			),
			{
				ldapDirectoryApi: {
					...slapd.credential(),
					flavour: '389ds',
				},
			},
		);
	const lock = () =>
		parseLdif(slapd.ldapsearch('ou=People,dc=example,dc=org', '(uid=kim)', ['nsAccountLock'])).get('uid=kim,ou=People,dc=example,dc=org')!
			.nsAccountLock;
	expect((await run('disable')).output('Node', 0)[0].json.action).toBe('Disable');
	expect(lock()).toEqual(['TRUE']);
	expect((await run('disable')).output('Node', 0)[0].json.action).toBe('NoChange');
	expect((await run('enable')).output('Node', 0)[0].json.action).toBe('Enable');
	expect(lock()).toBeUndefined();
});
