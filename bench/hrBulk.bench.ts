/**
 * HR records end to end into slapd through real n8n: SCIM Trigger → Map Attributes → Provision User (LDAP).
 * - The same number of records posted one request each (POST /Users) and as Entra API-driven inbound uploads of 50
 *   (POST …/bulkUpload), same n8n, same directory, one after the other: n8n executions and wall time until every
 *   record is in the directory, and the answer times (201 one by one, 202 for uploads).
 * - Sustained: uploads offered at Entra's documented 40 requests/s: what the answers and the drain take, and where
 *   the CPU goes (n8n, slapd).
 * A counter node (executed once per execution) tells how many executions ran and how many records they carried.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRuntime, importAndActivate, installPackage, LATEST_N8N_1, packPackage, startN8n } from '../dev/n8n/instance';
import { freePort } from '../dev/ports';
import { Slapd } from '../test/servers/slapd';
import { load, send } from './scimTrigger.bench';

const TOKEN = 'bench-scim-trigger-token-0123456789';
const WEBHOOK_ID = '5e2a1c3b-7d4f-4a8e-9b6c-0d1e2f3a4b5c';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PEOPLE = 'ou=People,dc=example,dc=org';

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const cpuMsOf = (pid: number | undefined) => {
	if (!pid) return 0;
	// /proc/<pid>/stat: utime and stime (fields 14 and 15) in clock ticks of 10 ms.
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return (Number(fields[11]) + Number(fields[12])) * 10;
};

/** An HR record as Entra's API-driven inbound clients send it (CSV2SCIM's shape). */
const record = (tag: string, i: number) => ({
	schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
	externalId: `${tag}${i}`,
	userName: `${tag}${i}@hr.example.org`,
	active: true,
	displayName: `Person ${tag}${i}`,
	name: { givenName: 'Person', familyName: `${tag}${i}` },
	emails: [{ type: 'work', value: `${tag}${i}@hr.example.org`, primary: true }],
	title: 'Engineer',
	[ENTERPRISE]: { employeeNumber: `${tag}${i}`, department: `D${i % 40}` },
});

const upload = (tag: string, from: number, size: number) => ({
	schemas: [BULK],
	Operations: Array.from({ length: size }, (_, k) => ({
		method: 'POST',
		bulkId: `${tag}-${from + k}`,
		path: '/Users',
		data: record(tag, from + k),
	})),
});

