import { errorOf, itemsInto, runWorkflow } from '../harness/workflow';
import { Slapd, parseLdif } from '../servers/slapd';

let slapd: Slapd;
beforeAll(async () => {
	slapd = await Slapd.start();
	slapd.ldapadd(['dn: ou=Disabled,dc=example,dc=org', 'objectClass: organizationalUnit', 'ou: Disabled', ''].join('\n'));
});
afterAll(async () => {
	await slapd.stop();
});

const BASE = 'dc=example,dc=org';
const PEOPLE = `ou=People,${BASE}`;
const credentials = () => ({
	ldapDirectoryApi: {
		...slapd.credential(),
		baseDn: BASE,
		timeoutMs: 5000,
	},
});
let batch = 0;

/** Loads people with the real ldapadd; returns their uids. */
function seed(count: number, extra: (i: number) => string[] = () => []): string[] {
	const prefix = `b${++batch}u`;
	const ldif = Array.from({ length: count }, (_, i) =>
		[
			`dn: uid=${prefix}${i},${PEOPLE}`,
			'objectClass: inetOrgPerson',
			`uid: ${prefix}${i}`,
			`cn: ${prefix} ${i}`,
			`sn: ${i}`,
			`employeeNumber: ${prefix}-${i}`,
			...extra(i),
			'',
		].join('\n'),
	).join('\n');
	slapd.ldapadd(ldif);
	return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}
const read = (uid: string, attrs = ['*', '+']) => [...parseLdif(slapd.ldapsearch(BASE, `(uid=${uid})`, attrs)).entries()][0];
const base = (operation: string, extra: Record<string, unknown> = {}) => ({
	target: 'ldap',
	mode: 'perItem',
	operation,
	inputMode: 'define',
	searchBase: BASE,
	objectFilter: '(objectClass=inetOrgPerson)',
	matchKeys: { key: [{ attribute: 'uid', value: '={{ $json.uid }}' }] },
	...extra,
});
const run = (params: Record<string, unknown>, items: object[]) =>
	runWorkflow(itemsInto('deprovisionUser', params, items, { onError: 'continueErrorOutput' }), credentials());

