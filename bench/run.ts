/** `npm run bench`: every benchmark, each against its own baseline measured in the same run. */
import './preferTypeScript';
import { benchDiscover } from './discover.bench';
import { benchFilter } from './filter.bench';
import { benchGroupSync } from './groupSync.bench';
import { benchHrBulk } from './hrBulk.bench';
import { benchIdpFlow } from './idpFlow.bench';
import { benchLdapProvision } from './ldapProvision.bench';
import { benchMapAttributes } from './mapAttributes.bench';
import { benchPickers } from './pickers.bench';
import { benchReconcile } from './reconcile.bench';
import { benchScimConcurrency } from './scimConcurrency.bench';
import { benchScimTrigger } from './scimTrigger.bench';
import { benchSqlProvision } from './sqlProvision.bench';
import { benchTriggerStore } from './triggerStore.bench';
import { profileScimTrigger } from './triggerProfile.bench';

process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS ??= 'false';
process.env.N8N_ENCRYPTION_KEY ??= 'n8n-nodes-provisioning-bench-key';
process.env.N8N_USER_FOLDER ??= require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'n8n-bench-'));

async function main(): Promise<void> {
	const only = process.argv[2];
	if (!only || only === 'ldap') await benchLdapProvision();
	if (!only || only === 'scim') await benchScimConcurrency();
	if (!only || only === 'reconcile') await benchReconcile();
	if (!only || only === 'groups') await benchGroupSync();
	if (!only || only === 'map') await benchMapAttributes();
	if (!only || only === 'trigger') await benchScimTrigger();
	if (!only || only === 'idp') await benchIdpFlow();
	if (!only || only === 'sql') await benchSqlProvision();
	if (!only || only === 'store') await benchTriggerStore();
	if (!only || only === 'filter') await benchFilter();
	if (!only || only === 'hr') await benchHrBulk();
	if (!only || only === 'pickers') await benchPickers();
	if (!only || only === 'discover') await benchDiscover();
	// Not part of the full run: a diagnosis, not a ratio.
	if (only === 'profile') await profileScimTrigger();
	process.exit(0);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
