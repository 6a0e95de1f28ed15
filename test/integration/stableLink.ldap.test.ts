/**
 * Stable link (issue 14): Provision User records the source key on the account in an anchor attribute
 * (employeeNumber) and matches by it first, so a change of every other match key is an Update, not a Create.
 * Reconcile keeps to accounts carrying the anchor: accounts the package never created are left alone unless the
 * user opts in. Real slapd, real workflows.
 */
import { chain, itemsInto, runWorkflow } from '../harness/workflow';
import { Slapd, parseLdif } from '../servers/slapd';

let slapd: Slapd;
beforeAll(async () => {
	slapd = await Slapd.start();
});
afterAll(async () => {
	await slapd.stop();
});

const BASE = 'dc=example,dc=org';
const PEOPLE = `ou=People,${BASE}`;
const credentials = () => ({
	ldapDirectoryApi: { ...slapd.credential(), baseDn: BASE },
});
const entries = (filter: string) => parseLdif(slapd.ldapsearch(PEOPLE, filter, ['*', '+']));

const direct = (target: string, source: string, extra: Record<string, unknown> = {}) => ({ target, type: 'direct', source, ...extra });
/** HR record → LDAP: matched by uid, then mail; employeeNumber holds the HR id but is no match key of its own. */
const rows = [
	direct('uid', 'login', { matchPrecedence: 1 }),
	direct('mail', 'email', { matchPrecedence: 2 }),
	direct('cn', 'name'),
	direct('sn', 'last'),
	direct('employeeNumber', 'hrId'),
	{ target: 'objectClass', type: 'constant', constant: 'inetOrgPerson', apply: 'create' },
];
const provision = (items: object[], anchorAttribute = '') =>
	runWorkflow(
		chain(items, [
			{ name: 'Map', type: 'mapAttributes', parameters: { preset: 'none', mappings: { mapping: rows } } },
			{
				name: 'Provision',
				type: 'provisionUser',
				parameters: {
					target: 'ldap',
					inputMode: 'envelope',
					dnTemplate: `uid={uid},${PEOPLE}`,
					objectFilter: '(objectClass=inetOrgPerson)',
					options: anchorAttribute ? { anchorAttribute } : {},
				},
				settings: { onError: 'continueErrorOutput' },
			},
		]),
		credentials(),
	);

describe('Provision User with an anchor attribute', () => {
	test('a change of uid and mail together is an Update matched by employeeNumber (the entry is renamed); a rerun is NoChange', async () => {
		const before = { login: 'mhamilton', email: 'mhamilton@example.org', name: 'Margaret Hamilton', last: 'Hamilton', hrId: 'HR-1001' };
		expect((await provision([before], 'employeeNumber')).output('Provision')[0].json.action).toBe('Create');
		const after = { ...before, login: 'mhamilton-smith', email: 'margaret.smith@example.org', last: 'Hamilton-Smith' };
		const res = await provision([after], 'employeeNumber');
		const record = res.output('Provision')[0].json as Record<string, any>;
		expect(record.action).toBe('Update');
		expect(record.matchedBy).toEqual({ attribute: 'employeeNumber', value: 'HR-1001' });
		expect(record.targetId).toBe(`uid=mhamilton-smith,${PEOPLE}`);
		const found = entries('(employeeNumber=HR-1001)');
		expect([...found.keys()]).toEqual([`uid=mhamilton-smith,${PEOPLE}`]);
		expect(found.get(`uid=mhamilton-smith,${PEOPLE}`)).toMatchObject({ mail: ['margaret.smith@example.org'], sn: ['Hamilton-Smith'] });
		expect((await provision([after], 'employeeNumber')).output('Provision')[0].json.action).toBe('NoChange');
	});

	test('without the anchor the same change is a Create: the duplicate the anchor prevents', async () => {
		const before = { login: 'kjohnson', email: 'kjohnson@example.org', name: 'Katherine Johnson', last: 'Johnson', hrId: 'HR-1002' };
		expect((await provision([before])).output('Provision')[0].json.action).toBe('Create');
		const after = { ...before, login: 'kgoble', email: 'katherine.goble@example.org' };
		expect((await provision([after])).output('Provision')[0].json.action).toBe('Create');
		expect(entries('(employeeNumber=HR-1002)').size).toBe(2);
	});

	test('an existing account matched by uid gets the anchor written, and is then found by it', async () => {
		slapd.ldapadd(
			[`dn: uid=dvaughan,${PEOPLE}`, 'objectClass: inetOrgPerson', 'uid: dvaughan', 'cn: Dorothy Vaughan', 'sn: Vaughan', ''].join('\n'),
		);
		const item = { login: 'dvaughan', email: 'dvaughan@example.org', name: 'Dorothy Vaughan', last: 'Vaughan', hrId: 'HR-1003' };
		const first = (await provision([item], 'employeeNumber')).output('Provision')[0].json as Record<string, any>;
		expect(first).toMatchObject({ action: 'Update', matchedBy: { attribute: 'uid', value: 'dvaughan' } });
		expect(entries('(uid=dvaughan)').get(`uid=dvaughan,${PEOPLE}`)!.employeeNumber).toEqual(['HR-1003']);
		const renamed = (await provision([{ ...item, login: 'dvaughan2', email: 'd.vaughan@example.org' }], 'employeeNumber')).output(
			'Provision',
		)[0].json as Record<string, any>;
		expect(renamed).toMatchObject({ action: 'Update', matchedBy: { attribute: 'employeeNumber', value: 'HR-1003' } });
	});
});

