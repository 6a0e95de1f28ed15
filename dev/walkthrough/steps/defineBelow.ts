/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Provision User's Define Below rows as a user fills them: the Target Attribute dropdown, Schema Check, a run. */
import type { Locator, Page } from 'playwright-core';
import { canvasNode, closeNode, expect, fieldValue, openNode } from '../page';

/** The row fields of Define Below, by parameter name. */
const field = (ndv: Locator, name: string, row: number) => ndv.locator(`[data-test-id="parameter-input-${name}"]`).nth(row);

export async function rowCount(ndv: Locator): Promise<number> {
	return ndv.locator('[data-test-id="parameter-input-name"]').count();
}

/**
 * What n8n says about a parameter's issue marker (its tooltip), or undefined when none shows within `wait` ms (a
 * marker of a loaded list shows once the list has loaded).
 */
export async function issueOf(page: Page, input: Locator, wait = 15000): Promise<string | undefined> {
	// n8n puts the marker inside the parameter's input container.
	const marker = input.locator('[data-test-id="parameter-issues"]').first();
	if (
		!(await marker.waitFor({ timeout: wait }).then(
			() => true,
			() => false,
		))
	)
		return undefined;
	// The tooltip n8n shows on hover: the innermost visible element reading "Issues: …" (1.x and 2.x differ in markup).
	const tooltipText = () =>
		page.evaluate(() => {
			const shown = [...document.querySelectorAll('body *')].filter((el) => {
				const box = el.getBoundingClientRect();
				return box.width > 0 && box.height > 0 && /^\s*Issues:\s*\S/.test((el as HTMLElement).innerText ?? '');
			});
			const innermost = shown.filter((el) => !shown.some((other) => other !== el && el.contains(other)));
			return innermost.length ? (innermost[0] as HTMLElement).innerText : undefined;
		});
	let text: string | undefined;
	for (let attempt = 0; attempt < 8 && text === undefined; attempt++) {
		if (attempt % 4 === 0) {
			await page.mouse.move(2, 2);
			await marker.hover();
		}
		await page.waitForTimeout(500);
		text = await tooltipText();
	}
	expect(text !== undefined, "the issue marker's text on hovering it");
	await page.mouse.move(2, 2);
	await page.waitForTimeout(400);
	return text
		.replace(/^\s*Issues:\s*/, '')
		.replace(/^-\s*/, '')
		.trim();
}

/** The issue n8n shows on the Schema Check parameter (the rows' problems), or undefined. */
export async function schemaCheckIssue(page: Page, ndv: Locator): Promise<string | undefined> {
	const input = ndv.locator('[data-test-id="parameter-input-schemaCheck"]');
	await input.waitFor({ timeout: 10000 });
	return issueOf(page, input);
}

/** Opens the row's Target Attribute dropdown and returns the option names listed (loaded from the target). */
export async function openAttributeList(page: Page, ndv: Locator, row: number): Promise<string[]> {
	await field(ndv, 'name', row).locator('input').first().click();
	const items = page.locator('.el-select-dropdown__item:visible');
	await items.first().waitFor({ timeout: 30000 });
	const names = await items.evaluateAll((elements) => elements.map((el) => (el as HTMLElement).innerText.split('\n')[0].trim()));
	return names.filter(Boolean);
}

/** Picks an attribute from the row's dropdown (open or not), by the option's name as listed. */
export async function pickAttribute(page: Page, ndv: Locator, row: number, option: string): Promise<void> {
	const items = page.locator('.el-select-dropdown__item:visible');
	if (
		!(await items
			.first()
			.isVisible()
			.catch(() => false))
	)
		await openAttributeList(page, ndv, row);
	const item = items.filter({ has: page.getByText(option, { exact: true }) }).first();
	expect((await item.count()) > 0, `"${option}" listed in Target Attribute`);
	await item.scrollIntoViewIfNeeded();
	await item.click();
	await page.waitForTimeout(600);
	const shown = await field(ndv, 'name', row).locator('input').first().inputValue();
	expect(shown === option, `"${option}" picked as row ${row + 1}'s Target Attribute (shows "${shown}")`);
}

