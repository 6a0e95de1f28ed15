/**
 * Delayed deletion (issue 14): a disable stamps its time; reconcile deletes leavers disabled longer than N days, and
 * those deletes count toward the accidental-deletion threshold. The clock is injected, so "35 days later" is a value
 * the test sets. Real slapd (OpenLDAP's pwdEndTime by default, a chosen attribute, modifyTimestamp) and the real SCIM server.
 */
import { deprovisionItems } from '../../lib/provisioning/deprovision';
import { reconcileLeavers } from '../../lib/provisioning/reconcile';
import { ScimClient } from '../../lib/scim/client';
import { LdapTarget, type LdapTargetOptions } from '../../lib/targets/ldap/ldapTarget';
import { ScimTarget } from '../../lib/targets/scim/scimTarget';
import type { Target } from '../../lib/targets/target';
import { ScimTestServer } from '../../dev/scimApp';
import { Slapd, parseLdif } from '../servers/slapd';

let slapd: Slapd;
let scim: ScimTestServer;
beforeAll(async () => {
	[slapd, scim] = await Promise.all([Slapd.start(), ScimTestServer.start()]);
});
afterAll(async () => {
	await Promise.all([slapd.stop(), scim.stop()]);
});

const PEOPLE = 'ou=People,dc=example,dc=org';
const at = (iso: string) => () => new Date(iso);
const dn = (uid: string) => `uid=${uid},${PEOPLE}`;

function seedLdap(uids: string[]): void {
	slapd.ldapadd(
		uids
			.map((uid) => [`dn: ${dn(uid)}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${uid}`, `sn: ${uid}`, ''].join('\n'))
			.join('\n'),
	);
}

const ldapTarget = (extra: Partial<LdapTargetOptions> = {}) =>
	new LdapTarget({
		connection: slapd.connection(),
		flavour: 'openldap',
		baseDn: slapd.suffix,
		searchBase: PEOPLE,
		objectFilter: '(objectClass=inetOrgPerson)',
		...extra,
	});

async function using<T>(target: Target, run: (target: Target) => Promise<T>): Promise<T> {
	try {
		return await run(target);
	} finally {
		await target.close();
	}
}

const byUid = (uid: string) => ({ attributes: {}, matchKeys: [{ attribute: 'uid', value: uid }] });
const uidKeys = (...uids: string[]) => uids.map((uid) => [{ attribute: 'uid', value: uid }]);
const entry = (uid: string) => parseLdif(slapd.ldapsearch(PEOPLE, `(uid=${uid})`, ['*', '+'])).get(dn(uid));
const actions = (outcomes: Array<{ record: { action: string; targetId?: string | null } }>) =>
	outcomes.map((o) => [o.record.targetId, o.record.action]).sort();