export async function benchHrBulk(): Promise<void> {
	const version = process.env.N8N_VERSION ?? LATEST_N8N_1;
	const records = Number(process.env.BENCH_HR_RECORDS ?? 10000);
	const batch = Number(process.env.BENCH_HR_BATCH ?? 50);
	const rate = Number(process.env.BENCH_HR_RATE ?? 40);
	const seconds = Number(process.env.BENCH_HR_SECONDS ?? 5);
	// A phase that does not drain within this is reported as stuck, with what it got to.
	const phaseLimitMs = Number(process.env.BENCH_HR_PHASE_LIMIT_S ?? 1800) * 1000;
	const runtime = await ensureRuntime(version);
	const work = mkdtempSync(join(tmpdir(), 'bench-hr-'));
	const userFolder = join(work, 'home');
	const slapd = await Slapd.start();
	let executions = 0;
	let items = 0;
	const counter: Server = createServer((req, res) => {
		executions++;
		items += Number(new URL(req.url ?? '/', 'http://x').searchParams.get('items') ?? 0);
		req.resume();
		res.end('{}');
	});
	const counterPort = await freePort();
	await new Promise<void>((r) => counter.listen(counterPort, '127.0.0.1', () => r()));
	let stop = async () => {};
	try {
		installPackage(userFolder, packPackage());
		const workflow = {
			id: 'BenchHrBulk1',
			name: 'bench hr bulk',
			nodes: [
				{
					id: 'st',
					name: 'SCIM Trigger',
					type: 'n8n-nodes-provisioning.scimTrigger',
					typeVersion: 2,
					position: [0, 0],
					webhookId: WEBHOOK_ID,
					parameters: { options: {} },
					credentials: { scimTriggerAuthApi: { id: 'BenchAuth1', name: 'bench' } },
				},
				{
					id: 'map',
					name: 'Map',
					type: 'n8n-nodes-provisioning.mapAttributes',
					typeVersion: 1,
					position: [200, 0],
					parameters: { preset: 'hrInboundToOpenLdap', options: { sourcePath: 'resource' } },
				},
				{
					id: 'pu',
					name: 'Provision User',
					type: 'n8n-nodes-provisioning.provisionUser',
					typeVersion: 1,
					position: [400, 0],
					parameters: {
						target: 'ldap',
						inputMode: 'envelope',
						dnTemplate: `uid={uid},${PEOPLE}`,
						searchBase: PEOPLE,
						objectFilter: '(objectClass=inetOrgPerson)',
						options: { concurrency: 4 },
					},
					credentials: { ldapDirectoryApi: { id: 'BenchLdap1', name: 'bench ldap' } },
				},
				{
					id: 'count',
					name: 'Count',
					type: 'n8n-nodes-base.httpRequest',
					typeVersion: 4.2,
					position: [600, 0],
					executeOnce: true,
					parameters: { method: 'POST', url: `=http://127.0.0.1:${counterPort}/count?items={{ $input.all().length }}`, options: {} },
				},
			],
			connections: {
				'SCIM Trigger': { main: [[{ node: 'Map', type: 'main', index: 0 }], [], []] },
				Map: { main: [[{ node: 'Provision User', type: 'main', index: 0 }]] },
				'Provision User': { main: [[{ node: 'Count', type: 'main', index: 0 }]] },
			},
			settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none' },
		};
		const options = { userFolder, port: await freePort(), brokerPort: await freePort() };
		await importAndActivate(
			runtime,
			options,
			[
				{ id: 'BenchAuth1', name: 'bench', type: 'scimTriggerAuthApi', data: { token: TOKEN } },
				{ id: 'BenchLdap1', name: 'bench ldap', type: 'ldapDirectoryApi', data: slapd.credential() },
			],
			[workflow],
		);
		const n8n = await startN8n(runtime, options);
		stop = () => n8n.stop();
		const scim = `${n8n.url}/webhook/${WEBHOOK_ID}/scim/v2`;

		/** Sends, then waits until the counter has seen `n` more records; the wall time, executions and answer times. */
		const phase = async (name: string, n: number, sendAll: (answers: number[]) => Promise<void>) => {
			const [e0, i0, n8nCpu0, slapdCpu0] = [executions, items, cpuMsOf(n8n.process.pid), cpuMsOf(slapd.pid)];
			const answers: number[] = [];
			const started = performance.now();
			await sendAll(answers);
			const answered = performance.now() - started;
			while (items - i0 < n) {
				if (performance.now() - started > phaseLimitMs)
					throw new Error(`${name}: only ${items - i0} of ${n} records reached the directory in ${phaseLimitMs / 1000} s`);
				await new Promise((r) => setTimeout(r, 50));
			}
			return {
				ms: performance.now() - started,
				answeredMs: answered,
				executions: executions - e0,
				answers,
				n8nCpuMs: cpuMsOf(n8n.process.pid) - n8nCpu0,
				slapdCpuMs: cpuMsOf(slapd.pid) - slapdCpu0,
			};
		};
		const timed = async (answers: number[], request: Promise<{ status: number; ms: number; body: string }>, want: number) => {
			const res = await request;
			if (res.status !== want) throw new Error(`answered ${res.status}, not ${want}: ${res.body.slice(0, 500)}`);
			answers.push(res.ms);
			return res;
		};

		const single = await phase('one request each', records, async (answers) => {
			await load(records, 8, (i) => timed(answers, send(`${scim}/Users`, 'POST', record('s', i)), 201));
		});
		const uploads = Math.ceil(records / batch);
		const bulk = await phase(`uploads of ${batch}`, records, async (answers) => {
			await load(uploads, 4, (k) =>
				timed(answers, send(`${scim}/bulkUpload`, 'POST', upload('b', k * batch, Math.min(batch, records - k * batch))), 202),
			);
		});
		const offered = rate * seconds;
		const sustained = await phase(`${rate} uploads/s`, offered * batch, async (answers) => {
			await Promise.all(
				Array.from({ length: offered }, async (_, k) => {
					await new Promise((r) => setTimeout(r, (k * 1000) / rate));
					await timed(answers, send(`${scim}/bulkUpload`, 'POST', upload('r', k * batch, batch)), 202);
				}),
			);
		});

		const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
		const p = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(0)} ms, p99 ${percentile(xs, 99).toFixed(0)} ms`;
		console.log(`HR records into slapd through real n8n ${version}: SCIM Trigger → Map Attributes → Provision User (LDAP)`);
		console.log(
			`  ${records} records, one POST /Users each: ${single.executions} executions, ${s(single.ms)}; answers ${p(single.answers)}`,
		);
		console.log(
			`  ${records} records, ${uploads} uploads of ${batch} (POST …/bulkUpload): ${bulk.executions} executions, ${s(bulk.ms)}; 202 answers ${p(bulk.answers)}`,
		);
		console.log(
			`  executions ${(single.executions / bulk.executions).toFixed(1)}x fewer (goal >= 40x); wall time ${(single.ms / bulk.ms).toFixed(1)}x faster (goal >= 5x)`,
		);
		console.log(
			`  CPU per record: one each n8n ${(single.n8nCpuMs / records).toFixed(2)} ms + slapd ${(single.slapdCpuMs / records).toFixed(2)} ms; uploads n8n ${(bulk.n8nCpuMs / records).toFixed(2)} ms + slapd ${(bulk.slapdCpuMs / records).toFixed(2)} ms`,
		);
		const held = (offered * batch) / (sustained.ms / 1000);
		console.log(
			`  sustained: ${offered} uploads offered at ${rate}/s (${rate * batch} records/s) for ${seconds} s: answers ${p(sustained.answers)}, all sent in ${s(sustained.answeredMs)}, drained in ${s(sustained.ms)} → this machine holds ${held.toFixed(0)} records/s (${(held / batch).toFixed(1)} uploads/s); CPU n8n ${s(sustained.n8nCpuMs)}, slapd ${s(sustained.slapdCpuMs)} of ${s(sustained.ms)} wall on 2 cores`,
		);
	} finally {
		await stop();
		counter.close();
		await slapd.stop();
		rmSync(work, { recursive: true, force: true });
	}
}
