/**
 * OU moves against real slapd: a department change moves the entry (modify DN with a new superior), including a DN
 * over 127 bytes and values with , + " \ < > ;. Group memberships and manager DNs follow: rewritten by the target on
 * plain OpenLDAP, by the refint overlay where the directory maintains them (as Active Directory does).
 */
import { normaliseDn } from '../../lib/ldap/escape';
import { itemsInto, runWorkflow } from '../harness/workflow';
import { Slapd, parseLdif } from '../servers/slapd';

const PEOPLE = 'ou=People,dc=example,dc=org';
const GROUP = 'cn=Staff,ou=Groups,dc=example,dc=org';
const LONG_OU = 'Research and Development of Exceptionally Long Department Names, Europe Middle East and Africa';
const ODD_OU = 'R&D, "Labs" <x>; a+b\\c';
const ODD_CN = 'Smith, John +"\\<>; \\';
const DEPARTMENTS = ['Sales', 'Research', LONG_OU, ODD_OU];

/** An ou value in LDIF: base64 when it has characters LDIF would misread. */
const escapeOu = (ou: string) => ou.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
const ouDn = (ou: string) => `ou=${escapeOu(ou)},${PEOPLE}`;

function addOus(slapd: Slapd): void {
	slapd.ldapadd(
		DEPARTMENTS.map((ou) =>
			[
				`dn:: ${Buffer.from(ouDn(ou)).toString('base64')}`,
				'objectClass: organizationalUnit',
				`ou:: ${Buffer.from(ou).toString('base64')}`,
				'',
			].join('\n'),
		).join('\n'),
	);
}

const rows = [
	{ name: 'uid', value: '={{ $json.uid }}', matchPrecedence: 1 },
	{ name: 'cn', value: '={{ $json.cn }}' },
	{ name: 'sn', value: '={{ $json.sn }}' },
	{ name: 'departmentNumber', value: '={{ $json.department }}' },
	{ name: 'objectClass', value: 'top,person,organizationalPerson,inetOrgPerson', apply: 'create' },
];
const params = (apply: 'create' | 'always', options: Record<string, unknown> = {}) => ({
	target: 'ldap',
	inputMode: 'define',
	attributes: { attribute: rows },
	dnTemplate: `cn={cn},ou={departmentNumber},${PEOPLE}`,
	dnTemplateApply: apply,
	searchBase: PEOPLE,
	objectFilter: '(objectClass=inetOrgPerson)',
	options,
});

interface Person {
	uid: string;
	cn: string;
	sn: string;
	department: string;
}
const ada: Person = { uid: 'ada', cn: 'Ada Lovelace', sn: 'Lovelace', department: 'Sales' };
const john: Person = { uid: 'jsmith', cn: ODD_CN, sn: 'Smith', department: 'Sales' };
const grace: Person = { uid: 'grace', cn: 'Grace Hopper', sn: 'Hopper', department: 'Sales' };

function setUp(slapd: Slapd) {
	const credentials = (flavour = 'openldap') => ({
		ldapDirectoryApi: { ...slapd.credential(), flavour },
	});
	const run = (people: Person[], apply: 'create' | 'always' = 'always', options: Record<string, unknown> = {}, flavour = 'openldap') =>
		runWorkflow(itemsInto('provisionUser', params(apply, options), people, { onError: 'continueErrorOutput' }), credentials(flavour));
	const entries = () => parseLdif(slapd.ldapsearch(PEOPLE, '(objectClass=inetOrgPerson)', ['*']));
	const dnOf = (uid: string) => [...entries()].find(([, e]) => e.uid?.[0] === uid)?.[0];
	const members = () =>
		(parseLdif(slapd.ldapsearch(GROUP, '(objectClass=*)', ['member'], 'base')).get(GROUP)?.member ?? []).map(normaliseDn);
	return { run, entries, dnOf, members };
}

/** Waits for an asynchronous server-side change (refint) by polling the directory; fails if it never comes. */
async function eventually(check: () => boolean, what: string): Promise<void> {
	for (let i = 0; i < 200; i++) {
		if (check()) return;
		await new Promise((r) => setTimeout(r, 50));
	}
	throw new Error(`Never happened: ${what}`);
}

