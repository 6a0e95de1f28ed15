/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Every credential form the walkthrough opens shows no error marker. */
import type { Locator } from 'playwright-core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Walkthrough, chooseOption, closeNode, errorMarkers, expect, openNode, openWorkflow } from '../page';

/** Opens "Create new credential" for the credential select of a node, and checks the form. */
export async function credentialForm(
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

export async function credentialForms(w: Walkthrough): Promise<void> {
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
