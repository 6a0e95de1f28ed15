/**
 * `npm start`: a local n8n with this package installed and the example workflows active, plus a demo
 * SCIM 2.0 app as the provisioning target. Everything runs on 127.0.0.1 with embedded defaults.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvToBulkRequests, parseBulkMapping } from '../dev/hr/csv2bulk';
import { freePort } from '../dev/ports';
import { ScimTestServer } from '../dev/scimApp';
import {
	DEFAULT_N8N_VERSION,
	ensureRuntime,
	exampleFiles,
	importAndActivate,
	installPackage,
	packPackage,
	ROOT,
	runtimeCache,
	startN8n,
} from '../dev/n8n/instance';

async function main(): Promise<void> {
	const version = process.env.N8N_VERSION ?? DEFAULT_N8N_VERSION;
	const port = Number(process.env.N8N_PORT ?? 5678);
	const demoPort = Number(process.env.DEMO_SCIM_PORT ?? 5690);
	const userFolder = process.env.N8N_USER_FOLDER ?? join(ROOT, '.tmp', `n8n-home-${version}`);

	console.log(`Preparing n8n ${version} (the first run installs it into ${runtimeCache()}; about 7 minutes measured on a 2-core machine)…`);
	const runtime = await ensureRuntime(version);
	console.log(`n8n ${version} runs on Node.js ${runtime.node.version}${runtime.node.system ? '' : ` (${runtime.node.bin})`}.`);
	const tarball = packPackage();
	installPackage(userFolder, tarball);
	mkdirSync(userFolder, { recursive: true });

	const demo = await ScimTestServer.start(demoPort);
	// The token IdPs present to the SCIM Trigger: kept in the user folder so it survives restarts.
	const tokenFile = join(userFolder, 'scim-trigger-token');
	const triggerToken = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : randomBytes(24).toString('base64url');
	writeFileSync(tokenFile, triggerToken, { mode: 0o600 });
	const credentials = [
		{
			id: 'DemoScimTarget1',
			name: 'Demo SCIM app',
			type: 'scimTargetApi',
			data: { baseUrl: demo.baseUrl, authentication: 'bearer', token: demo.token, extraHeaders: '{}', timeoutMs: 30000 },
		},
		{ id: 'ScimTriggerAuth1', name: 'SCIM Trigger token', type: 'scimTriggerAuthApi', data: { token: triggerToken, allowBasic: false } },
	];
	// Active: the examples started by a request that run on the credentials above. Imported inactive: the LDAP flow (no
	// demo directory here), the scheduled resync (turned on by the user, or run from the editor) and the access report
	// (its n8n Data Tables are the user's to create and pick first).
	const triggerTypes = ['n8n-nodes-base.webhook', 'n8n-nodes-provisioning.scimTrigger'];
	const provided = new Set(credentials.map((c) => c.type));
	type ExampleNode = { type: string; webhookId?: string; credentials?: Record<string, unknown> };
	const workflows = exampleFiles().map((file) => {
		const wf = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as { id: string; nodes: ExampleNode[] };
		const startedByRequest = wf.nodes.some((n) => triggerTypes.includes(n.type));
		const scheduled = wf.nodes.some((n) => n.type === 'n8n-nodes-base.scheduleTrigger');
		const runnable =
			wf.nodes.every((n) => Object.keys(n.credentials ?? {}).every((type) => provided.has(type))) &&
			!wf.nodes.some((n) => n.type === 'n8n-nodes-base.dataTable');
		return { ...wf, active: startedByRequest && !scheduled && runnable };
	});
	// Two active SCIM Triggers: the IdP flagship, and the HR bulk upload flow (Entra API-driven inbound).
	const triggerOf = (id: string) =>
		workflows.find((wf) => wf.id === id && wf.active)?.nodes.find((n) => n.type === 'n8n-nodes-provisioning.scimTrigger') as {
			webhookId: string;
		};
	const scimTrigger = triggerOf('ScimTriggerDemo1');
	const hrTrigger = triggerOf('HrBulkScim1');
	const hrBulkFile = writeHrBulkFile();
	// n8n 2.x's task runner broker needs a port of its own.
	const options = { userFolder, port, brokerPort: await freePort() };
	await importAndActivate(runtime, options, credentials, workflows);
	const n8n = await startN8n(runtime, options, process.env.N8N_ECHO_LOG === 'true');

	console.log(`
n8n-nodes-provisioning is running.

  n8n editor          ${n8n.url}   (create the owner account on first visit)

  SCIM endpoint for Entra ID / Okta (tenant URL and secret token):
    ${n8n.url}/webhook/${scimTrigger.webhookId}/scim/v2
    ${triggerToken}
  Users and groups pushed there flow through "SCIM Trigger → Map Attributes → Provision User / Deprovision User /
  Group Sync" into the demo app.

  Demo SCIM app       ${demo.baseUrl}
  Demo SCIM token     ${demo.token}

Push a user the way Entra ID does:

  curl -s -X POST ${n8n.url}/webhook/${scimTrigger.webhookId}/scim/v2/Users -H 'Authorization: Bearer ${triggerToken}' \
    -H 'Content-Type: application/scim+json' -d '{"userName":"ada@example.org","externalId":"ada","active":true,"name":{"givenName":"Ada","familyName":"Lovelace"}}'

Try the active example workflow "HR webhook → Provision User (SCIM)":

  curl -s -X POST ${n8n.url}/webhook/provision-user -H 'Content-Type: application/json' \\
    -d '{"employeeId":"E42","firstName":"Ada","lastName":"Lovelace","email":"ada@example.org","jobTitle":"Analyst","department":"Research"}'

Run it twice: the second answer says NoChange. Change a field and it says Update, with old → new values.
See what the app holds: curl -s ${demo.baseUrl}/Users -H 'Authorization: Bearer ${demo.token}'

Post the shipped HR records (examples/hr/employees.csv: 12 workers, a manager chain, a leaver) as Entra's API-driven
inbound provisioning does, to the HR flow's SCIM Trigger (same token): one request, one execution, into the demo app.
npm start has made the request file as \`npm run csv2bulk -- examples/hr/employees.csv --out .tmp/hr-bulk\` does:

  curl -s -X POST ${n8n.url}/webhook/${hrTrigger.webhookId}/scim/v2/bulkUpload -H 'Authorization: Bearer ${triggerToken}' \\
    -H 'Content-Type: application/scim+json' --data-binary @${hrBulkFile}

Press Ctrl+C to stop.`);

	const shutdown = async () => {
		await n8n.stop();
		await demo.stop();
		process.exit(0);
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
	n8n.process.on('exit', (code) => {
		console.error(`n8n exited (${code}). Last log lines:\n${n8n.log().slice(-2000)}`);
		void demo.stop().then(() => process.exit(code ?? 1));
	});
}

/** The shipped HR CSV as one bulkUpload request (what `npm run csv2bulk` writes), ready for the printed curl. */
function writeHrBulkFile(): string {
	const hr = join(ROOT, 'examples', 'hr');
	const mapping = parseBulkMapping(JSON.parse(readFileSync(join(hr, 'csv2bulk.mapping.json'), 'utf8')));
	const [request] = csvToBulkRequests(readFileSync(join(hr, 'employees.csv'), 'utf8'), mapping).requests;
	const folder = join(ROOT, '.tmp', 'hr-bulk');
	mkdirSync(folder, { recursive: true });
	const file = join(folder, 'bulk-001.json');
	writeFileSync(file, `${JSON.stringify(request, null, 2)}\n`);
	return file;
}

main().catch((error) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
