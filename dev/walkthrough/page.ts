/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** What the walkthrough's steps share: finding things in the n8n editor, and saying what is missing. */
import type { Locator, Page } from 'playwright-core';
import type { WalkthroughTargets } from './targets';

/** A failed expectation of the walkthrough: what a user would miss. */
export class Missing extends Error {}

export function expect(condition: unknown, what: string): asserts condition {
	if (!condition) throw new Missing(what);
}

/** Tolerates n8n's own pop-ups (what's new, surveys) that may cover the canvas. */
export async function dismissPopups(page: Page): Promise<void> {
	for (const selector of ['[data-test-id="nps-survey-modal"] button[aria-label="Close"]', '.el-dialog__headerbtn']) {
		const button = page.locator(selector).first();
		if (await button.isVisible().catch(() => false)) await button.click().catch(() => undefined);
	}
}

/**
 * Opens a workflow as a user who clicks through the editor does: inside the loaded app (its router) once the editor
 * is open, so the editor's bundle is not parsed again (a full load costs Chromium about 10 s of CPU on this machine, a
 * router change about 2).
 */
export async function openWorkflow(page: Page, url: string, id: string, nodes: number): Promise<void> {
	const path = `/workflow/${id}`;
	const routed = page.url().startsWith(url) && (await routeThroughList(page, path));
	if (!routed) await page.goto(`${url}${path}`);
	const names = await savedNodeNames(page, id);
	// After a router change the previous canvas may still show (once on a busy CI machine for over a minute): a full
	// load then, which always draws the workflow it names.
	if (!(await canvasShows(page, names, nodes, routed ? 20000 : 60000)) && routed) {
		await page.goto(`${url}${path}`);
		await canvasShows(page, names, nodes, 60000);
	}
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60000 });
	await expect_count(page.locator('[data-test-id="canvas-node"]'), nodes, `workflow ${id}: ${nodes} nodes on the canvas`);
	await dismissPopups(page);
	await page.locator('[data-test-id="zoom-to-fit"]').click();
	await page.waitForTimeout(800);
}

/** Through the workflow list, as a user goes (n8n 1.x redraws the canvas only when it is entered anew). */
async function routeThroughList(page: Page, path: string): Promise<boolean> {
	if (!(await routeTo(page, '/home/workflows'))) return false;
	await leftTo(page, '/home/workflows');
	// The list is drawn (no canvas left) before the workflow is asked for.
	await page
		.waitForFunction(() => !document.querySelector('[data-test-id="canvas-node"]'), undefined, { timeout: 20000 })
		.catch(() => undefined);
	if (!(await routeTo(page, path))) return false;
	await leftTo(page, path);
	return true;
}

/**
 * The workflow's node names as saved, read by the page itself: Chromium retries a GET on a kept-alive socket the
 * server closed meanwhile (Playwright's request client does not: "socket hang up" on a busy machine).
 */
async function savedNodeNames(page: Page, id: string): Promise<string[]> {
	const saved = await page.evaluate(async (path) => {
		const res = await fetch(path, { credentials: 'include' });
		return {
			status: res.status,
			body: res.ok ? ((await res.json()) as { data?: { nodes?: Array<{ name: string; type: string }> } }) : undefined,
		};
	}, `/rest/workflows/${id}`);
	expect(saved.body, `workflow ${id} readable through n8n's REST API (${saved.status})`);
	// A sticky note shows its text, not its name.
	return (saved.body.data?.nodes ?? []).filter((node) => !node.type.endsWith('.stickyNote')).map((node) => node.name);
}

/** Whether the canvas shows `count` nodes, these names among them, within `timeout` ms. */
async function canvasShows(page: Page, names: string[], count: number, timeout: number): Promise<boolean> {
	return page
		.waitForFunction(
			({ expected, count }) => {
				const shown = [...document.querySelectorAll('[data-test-id="canvas-node"]')].map((node) => node.textContent ?? '');
				return shown.length === count && expected.every((name) => shown.some((text) => text.includes(name)));
			},
			{ expected: names, count },
			{ timeout },
		)
		.then(
			() => true,
			() => false,
		);
}

/** Asks the loaded editor's router to go to `path`; false when there is no such router. */
function routeTo(page: Page, path: string): Promise<boolean> {
	return page.evaluate((to) => {
		const app = (document.querySelector('#app') as { __vue_app__?: { config: { globalProperties: Record<string, unknown> } } } | null)
			?.__vue_app__;
		const router = app?.config.globalProperties.$router as { push(to: string): Promise<unknown> } | undefined;
		if (!router) return false;
		void router.push(to);
		return true;
	}, path);
}

