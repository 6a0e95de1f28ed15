/**
 * The provisioning log, quarantine and retry in real n8n, with the packed package installed as the Community Nodes
 * installer does it (issue 12):
 * - n8n with a Data Table API (2.7 and later): the Audit example writes every record to a Data Table through n8n's
 *   public API; two runs have distinct run ids, the log is queried by user and by action with the Provisioning Log
 *   node, survives deleting the executions, is pruned by age, and holds no secret;
 * - n8n without one (1.x): a clear error before anything is written, and the fallback example's rows land in
 *   PostgreSQL through n8n's own Postgres node;
 * Queue mode (the quarantine one worker recorded makes another worker skip the target) is in queueMode.e2e.test.ts,
 * on that suite's cluster.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ROOT } from '../../dev/n8n/instance';
import { sharedN8n, type SharedN8n } from '../harness/e2e/sharedN8n';
import { postJson, postWhenReady } from '../harness/e2e/webhooks';
import { finishedExecutions, type PublicApi } from '../harness/n8nApi';
import { E2E_N8N_VERSIONS } from '../harness/runtimes';
import { screenshot } from '../harness/screenshot';
import { Postgres } from '../servers/postgres';
import { ScimTestServer } from '../../dev/scimApp';

const VERSIONS = E2E_N8N_VERSIONS;
const hasDataTableApi = (version: string) => {
	const [major, minor] = version.split('.').map(Number);
	return major > 2 || (major === 2 && minor >= 7);
};
const example = (file: string) => JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
const audit = example('audit-provisioning-log.json');
const alertsExample = example('alerts-provisioning.json');
const errorWorkflow = example('alerts-error-workflow.json');
const fallback = example('provisioning-log-postgres-fallback.json');
const TRIGGER_TOKEN = 'e2e-governance-trigger-token-0123456789';
const N8N_API_CREDENTIAL = { id: 'N8nApiLocal1', name: 'n8n API (this instance)' };

/** Test-only workflows: the Provisioning Log node's query and prune behind webhooks, so the test can call them. */
const queryWorkflow = {
	id: 'GovQueryLog1',
	name: 'e2e: query the provisioning log',
	nodes: [
		{
			id: 'q1',
			name: 'Ask',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: 'f0e1d2c3-0000-4000-8000-000000000001',
			parameters: { httpMethod: 'POST', path: 'audit-query', responseMode: 'lastNode', responseData: 'allEntries', options: {} },
		},
		{
			id: 'q2',
			name: 'Query',
			type: 'n8n-nodes-provisioning.provisioningLog',
			typeVersion: 1,
			position: [240, 0],
			parameters: {
				operation: 'query',
				logTable: 'provisioning_log',
				filters: { user: '={{ $json.body.user }}', actions: '={{ $json.body.actions }}', runId: '={{ $json.body.runId }}' },
				limit: 100,
			},
			credentials: { provisioningLogApi: N8N_API_CREDENTIAL },
		},
	],
	connections: { Ask: { main: [[{ node: 'Query', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};
const pruneWorkflow = {
	id: 'GovPruneLog1',
	name: 'e2e: prune the provisioning log',
	nodes: [
		{
			id: 'p1',
			name: 'Prune Now',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: 'f0e1d2c3-0000-4000-8000-000000000002',
			parameters: { httpMethod: 'POST', path: 'audit-prune', responseMode: 'lastNode', options: {} },
		},
		{
			id: 'p2',
			name: 'Prune',
			type: 'n8n-nodes-provisioning.provisioningLog',
			typeVersion: 1,
			position: [240, 0],
			parameters: { operation: 'prune', logTable: 'provisioning_log', retentionDays: 30 },
			credentials: { provisioningLogApi: N8N_API_CREDENTIAL },
		},
	],
	connections: { 'Prune Now': { main: [[{ node: 'Prune', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};
/** The fallback example behind a webhook instead of its manual trigger. */
const fallbackByWebhook = {
	...fallback,
	id: 'GovFallbackHook1',
	name: 'e2e: fallback by webhook',
	nodes: [
		{
			id: 'h1',
			name: 'Run Import',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: 'f0e1d2c3-0000-4000-8000-000000000003',
			parameters: { httpMethod: 'POST', path: 'fallback-import', responseMode: 'onReceived', options: {} },
		},
		...fallback.nodes.filter((n: { name: string }) => n.name !== 'Run Import'),
	],
};

describe.each(VERSIONS)('provisioning log on n8n %s', (version) => {
	let scim: ScimTestServer;
	let pg: Postgres;
	let n8n: SharedN8n;
	let api: PublicApi;
	let apiKey: string;

	beforeAll(async () => {
		n8n = await sharedN8n(version);
		api = n8n.api;
		apiKey = api.key;
		scim = await ScimTestServer.start();
		pg = await Postgres.start();
		const credentials = [
			{
				id: 'DemoScimTarget1',
				name: 'Demo SCIM app',
				type: 'scimTargetApi',
				data: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, timeoutMs: 10000 },
			},
			{ id: 'ScimTriggerAuth1', name: 'SCIM Trigger token', type: 'scimTriggerAuthApi', data: { token: TRIGGER_TOKEN, allowBasic: false } },
			{
				id: 'PostgresLog1',
				name: 'Provisioning log database',
				type: 'postgres',
				data: { host: '127.0.0.1', port: pg.port, database: 'postgres', user: 'postgres', password: '', ssl: 'disable' },
			},
			// The n8n API credential the examples name, with this n8n's key.
			{ ...N8N_API_CREDENTIAL, type: 'provisioningLogApi', data: { apiKey, baseUrl: `${n8n.url}/api/v1` } },
		];
		// Every example of the issue imports into both majors; the workflows the test calls are active.
		const active = [audit, queryWorkflow, pruneWorkflow, fallbackByWebhook];
		const inactive = [alertsExample, errorWorkflow, fallback].map((w) => ({ ...w, active: false }));
		await n8n.load({ credentials, workflows: [...active, ...inactive] });
	}, 900000);

	afterAll(async () => {
		await n8n?.unload();
		await scim?.stop();
		await pg?.stop();
	});

	const hire = {
		EmployeeID: 'A42',
		FirstName: 'Ada',
		LastName: 'Lovelace',
		Email: 'ada@example.org',
		JobTitle: 'ANALYST',
		Department: 'RND',
		Status: 'Active',
	};
	const auditUrl = () => `${n8n.url}/webhook/provision-audited`;

	if (hasDataTableApi(version)) {
		test('Audit: two runs leave records with distinct run ids, queried by user and by action; they survive deleting the executions; no secret in the table', async () => {
			const created = await postWhenReady(auditUrl(), hire);
			expect(created.status).toBe(200);
			expect(created.json).toMatchObject({ action: 'Create', status: 'Success', sourceKey: 'externalId=A42' });
			const updated = await postJson(auditUrl(), { ...hire, JobTitle: 'LEAD ANALYST' });
			expect(updated.json).toMatchObject({
				action: 'Update',
				modifiedProperties: [{ name: 'title', oldValue: 'Analyst', newValue: 'Lead Analyst' }],
			});
			await postJson(auditUrl(), { ...hire, EmployeeID: 'G7', FirstName: 'Grace', LastName: 'Hopper', Email: 'grace@example.org' });

			const [table] = (await api.get('/data-tables', { filter: JSON.stringify({ name: 'provisioning_log' }) })).data;
			expect(table).toBeDefined();
			const rows = (await api.get(`/data-tables/${table.id}/rows`, { limit: 100, sortBy: 'time:asc' })).data as any[];
			expect(rows.map((r) => [r.source_key, r.action, r.status])).toEqual([
				['externalId=A42', 'Create', 'Success'],
				['externalId=A42', 'Update', 'Success'],
				['externalId=G7', 'Create', 'Success'],
			]);
			const executions = await finishedExecutions(api, audit.id, 3);
			expect(rows.map((r) => r.run_id)).toEqual(executions.map((e) => String(e.id)));
			expect(new Set(rows.map((r) => r.run_id)).size).toBe(3);
			expect(rows[1]).toMatchObject({
				workflow_id: audit.id,
				workflow: audit.name,
				node: 'Provision User',
				target_system: 'scim',
				target: `${scim.baseUrl}/Users`,
				changes: 'title: "Analyst" → "Lead Analyst"',
				dry_run: false,
			});

			const query = (body: object) => postJson(`${n8n.url}/webhook/audit-query`, body);
			const byUser = await postWhenReady(`${n8n.url}/webhook/audit-query`, { user: 'a42' });
			expect((byUser.json as any[]).map((r) => r.action)).toEqual(['Update', 'Create']);
			const byAction = await query({ actions: ['Create'] });
			expect((byAction.json as any[]).map((r) => r.source_key)).toEqual(['externalId=G7', 'externalId=A42']);
			const byRun = await query({ runId: rows[1].run_id });
			expect((byRun.json as any[]).map((r) => r.action)).toEqual(['Update']);

			// The password Map Attributes generated, the API key and the SCIM token are nowhere in the table.
			const password = scim.requests.find((r) => r.method === 'POST' && r.body?.externalId === 'A42')?.body?.password;
			expect(password).toMatch(/^.{16}$/);
			const everything = JSON.stringify(rows);
			for (const secret of [password, apiKey, scim.token]) expect(everything).not.toContain(secret);
			expect(rows[0].changes).toMatch(/password: \(none\) → "\[Redact\]"/);

			// Executions pruned by n8n (here deleted): the log stays.
			for (const e of executions) expect((await api.call('DELETE', `/executions/${e.id}`)).status).toBe(200);
			const after = (await api.get(`/data-tables/${table.id}/rows`, { limit: 100 })).data as any[];
			expect(after).toHaveLength(3);

			// Opt-in: the README's picture of the Data Table view (GOVERNANCE_SCREENSHOT=docs/data-table-view.png).
			if (process.env.GOVERNANCE_SCREENSHOT) {
				const projectId = table.projectId ?? (await api.get(`/data-tables/${table.id}`)).projectId;
				await screenshot(
					`${n8n.url}/projects/${projectId}/datatables/${table.id}`,
					n8n.session,
					join(ROOT, process.env.GOVERNANCE_SCREENSHOT),
					{
						waitForText: audit.name,
						// Wide enough to show the columns up to action, status and source_key (n8n gives each about 200 px).
						width: 2880,
						height: 400,
					},
				);
			}
		});

		test('Prune: records older than 30 days go, newer ones stay', async () => {
			const [table] = (await api.get('/data-tables', { filter: JSON.stringify({ name: 'provisioning_log' }) })).data;
			const old = new Date(Date.now() - 40 * 24 * 3600 * 1000).toISOString();
			const inserted = await api.call('POST', `/data-tables/${table.id}/rows`, {
				data: [{ time: old, run_id: 'old-run', action: 'Create', status: 'Success', source_key: 'externalId=OLD' }],
				returnType: 'count',
			});
			expect(inserted.status).toBe(200);
			const before = (await api.get(`/data-tables/${table.id}/rows`, { limit: 100 })).data.length;
			const pruned = await postWhenReady(`${n8n.url}/webhook/audit-prune`, {});
			expect(pruned.json).toMatchObject({ operation: 'prune', deleted: 1 });
			const rows = (await api.get(`/data-tables/${table.id}/rows`, { limit: 100 })).data as any[];
			expect(rows).toHaveLength(before - 1);
			expect(rows.map((r) => r.run_id)).not.toContain('old-run');
		});
	} else {
		test('Audit on n8n without a Data Table API: a clear error before anything is written', async () => {
			await postWhenReady(auditUrl(), hire);
			const [execution] = await finishedExecutions(api, audit.id, 1);
			expect(execution.status ?? (execution.finished ? 'success' : 'error')).toBe('error');
			const error = execution.data.resultData.error;
			expect(error.message).toMatch(/^This n8n has no Data Table API: n8n 2\.7 and later have it/);
			expect(error.message).toMatch(/getDataTableProxy helper/);
			expect(error.message).toMatch(/Postgres node/);
			expect([...scim.store.users.values()]).toEqual([]);
		});
	}

	test('the fallback: Format as Table Rows → n8n’s Postgres node appends the records to a table', async () => {
		const db = new Client(pg.config);
		await db.connect();
		try {
			await db.query(`CREATE TABLE IF NOT EXISTS provisioning_log (
				id bigserial PRIMARY KEY, time timestamptz NOT NULL, run_id text, workflow_id text, workflow text, node text,
				target_system text, target text, action text, status text, source_key text, target_id text, changes text,
				error_code text, error_message text, dry_run boolean, attempt integer, details text)`);
			scim.faults.push({ status: 400, method: 'POST', bodyIncludes: 'grace.hopper', times: 1 });
			const sent = await postWhenReady(`${n8n.url}/webhook/fallback-import`, {});
			expect(sent.status).toBe(200);
			const [execution] = await finishedExecutions(api, fallbackByWebhook.id, 1);
			// The Done and error outputs each feed the formatter: n8n runs it (and the insert) once per output that has items.
			const runs = execution.data.resultData.runData['Insert into provisioning_log'] as any[];
			expect(runs.flatMap((r) => r.data.main[0])).toHaveLength(2);
			const { rows } = await db.query(
				'SELECT source_key, action, status, error_code, node, run_id FROM provisioning_log ORDER BY source_key',
			);
			expect(rows).toEqual([
				{
					source_key: 'userName=ada.lovelace@example.org',
					action: expect.stringMatching(/^(Create|NoChange)$/),
					status: 'Success',
					error_code: null,
					node: 'Provision User',
					run_id: String(execution.id),
				},
				{
					source_key: 'userName=grace.hopper@example.org',
					action: 'Failed',
					status: 'Failure',
					error_code: 'TargetRejected',
					node: 'Provision User',
					run_id: String(execution.id),
				},
			]);
		} finally {
			await db.end();
		}
	});
});