describe('OpenLDAP (password-policy lock): the disable time goes to pwdEndTime', () => {
	const uids = ['dd-old', 'dd-recent', 'dd-stays', 'dd-leaver'];
	beforeAll(() => seedLdap(uids));

	test('a disable stamps the time it was made, from the injected clock, alongside the lock', async () => {
		await using(ldapTarget(), (t) => deprovisionItems(t, [byUid('dd-old')], { action: 'disable', clock: at('2026-01-01T00:00:00Z') }));
		await using(ldapTarget(), (t) => deprovisionItems(t, [byUid('dd-recent')], { action: 'disable', clock: at('2026-01-20T12:00:00Z') }));
		expect(entry('dd-old')).toMatchObject({ pwdEndTime: ['20260101000000Z'], pwdAccountLockedTime: ['000001010000Z'] });
		expect(entry('dd-recent')!.pwdEndTime).toEqual(['20260120120000Z']);
	});

	test('reconcile deletes only leavers disabled longer than N days; the deletes count toward the threshold (held back, then applied)', async () => {
		const options = {
			action: 'disable' as const,
			deleteDisabledAfterDays: 30,
			clock: at('2026-02-05T00:00:00Z'),
			scopeFilter: '(uid=dd-*)',
		};
		// dd-old: 35 days → delete; dd-recent: 15.5 days → kept; dd-leaver: active → disable. Two destructive writes.
		const held = await using(ldapTarget(), (t) => reconcileLeavers(t, uidKeys('dd-stays'), { ...options, threshold: { maxCount: 1 } }));
		expect(held.staged).toBe(true);
		expect(held.destructive).toBe(2);
		expect(actions(held.outcomes)).toEqual([
			[dn('dd-leaver'), 'StagedDisable'],
			[dn('dd-old'), 'StagedDelete'],
			[dn('dd-recent'), 'NoChange'],
		]);
		expect(entry('dd-old')).toBeDefined();

		const applied = await using(ldapTarget(), (t) => reconcileLeavers(t, uidKeys('dd-stays'), { ...options, threshold: { maxCount: 2 } }));
		expect(applied.staged).toBe(false);
		expect(actions(applied.outcomes)).toEqual([
			[dn('dd-leaver'), 'Disable'],
			[dn('dd-old'), 'Delete'],
			[dn('dd-recent'), 'NoChange'],
		]);
		const kept = applied.outcomes.find((o) => o.record.targetId === dn('dd-recent'))!.record;
		expect(JSON.stringify(kept.steps)).toContain('deleted after 2026-02-19T12:00:00.000Z');
		expect(entry('dd-old')).toBeUndefined();
		expect(entry('dd-leaver')!.pwdEndTime).toEqual(['20260205000000Z']);
		expect(entry('dd-stays')!.pwdAccountLockedTime).toBeUndefined();
	});

	test('exactly N days is not yet more than N days; a dry run reports the delete without making it', async () => {
		const dry = await using(ldapTarget(), (t) =>
			reconcileLeavers(t, uidKeys('dd-stays'), {
				action: 'disable',
				deleteDisabledAfterDays: 16,
				clock: at('2026-02-05T12:00:00Z'),
				scopeFilter: '(uid=dd-recent)',
				dryRun: true,
			}),
		);
		expect(actions(dry.outcomes)).toEqual([[dn('dd-recent'), 'NoChange']]);
		const later = await using(ldapTarget(), (t) =>
			reconcileLeavers(t, uidKeys('dd-stays'), {
				action: 'disable',
				deleteDisabledAfterDays: 16,
				clock: at('2026-02-05T12:00:01Z'),
				scopeFilter: '(uid=dd-recent)',
				dryRun: true,
			}),
		);
		expect(actions(later.outcomes)).toEqual([[dn('dd-recent'), 'Delete']]);
		expect(entry('dd-recent')).toBeDefined();
	});

	test('reactivation clears the stamp with the lock', async () => {
		await using(ldapTarget(), (t) => deprovisionItems(t, [byUid('dd-recent')], { action: 'enable', clock: at('2026-03-01T00:00:00Z') }));
		const e = entry('dd-recent')!;
		expect(e.pwdEndTime).toBeUndefined();
		expect(e.pwdAccountLockedTime).toBeUndefined();
	});

	test('delayed deletion with another operation than Disable, or a negative delay, is refused before anything runs', async () => {
		await using(ldapTarget(), async (t) => {
			await expect(reconcileLeavers(t, uidKeys('x'), { action: 'delete', deleteDisabledAfterDays: 30 })).rejects.toMatchObject({
				code: 'Configuration',
				field: 'deleteDisabledAfterDays',
			});
			await expect(reconcileLeavers(t, uidKeys('x'), { action: 'disable', deleteDisabledAfterDays: -1 })).rejects.toMatchObject({
				code: 'Configuration',
			});
		});
		expect(entry('dd-stays')).toBeDefined();
	});
});