describe('OU moves, references rewritten by the target (OpenLDAP without refint)', () => {
	let slapd: Slapd;
	let t: ReturnType<typeof setUp>;
	beforeAll(async () => {
		slapd = await Slapd.start();
		addOus(slapd);
		t = setUp(slapd);
	});
	afterAll(async () => {
		await slapd.stop();
	});

	test('with the template applied only during creation, a department change updates the value and leaves the entry in place', async () => {
		const created = await t.run([ada, john, grace]);
		expect(created.output('Node', 1)).toHaveLength(0);
		expect(created.output('Node', 0).map((i) => i.json.action)).toEqual(['Create', 'Create', 'Create']);
		const before = t.dnOf('ada')!;
		const res = await t.run([{ ...ada, department: 'Research' }], 'create');
		expect(res.output('Node', 0)[0].json).toMatchObject({ action: 'Update', targetId: before });
		expect(t.dnOf('ada')).toBe(before);
		// Back to the template's department for the moves below.
		await t.run([ada], 'create');
	});

	test('a department change moves entries, one DN over 127 bytes and one with , + " \\ < > ;; group members and manager follow; a rerun is NoChange', async () => {
		const oldDns = { ada: t.dnOf('ada')!, jsmith: t.dnOf('jsmith')!, grace: t.dnOf('grace')! };
		expect(normaliseDn(oldDns.jsmith)).toBe(normaliseDn(`cn=Smith\\, John \\+\\"\\\\\\<\\>\\; \\\\,${ouDn('Sales')}`));
		slapd.ldapadd(
			[
				`dn: ${GROUP}`,
				'objectClass: groupOfNames',
				'cn: Staff',
				...Object.values(oldDns).map((dn) => `member:: ${Buffer.from(dn).toString('base64')}`),
				'',
			].join('\n'),
		);
		// Grace reports to John, whose DN is the awkward one.
		slapd.ldapadd(
			[
				`dn:: ${Buffer.from(oldDns.grace).toString('base64')}`,
				'changetype: modify',
				'replace: manager',
				`manager:: ${Buffer.from(oldDns.jsmith).toString('base64')}`,
				'',
			].join('\n'),
			['-c'],
		);
		const audit = slapd.auditLog().length;
		const res = await t.run([
			{ ...ada, department: 'Research' },
			{ ...john, department: ODD_OU },
			{ ...grace, department: LONG_OU },
		]);
		expect(res.output('Node', 1)).toHaveLength(0);
		const records = res.output('Node', 0).map((i) => i.json as Record<string, any>);
		expect(records.map((r) => r.action)).toEqual(['Update', 'Update', 'Update']);
		const newDns = {
			ada: `cn=Ada Lovelace,${ouDn('Research')}`,
			jsmith: `cn=Smith\\, John \\+\\"\\\\\\<\\>\\; \\\\,${ouDn(ODD_OU)}`,
			grace: `cn=Grace Hopper,${ouDn(LONG_OU)}`,
		};
		expect(Buffer.byteLength(newDns.grace)).toBeGreaterThan(127);
		expect(Buffer.byteLength(newDns.jsmith)).toBeGreaterThan(60);
		for (const [i, uid] of (['ada', 'jsmith', 'grace'] as const).entries()) {
			// The log shows old DN → new DN.
			const moved = records[i].modifiedProperties.find((p: { name: string }) => p.name === 'dn');
			expect(normaliseDn(moved.oldValue)).toBe(normaliseDn(oldDns[uid]));
			expect(normaliseDn(moved.newValue)).toBe(normaliseDn(newDns[uid]));
			expect(normaliseDn(records[i].targetId)).toBe(normaliseDn(newDns[uid]));
			expect(normaliseDn(t.dnOf(uid)!)).toBe(normaliseDn(newDns[uid]));
		}
		// One modify DN per entry, each with a new superior; the old DNs are gone.
		const written = slapd.auditLog().slice(audit);
		expect(written.match(/changetype: modrdn/g)).toHaveLength(3);
		expect(written.match(/^newsuperior:/gm)).toHaveLength(3);
		expect(written.match(/^deleteoldrdn: 1/gm)).toHaveLength(3);
		expect(t.members().sort()).toEqual(Object.values(newDns).map(normaliseDn).sort());
		const graceEntry = [...t.entries()].find(([, e]) => e.uid?.[0] === 'grace')![1];
		expect(graceEntry.manager.map(normaliseDn)).toEqual([normaliseDn(newDns.jsmith)]);
		// The RDN value survived the move unchanged: cn still reads back as the source value.
		expect([...t.entries()].find(([, e]) => e.uid?.[0] === 'jsmith')![1].cn).toEqual([ODD_CN]);

		const auditAfter = slapd.auditLog().length;
		const rerun = await t.run([
			{ ...ada, department: 'Research' },
			{ ...john, department: ODD_OU },
			{ ...grace, department: LONG_OU },
		]);
		expect(rerun.output('Node', 0).map((i) => i.json.action)).toEqual(['NoChange', 'NoChange', 'NoChange']);
		expect(slapd.auditLog().length).toBe(auditAfter);
	});

	test('a new name and a new department together are one modify DN (new RDN and new superior); dry run writes nothing', async () => {
		const audit = slapd.auditLog().length;
		const renamed = { ...ada, cn: 'Ada King', department: 'Sales' };
		const dry = await t.run([renamed], 'always', { dryRun: true });
		expect(dry.output('Node', 0)[0].json).toMatchObject({ action: 'Update', dryRun: true });
		expect(slapd.auditLog().length).toBe(audit);
		const res = await t.run([renamed]);
		expect(res.output('Node', 0)[0].json).toMatchObject({ action: 'Update', targetId: `cn=Ada King,${ouDn('Sales')}` });
		const written = slapd.auditLog().slice(audit);
		expect(written.match(/changetype: modrdn/g)).toHaveLength(1);
		expect(written).toContain('newrdn: cn=Ada King');
		expect(written).toMatch(/newsuperior: ou=Sales,ou=People,dc=example,dc=org/);
		// The cn change was the rename itself: no separate modify of cn.
		expect(written).not.toMatch(/replace: cn/);
		expect(t.members()).toContain(normaliseDn(`cn=Ada King,${ouDn('Sales')}`));
		expect((await t.run([renamed])).output('Node', 0)[0].json.action).toBe('NoChange');
	});

	test('a move into an OU that does not exist fails that item, saying which parent is missing', async () => {
		const res = await t.run([
			{ ...grace, department: 'Nowhere' },
			{ ...john, department: ODD_OU },
		]);
		const failed = res.output('Node', 1);
		expect(failed).toHaveLength(1);
		expect(String((failed[0].json.error as Record<string, unknown>).reason)).toContain(`the new parent ${ouDn('Nowhere')} does not exist`);
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['NoChange']);
	});
});

