/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** The SCIM Trigger panel: the tenant URL first, where it and the token go. */
import { type Walkthrough, closeNode, expect, n8nMajor, openNode, openWorkflow, truncatedTexts } from '../page';

export async function scimTriggerPanel({ page, url, tenantUrl, token, shoot, log }: Walkthrough): Promise<void> {
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