/** Waits for the router to reach `path`, leaving unsaved changes behind as a full load would. */
async function leftTo(page: Page, path: string): Promise<void> {
	const leave = page.getByRole('button', { name: /leave without saving/i });
	const deadline = Date.now() + 30000;
	while (new URL(page.url()).pathname !== path) {
		expect(Date.now() < deadline, `the editor moving to ${path}`);
		if (await leave.isVisible().catch(() => false)) await leave.click().catch(() => undefined);
		await page.waitForTimeout(100);
	}
}

export async function expect_count(locator: Locator, count: number, what: string): Promise<void> {
	const deadline = Date.now() + 15000;
	let seen = await locator.count();
	while (seen !== count && Date.now() < deadline) {
		await new Promise((r) => setTimeout(r, 250));
		seen = await locator.count();
	}
	expect(seen === count, `${what} (found ${seen})`);
}

export function canvasNode(page: Page, name: string): Locator {
	return page.locator('[data-test-id="canvas-node"]').filter({ has: page.getByText(name, { exact: true }) });
}

export async function openNode(page: Page, name: string): Promise<Locator> {
	const node = canvasNode(page, name);
	expect((await node.count()) > 0, `a node named "${name}" on the canvas`);
	await node.first().dblclick();
	const ndv = page.locator('[data-test-id="ndv"]');
	// On a loaded machine the canvas may take a double-click before it is ready for it: a user clicks again.
	const opened = await ndv.waitFor({ timeout: 20000 }).then(
		() => true,
		() => false,
	);
	if (!opened) {
		// Unless something covers the node now: a panel drawn late (CI, n8n 1.x) takes the click, and Playwright would
		// wait for the node until the action's timeout.
		const covered = await node.first().evaluate((element) => {
			const box = element.getBoundingClientRect();
			const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
			return hit !== null && !element.contains(hit);
		});
		if (!covered)
			await node
				.first()
				.dblclick({ timeout: 5000 })
				.catch(() => undefined);
		await ndv.waitFor({ timeout: 40000 });
	}
	await page.locator('[data-test-id="node-parameters"]').waitFor({ timeout: 20000 });
	await page.waitForTimeout(800);
	return ndv;
}

export async function closeNode(page: Page): Promise<void> {
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
export async function n8nMajor(page: Page): Promise<number> {
	const response = await page.request.get(`${new URL(page.url()).origin}/rest/settings`);
	const body = (await response.json()) as { data?: { versionCli?: string } };
	return Number(String(body.data?.versionCli ?? '0').split('.')[0]);
}

/** The value shown in the input of the field named `label`, or undefined when there is no such field. */
export async function fieldValue(scope: Locator, label: string): Promise<string | undefined> {
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
export async function chooseOption(page: Page, scope: Locator, label: string, option: string): Promise<void> {
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
export async function truncatedTexts(scope: Locator): Promise<string[]> {
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
export async function connectionsThroughLabels(page: Page): Promise<string[]> {
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

export interface Walkthrough {
	page: Page;
	url: string;
	tenantUrl: string;
	token: string;
	/** Writes docs/screenshots/<name>.png of `target` (or the page), with the pointer on `hover` (or away). */
	shoot: (name: string, target?: Locator, hover?: Locator) => Promise<void>;
	log: (line: string) => void;
	/** Check mode (the e2e test): every step must run. */
	check: boolean;
	/** The real LDAP and SQL servers the target steps provision into. */
	targets: WalkthroughTargets;
}

/** The names of the fields in a panel, top to bottom (a label also holds n8n's Fixed/Expression switch: left out). */
export async function fieldLabels(scope: Locator): Promise<string[]> {
	return scope.evaluate((root) =>
		[...root.querySelectorAll('label.n8n-input-label')].map((label) =>
			((label.querySelector('[class*="title"]') ?? label).textContent ?? '').trim(),
		),
	);
}

/** The field names of the first mapping row, top to bottom. */
export async function firstMappingRowLabels(ndv: Locator): Promise<string[]> {
	const labels = await fieldLabels(ndv);
	const start = labels.indexOf('Target Attribute');
	if (start === -1) return [];
	const next = labels.indexOf('Target Attribute', start + 1);
	return labels.slice(start, next === -1 ? undefined : next).filter(Boolean);
}

/** A workflow of the walkthrough's own, for steps that change what they open (n8n 2.x saves every change). */
export async function scratchWorkflow(page: Page, url: string, name: string, nodes: object[], connections: object = {}): Promise<string> {
	const response = await page.request.post(`${url}/rest/workflows`, {
		data: { name, nodes, connections, active: false, settings: { executionOrder: 'v1' } },
	});
	expect(response.ok(), `a scratch workflow created through n8n's REST API (${response.status()} ${await response.text()})`);
	return String(((await response.json()) as { data: { id: string } }).data.id);
}

export const MANUAL_TRIGGER = {
	id: 'walkthrough-trigger',
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** Markers n8n shows for a problem: a parameter's issue icon, a red input. */
export async function errorMarkers(scope: Locator): Promise<string[]> {
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
