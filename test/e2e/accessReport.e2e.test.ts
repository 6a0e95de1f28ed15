/**
 * The access-report example (examples/access-report-scim.json) in real n8n 1.123.81 and 2.40.7, opened in headless
 * Chromium: n8n's own Webhook, Code, Data Table, Merge and Respond to Webhook nodes around Discover Accounts and
 * Build Access Report. The two Data Tables are made through n8n's REST API as a user makes them in the UI (both
 * versions have it; the public Data Table API only from 2.7), and picked in the example's two Data Table nodes:
 * that is the only change to the shipped file. The page must render, show the counts of the run's Summary, 30 days
 * × 4 bars adding up to the log's activity, run nothing from the hostile account names, and the run's summary row
 * must be in its table. ACCESS_REPORT_SCREENSHOT=docs/screenshots/access-report.png takes the README's picture.
 */
/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from '../../dev/n8n/instance';
import { ScimTestServer } from '../../dev/scimApp';
import { LOG_COLUMNS } from '../../lib/provisioning/governance/logRows';
import { EXPECTED_COUNTS, HOSTILE_NAME, logRowsFor, seed } from '../harness/accessReportScenario';
import { isolate } from '../harness/e2e/isolate';
import { sharedN8n, type SharedN8n } from '../harness/e2e/sharedN8n';
import { finishedExecutions, nodeOutput } from '../harness/n8nApi';
import { E2E_N8N_VERSIONS } from '../harness/runtimes';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const example = JSON.parse(readFileSync(join(ROOT, 'examples', 'access-report-scim.json'), 'utf8'));
const RUN_COLUMNS = [
	{ name: 'at', type: 'date' },
	...'targets total linked matched disputed orphan protected pending_deletion missing creates updates disables failures'
		.split(' ')
		.map((name) => ({ name, type: 'number' })),
];

