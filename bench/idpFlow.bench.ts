/**
 * The IdP flow, in process, against the real SCIM server:
 * - a resync of 10,000 users already in sync (SCIM Store → Map Attributes → Provision User, plus the deleted users
 *   and the groups of the resync workflow) vs one Provision User rerun over the same 10,000 envelopes;
 * - a 5,000-member group pushed in 100-member PATCHes through the trigger: requests the app receives per 100 members.
 */
import { ScimServiceProvider, type ScimEvent } from '../lib/scim/server/serviceProvider';
import { openStoreAt, registerWebhook, type StoreLocation } from '../lib/store/openStore';
import { StoreRefSigner } from '../lib/store/storeRef';
import { chain, type ChainStep, runWorkflow } from '../test/harness/workflow';
import { ScimTestServer } from '../dev/scimApp';

const USERS = Number(process.env.BENCH_RESYNC_USERS ?? 10000);
const MEMBERS = Number(process.env.BENCH_PUSH_MEMBERS ?? 5000);
const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function setup(key: string) {
	const app = await ScimTestServer.start();
	const location: StoreLocation = { key, kind: 'file' };
	const provider = new ScimServiceProvider(openStoreAt(location, process.env.N8N_USER_FOLDER!, process.env), {
		baseUrl: 'https://n8n.example/webhook/bench/scim/v2',
		// As the trigger does: signed for the workflow its events run in (the harness's default id).
		storeLocation: StoreRefSigner.of(process.env)!.sign(location, 'test-workflow'),
	});
	const credentials = { scimTargetApi: { baseUrl: app.baseUrl, authentication: 'bearer', token: app.token, timeoutMs: 120000 } };
	const push = async (method: string, path: string, body?: unknown) => provider.handle({ method, path, query: {}, headers: {}, body });
	return { app, location, credentials, push };
}

const map = (extra: Record<string, unknown> = {}): ChainStep => ({
	name: 'Map',
	type: 'mapAttributes',
	parameters: { preset: 'scimPassthrough', options: { sourcePath: 'resource' }, ...extra },
});

export async function benchIdpFlow(): Promise<void> {
	await benchResync();
	await benchGroupPush();
}

async function benchResync(): Promise<void> {
	const { app, location, credentials, push } = await setup(`bench-resync-${Date.now()}`);
	try {
		const tenant = `https://n8n.example/webhook/bench-resync-${location.key}/scim/v2`;
		await registerWebhook(`bench-resync-${location.key}`, location, process.env.N8N_USER_FOLDER!, process.env);
		for (let i = 0; i < USERS; i++) {
			await push('POST', '/Users', {
				userName: `u${i}@x.org`,
				externalId: `E${i}`,
				active: true,
				displayName: `U ${i}`,
				name: { givenName: 'U', familyName: `${i}` },
			});
		}
		const resync = chain(
			[{}],
			[
				{ name: 'Users', type: 'scimStore', parameters: { tenantUrl: tenant, operation: 'users' } },
				map({ scoping: { clause: [{ group: 1, attribute: 'active', operator: 'IS TRUE' }] } }),
				{ name: 'Provision', type: 'provisionUser', parameters: { target: 'scim', inputMode: 'envelope', options: { concurrency: 8 } } },
				{
					name: 'Disable',
					type: 'deprovisionUser',
					after: 'Map',
					fromOutput: 1,
					parameters: { target: 'scim', mode: 'perItem', operation: 'disable', inputMode: 'envelope' },
				},
				{ name: 'Deleted Users', type: 'scimStore', after: 'Items', parameters: { tenantUrl: tenant, operation: 'deletedUsers' } },
				{
					name: 'Delete',
					type: 'deprovisionUser',
					parameters: {
						target: 'scim',
						mode: 'perItem',
						operation: 'disable',
						inputMode: 'envelope',
						options: { whenSourceDeleted: 'delete' },
					},
				},
				{ name: 'Groups Of Store', type: 'scimStore', after: 'Items', parameters: { tenantUrl: tenant, operation: 'groups' } },
				{ name: 'Groups', type: 'groupSync', parameters: { target: 'scim', groupsFrom: 'events' } },
			],
		);
		const first = await runWorkflow(resync, credentials); // creates the 10,000 accounts and remembers their ids
		if (first.error) throw first.error;
		// The baseline's input: the same envelopes Map Attributes makes, handed to Provision User directly.
		const envelopes = first.output('Map').map((i) => i.json);
		const baseline = chain(envelopes, [
			{ name: 'Provision', type: 'provisionUser', parameters: { target: 'scim', inputMode: 'envelope', options: { concurrency: 8 } } },
		]);
		const ours: number[] = [];
		const base: number[] = [];
		for (let round = 0; round < 3; round++) {
			app.resetLog();
			let t = performance.now();
			const r = await runWorkflow(resync, credentials);
			ours.push(performance.now() - t);
			if (process.env.BENCH_NODE_TIMES)
				console.log(
					Object.entries(r.run.data.resultData.runData)
						.map(([n, runs]) => `${n} ${runs[0].executionTime} ms`)
						.join(', '),
				);
			if (r.error || app.writes().length) throw new Error(`resync was not a no-op: ${r.error?.message ?? app.writes().length}`);
			t = performance.now();
			const b = await runWorkflow(baseline, credentials);
			base.push(performance.now() - t);
			if (process.env.BENCH_NODE_TIMES)
				console.log(
					'baseline',
					Object.entries(b.run.data.resultData.runData)
						.map(([n, runs]) => `${n} ${runs[0].executionTime} ms`)
						.join(', '),
				);
			if (b.error || b.output('Provision').some((i) => i.json.action !== 'NoChange')) throw new Error('baseline was not a no-op');
		}
		const [o, b] = [median(ours), median(base)];
		console.log(`Resync: ${USERS} users already in sync, median of 3 alternating rounds`);
		console.log(`  Provision User rerun (baseline)   ${(b / 1000).toFixed(2)} s`);
		console.log(`  whole resync workflow             ${(o / 1000).toFixed(2)} s  (store read, map, provision, deleted users, groups)`);
		console.log(`  ratio                             ${(o / b).toFixed(2)}x the time (goal <= 1.5x)`);
	} finally {
		await app.stop();
	}
}

