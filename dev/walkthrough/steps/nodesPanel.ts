/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** The nodes panel finds the package by the words users search for. */
import { type Walkthrough, expect, openWorkflow } from '../page';

export async function nodesPanel({ page, url, shoot, log }: Walkthrough): Promise<void> {
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
