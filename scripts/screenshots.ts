/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The editor walkthrough of issue 15, and the README's screenshots: one script.
 *
 * It starts `npm start` on free ports with a fresh user folder (N8N_VERSION chooses the n8n version), opens the real n8n
 * editor in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core), walks through what a citizen
 * developer sees, and checks each thing; a missing element fails the run with a message saying what is missing.
 *
 *   npm run screenshots            checks, and writes the PNGs into docs/screenshots/
 *   npm run screenshots -- --check checks only (the e2e test runs this)
 *
 * Chromium must be installed (`apt-get install chromium`; never `playwright install`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Locator, type Page, chromium, selectors } from 'playwright-core';
import { ownerSession, ROOT } from './lib/n8nInstance';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(ROOT, 'docs', 'screenshots');
const VIEWPORT = { width: 1440, height: 1000 };

/** A failed expectation of the walkthrough: what a user would miss. */
class Missing extends Error {}

function expect(condition: unknown, what: string): asserts condition {
	if (!condition) throw new Missing(what);
}

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

async function portIsFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** n8n 2.x takes the next port for its task broker: both must be free. */
async function freePortPair(): Promise<number> {
	for (;;) {
		const port = await freePort();
		if (port < 65535 && (await portIsFree(port + 1))) return port;
	}
}

export interface RunningStart {
	url: string;
	/** The tenant URL and token npm start prints for Entra ID and Okta. */
	tenantUrl: string;
	token: string;
	stop: () => Promise<void>;
}