describe('OU moves where the directory maintains references (refint overlay, Active Directory)', () => {
	let slapd: Slapd;
	let t: ReturnType<typeof setUp>;
	beforeAll(async () => {
		slapd = await Slapd.start({ overlays: ['refint'] });
		addOus(slapd);
		t = setUp(slapd);
	});
	afterAll(async () => {
		await slapd.stop();
	});

	test('with "Maintained by the Directory" the node sends only the modify DN, and refint rewrites the group', async () => {
		await t.run([ada, john]);
		const oldDns = [t.dnOf('ada')!, t.dnOf('jsmith')!];
		slapd.ldapadd(
			[
				`dn: ${GROUP}`,
				'objectClass: groupOfNames',
				'cn: Staff',
				...oldDns.map((dn) => `member:: ${Buffer.from(dn).toString('base64')}`),
				'',
			].join('\n'),
		);
		const audit = slapd.auditLog().length;
		const res = await t.run(
			[
				{ ...ada, department: LONG_OU },
				{ ...john, department: 'Research' },
			],
			'always',
			{ dnReferences: 'server' },
		);
		expect(res.output('Node', 0).map((i) => i.json.action)).toEqual(['Update', 'Update']);
		const expected = [`cn=Ada Lovelace,${ouDn(LONG_OU)}`, `cn=Smith\\, John \\+\\"\\\\\\<\\>\\; \\\\,${ouDn('Research')}`].map(normaliseDn);
		await eventually(() => t.members().sort().join('|') === [...expected].sort().join('|'), 'refint rewrote the group members');
		// Every write to the group came from refint, none from the node's bind DN.
		const groupWrites = slapd
			.auditLog()
			.slice(audit)
			.split(/\n(?=# )/)
			.filter((block) => block.startsWith('# modify') && block.includes(GROUP));
		expect(groupWrites.length).toBeGreaterThan(0);
		for (const block of groupWrites) expect(block.split('\n')[0]).not.toContain(slapd.rootDn);
	});

	test('the Active Directory flavour leaves references to the server by default', async () => {
		await eventually(() => t.members().length === 2, 'the group is settled');
		const audit = slapd.auditLog().length;
		const res = await t.run([{ ...ada, department: 'Sales' }], 'always', {}, 'activeDirectory');
		expect(res.output('Node', 0)[0].json.action).toBe('Update');
		await eventually(() => t.members().includes(normaliseDn(`cn=Ada Lovelace,${ouDn('Sales')}`)), 'refint rewrote the group');
		const ours = slapd
			.auditLog()
			.slice(audit)
			.split(/\n(?=# )/)
			.filter((block) => block.startsWith('# modify') && block.includes(GROUP) && block.split('\n')[0].includes(slapd.rootDn));
		expect(ours).toEqual([]);
	});
});
