/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Provision User: its provisioning-log output, and the target first with its credential below. */
import {
	MANUAL_TRIGGER,
	type Walkthrough,
	closeNode,
	expect,
	fieldLabels,
	fieldValue,
	openNode,
	openWorkflow,
	scratchWorkflow,
} from '../page';

export async function provisioningLog({ page, url, shoot, log }: Walkthrough): Promise<void> {
	log('Provision User: the provisioning-log output');
	await openWorkflow(page, url, 'ProvisionSampleImport1', 3);
	await page.locator('[data-test-id="execute-workflow-button"]').click();
	await page.locator('[data-test-id="canvas-node-status-success"]').nth(2).waitFor({ timeout: 60000 });
	const ndv = await openNode(page, 'Provision User');
	const output = page.locator('[data-test-id="output-panel"]');
	await output.locator('[data-test-id="radio-button-json"]').click();
	// The JSON view renders after the click, more slowly while the panel's attribute lists load.
	let text = '';
	for (let i = 0; i < 60 && !/"action":\s*"\w+"/.test(text); i++) {
		await page.waitForTimeout(250);
		text = await output.innerText();
	}
	// Create on a fresh npm start; NoChange when run again against the same demo app.
	expect(/"action":\s*"(Create|NoChange)"/.test(text), "a provisioning-log record's action in Provision User's output");
	for (const field of ['"status"', 'Success', '"targetId"']) {
		expect(text.includes(field), `${field} in Provision User's provisioning-log output`);
	}
	await shoot('provision-user-output', ndv);
	await closeNode(page);
}

export async function visibleTarget({ page, url, shoot, log }: Walkthrough): Promise<void> {
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
