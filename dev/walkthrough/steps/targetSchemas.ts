/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Issue 21: a user who has never seen the target's schema builds a working SCIM, LDAP and SQL provisioning workflow
 * by picking, not typing. For each target: Provision User on it, the Target Attribute dropdown listing the target's
 * own attributes with the required ones marked, Schema Check's marker for an unknown or missing attribute, the fix
 * by picking, and a run that creates the account.
 */
import { type Walkthrough, MANUAL_TRIGGER, expect, openNode, openWorkflow, scratchWorkflow } from '../page';
import { WALKTHROUGH_ACCOUNTS, WALKTHROUGH_SQL_TABLE } from '../targets';
import {
	addRow,
	expectProvisioned,
	expectSchemaClean,
	fillRow,
	issueOf,
	openAttributeList,
	pickAttribute,
	runAndReadOutput,
	schemaCheckIssue,
} from './defineBelow';
import { pickFromList } from './pickers';

const NODE = 'Provision User';
const TYPE = 'n8n-nodes-provisioning.provisionUser';

/** The version n8n gives a freshly added node of the type (what a user gets from the nodes panel). */
async function defaultVersion({ page, url }: Walkthrough): Promise<number> {
	const response = await page.request.get(`${url}/types/nodes.json`);
	const types = (await response.json()) as Array<{ name: string; version: number | number[]; defaultVersion?: number }>;
	const type = types.find((t) => t.name === TYPE);
	expect(type, `${TYPE} among n8n's node types`);
	return type.defaultVersion ?? Math.max(...[type.version].flat());
}

/** A credential made through n8n's REST API, as the credential form would save it. */
async function credential(w: Walkthrough, name: string, type: string, data: object): Promise<{ id: string; name: string }> {
	const created = await w.page.request.post(`${w.url}/rest/credentials`, { data: { name, type, data } });
	expect(created.ok(), `a ${type} credential created through n8n's REST API (${created.status()} ${await created.text()})`);
	return { id: String(((await created.json()) as { data: { id: string } }).data.id), name };
}

/** Manual Trigger → Provision User on a target with its credential: what a user has after the first two fields. */
async function provisionWorkflow(w: Walkthrough, name: string, parameters: object, credentials: object): Promise<void> {
	const node = { id: 'walkthrough-provision', name: NODE, type: TYPE, position: [240, 0], parameters, credentials };
	const id = await scratchWorkflow(w.page, w.url, name, [MANUAL_TRIGGER, { ...node, typeVersion: await defaultVersion(w) }], {
		Start: { main: [[{ node: NODE, type: 'main', index: 0 }]] },
	});
	await openWorkflow(w.page, w.url, id, 2);
}

/** Skipped without the server in screenshot mode; in check mode (the e2e test) a missing server fails the run. */
function serverOrSkip<T>(w: Walkthrough, server: T | undefined, what: string): server is T {
	if (server) return true;
	expect(!w.check, `${what} for the walkthrough's target steps (the option targets; the e2e test starts one)`);
	w.log(`  skipped: no ${what} given (npm start runs only the demo SCIM app; the e2e test passes real servers)`);
	return false;
}

export async function scimTargetSchema(w: Walkthrough): Promise<void> {
	const { page, shoot, log } = w;
	log('Provision User on the SCIM demo app: attributes from its /Schemas, Schema Check, a run');
	// A saved row with a typo, as an older workflow may have.
	await provisionWorkflow(
		w,
		'Walkthrough: SCIM attributes',
		{
			target: 'scim',
			inputMode: 'define',
			attributes: { attribute: [{ name: 'userNmae', value: WALKTHROUGH_ACCOUNTS.scim, matchPrecedence: 1 }] },
		},
		{ scimTargetApi: { id: 'DemoScimTarget1', name: 'Demo SCIM app' } },
	);
	const ndv = await openNode(page, NODE);
	const rowIssue = await issueOf(page, ndv.locator('[data-test-id="parameter-input-name"]').first());
	expect(rowIssue?.includes('"userNmae" is not supported'), `n8n's marker on the misspelt row (shows: ${rowIssue})`);
	const check = await schemaCheckIssue(page, ndv);
	expect(
		check?.includes(`"userNmae" is not an attribute of the target's schema`) && check.includes('"userName" is required'),
		`Schema Check's marker naming the unknown "userNmae" and the missing required "userName" (shows: ${check})`,
	);
	const marker = ndv.locator('[data-test-id="parameter-input-schemaCheck"] [data-test-id="parameter-issues"]').first();
	await shoot('schema-check-marker', page.locator('[data-test-id="ndv"]'), marker);
	const listed = await openAttributeList(page, ndv, 0);
	expect(listed[0] === 'userName (required)', `"userName (required)" first in the list (got ${listed.slice(0, 3).join(', ')})`);
	for (const name of [
		'name.givenName',
		'emails[type eq "work"].value',
		'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
	])
		expect(listed.includes(name), `"${name}" listed from the app's /Schemas`);
	await shoot('target-attribute-dropdown', page.locator('[data-test-id="ndv"]'));
	await pickAttribute(page, ndv, 0, 'userName (required)');
	await addRow(page, ndv, 'name.givenName', 'Walter');
	await addRow(page, ndv, 'name.familyName', 'Walker');
	await addRow(page, ndv, 'emails[type eq "work"].value', WALKTHROUGH_ACCOUNTS.scim);
	await expectSchemaClean(page, NODE);
	expectProvisioned(await runAndReadOutput(page, NODE), 'SCIM demo app');
}