/** n8n's REST API with the owner's session (what the UI calls). */
function rest(url: string, cookie: string) {
	return async (method: string, path: string, body?: unknown) => {
		const res = await fetch(`${url}/rest${path}`, {
			method,
			headers: { cookie, 'Content-Type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
		return (JSON.parse(text) as { data: any }).data;
	};
}

describe.each(E2E_N8N_VERSIONS)('access report on n8n %s', (version) => {
	let n8n: SharedN8n;
	let scim: ScimTestServer;
	let call: ReturnType<typeof rest>;
	let projectId: string;
	let runsTable: string;
	let workflowId: string;
	const log = () => logRowsFor(`${scim.baseUrl}/Users`);

	beforeAll(async () => {
		n8n = await sharedN8n(version);
		scim = await ScimTestServer.start();
		await seed(scim.baseUrl, scim.token);
		call = rest(n8n.url, n8n.session);
		projectId = (await call('GET', '/projects/personal')).id;
		const suffix = Date.now().toString(36);
		const table = async (name: string, columns: ReadonlyArray<{ name: string; type: string }>) =>
			(await call('POST', `/projects/${projectId}/data-tables`, { name, columns })).id as string;
		const logTable = await table(`access_report_log_${suffix}`, LOG_COLUMNS);
		runsTable = await table(`access_report_runs_${suffix}`, RUN_COLUMNS);
		await call('POST', `/projects/${projectId}/data-tables/${logTable}/insert`, { data: log().rows, returnType: 'count' });

		// The user's two picks: the tables, in the Data Table nodes; and the credential, named here for this suite.
		const picked = JSON.parse(JSON.stringify(example).split('DemoScimTarget1').join('AccessReportScim1'));
		for (const node of picked.nodes) {
			if (node.name === 'Read the Provisioning Log') node.parameters.dataTableId = { __rl: true, mode: 'id', value: logTable };
			if (node.name === 'Record This Run') node.parameters.dataTableId = { __rl: true, mode: 'id', value: runsTable };
		}
		const [workflow] = isolate([picked], 'AR');
		workflowId = workflow.id;
		const credentials = [
			{
				id: 'AccessReportScim1',
				name: 'Demo SCIM app',
				type: 'scimTargetApi',
				data: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, timeoutMs: 10000 },
			},
		];
		await n8n.load({ credentials, workflows: [workflow] });
	}, 900000);

	afterAll(async () => {
		await n8n?.unload();
		await scim?.stop();
	});

	test('the page renders in Chromium: the run’s counts, 30 days × 4 bars adding up to the log, nothing run from account names', async () => {
		const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
		try {
			const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
			const dialogs: string[] = [];
			page.on('dialog', (dialog) => {
				dialogs.push(dialog.message());
				void dialog.dismiss();
			});
			const response = await page.goto(`${n8n.url}/webhook/access-report`);
			expect(response?.status()).toBe(200);
			expect(response?.headers()['content-type']).toMatch(/^text\/html/);
			// n8n sets its own sandbox policy on HTML webhook answers (and drops one a workflow sets); the page adds the strict one.
			expect(response?.headers()['content-security-policy']).toMatch(/^sandbox/);
			await page.locator('svg.chart').waitFor();

			const [execution] = await finishedExecutions(n8n.api, workflowId, 1);
			const summary = nodeOutput(execution, 'Discover Accounts', 2)[0];
			expect(summary.counts).toEqual(EXPECTED_COUNTS);

			const shown = await page.evaluate(() => ({
				title: document.title,
				sections: document.querySelectorAll('section.target').length,
				counts: Object.fromEntries(
					[...document.querySelectorAll('section.target [data-situation]')].map((li) => [
						li.getAttribute('data-situation'),
						Number(li.querySelector('.n')?.textContent),
					]),
				),
				days: document.querySelectorAll('svg.chart g.day').length,
				bars: [...document.querySelectorAll('svg.chart g.day')].map((g) => g.querySelectorAll('rect.bar').length),
				activity: [...document.querySelectorAll('svg.chart rect.bar')].reduce<Record<string, number>>((sum, rect) => {
					const series = rect.getAttribute('data-series')!;
					sum[series] = (sum[series] ?? 0) + Number(rect.getAttribute('data-count'));
					return sum;
				}, {}),
				tallest: Math.max(...[...document.querySelectorAll('svg.chart rect.bar')].map((r) => r.getBoundingClientRect().height)),
				orphans: [...document.querySelectorAll('table.orphans tbody tr td:first-child')].map((td) => td.textContent),
				scripts: document.querySelectorAll('script, img, iframe').length,
				csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'),
				text: document.body.innerText,
			}));
			expect(shown.sections).toBe(1);
			expect(shown.counts).toEqual({ ...summary.counts, total: summary.total });
			expect(shown.days).toBe(30);
			expect(shown.bars).toEqual(Array(30).fill(4));
			expect(shown.activity).toEqual(log().activity);
			expect(shown.tallest).toBeGreaterThan(50);
			const orphanIds = nodeOutput(execution, 'Discover Accounts', 0)
				.filter((item) => item.situation === 'orphan')
				.map((item) => item.account.id);
			expect(shown.orphans.sort()).toEqual(orphanIds.sort());
			expect(shown.text).toContain(HOSTILE_NAME);
			expect(shown.scripts).toBe(0);
			expect(shown.title).toBe('Access report: Demo SCIM app');
			expect(dialogs).toEqual([]);
			expect(shown.csp).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'");

			if (process.env.ACCESS_REPORT_SCREENSHOT)
				await page.screenshot({ path: join(ROOT, process.env.ACCESS_REPORT_SCREENSHOT), fullPage: true });
		} finally {
			await browser.close();
		}

		const rows = (await call('GET', `/projects/${projectId}/data-tables/${runsTable}/rows`)).data as any[];
		expect(rows).toEqual([expect.objectContaining({ targets: 1, total: 7, orphan: 2, disputed: 1, ...log().activity })]);
	});
});
