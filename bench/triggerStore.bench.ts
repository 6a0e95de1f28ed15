/**
 * The SCIM Trigger's store at 10,000 and 100,000 users, both stores (the embedded file store and PostgreSQL):
 * - a full paging pass, 100 at a time, through the service provider (GET /Users?startIndex=…&count=100, answers
 *   serialised as the trigger sends them): the time at 100k over the time at 10k, goal at most 12× (linear);
 * - one filtered page that no index serves (`title eq "…"`, every user examined);
 * - an `or` of 200 equalities (the filter's cap) on userName, externalId and id, as Provision User's batched lookups
 *   send: CPU ms of one search, answered from the indexes, and the same filter as `not (not …)`, which is a scan;
 * - memory after loading: RSS and heap of a process holding the store (one child process per case, after a GC);
 * - for the file store, one page the way the trigger did it before (every user copied and sorted per page).
 * Users look like Entra's (name, work email, enterprise extension with a manager). The file store loads from a
 * snapshot in its own format; PostgreSQL (a throwaway server from test/servers/postgres.ts) gets the rows in bulk,
 * then VACUUM ANALYZE, as autovacuum would after a bulk load.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, type PoolConfig } from 'pg';
import { ScimServiceProvider } from '../lib/scim/server/serviceProvider';
import { FileIdentityStore } from '../lib/store/fileIdentityStore';
import type { IdentityStore, Resource } from '../lib/scim/server/identityStore';
import { PostgresIdentityStore } from '../lib/store/postgresIdentityStore';
import { Postgres } from '../test/servers/postgres';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PASSES = Number(process.env.BENCH_STORE_PASSES ?? 3);

function users(n: number): Resource[] {
	const start = Date.parse('2026-01-01T00:00:00Z');
	const out: Resource[] = [];
	for (let i = 0; i < n; i++) {
		const created = new Date(start + i * 10).toISOString();
		out.push({
			schemas: [CORE, ENT],
			userName: `user${i}@bench.example`,
			externalId: `E${i}`,
			active: true,
			displayName: `Bench User ${i}`,
			name: { givenName: `Given${i}`, familyName: `Family${i}` },
			emails: [{ value: `user${i}@bench.example`, type: 'work', primary: true }],
			title: `Title ${i % 50}`,
			[ENT]: { employeeNumber: String(i), department: `Dept ${i % 20}`, manager: { value: `m-${i % 100}` } },
			id: randomUUID(),
			meta: { resourceType: 'User', created, lastModified: created, version: 'W/"1"' },
		});
	}
	return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function fill(config: PoolConfig, key: string, all: Resource[]): Promise<void> {
	const pool = new Pool(config);
	try {
		for (let i = 0; i < all.length; i += 5000) {
			const batch = all.slice(i, i + 5000);
			await pool.query(
				`INSERT INTO provisioning_scim_resource (store_key, type, id, name_lower, external_id, data, version, created)
				 SELECT $1, 'User', unnest($2::uuid[]), unnest($3::text[]), unnest($4::text[]), unnest($5::jsonb[]), 1, unnest($6::timestamptz[])`,
				[
					key,
					batch.map((r) => r.id),
					batch.map((r) => String(r.userName).toLowerCase()),
					batch.map((r) => String(r.externalId)),
					batch.map((r) => JSON.stringify(r)),
					batch.map((r) => r.meta.created),
				],
			);
		}
		// Rows written behind the store's back: its counts are recounted when it is next opened.
		await pool.query('DELETE FROM provisioning_scim_count WHERE store_key = $1', [key]);
		await pool.query('VACUUM ANALYZE provisioning_scim_resource');
	} finally {
		await pool.end();
	}
}

interface CaseResult {
	store: string;
	users: number;
	passMs: number[];
	filteredPageMs: number;
	orCpuMs: Record<string, number>;
	oldPageMs?: number;
	rssMb: number;
	rssBeforeMb: number;
	heapMb: number;
	tableMb?: number;
}

/** Writes n users where a store of `kind` will find them: a snapshot in the file store's format, or rows in PostgreSQL. */
async function fillCase(kind: 'file' | 'postgres', n: number, target: string, pgConfig?: PoolConfig): Promise<void> {
	const all = users(n);
	if (kind === 'file') {
		writeFileSync(
			join(target, 'snapshot.jsonl'),
			all.map((data) => `${JSON.stringify({ op: 'put', type: 'User', id: data.id, data })}\n`).join(''),
		);
		return;
	}
	const setup = new PostgresIdentityStore(pgConfig!, target);
	await setup.count('User'); // creates the tables and indexes
	await setup.close();
	await fill(pgConfig!, target, all);
}

