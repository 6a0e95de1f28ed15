/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** n8n's resource locator pickers (From List with search) as a user works them: the SQL table, the LDAP OU. */
import type { Locator } from 'playwright-core';
import { type Walkthrough, expect } from '../page';

/** The parameter item whose label is exactly `label` (n8n's test ids below are the same in 1.x and 2.x). */
function parameterItem(w: Walkthrough, ndv: Locator, label: string): Locator {
	return ndv.locator('[data-test-id="parameter-item"]').filter({
		has: w.page.locator('label.n8n-input-label [class*="title"]').filter({ hasText: new RegExp(`^\\s*${label}\\s*$`) }),
	});
}

/**
 * Opens the picker named `label` in its From List mode, searches `search`, expects `wanted` among the items, shoots
 * the open list when `shot` is given, and picks it.
 */
export async function pickFromList(
	w: Walkthrough,
	ndv: Locator,
	label: string,
	search: string,
	wanted: string,
	shot?: string,
): Promise<void> {
	const { page } = w;
	const item = parameterItem(w, ndv, label);
	expect((await item.count()) > 0, `the "${label}" picker in the panel`);
	const mode = item.locator('[data-test-id="rlc-mode-selector"] input').first();
	const shownMode = await mode.inputValue().catch(() => '');
	expect(/^From list$/i.test(shownMode), `"${label}" starting in From List mode (shows "${shownMode}")`);
	await item.locator('[data-test-id="rlc-input"]').first().click();
	// The list's search box, and its items (n8n renders the list outside the panel).
	const searchBox = page.locator('[data-test-id="rlc-search"]:visible').locator('xpath=descendant-or-self::input').first();
	await searchBox.waitFor({ timeout: 20000 });
	await searchBox.fill(search);
	const items = page.locator('[data-test-id="rlc-item"]:visible');
	const match = items.filter({ has: page.getByText(wanted, { exact: true }) }).first();
	const found = await match.waitFor({ timeout: 30000 }).then(
		() => true,
		() => false,
	);
	const listed = await items.allInnerTexts();
	expect(found, `"${wanted}" in the ${label} list after searching "${search}" (listed: ${listed.join(', ')})`);
	if (shot) await w.shoot(shot, page.locator('[data-test-id="ndv"]'));
	await match.click();
	await page.waitForTimeout(800);
	const picked = await item.locator('[data-test-id="rlc-input"] input, input[data-test-id="rlc-input"]').first().inputValue();
	expect(picked === wanted, `"${wanted}" picked for ${label} (shows "${picked}")`);
}