export async function ldapTargetSchema(w: Walkthrough): Promise<void> {
	const { page, log } = w;
	log('Provision User on slapd: attributes from the subschema (MUST first), Schema Check, a run');
	const server = w.targets.ldap;
	if (!serverOrSkip(w, server, 'LDAP server')) return;
	const cred = await credential(w, 'Walkthrough directory', 'ldapDirectoryApi', { flavour: 'openldap', ...server });
	await provisionWorkflow(
		w,
		'Walkthrough: LDAP attributes',
		{
			target: 'ldap',
			inputMode: 'define',
			attributes: { attribute: [{ name: 'mial', value: `${WALKTHROUGH_ACCOUNTS.ldap}@example.org` }] },
		},
		{ ldapDirectoryApi: cred },
	);
	const ndv = await openNode(page, NODE);
	const check = await schemaCheckIssue(page, ndv);
	expect(
		check?.includes(`"mial" is not an attribute of the target's schema`) && check.includes('"sn" is required'),
		`Schema Check's marker naming the unknown "mial" and the missing required "sn" (shows: ${check})`,
	);
	const listed = await openAttributeList(page, ndv, 0);
	const must = ['sn (required)', 'cn (required)', 'objectClass (required)'];
	expect(
		must.every((name) => listed.slice(0, 3).includes(name)),
		`inetOrgPerson's MUST attributes first, marked required (got ${listed.slice(0, 4).join(', ')})`,
	);
	expect(listed.includes('mail') && listed.includes('uid'), 'mail and uid listed from the subschema');
	await pickAttribute(page, ndv, 0, 'mail');
	await addRow(page, ndv, 'uid', WALKTHROUGH_ACCOUNTS.ldap, 1);
	await addRow(page, ndv, 'sn (required)', 'Walker');
	await addRow(page, ndv, 'cn (required)', 'Wanda Walker');
	await addRow(page, ndv, 'objectClass (required)', 'inetOrgPerson');
	// Where existing accounts are looked for: the OU, picked from the directory's list.
	await pickFromList(w, ndv, 'Search Base', 'People', `ou=People,${server.baseDn}`, 'picker-ldap-ou');
	// New entries' place: the OU, picked from the same list; the DN Template left empty names them uid={uid}.
	await pickFromList(w, ndv, 'Container for New Entries', 'People', `ou=People,${server.baseDn}`);
	const template = ndv.locator('[data-test-id="parameter-input-dnTemplate"]').locator('input, textarea').first();
	expect((await template.inputValue()) === '', 'the DN Template left empty (uid={uid} in the picked container)');
	await expectSchemaClean(page, NODE);
	expectProvisioned(await runAndReadOutput(page, NODE), 'LDAP directory');
}

export async function sqlTargetSchema(w: Walkthrough): Promise<void> {
	const { page, log } = w;
	log('Provision User on PostgreSQL: columns from the catalog (NOT NULL marked), Schema Check, a run');
	const server = w.targets.sql;
	if (!serverOrSkip(w, server, 'SQL database')) return;
	const cred = await credential(w, 'Walkthrough database', 'sqlDatabaseApi', server);
	const table = `${WALKTHROUGH_SQL_TABLE.schema}.${WALKTHROUGH_SQL_TABLE.name}`;
	await provisionWorkflow(w, 'Walkthrough: SQL columns', { target: 'sql', inputMode: 'define' }, { sqlDatabaseApi: cred });
	const ndv = await openNode(page, NODE);
	// The table and its key, picked from the database's catalog (tables of other schemas read schema.table).
	await pickFromList(w, ndv, 'Table', WALKTHROUGH_SQL_TABLE.name, table, 'picker-sql-table');
	await pickFromList(w, ndv, 'Key Column', 'id', 'id');
	await ndv.getByRole('button', { name: 'Add Attribute' }).click();
	const listed = await openAttributeList(page, ndv, 0);
	expect(listed.includes('login (required)'), `the NOT NULL column "login (required)" listed (got ${listed.join(', ')})`);
	expect(listed.includes('email') && !listed.includes('id (required)'), 'email listed, the serial id not marked required');
	await page.keyboard.press('Escape');
	const check = await schemaCheckIssue(page, ndv);
	expect(check?.includes('"login" is required'), `Schema Check's marker naming the missing required "login" (shows: ${check})`);
	await pickAttribute(page, ndv, 0, 'login (required)');
	await fillRow(page, ndv, 0, WALKTHROUGH_ACCOUNTS.sql, 1);
	await addRow(page, ndv, 'email', `${WALKTHROUGH_ACCOUNTS.sql}@example.org`);
	await expectSchemaClean(page, NODE);
	expectProvisioned(await runAndReadOutput(page, NODE), 'SQL database');
}
