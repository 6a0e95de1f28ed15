/**
 * The HR (Entra Inbound) → Active Directory preset through Map Attributes and Provision User into slapd with Microsoft's
 * user schema (msuser): the attributes written, the last day of work as accountExpires, a leaver at userAccountControl
 * 514. Rows the stand-in directory needs (what a domain controller fills in itself) are added the way a user adds rows
 * to a preset. Debian's msuser.schema gives employeeID no equality rule, so slapd cannot find an entry by it: the
 * manager row (a lookup by employeeID) is removed here, and is checked through the mapping compiler (hrPresets.test.ts)
 * and, by employeeNumber, into OpenLDAP (hrBulkExamples.ldap.test.ts). Real AD indexes employeeID.
 */
import { csvToBulkRequests, parseBulkMapping } from '../../dev/hr/csv2bulk';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normaliseDn } from '../../lib/ldap/escape';
import { chain, runWorkflow } from '../harness/workflow';
import { parseLdif, Slapd } from '../servers/slapd';

const ROOT = join(__dirname, '..', '..');
const USERS = 'ou=Users,dc=example,dc=org';

let slapd: Slapd;
beforeAll(async () => {
	slapd = await Slapd.start({ extraSchemas: ['msuser'] });
	slapd.ldapadd(['dn: ou=Users,dc=example,dc=org', 'objectClass: organizationalUnit', 'ou: Users', ''].join('\n'));
});
afterAll(() => slapd.stop());

/** The shipped CSV's records, as the trigger's events carry them (the resource of each user.created). */
const resources = () => {
	const mapping = parseBulkMapping(JSON.parse(readFileSync(join(ROOT, 'examples', 'hr', 'csv2bulk.mapping.json'), 'utf8')));
	const csv = readFileSync(join(ROOT, 'examples', 'hr', 'employees.csv'), 'utf8');
	return csvToBulkRequests(csv, mapping).requests[0].Operations.map((o) => ({ event: 'user.created', resource: o.data }));
};

const createOnly = (target: string, constant: string) => ({ target, type: 'constant', constant, apply: 'create' });
const map = {
	name: 'Map',
	type: 'mapAttributes',
	parameters: {
		preset: 'hrInboundToActiveDirectory',
		removeAttributes: 'manager',
		options: { sourcePath: 'resource' },
		mappings: {
			mapping: [
				// Debian's msuser schema lacks AD's securityPrincipal class (sAMAccountName): extensibleObject stands in.
				{
					target: 'objectClass',
					type: 'expression',
					expression: 'Split("top,person,organizationalPerson,user,extensibleObject", ",")',
					apply: 'create',
				},
				createOnly('instanceType', '4'),
				createOnly('nTSecurityDescriptor', 'stand-in'),
				createOnly('objectCategory', 'CN=Person,CN=Schema,CN=Configuration,DC=example,DC=org'),
			],
		},
	},
};
const provision = {
	name: 'Provision',
	type: 'provisionUser',
	parameters: {
		target: 'ldap',
		inputMode: 'envelope',
		dnTemplate: `cn={cn},${USERS}`,
		searchBase: USERS,
		objectFilter: '(objectClass=user)',
	},
};

test('HR records into AD: employeeID, sAMAccountName, accountExpires from the last day of work, the leaver disabled', async () => {
	const run = await runWorkflow(chain(resources(), [map, provision]), {
		ldapDirectoryApi: { ...slapd.credential(), flavour: 'activeDirectory' },
	});
	expect(run.error).toBeUndefined();
	expect(run.output('Provision').map((i) => [i.json.action, i.json.status])).toEqual(Array(12).fill(['Create', 'Success']));
	const entries = [...parseLdif(slapd.ldapsearch(USERS, '(objectClass=user)', ['*'])).entries()];
	const byEmployee = new Map(
		entries.map(([dn, e]): [string, Record<string, string[]>] => [e.employeeID[0], { ...e, dn: [normaliseDn(dn)] }]),
	);
	expect(byEmployee.size).toBe(12);
	expect(byEmployee.get('1002')).toMatchObject({
		dn: [normaliseDn(`cn=Zoë Saldaña,${USERS}`)],
		sAMAccountName: ['zoe.saldana'],
		userPrincipalName: ['zoe.saldana@example.org'],
		department: ['Research'],
		company: ['Example Org'],
		accountExpires: ['9223372036854775807'],
		userAccountControl: ['512'],
	});
	// Margaret Hamilton's contract ends 2026-12-31: 2026-12-31T23:59:59Z in ticks since 1601.
	expect(byEmployee.get('1004')!.accountExpires).toEqual([String((Date.UTC(2026, 11, 31, 23, 59, 59) + 11644473600000) * 10000)]);
	expect(byEmployee.get('1007')!.userAccountControl).toEqual(['514']);
});