describe('Reconcile limited to anchored accounts', () => {
	const seed = (uid: string, extra: string[]) =>
		slapd.ldapadd(
			[`dn: uid=${uid},${PEOPLE}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${uid}`, `sn: ${uid}`, ...extra, ''].join('\n'),
		);
	const reconcile = (extra: Record<string, unknown>) =>
		runWorkflow(
			itemsInto(
				'deprovisionUser',
				{
					target: 'ldap',
					mode: 'reconcile',
					operation: 'disable',
					inputMode: 'define',
					searchBase: PEOPLE,
					objectFilter: '(objectClass=inetOrgPerson)',
					scopeFilter: '(uid=rl-*)',
					matchKeys: { key: [{ attribute: 'uid', value: '={{ $json.uid }}' }] },
					anchorAttribute: 'employeeNumber',
					...extra,
				},
				// The source names the stayer by its anchor only: its uid changed at the source.
				[{ uid: 'rl-stayer-renamed' }],
				{ onError: 'continueErrorOutput' },
			),
			credentials(),
		);
	const locked = () => [...entries('(&(uid=rl-*)(pwdAccountLockedTime=*))').values()].map((e) => e.uid[0]).sort();

	test('only anchored leavers are disabled; an account without the anchor is left alone unless the user opts in', async () => {
		seed('rl-stayer', ['employeeNumber: RL-1']);
		seed('rl-leaver', ['employeeNumber: RL-2']);
		seed('rl-manual', []);
		const withAnchorKey = {
			matchKeys: {
				key: [
					{ attribute: 'employeeNumber', value: 'RL-1' },
					{ attribute: 'uid', value: '={{ $json.uid }}' },
				],
			},
		};
		const res = await reconcile(withAnchorKey);
		expect(res.error).toBeUndefined();
		expect(res.output('Node', 0).map((i) => [i.json.action, i.json.targetId])).toEqual([['Disable', `uid=rl-leaver,${PEOPLE}`]]);
		expect(locked()).toEqual(['rl-leaver']);

		const optedIn = await reconcile({ ...withAnchorKey, includeUnanchored: true });
		expect(optedIn.output('Node', 0).map((i) => [i.json.action, i.json.targetId])).toEqual(
			expect.arrayContaining([['Disable', `uid=rl-manual,${PEOPLE}`]]),
		);
		expect(locked()).toEqual(['rl-leaver', 'rl-manual']);
	});
});
