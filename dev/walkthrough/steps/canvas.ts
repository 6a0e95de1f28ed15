/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** The flagship workflow on the canvas, and every shipped example opening with readable labels. */
import { type Walkthrough, connectionsThroughLabels, expect, openWorkflow, truncatedTexts } from '../page';

export async function flagshipCanvas({ page, url, shoot, log }: Walkthrough): Promise<void> {
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

export async function examplesLoad({ page, url, log }: Walkthrough): Promise<void> {
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