/** Runs `npm start` as a user does, and waits for the SCIM endpoint it prints. */
export async function startLocalN8n(
	log: (line: string) => void = () => undefined,
	env: Record<string, string> = {},
): Promise<RunningStart> {
	const port = await freePortPair();
	let demoPort = await freePort();
	while (demoPort === port + 1) demoPort = await freePort();
	const userFolder = mkdtempSync(join(tmpdir(), 'n8n-walkthrough-'));
	const child: ChildProcess = spawn('npm', ['start'], {
		cwd: ROOT,
		env: { ...process.env, ...env, N8N_PORT: String(port), DEMO_SCIM_PORT: String(demoPort), N8N_USER_FOLDER: userFolder },
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let output = '';
	const collect = (chunk: Buffer) => {
		output += chunk.toString();
		for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
	};
	child.stdout!.on('data', collect);
	child.stderr!.on('data', collect);
	// Ctrl+C, as in a terminal: npm start stops n8n (its own process group) and the demo app, then exits.
	const stop = async () => {
		if (child.exitCode === null) {
			const exited = new Promise((r) => child.once('exit', r));
			try {
				process.kill(-child.pid!, 'SIGINT');
			} catch {
				/* already gone */
			}
			await Promise.race([exited, new Promise((r) => setTimeout(r, 60000))]);
			if (child.exitCode === null) {
				try {
					process.kill(-child.pid!, 'SIGKILL');
				} catch {
					/* already gone */
				}
			}
		}
		rmSync(userFolder, { recursive: true, force: true });
	};
	const deadline = Date.now() + 15 * 60 * 1000;
	const printed = /SCIM endpoint for Entra ID \/ Okta[^\n]*\n\s*(\S+)\s*\n\s*(\S+)/;
	while (!printed.test(output)) {
		if (child.exitCode !== null) {
			await stop();
			throw new Error(`npm start exited with ${child.exitCode}:\n${output.slice(-4000)}`);
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`npm start did not print the SCIM endpoint in time:\n${output.slice(-4000)}`);
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	const [, tenantUrl, token] = printed.exec(output)!;
	return { url: `http://127.0.0.1:${port}`, tenantUrl, token, stop };
}

/** Tolerates n8n's own pop-ups (what's new, surveys) that may cover the canvas. */
async function dismissPopups(page: Page): Promise<void> {
	for (const selector of ['[data-test-id="nps-survey-modal"] button[aria-label="Close"]', '.el-dialog__headerbtn']) {
		const button = page.locator(selector).first();
		if (await button.isVisible().catch(() => false)) await button.click().catch(() => undefined);
	}
}

async function openWorkflow(page: Page, url: string, id: string, nodes: number): Promise<void> {
	await page.goto(`${url}/workflow/${id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60000 });
	await expect_count(page.locator('[data-test-id="canvas-node"]'), nodes, `workflow ${id}: ${nodes} nodes on the canvas`);
	await dismissPopups(page);
	await page.locator('[data-test-id="zoom-to-fit"]').click();
	await page.waitForTimeout(800);
}

async function expect_count(locator: Locator, count: number, what: string): Promise<void> {
	const deadline = Date.now() + 15000;
	let seen = await locator.count();
	while (seen !== count && Date.now() < deadline) {
		await new Promise((r) => setTimeout(r, 250));
		seen = await locator.count();
	}
	expect(seen === count, `${what} (found ${seen})`);
}

function canvasNode(page: Page, name: string): Locator {
	return page.locator('[data-test-id="canvas-node"]').filter({ has: page.getByText(name, { exact: true }) });
}

async function openNode(page: Page, name: string): Promise<Locator> {
	const node = canvasNode(page, name);
	expect((await node.count()) > 0, `a node named "${name}" on the canvas`);
	await node.first().dblclick();
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.waitFor({ timeout: 20000 });
	await page.locator('[data-test-id="node-parameters"]').waitFor({ timeout: 20000 });
	await page.waitForTimeout(800);
	return ndv;
}

async function closeNode(page: Page): Promise<void> {
	const parameters = page.locator('[data-test-id="node-parameters"]');
	await page.locator('body').press('Escape');
	await parameters.waitFor({ state: 'detached', timeout: 3000 }).catch(async () => {
		// n8n 2.x has a close button, 1.x a "Back to canvas" link.
		const close = page.locator('[data-test-id="ndv-close-button"]');
		if (await close.isVisible().catch(() => false)) await close.click();
		else await page.getByText('Back to canvas').first().click();
		await parameters.waitFor({ state: 'detached', timeout: 10000 });
	});
}

/** The major version of the n8n serving the page. */
async function n8nMajor(page: Page): Promise<number> {
	const response = await page.request.get(`${new URL(page.url()).origin}/rest/settings`);
	const body = (await response.json()) as { data?: { versionCli?: string } };
	return Number(String(body.data?.versionCli ?? '0').split('.')[0]);
}

/** The value shown in the input of the field named `label`, or undefined when there is no such field. */
async function fieldValue(scope: Locator, label: string): Promise<string | undefined> {
	return scope.evaluate((root, wanted) => {
		for (const item of root.querySelectorAll('[data-test-id="parameter-item"], [data-test-id="credential-connection-parameter"]')) {
			const title = item.querySelector('label.n8n-input-label [class*="title"], label.n8n-input-label');
			if ((title?.textContent ?? '').trim() !== wanted) continue;
			const input = item.querySelector('input, textarea') as HTMLInputElement | null;
			return input?.value;
		}
		return undefined;
	}, label);
}

/** Chooses an option of the options field named `label`. */
async function chooseOption(page: Page, scope: Locator, label: string, option: string): Promise<void> {
	const item = scope.locator('[data-test-id="parameter-item"]').filter({
		has: page.locator('label.n8n-input-label').filter({ hasText: new RegExp(`^\\s*${label}\\s*$`) }),
	});
	await item.locator('input').first().click();
	await page.locator('.el-select-dropdown__item:visible').getByText(option, { exact: true }).click();
	await page.waitForTimeout(600);
	const chosen = await fieldValue(scope, label);
	expect(chosen === option, `"${option}" chosen for ${label} (shows "${chosen}")`);
}

/** Every element showing text that CSS cuts off with an ellipsis, within `scope`. */
async function truncatedTexts(scope: Locator): Promise<string[]> {
	return scope.evaluateAll((elements) =>
		elements.flatMap((root) =>
			[root, ...root.querySelectorAll('*')]
				.filter((el) => {
					const style = getComputedStyle(el);
					const clipped = style.textOverflow === 'ellipsis' || style.overflow === 'hidden' || style.overflowX === 'hidden';
					return clipped && (el.textContent ?? '').trim() !== '' && el.scrollWidth > el.clientWidth + 1;
				})
				.map((el) => (el.textContent ?? '').trim()),
		),
	);
}

/**
 * Connections that cross a label they do not belong to: an output label of another handle, or a node's name or
 * subtitle. Samples each connection's path and tests the points against the labels' boxes.
 */
async function connectionsThroughLabels(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const boxes: Array<{ text: string; box: DOMRect; handle: Element | null }> = [];
		for (const node of document.querySelectorAll('[data-test-id="canvas-node"]')) {
			for (const handle of node.querySelectorAll('[data-test-id="canvas-node-output-handle"]')) {
				for (const label of handle.querySelectorAll('div')) {
					if (label.childElementCount === 0 && (label.textContent ?? '').trim()) {
						boxes.push({ text: (label.textContent ?? '').trim(), box: label.getBoundingClientRect(), handle });
					}
				}
			}
		}
		for (const label of document.querySelectorAll(
			'[data-test-id="canvas-node"] [class*="label"], [data-test-id="canvas-node"] [class*="subtitle"]',
		)) {
			if (label.closest('[data-test-id="canvas-node-output-handle"]') || label.closest('[data-test-id="canvas-node-input-handle"]'))
				continue;
			const text = (label.textContent ?? '').trim();
			if (text && label.childElementCount === 0) boxes.push({ text, box: label.getBoundingClientRect(), handle: null });
		}
		const crossings: string[] = [];
		for (const edge of document.querySelectorAll('[data-test-id="edge"]')) {
			const path = edge.querySelector('path') as SVGPathElement | null;
			if (!path) continue;
			const matrix = path.getScreenCTM();
			if (!matrix) continue;
			const length = path.getTotalLength();
			const source = edge.getAttribute('data-source-node-name') ?? edge.getAttribute('data-source') ?? '';
			for (let at = 0; at <= length; at += 4) {
				const p = path.getPointAtLength(at);
				const x = p.x * matrix.a + p.y * matrix.c + matrix.e;
				const y = p.x * matrix.b + p.y * matrix.d + matrix.f;
				for (const { text, box, handle } of boxes) {
					if (x < box.left || x > box.right || y < box.top || y > box.bottom) continue;
					// A connection leaves its own output under that output's label, as in every n8n workflow.
					if (handle) {
						const handleBox = handle.getBoundingClientRect();
						const start = path.getPointAtLength(0);
						const sx = start.x * matrix.a + start.y * matrix.c + matrix.e;
						const sy = start.x * matrix.b + start.y * matrix.d + matrix.f;
						if (Math.abs(sy - (handleBox.top + handleBox.height / 2)) < 6 && Math.abs(sx - handleBox.left) < 40) continue;
					}
					crossings.push(`a connection${source ? ` from ${source}` : ''} crosses "${text}"`);
				}
			}
		}
		return [...new Set(crossings)];
	});
}

interface Walkthrough {
	page: Page;
	url: string;
	tenantUrl: string;
	token: string;
	shoot: (name: string, target?: Locator) => Promise<void>;
	log: (line: string) => void;
}

async function flagshipCanvas({ page, url, shoot, log }: Walkthrough): Promise<void> {
	log('canvas: SCIM Trigger → Map Attributes → Provision User / Deprovision User');
	await openWorkflow(page, url, 'ScimTriggerDemo1', 5);
	const canvas = page.locator('[data-test-id="canvas-wrapper"], [data-test-id="canvas"]').first();
	const text = await canvas.innerText();
	for (const expected of ['Users', 'Leavers', 'Groups', 'In Scope', 'Out of Scope', 'Done', 'To Approve']) {
		expect(text.includes(expected), `the output name "${expected}" on the canvas`);
	}
	for (const expected of ['Entra ID / Okta SCIM endpoint', 'SCIM → SCIM', 'SCIM 2.0 App', 'SCIM 2.0 App · Disable']) {
		expect(text.includes(expected), `the subtitle "${expected}" on the canvas`);
	}
	for (const stored of ['scimPassthrough', 'authoritative', 'disable\n']) {
		expect(!text.includes(stored), `no stored option value ("${stored.trim()}") as a subtitle`);
	}
	const cut = await truncatedTexts(page.locator('[data-test-id="canvas-node"]'));
	expect(cut.length === 0, `untruncated output names and subtitles (cut off: ${cut.join(', ')})`);
	const crossings = await connectionsThroughLabels(page);
	expect(crossings.length === 0, `connections clear of labels (${crossings.join('; ')})`);
	await shoot('canvas');
}

async function scimTriggerPanel({ page, url, tenantUrl, token, shoot, log }: Walkthrough): Promise<void> {
	log('SCIM Trigger panel: the tenant URL, where the token goes');
	await openWorkflow(page, url, 'ScimTriggerDemo1', 5);
	const ndv = await openNode(page, 'SCIM Trigger');
	const preview = ndv.locator('[data-test-id="parameter-expression-preview-tenantUrl"]');
	await preview.waitFor({ timeout: 10000 });
	const shown = (await preview.innerText()).trim();
	expect(shown === tenantUrl, `the Tenant URL ${tenantUrl} in the SCIM Trigger panel (shows "${shown}")`);
	const testShown = (await ndv.locator('[data-test-id="parameter-expression-preview-testTenantUrl"]').innerText()).trim();
	expect(testShown === tenantUrl.replace('/webhook/', '/webhook-test/'), `the Test Tenant URL in the panel (shows "${testShown}")`);
	expect(await preview.isVisible(), 'the Tenant URL visible without expanding anything');
	if ((await truncatedTexts(preview)).length > 0 && (await n8nMajor(page)) < 2) {
		// n8n 1.x opens the panel at its narrow width (2.x honours the node's wide parameter pane), so the line under
		// the field is cut off; a click into the field shows the whole URL as the expression's Result.
		log('  n8n 1.x: the panel opens narrow; the whole URL shows as the Result of a click into the field');
		await ndv.locator('[data-test-id="parameter-input-tenantUrl"] .cm-content').first().click();
		const result = page.locator('[data-test-id="inline-expression-editor-output"]');
		await result.waitFor({ timeout: 10000 });
		expect(
			(await result.innerText()).trim() === tenantUrl,
			`the whole Tenant URL as the Result in n8n 1.x (shows "${await result.innerText()}")`,
		);
	} else {
		const cut = await truncatedTexts(preview);
		expect(cut.length === 0, 'the whole Tenant URL visible, not cut off');
	}
	const panel = await ndv.innerText();
	for (const words of ['Entra ID', 'Tenant URL: the URL above', 'Secret Token', 'Okta', 'SCIM connector base URL', 'HTTP Header']) {
		expect(panel.includes(words), `"${words}" in the SCIM Trigger panel's set-up notice`);
	}
	// The URL the panel shows is the one that answers, with the credential's token.
	const response = await fetch(`${shown}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${token}` } });
	expect(response.status === 200, `the shown Tenant URL answering SCIM requests (got ${response.status})`);
	await shoot('scim-trigger', page.locator('[data-test-id="ndv"]'));
	await closeNode(page);
}

async function mappingRows({ page, url, shoot, log }: Walkthrough): Promise<void> {
	log('Map Attributes: mapping rows');
	await openWorkflow(page, url, 'ProvisionMappedWebhook1', 3);
	const ndv = await openNode(page, 'Map Attributes');
	const text = await ndv.innerText();
	expect(text.includes('Entra Expression'), 'the "Entra Expression" field name');
	const labels = await fieldLabels(ndv);
	expect(!labels.includes('Expression'), 'no mapping field named plain "Expression" beside n8n\'s own switch');
	// The first row is Direct: target, type, source, then the row's options; no constant or expression field.
	const firstRow = await firstMappingRowLabels(ndv);
	expect(
		firstRow[0] === 'Target Attribute' && firstRow[1] === 'Mapping Type',
		`a row starting with Target Attribute, Mapping Type (got ${firstRow.join(', ')})`,
	);
	expect(firstRow.includes('Source Attribute'), `a Direct row showing its Source Attribute (got ${firstRow.join(', ')})`);
	expect(
		!firstRow.includes('Constant Value') && !firstRow.includes('Entra Expression'),
		`a Direct row without Constant Value and Entra Expression (got ${firstRow.join(', ')})`,
	);
	await shoot('map-attributes', page.locator('[data-test-id="ndv"]'));
	await closeNode(page);
}

/** The names of the fields in a panel, top to bottom (a label also holds n8n's Fixed/Expression switch: left out). */
async function fieldLabels(scope: Locator): Promise<string[]> {
	return scope.evaluate((root) =>
		[...root.querySelectorAll('label.n8n-input-label')].map((label) =>
			((label.querySelector('[class*="title"]') ?? label).textContent ?? '').trim(),
		),
	);
}

/** The field names of the first mapping row, top to bottom. */
async function firstMappingRowLabels(ndv: Locator): Promise<string[]> {
	const labels = await fieldLabels(ndv);
	const start = labels.indexOf('Target Attribute');
	if (start === -1) return [];
	const next = labels.indexOf('Target Attribute', start + 1);
	return labels.slice(start, next === -1 ? undefined : next).filter(Boolean);
}

/** A workflow of the walkthrough's own, for steps that change what they open (n8n 2.x saves every change). */
async function scratchWorkflow(page: Page, url: string, name: string, nodes: object[], connections: object = {}): Promise<string> {
	const response = await page.request.post(`${url}/rest/workflows`, {
		data: { name, nodes, connections, active: false, settings: { executionOrder: 'v1' } },
	});
	expect(response.ok(), `a scratch workflow created through n8n's REST API (${response.status()} ${await response.text()})`);
	return String(((await response.json()) as { data: { id: string } }).data.id);
}

const MANUAL_TRIGGER = {
	id: 'walkthrough-trigger',
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** Markers n8n shows for a problem: a parameter's issue icon, a red input. */
async function errorMarkers(scope: Locator): Promise<string[]> {
	return scope.evaluate((root) =>
		[
			...root.querySelectorAll(
				'[data-test-id="parameter-issues"], .is-error, [class*="hasIssues"], [class*="has-issues"], .cm-lint-marker-error, .cm-lintRange-error',
			),
		]
			.filter((el) => (el as HTMLElement).offsetParent !== null)
			.map((el) => {
				const item = el.closest('[data-test-id="parameter-item"], [data-test-id="credential-connection-parameter"]');
				const label = item?.querySelector('label.n8n-input-label [class*="title"], label.n8n-input-label');
				return (label?.textContent ?? el.textContent ?? '').trim() || el.className.toString();
			}),
	);
}

async function newRowsWithoutErrors({ page, url, log }: Walkthrough): Promise<void> {
	log('Map Attributes: a new mapping row and a new scoping clause');
	const id = await scratchWorkflow(
		page,
		url,
		'Walkthrough: new mapping rows',
		[
			MANUAL_TRIGGER,
			{
				id: 'walkthrough-map',
				name: 'Map Attributes',
				type: 'n8n-nodes-provisioning.mapAttributes',
				typeVersion: 1,
				position: [240, 0],
				parameters: {},
			},
		],
		{ Start: { main: [[{ node: 'Map Attributes', type: 'main', index: 0 }]] } },
	);
	await openWorkflow(page, url, id, 2);
	const ndv = await openNode(page, 'Map Attributes');
	const before = (await fieldLabels(ndv)).filter((l) => l === 'Target Attribute').length;
	await ndv.getByRole('button', { name: 'Add Mapping' }).click();
	await page.waitForTimeout(600);
	const labels = await fieldLabels(ndv);
	expect(labels.filter((l) => l === 'Target Attribute').length === before + 1, 'a new mapping row after "Add Mapping"');
	const last = labels.slice(labels.lastIndexOf('Target Attribute'));
	const newRow = last.slice(0, last.indexOf('Required') + 1);
	expect(
		JSON.stringify(newRow) ===
			JSON.stringify([
				'Target Attribute',
				'Mapping Type',
				'Source Attribute',
				'Default Value If Null',
				'Apply',
				'Match Precedence',
				'Reference to Account By',
				'Required',
			]),
		`a new Direct row with only its fields, in reading order (got ${newRow.join(', ')})`,
	);
	await ndv.getByRole('button', { name: 'Add Clause' }).click();
	await page.waitForTimeout(600);
	const clause = await fieldLabels(ndv);
	expect(clause.includes('Operator') && clause.includes('Filter Group'), 'a new scoping clause after "Add Clause"');
	const errors = await errorMarkers(ndv);
	expect(errors.length === 0, `no error marker on the untouched new row and clause (marked: ${errors.join(', ')})`);
	await closeNode(page);
}

async function provisioningLog({ page, url, shoot, log }: Walkthrough): Promise<void> {
	log('Provision User: the provisioning-log output');
	await openWorkflow(page, url, 'ProvisionSampleImport1', 3);
	await page.locator('[data-test-id="execute-workflow-button"]').click();
	await page.locator('[data-test-id="canvas-node-status-success"]').nth(2).waitFor({ timeout: 60000 });
	const ndv = await openNode(page, 'Provision User');
	const output = page.locator('[data-test-id="output-panel"]');
	await output.locator('[data-test-id="radio-button-json"]').click();
	await page.waitForTimeout(800);
	const text = await output.innerText();
	// Create on a fresh npm start; NoChange when run again against the same demo app.
	expect(/"action":\s*"(Create|NoChange)"/.test(text), "a provisioning-log record's action in Provision User's output");
	for (const field of ['"status"', 'Success', '"targetId"']) {
		expect(text.includes(field), `${field} in Provision User's provisioning-log output`);
	}
	await shoot('provision-user-output', ndv);
	await closeNode(page);
}

async function visibleTarget({ page, url, shoot, log }: Walkthrough): Promise<void> {
	log('Provision User: the target and its credential');
	// The newest credential is an LDAP one: a fresh node must still start on SCIM, with a SCIM credential.
	const created = await page.request.post(`${url}/rest/credentials`, {
		data: {
			name: 'Lab LDAP',
			type: 'ldapDirectoryApi',
			data: { urls: 'ldap://127.0.0.1:389', bindDn: 'cn=admin,dc=example,dc=org', bindPassword: 'x', baseDn: 'dc=example,dc=org' },
		},
	});
	expect(created.ok(), `an LDAP credential created through n8n's REST API (${created.status()})`);
	await openWorkflow(page, url, 'ProvisionSampleImport1', 3);
	const ndv = await openNode(page, 'Provision User');
	const labels = await fieldLabels(ndv);
	expect(labels[0] === 'Target', `"Target" as the panel's first field (got ${labels.slice(0, 3).join(', ')})`);
	expect((await fieldValue(ndv, 'Target')) === 'SCIM 2.0 App', 'the chosen target, "SCIM 2.0 App", in the panel');
	await shoot('provision-user-panel', ndv);
	await closeNode(page);
	const scratch = await scratchWorkflow(page, url, 'Walkthrough: a fresh Provision User', [MANUAL_TRIGGER]);
	await openWorkflow(page, url, scratch, 1);
	await page.locator('[data-test-id="node-creator-plus-button"]').click();
	await page.locator('[data-test-id="node-creator-search-bar"]').fill('Provision User');
	await page.locator('[data-test-id="node-creator-item-name"]').getByText('Provision User', { exact: true }).first().click();
	// n8n shows a community node's details first.
	const add = page.getByRole('button', { name: 'Add to workflow' });
	if (await add.isVisible({ timeout: 3000 }).catch(() => false)) await add.click();
	const fresh = page.locator('[data-test-id="ndv"]');
	await page.locator('[data-test-id="node-parameters"]').waitFor({ timeout: 20000 });
	await page.waitForTimeout(1000);
	expect((await fieldValue(fresh, 'Target')) === 'SCIM 2.0 App', 'a freshly added Provision User starting on "SCIM 2.0 App"');
	const credential = await fresh.locator('[data-test-id="node-credentials-select"] input').first().inputValue();
	expect(
		credential !== 'Lab LDAP',
		`a freshly added Provision User not silently using the newest (LDAP) credential (uses "${credential}")`,
	);
	await closeNode(page);
}

async function nodesPanel({ page, url, shoot, log }: Walkthrough): Promise<void> {
	log('nodes panel: searching "LDAP"');
	await openWorkflow(page, url, 'ProvisionSampleImport1', 3);
	await page.locator('[data-test-id="node-creator-plus-button"]').click();
	await page.locator('[data-test-id="node-creator-search-bar"]').fill('LDAP');
	await page.waitForTimeout(1200);
	const creator = page.locator('[data-test-id="node-creator"]');
	const text = await creator.innerText();
	for (const node of ['Provision User', 'Deprovision User', 'Group Sync']) {
		expect(text.includes(node), `"${node}" among the nodes found for "LDAP"`);
	}
	expect(text.includes('Create or update accounts'), "Provision User's description in the nodes panel");
	await shoot('nodes-panel');
	await page.keyboard.press('Escape');
	// The AI tool variants n8n derives from usableAsTool.
	const types = await page.request.get(`${url}/types/nodes.json`);
	expect(types.ok(), `n8n's node types (${types.status()})`);
	const names = ((await types.json()) as Array<{ name: string }>).map((t) => t.name);
	for (const tool of ['provisionUserTool', 'deprovisionUserTool', 'groupSyncTool', 'scimStoreTool']) {
		expect(names.includes(`n8n-nodes-provisioning.${tool}`), `the AI tool variant ${tool} in n8n`);
	}
}

/** Opens "Create new credential" for the credential select of a node, and checks the form. */
async function credentialForm(
	w: Walkthrough,
	workflow: string,
	nodes: number,
	node: string,
	file: string,
	expected: string[],
	before?: (ndv: Locator) => Promise<void>,
): Promise<void> {
	const { page, url, shoot } = w;
	await openWorkflow(page, url, workflow, nodes);
	const ndv = await openNode(page, node);
	if (before) await before(ndv);
	if (process.env.WALKTHROUGH_DEBUG) await page.screenshot({ path: join(tmpdir(), `walkthrough-${file}-before.png`) });
	// With no credential of the type yet, n8n 2.40 shows a "Connect to …" button instead of the select.
	const select = ndv.locator('[data-test-id="node-credentials-select"]');
	const connect = ndv.getByRole('button', { name: /^Connect to / });
	await select.or(connect).first().waitFor({ timeout: 30000 });
	if (await select.isVisible()) {
		await select.click();
		if (process.env.WALKTHROUGH_DEBUG) await page.screenshot({ path: join(tmpdir(), `walkthrough-${file}-select.png`) });
		await page.locator('[data-test-id="node-credentials-select-item-new"]:visible').click();
	} else {
		await connect.click();
	}
	const modal = page.locator('[data-test-id="editCredential-modal"]');
	await modal.waitFor({ timeout: 15000 });
	await page.waitForTimeout(1200);
	const text = await modal.innerText();
	for (const words of expected) expect(text.includes(words), `"${words}" in the ${file} credential form`);
	const errors = await errorMarkers(modal);
	if (!process.env.WALKTHROUGH_DEBUG)
		expect(errors.length === 0, `no error marker in the empty ${file} credential form (marked: ${errors.join(', ')})`);
	expect(!/\(Ms\)/.test(text), `units written "(ms)" in the ${file} credential form`);
	await shoot(`credential-${file}`, modal);
	await page.keyboard.press('Escape');
	await page.waitForTimeout(500);
	await closeNode(page).catch(() => undefined);
}

async function credentialForms(w: Walkthrough): Promise<void> {
	w.log('credential forms: SCIM Target API, LDAP Directory API, SQL Database API, SCIM Trigger Auth API');
	await credentialForm(w, 'ProvisionSampleImport1', 3, 'Provision User', 'scim-target-api', [
		'Base URL',
		'Extra Headers',
		'Timeout (ms)',
		'e.g.',
	]);
	await credentialForm(
		w,
		'ProvisionSampleImport1',
		3,
		'Provision User',
		'ldap-directory-api',
		['Server URLs', 'Base DN', 'Connect Timeout (ms)', 'e.g.'],
		(ndv) => chooseOption(w.page, ndv, 'Target', 'LDAP Directory'),
	);
	await credentialForm(
		w,
		'ProvisionSampleImport1',
		3,
		'Provision User',
		'sql-database-api',
		['Engine', 'Host', 'Pool Size', 'Connect Timeout (ms)', 'e.g.'],
		(ndv) => chooseOption(w.page, ndv, 'Target', 'SQL Database'),
	);
	await credentialForm(w, 'ScimTriggerDemo1', 5, 'SCIM Trigger', 'scim-trigger-auth-api', ['Bearer Token', 'Secret Token', 'Okta']);
}

async function examplesLoad({ page, url, log }: Walkthrough): Promise<void> {
	log('every example workflow opens without a node problem');
	for (const [id, nodes] of Object.entries({
		ScimTriggerDemo1: 5,
		ProvisionMappedWebhook1: 3,
		ProvisionHrWebhook1: 2,
		ProvisionSampleImport1: 3,
		GroupSyncDemo1: 3,
		ReconcileLeavers1: 4,
		ScimTriggerResync1: 11,
		ScimTriggerLdap1: 5,
	})) {
		await openWorkflow(page, url, id, nodes);
		// The LDAP flow names a directory credential npm start cannot provide: its LDAP nodes are marked for it.
		const withoutCredential = id === 'ScimTriggerLdap1' ? 3 : 0;
		const issues = await page.locator('[data-test-id="canvas-node"] [data-test-id="node-issues"]').count();
		expect(issues <= withoutCredential, `example ${id} without node problems (${issues} marked)`);
		const crossings = await connectionsThroughLabels(page);
		expect(crossings.length === 0, `example ${id} with connections clear of labels (${crossings.join('; ')})`);
	}
}

const STEPS = [
	examplesLoad,
	flagshipCanvas,
	scimTriggerPanel,
	mappingRows,
	newRowsWithoutErrors,
	provisioningLog,
	visibleTarget,
	nodesPanel,
	credentialForms,
];

export interface WalkthroughOptions {
	check: boolean;
	log?: (line: string) => void;
	env?: Record<string, string>;
	/** An `npm start` that is already running (the e2e test's, or one of yours while working on a step); left running. */
	attach?: Omit<RunningStart, 'stop'>;
}

export async function walkthrough(options: WalkthroughOptions): Promise<void> {
	const log = options.log ?? ((line: string) => console.log(line));
	expect(existsSync(CHROMIUM), `Chromium at ${CHROMIUM} (apt-get install chromium)`);
	const attached =
		options.attach ??
		(process.env.WALKTHROUGH_N8N_URL
			? {
					url: process.env.WALKTHROUGH_N8N_URL,
					tenantUrl: String(process.env.WALKTHROUGH_TENANT_URL),
					token: String(process.env.WALKTHROUGH_TOKEN),
				}
			: undefined);
	const n8n: RunningStart = attached
		? { ...attached, stop: async () => undefined }
		: await startLocalN8n((line) => log(`  npm start | ${line}`), options.env);
	let browser: Browser | undefined;
	try {
		const cookie = await ownerSession(n8n.url);
		selectors.setTestIdAttribute('data-test-id');
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
			],
		});
		const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
		const [name, value] = cookie.split('=');
		await context.addCookies([{ name, value, url: n8n.url }]);
		const page = await context.newPage();
		if (!options.check) mkdirSync(OUT, { recursive: true });
		const shoot = async (file: string, target?: Locator) => {
			if (options.check) return;
			const path = join(OUT, `${file}.png`);
			// Away from any field, so no hover state shows.
			await page.mouse.move(VIEWPORT.width / 2, 2);
			await page.waitForTimeout(300);
			await (target ?? page).screenshot({ path });
			log(`  wrote docs/screenshots/${file}.png`);
		};
		const w: Walkthrough = { page, url: n8n.url, tenantUrl: n8n.tenantUrl, token: n8n.token, shoot, log };
		// WALKTHROUGH_ONLY=mappingRows,… runs some steps only, while working on them.
		const only = process.env.WALKTHROUGH_ONLY?.split(',');
		try {
			for (const step of STEPS) if (!only || only.includes(step.name)) await step(w);
		} catch (error) {
			const shot = join(tmpdir(), 'walkthrough-failure.png');
			await page.screenshot({ path: shot }).catch(() => undefined);
			if (error instanceof Missing) error.message += ` (the page at that moment: ${shot})`;
			throw error;
		}
	} finally {
		await browser?.close();
		await n8n.stop();
	}
}

if (require.main === module) {
	walkthrough({ check: process.argv.includes('--check') }).then(
		() => console.log('Walkthrough passed.'),
		(error) => {
			console.error(error instanceof Missing ? `Walkthrough failed: missing ${error.message}` : error);
			process.exit(1);
		},
	);
}
