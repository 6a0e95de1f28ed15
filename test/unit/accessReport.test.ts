/**
 * The access report's core: activity per UTC day from provisioning-log rows (the window, its boundaries, empty days
 * as zero bars, which actions count where), and the page (bars per day, counts, the orphan and disputed tables).
 * The unit project also runs in Pacific/Chatham (+13:45 in March): a day computed in local time fails here.
 */
import { activityByDay, activityWindow, activityRowOf, seriesOf, type ActivityRow } from '../../lib/provisioning/governance/accessActivity';
import { buildAccessReport, gather } from '../../lib/provisioning/governance/accessReport';
import { parsePage } from '../harness/html';

const SCIM = { system: 'scim', endpoint: 'https://app.example/scim/v2/Users' };
const LDAP = { system: 'ldap', endpoint: 'ldap://dir.example.org:389' };
// 11:30 UTC is already 01:15 on the 16th in Chatham: the report's today is still the 15th.
const NOW = new Date('2026-03-15T11:30:00Z');
const row = (time: string, action: string, status = 'Success', extra: Partial<ActivityRow> = {}): ActivityRow => ({
	time,
	action,
	status,
	target_system: SCIM.system,
	target: SCIM.endpoint,
	...extra,
});
const window30 = () => activityWindow(NOW, 30);

describe('activity per day', () => {
	test('30 whole UTC days ending today, every one present, zero when nothing happened', () => {
		const days = activityByDay([], window30());
		expect(days).toHaveLength(30);
		expect(days[0]).toEqual({ day: '2026-02-14', creates: 0, updates: 0, disables: 0, failures: 0 });
		expect(days[29].day).toBe('2026-03-15');
		expect(new Set(days.map((d) => d.day)).size).toBe(30);
		expect(window30()).toMatchObject({ from: new Date('2026-02-14T00:00:00Z'), to: new Date('2026-03-16T00:00:00Z') });
	});

	test('day boundaries are UTC midnights: the first and last instants of the window count, the ones outside do not', () => {
		const days = activityByDay(
			[
				row('2026-02-13T23:59:59.999Z', 'Create'), // the day before the window
				row('2026-02-14T00:00:00.000Z', 'Create'), // its first instant
				row('2026-03-10T23:59:59.999Z', 'Update'),
				row('2026-03-11T00:00:00.000Z', 'Update'),
				row('2026-03-10T23:30:00-01:00', 'Disable'), // 00:30 UTC on the 11th
				row('2026-03-10 23:30:00', 'Disable'), // no offset: UTC, as the log writes times
				row('2026-03-15T23:59:59.999Z', 'Delete'), // the window's last instant
				row('2026-03-16T00:00:00.000Z', 'Create'), // tomorrow
			],
			window30(),
		);
		const on = (day: string) => days.find((d) => d.day === day);
		expect(on('2026-02-14')).toMatchObject({ creates: 1 });
		expect(on('2026-03-10')).toMatchObject({ updates: 1, disables: 1 });
		expect(on('2026-03-11')).toMatchObject({ updates: 1, disables: 1 });
		expect(on('2026-03-15')).toMatchObject({ disables: 1 });
		expect(days.reduce((n, d) => n + d.creates + d.updates + d.disables + d.failures, 0)).toBe(6);
	});

	test('which rows count where: failures whatever the action; no-ops, staged rows and dry runs not at all', () => {
		const cases: Array<[string, string, boolean, string | undefined]> = [
			['Create', 'Success', false, 'creates'],
			['Create', 'Warning', false, 'creates'],
			['Update', 'Success', false, 'updates'],
			['Enable', 'Success', false, 'updates'],
			['Disable', 'Success', false, 'disables'],
			['Delete', 'Success', false, 'disables'],
			['Failed', 'Failure', false, 'failures'],
			['Disable', 'Failure', false, 'failures'],
			['NoChange', 'Success', false, undefined],
			['Skipped', 'Skipped', false, undefined],
			['StagedDisable', 'Skipped', false, undefined],
			['StagedDelete', 'Warning', false, undefined],
			['Create', 'Success', true, undefined],
		];
		for (const [action, status, dry_run, series] of cases)
			expect({ action, status, dry_run, series: seriesOf({ action, status, dry_run }) }).toEqual({ action, status, dry_run, series });
	});

	test('a window of any length; unreadable times are left out', () => {
		const week = activityWindow(NOW, 7);
		expect(week.days).toEqual(['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15']);
		expect(activityByDay([row('not a time', 'Create'), row('', 'Create')], week).every((d) => d.creates === 0)).toBe(true);
	});

	test('log rows (Data Table, Query Records) and records (an action node’s output) are both read', () => {
		expect(
			activityRowOf({
				time: '2026-03-01T10:00:00.000Z',
				action: 'Create',
				status: 'Success',
				target: SCIM.endpoint,
				target_system: 'scim',
				dry_run: false,
			}),
		).toMatchObject({ action: 'Create' });
		const record = {
			action: 'Update',
			status: 'Success',
			dryRun: false,
			targetSystem: 'ldap',
			targetEndpoint: LDAP.endpoint,
			targetId: 'uid=a',
			timestamp: '2026-03-02T10:00:00.000Z',
			matchedBy: null,
			modifiedProperties: [],
			steps: [],
			durationMs: 1,
		};
		expect(activityRowOf(record)).toMatchObject({
			time: '2026-03-02T10:00:00.000Z',
			action: 'Update',
			target: LDAP.endpoint,
			target_system: 'ldap',
		});
		expect(activityRowOf({ hello: 'world' })).toBeUndefined();
	});
});