async function benchGroupPush(): Promise<void> {
	const { app, credentials, push } = await setup(`bench-push-${Date.now()}`);
	try {
		const ids: string[] = [];
		const events: ScimEvent[] = [];
		for (let i = 0; i < MEMBERS; i++) {
			const { response, events: e } = await push('POST', '/Users', { userName: `m${i}@x.org`, externalId: `M${i}`, active: true });
			ids.push((response.body as { id: string }).id);
			events.push(...e);
		}
		const users = await runWorkflow(
			chain(events, [
				map(),
				{ name: 'Provision', type: 'provisionUser', parameters: { target: 'scim', inputMode: 'envelope', options: { concurrency: 8 } } },
			]),
			credentials,
		);
		if (users.error) throw users.error;
		const groupFlow = (e: ScimEvent[]) =>
			runWorkflow(chain(e, [{ name: 'Groups', type: 'groupSync', parameters: { target: 'scim', groupsFrom: 'events' } }]), credentials);
		const created = await push('POST', '/Groups', { displayName: 'Everyone', members: [] });
		await groupFlow(created.events);
		const gid = (created.response.body as { id: string }).id;
		app.resetLog();
		const t = performance.now();
		for (let i = 0; i < MEMBERS; i += 100) {
			const { events: e } = await push(
				'PATCH',
				`/Groups/${gid}`,
				PATCH([{ op: 'add', path: 'members', value: ids.slice(i, i + 100).map((value) => ({ value })) }]),
			);
			const r = await groupFlow(e); // one execution per PATCH, as the trigger starts them
			if (r.error) throw r.error;
		}
		const ms = performance.now() - t;
		const requests = app.requests.length;
		const group = [...app.store.groups.values()].find((g) => g.displayName === 'Everyone');
		if (group?.members.length !== MEMBERS) throw new Error(`the app holds ${group?.members.length} members, not ${MEMBERS}`);
		console.log(`Group push: ${MEMBERS} members in ${MEMBERS / 100} PATCHes of 100, one execution each`);
		console.log(
			`  requests to the app    ${requests} (${app.requests.filter((r) => r.method === 'GET').length} GET), ${(ms / 1000).toFixed(2)} s`,
		);
		console.log(`  per 100 members        ${((requests / MEMBERS) * 100).toFixed(2)} requests (goal <= 1.1)`);
	} finally {
		await app.stop();
	}
}