/** One case, in a process of its own that only opens the store (so its memory is what holding the store costs). */
async function runCase(kind: 'file' | 'postgres', n: number, target: string, pgConfig?: PoolConfig): Promise<CaseResult> {
	const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
	gc();
	const rssBeforeMb = mb(process.memoryUsage().rss);
	let tableMb: number | undefined;
	// A PostgreSQL store opened after a bulk load counts the rows once, as after an upgrade.
	const store: IdentityStore = kind === 'file' ? new FileIdentityStore(target) : new PostgresIdentityStore(pgConfig!, target);
	if (kind === 'postgres') {
		const pool = new Pool(pgConfig!);
		tableMb = mb(Number((await pool.query(`SELECT pg_total_relation_size('provisioning_scim_resource') AS n`)).rows[0].n));
		await pool.end();
	}
	try {
		if ((await store.count('User')) !== n) throw new Error(`the store holds ${await store.count('User')} users, not ${n}`);
		const provider = new ScimServiceProvider(store, { baseUrl: 'https://n8n.example/webhook/x/scim/v2', maxResults: 100 });
		const get = async (query: Record<string, string>) => {
			const { response } = await provider.handle({ method: 'GET', path: '/Users', query, headers: {} });
			if (response.status !== 200) throw new Error(`GET /Users answered ${response.status}`);
			JSON.stringify(response.body); // the trigger serialises every answer
			return response.body as { totalResults: number; itemsPerPage: number; Resources: Resource[] };
		};
		// Warm-up (builds the file store's order, fills PostgreSQL's cache).
		await get({ startIndex: '1', count: '100' });
		gc();
		const rssMb = mb(process.memoryUsage().rss);
		const heapMb = mb(process.memoryUsage().heapUsed);
		const passMs: number[] = [];
		for (let pass = 0; pass < PASSES; pass++) {
			const started = performance.now();
			const seen = new Set<string>();
			for (let startIndex = 1; ; startIndex += 100) {
				const page = await get({ startIndex: String(startIndex), count: '100' });
				for (const r of page.Resources) seen.add(r.id);
				if (startIndex + page.itemsPerPage > page.totalResults) break;
			}
			passMs.push(performance.now() - started);
			if (seen.size !== n) throw new Error(`a pass saw ${seen.size} users, not ${n}`);
		}
		const filteredStarted = performance.now();
		const filtered = await get({ filter: 'title eq "Title 7"', startIndex: '1', count: '100' });
		const filteredPageMs = performance.now() - filteredStarted;
		if (filtered.totalResults !== n / 50) throw new Error(`the filter found ${filtered.totalResults}`);
		// The batched lookups: 200 equalities or-ed, half naming users that exist (CPU ms of one search each).
		const orCpuMs: Record<string, number> = {};
		const sample = (await store.page('User', { offset: 0, limit: n })).resources.filter((_, i) => i % Math.floor(n / 100) === 0);
		const terms: Record<string, (i: number) => string> = {
			userName: (i) => `userName eq "${i < 100 ? String(sample[i].userName).toUpperCase() : `absent${i}@bench.example`}"`,
			externalId: (i) => `externalId eq "${i < 100 ? sample[i].externalId : `X${i}`}"`,
			id: (i) => `id eq "${i < 100 ? sample[i].id : randomUUID()}"`,
		};
		for (const [attribute, term] of Object.entries(terms)) {
			const filter = Array.from({ length: 200 }, (_, i) => term(i)).join(' or ');
			for (const [how, text] of [
				['index', filter],
				['scan', `not (not (${filter}))`],
			]) {
				const started = process.cpuUsage();
				const found = await get({ filter: text, startIndex: '1', count: '100' });
				const used = process.cpuUsage(started);
				if (found.totalResults !== 100) throw new Error(`${attribute} ${how}: found ${found.totalResults}, not 100`);
				orCpuMs[`${attribute} ${how}`] = (used.user + used.system) / 1000;
			}
		}
		let oldPageMs: number | undefined;
		if (kind === 'file') {
			// The page as it was computed before: every user copied, then sorted, then sliced.
			const times: number[] = [];
			for (let i = 0; i < 5; i++) {
				const started = performance.now();
				const found = await store.list('User');
				found.sort((a, b) => a.meta.created.localeCompare(b.meta.created) || a.id.localeCompare(b.id));
				found.slice(500, 600);
				times.push(performance.now() - started);
			}
			oldPageMs = median(times);
		}
		return { store: kind, users: n, passMs, filteredPageMs, orCpuMs, oldPageMs, rssMb, rssBeforeMb, heapMb, tableMb };
	} finally {
		await store.close();
	}
}

