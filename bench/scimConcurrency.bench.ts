/**
 * The SCIM target at concurrency 8 against a raw axios loop (also 8 in flight) sending exactly the
 * requests our run sent, replayed against the same SCIMMY server emptied in between, in the same run.
 */
import axios from 'axios';
import pLimit from 'p-limit';
import { itemsInto, runWorkflow } from '../test/harness/workflow';
import { type RecordedRequest, ScimTestServer } from '../dev/scimApp';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function envelopes(n: number, offset: number) {
	return Array.from({ length: n }, (_, k) => {
		const i = k + offset;
		return {
			attributes: {
				userName: `scim${i}@example.org`,
				externalId: `S${i}`,
				'name.givenName': 'Bench',
				'name.familyName': `User${i}`,
				displayName: `Bench User${i}`,
				'emails[type eq "work"].value': `scim${i}@example.org`,
				[`${ENT}:department`]: 'Engineering',
				active: true,
			},
			matchKeys: [{ attribute: 'userName', value: `scim${i}@example.org` }],
		};
	});
}

async function replay(server: ScimTestServer, requests: RecordedRequest[], concurrency: number): Promise<number> {
	const http = axios.create({
		baseURL: server.baseUrl.replace('/scim/v2', ''),
		headers: { Authorization: `Bearer ${server.token}`, Accept: 'application/scim+json', 'Content-Type': 'application/scim+json' },
		validateStatus: () => true,
	});
	const limit = pLimit(concurrency);
	const lookups = requests.filter((r) => r.method === 'GET');
	const writes = requests.filter((r) => r.method !== 'GET');
	const t = performance.now();
	// Same shape as the node's run: the lookups, then the writes, each phase 8 in flight.
	await Promise.all(lookups.map((r) => limit(() => http.request({ method: r.method, url: r.path, params: r.query }))));
	await Promise.all(writes.map((r) => limit(() => http.request({ method: r.method, url: r.path, data: JSON.stringify(r.body) }))));
	return performance.now() - t;
}

export async function benchScimConcurrency(n = Number(process.env.BENCH_SCIM_USERS ?? 2000)): Promise<Record<string, number>> {
	const server = await ScimTestServer.start();
	try {
		const credentials = { scimTargetApi: { baseUrl: server.baseUrl, authentication: 'bearer', token: server.token } };
		const run = (items: object[]) =>
			runWorkflow(itemsInto('provisionUser', { target: 'scim', inputMode: 'envelope', options: { concurrency: 8 } }, items), credentials);
		// Warm-up for both paths (JIT, sockets), then a clean store.
		await run(envelopes(200, 1_000_000));
		server.store.users.clear();
		server.resetLog();

		// Alternate the two paths and take medians: the machine is shared and noisy.
		const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
		const oursTimes: number[] = [];
		const rawTimes: number[] = [];
		let sent: RecordedRequest[] = [];
		for (let round = 0; round < rounds; round++) {
			server.store.users.clear();
			server.resetLog();
			const t = performance.now();
			const result = await run(envelopes(n, 0));
			oursTimes.push(performance.now() - t);
			const created = result.output('Node').filter((i) => i.json.action === 'Create').length;
			if (created !== n) throw new Error(`expected ${n} creates, got ${created}`);
			sent = [...server.requests];

			server.store.users.clear();
			server.resetLog();
			rawTimes.push(await replay(server, sent, 8));
			if (server.store.users.size !== n) throw new Error(`replay created ${server.store.users.size}, expected ${n}`);
		}
		const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
		const oursMs = median(oursTimes);
		const rawMs = median(rawTimes);

		const out = {
			users: n,
			requests: sent.length,
			oursPerSecond: Math.round(n / (oursMs / 1000)),
			rawPerSecond: Math.round(n / (rawMs / 1000)),
			ratio: rawMs / oursMs,
		};
		console.log(`SCIM: ${n} users, ${sent.length} requests, concurrency 8, median of ${rounds} alternating rounds`);
		console.log(`  raw axios loop (baseline)   ${(rawMs / 1000).toFixed(2)} s  (${out.rawPerSecond} users/s)`);
		console.log(`  Provision User              ${(oursMs / 1000).toFixed(2)} s  (${out.oursPerSecond} users/s)`);
		console.log(`  ratio ours vs raw           ${out.ratio.toFixed(2)}x   (goal >= 0.8x)`);
		return out;
	} finally {
		await server.stop();
	}
}