describe('OpenLDAP (disabled by an attribute) with a chosen disabled-time attribute', () => {
	beforeAll(() => seedLdap(['dc-a', 'dc-b']));
	const target = () =>
		ldapTarget({
			openLdapDisable: { type: 'attribute', attribute: 'employeeType', value: 'disabled' },
			disabledTimeAttribute: 'description',
		});

	test('the disable and its time are one modify; reconcile reads the time back from that attribute', async () => {
		await using(target(), (t) => deprovisionItems(t, [byUid('dc-a')], { action: 'disable', clock: at('2026-01-01T00:00:00Z') }));
		expect(entry('dc-a')).toMatchObject({ employeeType: ['disabled'], description: ['20260101000000Z'] });
		const modify = slapd
			.auditLog()
			.split(/\n\n/)
			.filter((block) => block.includes(`dn: ${dn('dc-a')}`) && block.includes('changetype: modify'));
		expect(modify.at(-1)).toMatch(/replace: employeeType[\s\S]*replace: description/);
		const res = await using(target(), (t) =>
			reconcileLeavers(t, uidKeys('dc-b'), {
				action: 'disable',
				deleteDisabledAfterDays: 7,
				clock: at('2026-01-09T00:00:00Z'),
				scopeFilter: '(uid=dc-*)',
			}),
		);
		expect(actions(res.outcomes)).toEqual([[dn('dc-a'), 'Delete']]);
		expect(entry('dc-a')).toBeUndefined();
	});
});

