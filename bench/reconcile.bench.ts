/**
 * Reconcile leavers: N source users against N entries in slapd, 1% leavers, at 10k and 100k.
 * Reports the whole node run, the diff step against n8n's Compare Datasets node on the same two
 * lists (same run), time growth from 10k to 100k, and peak memory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeExecutionData, INodeType } from 'n8n-workflow';
import { matchedAccounts } from '../lib/provisioning/reconcile';
import { LdapTarget } from '../lib/targets/ldap/ldapTarget';
import type { TargetEntry } from '../lib/targets/target';
import { itemsInto, registerNodeType, runWorkflow } from '../test/harness/workflow';
import { Slapd } from '../test/servers/slapd';
import { ensureRuntime, LATEST_N8N_1 } from '../dev/n8n/instance';

/** Emits two lists on two outputs: the source and the target accounts, for Compare Datasets. */
class TwoLists implements INodeType {
	static lists: [object[], object[]] = [[], []];
	description = {
		displayName: 'Two Lists',
		name: 'twoLists',
		group: ['input'],
		version: 1,
		description: '',
		defaults: { name: 'Two Lists' },
		inputs: [],
		outputs: ['main', 'main'],
		properties: [],
	} as unknown as INodeType['description'];
	async execute(): Promise<INodeExecutionData[][]> {
		return TwoLists.lists.map((list) => list.map((json) => ({ json: json as INodeExecutionData['json'] })));
	}
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
	let peak = process.memoryUsage().rss;
	const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
	try {
		const result = await work();
		return { result, peakMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024) };
	} finally {
		clearInterval(timer);
	}
}

export async function benchReconcile(sizes = (process.env.BENCH_RECONCILE_SIZES ?? '10000,100000').split(',').map(Number)): Promise<void> {
	const slapd = await Slapd.start({ dbnosync: true });
	// Loaded in this process, next to n8n-core 1.x: n8n 1.x's nodes, which run on the machine's Node.
	const compareDatasetsPath = join(
		(await ensureRuntime(LATEST_N8N_1)).dir,
		'node_modules',
		'n8n-nodes-base',
		'dist',
		'nodes',
		'CompareDatasets',
		'CompareDatasets.node.js',
	);
	// eslint-disable-next-line @typescript-eslint/no-var-requires
	const { CompareDatasets } = require(compareDatasetsPath);
	registerNodeType('n8n-nodes-base.compareDatasets', new CompareDatasets());
	registerNodeType('bench.twoLists', new TwoLists());
	const results: Array<{ n: number; nodeMs: number; diffMs: number; compareMs?: number; peakMb: number }> = [];
	try {
		for (const n of sizes) {
			const ou = `ou=R${n},${slapd.suffix}`;
			const leavers = Math.round(n / 100);
			const ldif = [`dn: ${ou}`, 'objectClass: organizationalUnit', `ou: R${n}`, ''];
			for (let i = 0; i < n; i++)
				ldif.push(
					`dn: uid=r${n}-${i},${ou}`,
					'objectClass: inetOrgPerson',
					`uid: r${n}-${i}`,
					`cn: R ${i}`,
					`sn: ${i}`,
					`employeeNumber: ${n}-${i}`,
					'',
				);
			const file = join(slapd.dir, `r${n}.ldif`);
			writeFileSync(file, ldif.join('\n'));
			slapd.ldapadd('', ['-f', file]);
			// The source: everyone but the last 1%, plus 1% new hires not in the directory yet.
			const source = Array.from({ length: n }, (_, i) => ({ uid: i < n - leavers ? `r${n}-${i}` : `new${n}-${i}` }));

			const params = {
				target: 'ldap',
				mode: 'reconcile',
				operation: 'disable',
				inputMode: 'define',
				searchBase: ou,
				objectFilter: '(objectClass=inetOrgPerson)',
				matchKeys: { key: [{ attribute: 'uid', value: '={{ $json.uid }}' }] },
				options: { dryRun: true },
			};
			const credentials = {
				ldapDirectoryApi: {
					...slapd.credential(),
				},
			};
			const t = performance.now();
			const { result: run, peakMb } = await peakRss(() => runWorkflow(itemsInto('deprovisionUser', params, source), credentials));
			const nodeMs = performance.now() - t;
			const planned = run.output('Node').length;
			if (planned !== leavers) throw new Error(`expected ${leavers} leavers, got ${planned}: ${run.error?.message ?? ''}`);

			// The diff step alone, on the listed accounts.
			const target = new LdapTarget({
				connection: slapd.connection(),
				flavour: 'openldap',
				baseDn: slapd.suffix,
				searchBase: ou,
				objectFilter: '(objectClass=inetOrgPerson)',
			});
			const accounts: TargetEntry[] = [];
			for await (const entry of target.users.listAll({ attributes: ['uid'] })) accounts.push(entry);
			await target.close();
			const keyLists = source.map((s) => [{ attribute: 'uid', value: s.uid }]);
			const diffTimes: number[] = [];
			for (let round = 0; round < 5; round++) {
				const d = performance.now();
				const found = accounts.length - (await matchedAccounts(target.users, accounts, keyLists)).length;
				diffTimes.push(performance.now() - d);
				if (found !== leavers) throw new Error('diff disagrees');
			}
			const diffMs = median(diffTimes);

			let compareMs: number | undefined;
			if (n <= Number(process.env.BENCH_COMPARE_MAX ?? 10000)) {
				TwoLists.lists = [source, accounts.map((a) => ({ uid: a.attributes.uid, dn: a.id }))];
				const workflow = {
					nodes: [
						{ id: 'l', name: 'Lists', type: 'bench.twoLists', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} },
						{
							id: 'c',
							name: 'Compare',
							type: 'n8n-nodes-base.compareDatasets',
							typeVersion: 2.3,
							position: [200, 0] as [number, number],
							parameters: { mergeByFields: { values: [{ field1: 'uid', field2: 'uid' }] }, options: {} },
						},
					],
					connections: {
						Lists: {
							main: [[{ node: 'Compare', type: 'main' as never, index: 0 }], [{ node: 'Compare', type: 'main' as never, index: 1 }]],
						},
					},
				};
				const c = performance.now();
				const compared = await runWorkflow(workflow, {});
				compareMs = performance.now() - c;
				const inBOnly = compared.output('Compare', 3).length;
				if (inBOnly !== leavers) throw new Error(`Compare Datasets found ${inBOnly} leavers: ${compared.error?.message ?? ''}`);
			}
			results.push({ n, nodeMs, diffMs, compareMs, peakMb });
			console.log(
				`Reconcile ${n} source vs ${n} entries (${leavers} leavers): whole node ${(nodeMs / 1000).toFixed(2)} s, diff step ${diffMs.toFixed(1)} ms${compareMs ? `, Compare Datasets ${(compareMs / 1000).toFixed(2)} s → diff step ${(compareMs / diffMs).toFixed(0)}x faster (goal >= 1x)` : ', Compare Datasets not run at this size (its match is a linear scan per item: quadratic)'}, peak RSS ${peakMb} MB`,
			);
		}
		if (results.length >= 2) {
			const [small, large] = [results[0], results[results.length - 1]];
			const sizeRatio = large.n / small.n;
			console.log(
				`  growth ${small.n} → ${large.n} (${sizeRatio}x the data): whole node ${(large.nodeMs / small.nodeMs).toFixed(1)}x the time, diff step ${(large.diffMs / small.diffMs).toFixed(1)}x (linear would be ${sizeRatio}x)`,
			);
		}
	} finally {
		await slapd.stop();
	}
}
