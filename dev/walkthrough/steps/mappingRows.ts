/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Map Attributes: rows read as mappings, and new rows or clauses show no error. */
import {
	MANUAL_TRIGGER,
	type Walkthrough,
	closeNode,
	errorMarkers,
	expect,
	fieldLabels,
	firstMappingRowLabels,
	openNode,
	openWorkflow,
	scratchWorkflow,
} from '../page';

export async function mappingRows({ page, url, shoot, log }: Walkthrough): Promise<void> {
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

export async function newRowsWithoutErrors({ page, url, log }: Walkthrough): Promise<void> {
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
