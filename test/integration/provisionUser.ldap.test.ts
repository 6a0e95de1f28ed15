import { normaliseDn } from '../../lib/ldap/escape';
import { Slapd, parseLdif } from '../servers/slapd';
import { errorOf, itemsInto, runWorkflow } from '../harness/workflow';

let slapd: Slapd;
beforeAll(async () => {
	slapd = await Slapd.start({ tls: true });
});
afterAll(async () => {
	await slapd.stop();
});

const PEOPLE = 'ou=People,dc=example,dc=org';
const credentials = (extra: Record<string, unknown> = {}) => ({
	ldapDirectoryApi: {
		...slapd.credential(),
		timeoutMs: 3000,
		connectTimeoutMs: 2000,
		...extra,
	},
});
const rows = [
	{ name: 'uid', value: '={{ $json.login }}', matchPrecedence: 1 },
	{ name: 'employeeNumber', value: '={{ $json.employeeId }}', matchPrecedence: 2 },
	{ name: 'cn', value: '={{ $json.first + " " + $json.last }}' },
	{ name: 'givenName', value: '={{ $json.first }}' },
	{ name: 'sn', value: '={{ $json.last }}' },
	{ name: 'mail', value: '={{ $json.mails }}' },
	{ name: 'title', value: '={{ $json.title }}' },
	{ name: 'objectClass', value: 'top,person,organizationalPerson,inetOrgPerson', apply: 'create' },
	{ name: 'userPassword', value: '={{ $json.password }}', apply: 'create' },
];
const params = (options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
	target: 'ldap',
	inputMode: 'define',
	attributes: { attribute: rows },
	dnTemplate: `uid={uid},${PEOPLE}`,
	objectFilter: '(objectClass=inetOrgPerson)',
	options,
	...extra,
});
const person = (n: number, extra: Record<string, unknown> = {}) => ({
	login: `user${n}`,
	employeeId: `E${n}`,
	first: `First${n}`,
	last: `Last${n}`,
	mails: [`user${n}@example.org`, `u${n}@alias.example.org`],
	title: 'Engineer',
	password: `Initial-Pw-${n}!`,
	...extra,
});
const entries = (filter = '(objectClass=inetOrgPerson)') => parseLdif(slapd.ldapsearch(PEOPLE, filter, ['*']));
const auditBlocks = () =>
	slapd
		.auditLog()
		.split(/\n# end \w+ \d+\n/)
		.filter((b) => /changetype: (add|modify)/.test(b) && b.includes(PEOPLE));
const run = (items: object[], options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}, creds = credentials()) =>
	runWorkflow(itemsInto('provisionUser', params(options, extra), items, { onError: 'continueErrorOutput' }), creds);