/** Types a row's value (data, not a name: the one thing a user types here) and its match precedence. */
export async function fillRow(page: Page, ndv: Locator, row: number, value: string, matchPrecedence?: number): Promise<void> {
	const input = field(ndv, 'value', row).locator('input, textarea').first();
	await input.click();
	await input.fill(value);
	if (matchPrecedence !== undefined) {
		const number = field(ndv, 'matchPrecedence', row).locator('input').first();
		await number.click();
		await number.fill(String(matchPrecedence));
		await number.blur();
	}
	await input.blur();
	await page.waitForTimeout(400);
}

/** Adds a row with "Add Attribute", picks its attribute and types its value. */
export async function addRow(page: Page, ndv: Locator, option: string, value: string, matchPrecedence?: number): Promise<void> {
	const before = await rowCount(ndv);
	await ndv.getByRole('button', { name: 'Add Attribute' }).click();
	await field(ndv, 'name', before).waitFor({ timeout: 10000 });
	await pickAttribute(page, ndv, before, option);
	await fillRow(page, ndv, before, value, matchPrecedence);
}

/** Reopens the panel (Schema Check reads the rows again) and expects no problem left. */
export async function expectSchemaClean(page: Page, node: string): Promise<void> {
	await closeNode(page);
	const ndv = await openNode(page, node);
	// The check is a load method: its answer shows as the field's one option, or as an issue marker.
	let shown = '';
	for (let i = 0; i < 60 && !/^No problems found/.test(shown); i++) {
		await page.waitForTimeout(250);
		shown = (await fieldValue(ndv, 'Schema Check')) ?? '';
	}
	if (!/^No problems found/.test(shown)) {
		const issue = await issueOf(page, ndv.locator('[data-test-id="parameter-input-schemaCheck"]'), 1000);
		expect(false, `"No problems found" in Schema Check once the rows are fixed (shows "${shown}", issue: ${issue})`);
	}
	const marked = await ndv.locator('[data-test-id="parameter-issues"]:visible').count();
	expect(marked === 0, `no issue marker left in the panel (${marked} marked)`);
	await closeNode(page);
}

/** Runs the workflow from the canvas and returns Provision User's output as its JSON view shows it (one line). */
export async function runAndReadOutput(page: Page, node: string): Promise<string> {
	await page.locator('[data-test-id="execute-workflow-button"]').click();
	const status = canvasNode(page, node).locator(
		'[data-test-id="canvas-node-status-success"], [data-test-id="canvas-node-status-error"], [data-test-id="node-issues"]',
	);
	await status.first().waitFor({ timeout: 90000 });
	await openNode(page, node);
	const output = page.locator('[data-test-id="output-panel"]');
	const json = output.locator('[data-test-id="radio-button-json"]');
	if (await json.isVisible().catch(() => false)) await json.click();
	// The JSON view renders after the click, slowly on a busy machine.
	let text = '';
	for (let i = 0; i < 60 && !/"action": "\w+"/.test(text); i++) {
		await page.waitForTimeout(250);
		text = (await output.innerText()).replace(/\s+/g, ' ');
	}
	const ok = await canvasNode(page, node).locator('[data-test-id="canvas-node-status-success"]').count();
	expect(ok > 0, `${node} ran without an error (its output: ${text.slice(0, 800)})`);
	await closeNode(page);
	return text;
}

/** Expects the record of an account created (or found unchanged, on a second run) successfully. */
export function expectProvisioned(output: string, target: string): void {
	const actions = [...output.matchAll(/"action": "(\w+)"/g)].map((m) => m[1]);
	expect(
		actions.length === 1 && /^(Create|NoChange)$/.test(actions[0]) && output.includes('"status": "Success"'),
		`one provisioning-log record with action Create (or NoChange) and status Success for the ${target} (output: ${output.slice(0, 800)})`,
	);
}