function inChild(step: 'fill' | 'case', kind: string, n: number, target: string, pgConfig?: PoolConfig): CaseResult {
	const args = ['--expose-gc', '--max-old-space-size=4096', '-r', 'ts-node/register/transpile-only', __filename];
	const out = execFileSync(process.execPath, [...args, step, kind, String(n), target, JSON.stringify(pgConfig ?? {})], {
		cwd: join(__dirname, '..'),
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
		maxBuffer: 1 << 20,
	});
	return JSON.parse(out.trim().split('\n').pop()!);
}

export async function benchTriggerStore(): Promise<void> {
	const sizes = (process.env.BENCH_STORE_SIZES ?? '10000,100000').split(',').map(Number);
	const kinds = (process.env.BENCH_STORE_KINDS ?? 'file,postgres').split(',');
	const pg = kinds.includes('postgres') ? await Postgres.start() : undefined;
	try {
		console.log(`SCIM Trigger store: a full paging pass, 100 at a time, through the service provider (median of ${PASSES})`);
		for (const kind of kinds) {
			const results = sizes.map((n) => {
				const target = kind === 'file' ? mkdtempSync(join(tmpdir(), 'bench-store-')) : `bench-${n}`;
				try {
					inChild('fill', kind, n, target, pg?.config);
					return inChild('case', kind, n, target, pg?.config);
				} finally {
					if (kind === 'file') rmSync(target, { recursive: true, force: true });
				}
			});
			for (const r of results)
				console.log(
					`  ${kind} store, ${r.users} users: pass ${(median(r.passMs) / 1000).toFixed(2)} s (${r.passMs.map((t) => (t / 1000).toFixed(2)).join(' / ')}), ` +
						`${(median(r.passMs) / Math.ceil(r.users / 100)).toFixed(2)} ms a page; a filtered page no index serves ${r.filteredPageMs.toFixed(0)} ms; ` +
						(r.oldPageMs !== undefined ? `one page the old way (copy and sort all) ${r.oldPageMs.toFixed(0)} ms; ` : '') +
						`after load RSS ${r.rssMb} MB (${r.rssBeforeMb} MB before opening the store), heap ${r.heapMb} MB` +
						(r.tableMb !== undefined ? `, table and indexes ${r.tableMb} MB` : '') +
						`\n    an or of 200 equalities, CPU ms a search: ${Object.entries(r.orCpuMs)
							.map(([what, ms]) => `${what} ${ms.toFixed(0)}`)
							.join(', ')}`,
				);
			if (results.length === 2) {
				const ratio = median(results[1].passMs) / median(results[0].passMs);
				console.log(`  ${kind} store: ${results[1].users / results[0].users}x the users → ${ratio.toFixed(1)}x the time (goal <= 12x)`);
			}
		}
	} finally {
		await pg?.stop();
	}
}

if (require.main === module && (process.argv[2] === 'case' || process.argv[2] === 'fill')) {
	const [, , step, kind, n, target, config] = process.argv;
	const run =
		step === 'fill'
			? fillCase(kind as 'file' | 'postgres', Number(n), target, JSON.parse(config)).then(() => ({}))
			: runCase(kind as 'file' | 'postgres', Number(n), target, JSON.parse(config));
	run
		.then((result) => {
			console.log(JSON.stringify(result));
			process.exit(0);
		})
		.catch((error) => {
			console.error(error);
			process.exit(1);
		});
}