describe('Provision User → LDAP (real slapd, real workflow)', () => {
	test('creates entries that read back with ldapsearch, multi-valued mail and a 3-value objectClass included', async () => {
		const res = await run([person(1), person(2)]);
		expect(res.output('Node', 1)).toHaveLength(0);
		expect(res.output('Node', 0).map((i) => [i.json.action, i.json.targetId])).toEqual([
			['Create', `uid=user1,${PEOPLE}`],
			['Create', `uid=user2,${PEOPLE}`],
		]);
		const entry = entries().get(`uid=user1,${PEOPLE}`)!;
		expect(entry).toMatchObject({ uid: ['user1'], cn: ['First1 Last1'], sn: ['Last1'], employeeNumber: ['E1'], title: ['Engineer'] });
		expect(entry.mail.sort()).toEqual(['u1@alias.example.org', 'user1@example.org']);
		expect(entry.objectClass.sort()).toEqual(['inetOrgPerson', 'organizationalPerson', 'person', 'top']);
		expect(JSON.stringify(res.run.data.resultData.runData.Node)).not.toContain('Initial-Pw-1!');
	});

	test('a rerun modifies only changed attributes and values; a third run writes nothing', async () => {
		const before = auditBlocks().length;
		const second = await run([person(1, { title: 'Staff Engineer', mails: ['user1@example.org', 'first1@example.org'] })]);
		expect(second.output('Node', 0)[0].json).toMatchObject({ action: 'Update', matchedBy: { attribute: 'uid', value: 'user1' } });
		const blocks = auditBlocks().slice(before);
		expect(blocks).toHaveLength(1);
		const ours = '(title|mail|sn|cn|givenName|uid|employeeNumber|objectClass)';
		const modify = blocks[0].split('\n').filter((l) => new RegExp(`^((replace|add|delete): ${ours}|${ours}:)`).test(l));
		expect(modify).toEqual([
			'delete: mail',
			'mail: u1@alias.example.org',
			'add: mail',
			'mail: first1@example.org',
			'replace: title',
			'title: Staff Engineer',
		]);
		const third = await run([person(1, { title: 'Staff Engineer', mails: ['first1@example.org', 'user1@example.org'] })]);
		expect(third.output('Node', 0)[0].json.action).toBe('NoChange');
		expect(auditBlocks().length).toBe(before + 1);
	});

	test('brownfield: a pre-existing entry is matched by employeeNumber; two entries sharing it is DuplicateTargetEntries', async () => {
		slapd.ldapadd(
			[
				`dn: uid=legacy7,${PEOPLE}`,
				'objectClass: inetOrgPerson',
				'uid: legacy7',
				'cn: Legacy Seven',
				'sn: Seven',
				'employeeNumber: E7',
				'',
				`dn: uid=dupa,${PEOPLE}`,
				'objectClass: inetOrgPerson',
				'uid: dupa',
				'cn: Dup A',
				'sn: A',
				'employeeNumber: E9',
				'',
				`dn: uid=dupb,${PEOPLE}`,
				'objectClass: inetOrgPerson',
				'uid: dupb',
				'cn: Dup B',
				'sn: B',
				'employeeNumber: E9',
				'',
			].join('\n'),
		);
		const res = await run([person(7, { login: 'new.login7' }), person(7, { login: '' }), person(9, { login: 'nobody9' })], {
			concurrency: 1,
		});
		// uid has no hit for the first item, so employeeNumber finds the legacy entry; uid is its RDN, so it is renamed.
		expect(res.output('Node', 0).map((i) => [i.json.action, i.json.targetId, (i.json.matchedBy as any).attribute])).toEqual([
			['Update', `uid=new.login7,${PEOPLE}`, 'employeeNumber'],
			['NoChange', `uid=new.login7,${PEOPLE}`, 'employeeNumber'],
		]);
		const failed = res.output('Node', 1);
		expect(failed.map((i) => [errorOf(i).code, errorOf(i).field, i.pairedItem])).toEqual([
			['DuplicateTargetEntries', 'employeeNumber', { item: 2 }],
		]);
		const seven = entries('(employeeNumber=E7)');
		expect([...seven.keys()]).toEqual([`uid=new.login7,${PEOPLE}`]);
		expect([...seven.values()][0]).toMatchObject({ uid: ['new.login7'], cn: ['First7 Last7'] });
	});

	test('dry run reports what a real run does and changes nothing', async () => {
		const batch = [person(2, { title: 'Manager' }), person(3)];
		const auditBefore = slapd.auditLog().length;
		const dry = await run(batch, { dryRun: true });
		expect(slapd.auditLog().length).toBe(auditBefore);
		const real = await run(batch);
		const summary = (items: any[]) => items.map((i) => [i.json.action, i.json.targetId, i.json.modifiedProperties.map((p: any) => p.name)]);
		expect(summary(dry.output('Node'))).toEqual(summary(real.output('Node')));
		expect(summary(dry.output('Node'))[0]).toEqual(['Update', `uid=user2,${PEOPLE}`, ['title']]);
		expect(summary(dry.output('Node'))[1][0]).toBe('Create');
	});

	test('LDAP injection: filter metacharacters match nothing, and DN metacharacters stay inside one RDN', async () => {
		const evilLogin = '*)(uid=*';
		const res = await run([person(50, { login: evilLogin, employeeId: '*' })], { dryRun: true });
		// Unescaped, "(uid=*)(uid=*)" would match every entry: escaped, nothing matches and a create is proposed.
		expect(res.output('Node', 0)[0].json).toMatchObject({ action: 'Create', targetId: `uid=*)(uid\\=*,${PEOPLE}`, matchedBy: null });
		expect((res.output('Node', 0)[0].json.steps as any[])[1].detail).toBe('No account has uid, then employeeNumber');

		const nasty = 'O\'Brien, Jr.+"x"\\<y>;z';
		const created = await run([person(51, { login: nasty })]);
		const dn = created.output('Node', 0)[0].json.targetId as string;
		expect(dn).toBe(`uid=O'Brien\\, Jr.\\+\\"x\\"\\\\\\<y\\>\\;z,${PEOPLE}`);
		const back = entries(`(employeeNumber=E51)`);
		expect([...back.values()][0].uid).toEqual([nasty]);
		// Matching it again finds exactly that entry.
		const again = await run([person(51, { login: nasty })]);
		expect(again.output('Node', 0)[0].json.action).toBe('NoChange');
		// slapd answers with hex escapes (\2C for ","): the same DN in another spelling.
		expect(normaliseDn(again.output('Node', 0)[0].json.targetId as string)).toBe(normaliseDn(dn));
		// A real ldapsearch for the escaped DN finds one base entry.
		expect(parseLdif(slapd.ldapsearch(dn, '(objectClass=*)', ['uid'], 'base')).size).toBe(1);
	});

	test('LDAPS with a CA certificate works; an untrusted certificate is refused unless explicitly allowed', async () => {
		const secure = await run([person(60)], {}, {}, credentials({ urls: slapd.ldapsUrl, caCertificate: slapd.caCertificate }));
		expect(secure.output('Node', 0)[0].json.action).toBe('Create');
		const untrusted = await run([person(61)], {}, {}, credentials({ urls: slapd.ldapsUrl }));
		expect(errorOf(untrusted.output('Node', 1)[0]).code).toBe('TargetUnavailable');
		const allowed = await run([person(61)], {}, {}, credentials({ urls: slapd.ldapsUrl, allowSelfSigned: true }));
		expect(allowed.output('Node', 0)[0].json.action).toBe('Create');
	});

	test('failover: an unreachable first URL falls through to the next', async () => {
		const res = await run([person(62)], {}, {}, credentials({ urls: `ldap://127.0.0.1:1, ${slapd.url}` }));
		expect(res.output('Node', 0)[0].json.action).toBe('Create');
	});

	describe('bad input', () => {
		test('a missing DN template value fails that item, naming the field', async () => {
			const res = await run([person(70, { login: '' }), person(71)]);
			// No uid and no employeeNumber hit: matching by employeeNumber finds nothing, then the DN needs uid.
			expect(res.output('Node', 1).map((i) => [errorOf(i).code, errorOf(i).field, i.pairedItem])).toEqual([
				['MissingDnValue', 'uid', { item: 0 }],
			]);
			expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Create']);
		});

		test('a wrong bind password: a clear error for every item, one bind attempt, and the password never shown', async () => {
			const res = await run([person(80), person(81)], {}, {}, credentials({ bindPassword: 'Wrong-Secret-Pw9' }));
			const failed = res.output('Node', 1);
			expect(failed.map((i) => [errorOf(i).code, errorOf(i).field])).toEqual([
				['AuthenticationFailed', 'bindPassword'],
				['AuthenticationFailed', 'bindPassword'],
			]);
			expect(errorOf(failed[0]).reason).toMatch(/invalid bind DN or password/);
			const everything = JSON.stringify(res.run.data);
			expect(everything).not.toContain('Wrong-Secret-Pw9');
			expect(everything).not.toContain(slapd.rootPassword);
		});

		test('a bad URL is a set-up error: the node stops before any item runs, naming the field', async () => {
			const res = await runWorkflow(
				itemsInto('provisionUser', params(), [person(90)], { onError: 'continueErrorOutput' }),
				credentials({ urls: 'http://127.0.0.1:389' }),
			);
			expect(res.error?.name).toBe('NodeOperationError');
			expect(res.error?.message).toMatch(/^"http:\/\/127.0.0.1:389" is not an LDAP URL/);
			expect((res.error as any).description).toBe('Configuration. Fix the node\'s parameters or the credential. (field "url")');
		});

		test('Active Directory passwords are refused over plain LDAP', async () => {
			const res = await runWorkflow(
				itemsInto(
					'provisionUser',
					{ target: 'ldap', inputMode: 'envelope', dnTemplate: `cn={cn},${PEOPLE}` },
					[
						{
							attributes: { cn: 'AD User', sn: 'User', objectClass: ['inetOrgPerson'] },
							createOnly: { unicodePwd: 'P@ss-w0rd-AD' },
							matchKeys: [{ attribute: 'cn', value: 'AD User' }],
						},
					],
					{ onError: 'continueErrorOutput' },
				),
				credentials({ flavour: 'activeDirectory' }),
			);
			expect(errorOf(res.output('Node', 1)[0])).toMatchObject({ code: 'Configuration', field: 'unicodePwd' });
			expect(JSON.stringify(res.run.data.resultData.runData.Node)).not.toContain('P@ss-w0rd-AD');
			// The input held a password, so the failure is reduced to its message and no input fields are copied.
			expect(res.output('Node', 1)[0].json).toEqual({
				error: expect.stringMatching(/^Item 0: Active Directory accepts unicodePwd only over LDAPS/),
			});
		});
	});

	test('slapd killed mid-batch: every item is accounted for, and a rerun converges with no duplicates', async () => {
		const batch = Array.from({ length: 600 }, (_, i) => person(1000 + i));
		const adds = () => (slapd.auditLog().match(/changetype: add/g) ?? []).length;
		const startAdds = adds();
		const running = run(batch, { concurrency: 4 });
		while (adds() - startAdds < 100) await new Promise((r) => setTimeout(r, 2));
		slapd.kill();
		const res = await running;
		const ok = res.output('Node', 0);
		const failed = res.output('Node', 1);
		expect(ok.length + failed.length).toBe(600);
		expect(new Set([...ok, ...failed].map((i) => (i.pairedItem as { item: number }).item)).size).toBe(600);
		expect(ok.length).toBeGreaterThanOrEqual(100);
		expect(failed.length).toBeGreaterThan(0);
		expect(failed.every((i) => errorOf(i).code === 'TargetUnavailable')).toBe(true);

		await slapd.restart();
		const rerun = await run(batch, { concurrency: 4 });
		expect(rerun.output('Node', 1)).toHaveLength(0);
		const actions = rerun.output('Node', 0).map((i) => i.json.action);
		// An add in flight when slapd died may have landed without an answer: the rerun finds it (NoChange).
		const creates = actions.filter((a) => a === 'Create').length;
		expect(creates).toBeLessThanOrEqual(failed.length);
		expect(creates).toBeGreaterThanOrEqual(failed.length - 4);
		expect(actions.filter((a) => a === 'NoChange').length).toBe(600 - creates);
		const uids = [...entries('(employeeNumber=E1*)').values()].map((e) => e.uid[0]).filter((u) => /^user1\d{3}$/.test(u));
		expect(uids).toHaveLength(600);
		expect(new Set(uids).size).toBe(600);
	});
});
