/**
 * The access-report example (examples/access-report-scim.json), as shipped, through n8n-core's WorkflowExecute:
 * Discover Accounts against the real SCIM server, the log's rows through a stand-in for n8n's Data Table node, and
 * the page the Respond to Webhook stand-in would send, parsed back. n8n's own nodes (Webhook, Code, Data Table,
 * Merge, Respond to Webhook) are stood in for by small nodes that do what the real ones do with these parameters;
 * the real ones run in real n8n in test/e2e/accessReport.e2e.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { ScimTestServer } from '../../dev/scimApp';
import { EXPECTED_COUNTS, HOSTILE_NAME, logRowsFor, seed } from '../harness/accessReportScenario';
import { parsePage } from '../harness/html';
import { itemsInto, registerNodeType, runWorkflow, type WorkflowJson } from '../harness/workflow';

const ROOT = join(__dirname, '..', '..');
const shipped = (): WorkflowJson => JSON.parse(readFileSync(join(ROOT, 'examples', 'access-report-scim.json'), 'utf8'));

function standIn(
	name: string,
	inputs: number,
	outputs: number,
	parameters: string[],
	run: (ctx: IExecuteFunctions) => INodeExecutionData[][],
) {
	registerNodeType(`n8n-nodes-base.${name}`, {
		description: {
			displayName: name,
			name,
			group: ['transform'],
			version: [1, 1.1, 2, 3, 3.2],
			description: `Stands in for ${name}`,
			defaults: { name },
			inputs: Array(inputs).fill('main'),
			outputs: Array(outputs).fill('main'),
			// n8n keeps only the parameters a node declares.
			properties: parameters.map((p) => ({ displayName: p, name: p, type: 'json', default: '' })),
		} as unknown as INodeTypeDescription,
		async execute(this: IExecuteFunctions) {
			return run(this);
		},
	} as INodeType);
}

let logRows: object[] = [];
let inserted: Array<Record<string, unknown>> = [];
let response: { body: string; headers: Record<string, string> } | undefined;

standIn('webhook', 0, 1, [], () => [[{ json: { headers: {}, params: {}, query: {}, body: {} } }]]);
standIn('stickyNote', 0, 0, [], () => []);
standIn('code', 1, 1, ['jsCode'], (ctx) => [
	(new Function(String(ctx.getNodeParameter('jsCode', 0)))() as INodeExecutionData[]).map((item) => ({ ...item, pairedItem: { item: 0 } })),
]);
standIn('merge', 3, 1, ['numberInputs'], (ctx) => [[0, 1, 2].flatMap((input) => ctx.getInputData(input))]);
standIn('dataTable', 1, 1, ['resource', 'operation', 'dataTableId', 'returnAll', 'columns', 'options'], (ctx) => {
	if (ctx.getNodeParameter('operation', 0) === 'get') {
		// alwaysOutputData in the example turns "no rows" into one empty item, as n8n does.
		return [logRows.map((json) => ({ json: json as never, pairedItem: { item: 0 } }))];
	}
	return [
		ctx.getInputData().map((_, i) => {
			const row = ctx.getNodeParameter('columns', i) as { mappingMode: string; value: Record<string, unknown> };
			expect(row.mappingMode).toBe('defineBelow');
			inserted.push(row.value);
			return { json: row.value as never, pairedItem: { item: i } };
		}),
	];
});
standIn('respondToWebhook', 1, 1, ['respondWith', 'responseBody', 'options'], (ctx) => {
	expect(ctx.getNodeParameter('respondWith', 0)).toBe('text');
	const options = ctx.getNodeParameter('options', 0) as { responseHeaders: { entries: Array<{ name: string; value: string }> } };
	response = {
		body: String(ctx.getNodeParameter('responseBody', 0)),
		headers: Object.fromEntries(options.responseHeaders.entries.map((h) => [h.name.toLowerCase(), h.value])),
	};
	return [ctx.getInputData()];
});

let scim: ScimTestServer;
beforeAll(async () => {
	scim = await ScimTestServer.start();
});
afterAll(async () => {
	await scim.stop();
});
beforeEach(() => {
	scim.store.users.clear();
	logRows = [];
	inserted = [];
	response = undefined;
});

const credentials = () => ({
	scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token, extraHeaders: '{}', timeoutMs: 5000 },
});

test('the shipped example: counts by situation, orphans and disputed in tables, 30 days of bars, one summary row', async () => {
	await seed(scim.baseUrl, scim.token);
	const log = logRowsFor(`${scim.baseUrl}/Users`);
	logRows = log.rows;
	const scimWrites = scim.requests.length;
	const run = await runWorkflow(shipped(), credentials());
	expect(run.error).toBeUndefined();
	expect(scim.requests.slice(scimWrites).filter((r) => r.method !== 'GET')).toEqual([]);

	const summary = run.output('Discover Accounts', 2)[0].json as { counts: object };
	expect(summary.counts).toEqual(EXPECTED_COUNTS);
	const report = run.output('Build Access Report')[0].json as any;
	expect(report.counts).toEqual({ ...EXPECTED_COUNTS, total: 7 });
	expect(report.targets[0].activity).toEqual(log.activity);

	expect(response!.headers['content-type']).toBe('text/html; charset=utf-8');
	const page = parsePage(response!.body);
	expect(page.all('section', 'target')).toHaveLength(1);
	expect(page.all('g', 'day')).toHaveLength(30);
	expect(page.all('rect', 'bar')).toHaveLength(120);
	const count = (s: string) => Number.parseInt(page.text(page.elements.find((el) => page.attr(el, 'data-situation') === s)!), 10);
	for (const [s, n] of Object.entries(EXPECTED_COUNTS)) expect({ s, n: count(s) }).toEqual({ s, n });
	const orphanIds = page
		.all('table', 'orphans')
		.flatMap((t) => page.all('tr').filter((tr) => tr.parent?.parent === t && (tr.parent as { name?: string }).name === 'tbody'));
	expect(orphanIds.map((tr) => page.text(tr.children[0] as never)).sort()).toEqual(
		[...scim.store.users.values()]
			.filter((u: any) => ['mallory@example.org', HOSTILE_NAME].includes(u.userName))
			.map((u: any) => u.id)
			.sort(),
	);
	expect(response!.body).toContain(HOSTILE_NAME.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
	expect(page.all('script')).toEqual([]);
	expect(page.all('img')).toEqual([]);
	expect(page.all('table', 'disputed').length).toBe(1);
	expect(response!.body).not.toContain('[Redact]');

	expect(inserted).toEqual([
		expect.objectContaining({ targets: 1, total: 7, linked: 1, orphan: 2, disputed: 1, creates: 3, updates: 1, disables: 1, failures: 1 }),
	]);
});

test('an empty log (the Data Table node’s one empty item) still gives 30 zero days', async () => {
	await seed(scim.baseUrl, scim.token);
	logRows = [{}];
	const run = await runWorkflow(shipped(), credentials());
	expect(run.error).toBeUndefined();
	const page = parsePage(response!.body);
	expect(page.all('rect', 'bar').map((r) => page.attr(r, 'data-count'))).toEqual(Array(120).fill('0'));
	expect(inserted).toEqual([expect.objectContaining({ creates: 0, failures: 0, orphan: 2 })]);
});

test('Build Access Report stops on an item it does not know, naming it and what to connect', async () => {
	const run = await runWorkflow(
		itemsInto('provisioningLog', { operation: 'accessReport', reportDays: 30 }, [
			{ target: { system: 'scim', endpoint: 'x' }, total: 1, counts: {} },
			{ hello: 'world' },
		]),
		credentials(),
	);
	expect(run.error?.message).toBe('Item 1 is not Discover Accounts output nor a provisioning-log row or record');
	expect((run.error as { description?: string }).description).toMatch(/Merge in front of this node/);
});