describe('OpenLDAP moved to a disabled OU: modifyTimestamp (the last change) tells, as no attribute is stamped', () => {
	beforeAll(() => {
		slapd.ldapadd(['dn: ou=Disabled,dc=example,dc=org', 'objectClass: organizationalUnit', 'ou: Disabled', ''].join('\n'));
		seedLdap(['dm-a', 'dm-b']);
	});

	test('kept while the last change is recent, deleted once it is older than N days', async () => {
		const target = () =>
			new LdapTarget({
				connection: slapd.connection(),
				flavour: 'openldap',
				baseDn: slapd.suffix,
				objectFilter: '(objectClass=inetOrgPerson)',
				openLdapDisable: { type: 'move', disabledContainer: 'ou=Disabled,dc=example,dc=org', enabledContainer: PEOPLE },
			});
		await using(target(), (t) => deprovisionItems(t, [byUid('dm-a')], { action: 'disable' }));
		const moved = 'uid=dm-a,ou=Disabled,dc=example,dc=org';
		const stamp = parseLdif(slapd.ldapsearch(moved, '(objectClass=*)', ['modifyTimestamp'], 'base')).get(moved)!.modifyTimestamp[0];
		const changed = new Date(stamp.replace(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
		const reconcile = (days: number) =>
			using(target(), (t) =>
				reconcileLeavers(t, uidKeys('dm-b'), {
					action: 'disable',
					deleteDisabledAfterDays: 30,
					clock: () => new Date(changed.getTime() + days * 86400000),
					scopeFilter: '(uid=dm-*)',
				}),
			);
		expect(actions((await reconcile(29)).outcomes)).toEqual([[moved, 'NoChange']]);
		expect(actions((await reconcile(31)).outcomes)).toEqual([[moved, 'Delete']]);
		expect(slapd.ldapsearch(moved, '(objectClass=*)', ['uid'], 'base')).toBe('');
	});
});

describe('SCIM: meta.lastModified by default, or a chosen attribute path stamped in the same PATCH', () => {
	const client = () => new ScimClient({ baseUrl: scim.baseUrl, auth: { type: 'bearer', token: scim.token } });
	const users = () => [...scim.store.users.values()];
	async function seed(names: string[]): Promise<void> {
		scim.store.users.clear();
		for (const userName of names) {
			await fetch(`${scim.baseUrl}/Users`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json' },
				body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true }),
			});
		}
		scim.resetLog();
	}
	const scimKeys = (...names: string[]) => names.map((value) => [{ attribute: 'userName', value }]);

	test('default: a user disabled (its last change) longer than N days ago is deleted, a recent one kept', async () => {
		await seed(['s-gone@example.org', 's-here@example.org']);
		const target = new ScimTarget(client());
		await deprovisionItems(target, [{ attributes: {}, matchKeys: [{ attribute: 'userName', value: 's-gone@example.org' }] }], {
			action: 'disable',
		});
		const changed = new Date(users().find((u) => u.userName === 's-gone@example.org')!.meta.lastModified);
		const reconcile = (days: number) =>
			reconcileLeavers(new ScimTarget(client()), scimKeys('s-here@example.org'), {
				action: 'disable',
				deleteDisabledAfterDays: 10,
				clock: () => new Date(changed.getTime() + days * 86400000),
				threshold: { maxCount: 1 },
			});
		expect((await reconcile(9)).outcomes.map((o) => o.record.action)).toEqual(['NoChange']);
		const late = await reconcile(11);
		expect(late.outcomes.map((o) => o.record.action)).toEqual(['Delete']);
		expect(late.destructive).toBe(1);
		expect(users().map((u) => u.userName)).toEqual(['s-here@example.org']);
	});

	test('a chosen attribute path is written with active=false and read back', async () => {
		await seed(['s-cc@example.org', 's-keep@example.org']);
		const path = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter';
		const target = () => new ScimTarget(client(), { disabledTimeAttribute: path });
		await deprovisionItems(target(), [{ attributes: {}, matchKeys: [{ attribute: 'userName', value: 's-cc@example.org' }] }], {
			action: 'disable',
			clock: at('2026-01-01T00:00:00Z'),
		});
		const patch = scim.requests.find((r) => r.method === 'PATCH')!;
		expect(JSON.stringify(patch.body)).toContain('2026-01-01T00:00:00.000Z');
		const stored = users().find((u) => u.userName === 's-cc@example.org')!;
		expect(stored.active).toBe(false);
		expect(stored['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toMatchObject({ costCenter: '2026-01-01T00:00:00.000Z' });
		const res = await reconcileLeavers(target(), scimKeys('s-keep@example.org'), {
			action: 'disable',
			deleteDisabledAfterDays: 30,
			clock: at('2026-01-31T00:00:01Z'),
		});
		expect(res.outcomes.map((o) => o.record.action)).toEqual(['Delete']);
	});
});

describe('Deprovision User node: the options reach the core', () => {
	beforeAll(() => seedLdap(['dn-a', 'dn-b']));

	test('a disabled leaver under "Delete Disabled Accounts After (Days)" is kept with the date it will go; the chosen attribute is stamped', async () => {
		const { itemsInto, runWorkflow } = await import('../harness/workflow');
		const credentials = {
			ldapDirectoryApi: {
				...slapd.credential(),
			},
		};
		const params = (mode: string, options: Record<string, unknown>) => ({
			target: 'ldap',
			mode,
			operation: 'disable',
			inputMode: 'define',
			searchBase: PEOPLE,
			objectFilter: '(&(objectClass=inetOrgPerson)(uid=dn-*))',
			openLdapDisable: 'attribute',
			disableAttribute: 'employeeType',
			disableValue: 'disabled',
			matchKeys: { key: [{ attribute: 'uid', value: '={{ $json.uid }}' }] },
			options,
		});
		const disabled = await runWorkflow(
			itemsInto('deprovisionUser', params('perItem', { disabledTimeAttribute: 'description' }), [{ uid: 'dn-a' }]),
			credentials,
		);
		expect(disabled.output('Node', 0)[0].json.action).toBe('Disable');
		const stamped = entry('dn-a')!.description[0];
		expect(stamped).toMatch(/^\d{14}Z$/);
		const res = await runWorkflow(
			itemsInto('deprovisionUser', params('reconcile', { disabledTimeAttribute: 'description', deleteDisabledAfterDays: 30 }), [
				{ uid: 'dn-b' },
			]),
			credentials,
		);
		const [record] = res.output('Node', 0).map((i) => i.json as Record<string, any>);
		expect(record.action).toBe('NoChange');
		expect(JSON.stringify(record.steps)).toMatch(/already disabled \(since .*\); it is deleted after/);
		expect(entry('dn-a')).toBeDefined();
	});
});