const account = (situation: string, id: string, extra: object = {}) => ({
	situation,
	reason: `why ${id}`,
	target: SCIM,
	account: { id, active: true, attributes: { userName: `${id}@example.org` }, protected: false },
	sourceIndex: null,
	source: null,
	matchedKeys: [],
	linkedBy: null,
	candidates: [],
	deletionDue: null,
	...extra,
});
const summary = (target: object, counts: Record<string, number>) => ({
	target,
	total: Object.values(counts).reduce((a, b) => a + b, 0),
	accounts: 0,
	sources: 0,
	counts: { linked: 0, matched: 0, disputed: 0, orphan: 0, protected: 0, pendingDeletion: 0, missing: 0, ...counts },
	at: '2026-03-15T11:00:00.000Z',
});

describe('the report', () => {
	const disputed = account('disputed', 'd1', {
		candidates: [
			{ sourceIndex: 1, source: {}, matchedKeys: [{ attribute: 'mail', value: 'd1@example.org', sourceIndex: 1 }], linkedTo: [] },
			{
				sourceIndex: 4,
				source: {},
				matchedKeys: [{ attribute: 'mail', value: 'd1@example.org', sourceIndex: 4 }],
				linkedTo: ['x9', 'x10'],
			},
		],
	});
	const items = [
		summary(SCIM, { linked: 2, orphan: 2, disputed: 1, missing: 1 }),
		account('linked', 'l1'),
		account('linked', 'l2'),
		account('orphan', 'o1'),
		account('orphan', 'o2', { account: { id: 'o2', active: false, attributes: { userName: 'o2', password: 'hunter2!' } } }),
		disputed,
		disputed, // To Review repeats it
		{ ...account('missing', ''), account: null },
		row('2026-03-14T09:00:00Z', 'Create'),
		row('2026-03-14T09:05:00Z', 'Failed', 'Failure'),
		row('2026-03-01T09:00:00Z', 'Disable', 'Success', { target_system: 'ldap', target: LDAP.endpoint }),
		{},
	];

	test('counts from the Summary, orphans and disputed in their tables, one chart of 30 days × 4 bars per target', () => {
		const report = buildAccessReport(items, { now: NOW });
		expect(report.targets.map((t) => t.target)).toEqual([SCIM, LDAP]);
		const [scim, ldap] = report.targets;
		expect(scim.counts).toMatchObject({ linked: 2, orphan: 2, disputed: 1, missing: 1, matched: 0 });
		expect(scim.activity).toEqual({ creates: 1, updates: 0, disables: 0, failures: 1 });
		expect(ldap).toMatchObject({ counts: null, activity: { disables: 1 } });
		expect(report.summary).toMatchObject({ targets: 1, total: 6, orphan: 2, disputed: 1, creates: 1, disables: 1, failures: 1 });

		const page = parsePage(report.html);
		const sections = page.all('section', 'target');
		expect(sections.map((s) => page.attr(s, 'data-endpoint'))).toEqual([SCIM.endpoint, LDAP.endpoint]);
		expect(page.all('svg', 'chart')).toHaveLength(2);
		expect(page.all('g', 'day')).toHaveLength(60);
		expect(page.all('rect', 'bar')).toHaveLength(240);
		const count = (situation: string) => page.text(page.elements.find((el) => page.attr(el, 'data-situation') === situation)!);
		expect([count('linked'), count('orphan'), count('disputed'), count('total')]).toEqual(['2Linked', '2Orphan', '1Disputed', '6Total']);
		const creates = page.all('rect', 'creates').filter((r) => page.attr(r, 'data-count') !== '0');
		expect(creates.map((r) => page.attr(r.parent as never, 'data-day'))).toEqual(['2026-03-14']);
		expect(page.all('table', 'orphans')[0].children.length).toBe(2);
		const orphanRows = page.all('tr').filter((tr) => page.text(tr).startsWith('o'));
		expect(orphanRows.map((tr) => page.text(tr))).toEqual([
			'o1yesuserName: o1@example.orgwhy o1',
			'o2nouserName: o2; password: [Redact]why o2',
		]);
		expect(report.html).not.toContain('hunter2');
		const disputedRows = page
			.all('table', 'disputed')
			.flatMap((t) => page.all('tr').filter((tr) => tr.parent?.parent === t && tr.parent !== null));
		expect(disputedRows.filter((tr) => page.text(tr).startsWith('d1'))).toHaveLength(1);
		expect(report.html).toContain('source item 1 (mail=d1@example.org); source item 4 (mail=d1@example.org), linked to x9, x10');
		expect(report.html).toContain('content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:');
	});

	test('counted from the Accounts items when no Summary came; unknown items are reported by index', () => {
		const { targets, unknown } = gather([account('orphan', 'a'), account('matched', 'b'), { nothing: 'known' }, 'text']);
		expect(unknown).toEqual([2, 3]);
		expect(targets[0].counted).toMatchObject({ orphan: 1, matched: 1 });
		const report = buildAccessReport([account('orphan', 'a'), account('matched', 'b')], { now: NOW });
		expect(report.counts).toMatchObject({ orphan: 1, matched: 1, total: 2 });
	});

	test('no input at all: a page that says so, and zero counts', () => {
		const report = buildAccessReport([], { now: NOW });
		expect(report.counts.total).toBe(0);
		expect(report.days).toHaveLength(30);
		expect(parsePage(report.html).all('section')).toHaveLength(0);
	});
});