describe('Deprovision User → LDAP (real slapd, real workflow)', () => {
	test('OpenLDAP ppolicy: disable sets pwdAccountLockedTime, a rerun is NoChange, reactivation removes it', async () => {
		const [a, b] = seed(2);
		const res = await run(base('disable'), [{ uid: a }, { uid: 'ghost' }]);
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Disable', 'Skipped']);
		expect(read(a)[1].pwdAccountLockedTime).toEqual(['000001010000Z']);
		expect(read(b)[1].pwdAccountLockedTime).toBeUndefined();
		expect((await run(base('disable'), [{ uid: a }])).output('Node', 0)[0].json.action).toBe('NoChange');
		expect((await run(base('enable'), [{ uid: a }])).output('Node', 0)[0].json.action).toBe('Enable');
		expect(read(a)[1].pwdAccountLockedTime).toBeUndefined();
	});

	test('a configurable attribute and value', async () => {
		const [a] = seed(1, () => ['employeeType: staff']);
		const params = base('disable', { openLdapDisable: 'attribute', disableAttribute: 'employeeType', disableValue: 'disabled' });
		expect((await run(params, [{ uid: a }])).output('Node', 0)[0].json.action).toBe('Disable');
		expect(read(a)[1].employeeType).toEqual(['disabled']);
		expect((await run(params, [{ uid: a }])).output('Node', 0)[0].json.action).toBe('NoChange');
	});

	test('move to a disabled OU, and back on reactivation', async () => {
		const [a] = seed(1);
		const params = base('disable', { openLdapDisable: 'move', disabledContainer: `ou=Disabled,${BASE}`, enabledContainer: PEOPLE });
		const res = await run(params, [{ uid: a }]);
		expect(res.output('Node', 0)[0].json).toMatchObject({ action: 'Disable', targetId: `uid=${a},ou=Disabled,${BASE}` });
		expect(read(a)[0]).toBe(`uid=${a},ou=Disabled,${BASE}`);
		expect((await run(params, [{ uid: a }])).output('Node', 0)[0].json.action).toBe('NoChange');
		const back = await run({ ...params, operation: 'enable' }, [{ uid: a }]);
		expect(back.output('Node', 0)[0].json).toMatchObject({ action: 'Enable', targetId: `uid=${a},${PEOPLE}` });
		expect(read(a)[0]).toBe(`uid=${a},${PEOPLE}`);
	});

	test('delete, then a rerun finds nothing', async () => {
		const [a] = seed(1);
		expect((await run(base('delete'), [{ uid: a }])).output('Node', 0)[0].json.action).toBe('Delete');
		expect(read(a)).toBeUndefined();
		expect((await run(base('delete'), [{ uid: a }])).output('Node', 0)[0].json.action).toBe('Skipped');
	});

	test('remove from all groups: groupOfNames member and posixGroup memberUid', async () => {
		const [a, b] = seed(2);
		slapd.ldapadd(
			[
				`dn: cn=team${batch},ou=Groups,${BASE}`,
				'objectClass: groupOfNames',
				`cn: team${batch}`,
				`member: uid=${a},${PEOPLE}`,
				`member: uid=${b},${PEOPLE}`,
				'',
				`dn: cn=posix${batch},ou=Groups,${BASE}`,
				'objectClass: posixGroup',
				`cn: posix${batch}`,
				`gidNumber: ${5000 + batch}`,
				`memberUid: ${a}`,
				`memberUid: ${b}`,
				'',
			].join('\n'),
		);
		const res = await run(base('removeFromGroups'), [{ uid: a }]);
		expect(res.output('Node', 0)[0].json.action).toBe('Update');
		const groups = parseLdif(slapd.ldapsearch(`ou=Groups,${BASE}`, `(|(cn=team${batch})(cn=posix${batch}))`, ['member', 'memberUid']));
		expect(groups.get(`cn=team${batch},ou=Groups,${BASE}`)!.member).toEqual([`uid=${b},${PEOPLE}`]);
		expect(groups.get(`cn=posix${batch},ou=Groups,${BASE}`)!.memberUid).toEqual([b]);
	});

	test('reconcile: 1,000 source users against 1,050 entries disables exactly the 50 leavers; protected entries survive', async () => {
		const uids = seed(1050, (i) => (i === 1049 ? ['employeeType: service'] : []));
		const source = uids.slice(0, 1000).map((uid) => ({ uid }));
		const params = {
			...base('disable'),
			mode: 'reconcile',
			searchBase: PEOPLE,
			scopeFilter: `(uid=b${batch}u*)`,
			protectedValues: `${uids[1000]}\nuid=${uids[1001]}, ${PEOPLE}`,
			protectedFilter: '(employeeType=service)',
		};
		const res = await run(params, source);
		const done = res.output('Node', 0);
		expect(done.map((i) => i.json.action)).toEqual(Array(47).fill('Disable'));
		const locked = [...parseLdif(slapd.ldapsearch(PEOPLE, `(&(uid=b${batch}u*)(pwdAccountLockedTime=*))`, ['uid'])).values()]
			.map((e) => e.uid[0])
			.sort();
		expect(locked).toEqual(uids.slice(1002, 1049).sort());
		const rerun = await run(params, source);
		expect(rerun.output('Node', 0).every((i) => i.json.action === 'NoChange')).toBe(true);
	});

	test('reconcile threshold on LDAP: a truncated source changes nothing until approved', async () => {
		const uids = seed(200);
		const params = {
			...base('delete'),
			mode: 'reconcile',
			searchBase: PEOPLE,
			scopeFilter: `(uid=b${batch}u*)`,
			threshold: { maxCount: 20 },
		};
		const auditBefore = slapd.auditLog().length;
		const tripped = await run(
			params,
			uids.slice(0, 100).map((uid) => ({ uid })),
		);
		expect(tripped.output('Node', 1)).toHaveLength(100);
		expect(tripped.output('Node', 1).every((i) => i.json.action === 'StagedDelete')).toBe(true);
		expect(slapd.auditLog().length).toBe(auditBefore);
		const approved = await run(
			{ ...params, threshold: { maxCount: 20, approved: true } },
			uids.slice(0, 100).map((uid) => ({ uid })),
		);
		expect(approved.output('Node', 0).map((i) => i.json.action)).toEqual(Array(100).fill('Delete'));
		expect(parseLdif(slapd.ldapsearch(PEOPLE, `(uid=b${batch}u*)`, ['uid'])).size).toBe(100);
	});

	test('slapd failing mid-run: every leaver is accounted for, and a rerun after restart finishes the job', async () => {
		const uids = seed(400);
		const params = {
			...base('disable'),
			mode: 'reconcile',
			searchBase: PEOPLE,
			scopeFilter: `(uid=b${batch}u*)`,
			options: { concurrency: 2 },
		};
		const source = uids.slice(0, 100).map((uid) => ({ uid }));
		const modifies = () => (slapd.auditLog().match(/changetype: modify/g) ?? []).length;
		const start = modifies();
		const running = run(params, source);
		while (modifies() - start < 50) await new Promise((r) => setTimeout(r, 2));
		slapd.kill();
		const res = await running;
		// Every leaver ends in exactly one place: Done, or the error output with its reason.
		const done = res.output('Node', 0);
		const failed = res.output('Node', 2).map(errorOf);
		expect(done.length + failed.length).toBe(300);
		expect(done.every((i) => i.json.action === 'Disable')).toBe(true);
		expect(failed.length).toBeGreaterThan(0);
		expect(failed.every((f) => f.code === 'TargetUnavailable' && f.provisioningLog?.action === 'Failed')).toBe(true);
		await slapd.restart();
		const rerun = await run(params, source);
		expect(rerun.output('Node', 0)).toHaveLength(300);
		expect(rerun.output('Node', 0).every((i) => ['Disable', 'NoChange'].includes(i.json.action as string))).toBe(true);
		expect(parseLdif(slapd.ldapsearch(PEOPLE, `(&(uid=b${batch}u*)(pwdAccountLockedTime=*))`, ['uid'])).size).toBe(300);
	});

	test('an invalid managed-scope filter is a clear error', async () => {
		seed(1);
		const res = await runWorkflow(
			itemsInto('deprovisionUser', { ...base('disable'), mode: 'reconcile', scopeFilter: '(uid=unclosed' }, [{ uid: 'x' }]),
			credentials(),
		);
		expect(res.error?.message).toBe('"(uid=unclosed" is not a valid LDAP filter (RFC 4515)');
	});

	test('a missing identifier fails that item only', async () => {
		const [a] = seed(1);
		const res = await run(base('disable'), [{ uid: '' }, { uid: a }]);
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Disable']);
		expect(res.output('Node', 2).map((i) => errorOf(i).code)).toEqual(['MissingRequiredValue']);
	});
});
