/**
 * The editor's pickers on large targets (`npm run bench -- pickers`), each against a baseline of the same size
 * measured in the same run, alternating, median of the rounds:
 * - a directory with 5,000 OUs (slapd): the OU picker's first page, a searched page and a late page (offset 4,900),
 *   each a whole list search as the editor makes it (connect, bind, paged search, unbind), vs a plain ldapts
 *   connect + bind + one search of the same 101 containers + unbind;
 * - a database with 2,000 tables (PostgreSQL, MariaDB): the table picker's first page, a searched page and a late
 *   page (offset 1,900) vs a fresh connection running the plain catalog query for 101 table names.
 */
import knexFactory from 'knex';
import { Client } from 'ldapts';
import { containerFilter } from '../lib/targets/ldap/ldapListing';
import { listSearch, type ListSearchCall } from '../test/harness/listSearch';
import { ENGINES, type Engine, startSqlServer } from '../test/harness/sql';
import { Slapd } from '../test/servers/slapd';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const OUS = Number(process.env.BENCH_OUS ?? 5000);
const TABLES = Number(process.env.BENCH_TABLES ?? 2000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function timed(work: () => Promise<unknown>): Promise<number> {
	const start = process.hrtime.bigint();
	await work();
	return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Median times of the baseline and of each picker case, the rounds alternating between them. */
async function compare(label: string, baseline: () => Promise<unknown>, cases: Array<[string, () => Promise<unknown>]>): Promise<void> {
	await baseline();
	for (const [, work] of cases) await work();
	const base: number[] = [];
	const ours = cases.map(() => [] as number[]);
	for (let round = 0; round < ROUNDS; round++) {
		base.push(await timed(baseline));
		for (const [i, [, work]] of cases.entries()) ours[i].push(await timed(work));
	}
	const b = median(base);
	console.log(`${label}: baseline ${ms(b)} (median of ${ROUNDS})`);
	for (const [i, [name]] of cases.entries()) {
		const m = median(ours[i]);
		console.log(`  ${name}: ${ms(m)} (${ms(Math.min(...ours[i]))}–${ms(Math.max(...ours[i]))}), ${(m / b).toFixed(2)}× the baseline`);
	}
}

async function benchOus(): Promise<void> {
	const slapd = await Slapd.start({ dbnosync: true });
	try {
		const base = slapd.suffix;
		const ldif = [`dn: ou=Units,${base}`, 'objectClass: organizationalUnit', 'ou: Units', ''];
		for (let i = 0; i < OUS; i++) ldif.push(`dn: ou=Unit ${i},ou=Units,${base}`, 'objectClass: organizationalUnit', `ou: Unit ${i}`, '');
		slapd.ldapadd(ldif.join('\n'));
		const call: ListSearchCall = {
			nodeType: 'provisionUser',
			typeVersion: 3,
			parameters: { target: 'ldap' } as never,
			credentials: { ldapDirectoryApi: slapd.credential() },
		};
		const { urls, bindDn, bindPassword } = slapd.connection();
		const plain = async () => {
			const client = new Client({ url: urls[0] });
			try {
				await client.bind(bindDn, bindPassword);
				await client.search(base, { scope: 'sub', filter: containerFilter(), attributes: ['1.1'], sizeLimit: 101 });
			} catch (error) {
				// The size limit ends the search with sizeLimitExceeded after its 101 entries: the baseline's answer.
				if (!/size limit/i.test(String((error as Error).message))) throw error;
			} finally {
				await client.unbind();
			}
		};
		await compare(`OU picker, ${OUS.toLocaleString('en')} OUs in slapd, vs a plain search for 101 containers`, plain, [
			['first page', () => listSearch(call, 'ldapContainerSearch')],
			['searched page ("Unit 42")', () => listSearch(call, 'ldapContainerSearch', 'Unit 42')],
			[`late page (offset ${OUS - 100})`, () => listSearch(call, 'ldapContainerSearch', undefined, String(OUS - 100))],
		]);
	} finally {
		await slapd.stop();
	}
}

async function benchTables(engine: Engine): Promise<void> {
	const server = await startSqlServer(engine);
	try {
		const q = engine === 'postgres' ? (n: string) => `"${n}"` : (n: string) => `\`${n}\``;
		const names = Array.from({ length: TABLES }, (_, i) => `bench_t_${String(i).padStart(4, '0')}`);
		for (let i = 0; i < names.length; i += 50)
			await Promise.all(names.slice(i, i + 50).map((n) => server.admin.raw(`create table ${q(n)} (id int primary key, name varchar(50))`)));
		const call: ListSearchCall = {
			nodeType: 'provisionUser',
			typeVersion: 3,
			parameters: { target: 'sql' } as never,
			credentials: { sqlDatabaseApi: server.credential },
		};
		const c = server.credential;
		const plain = async () => {
			const db = knexFactory({
				client: engine === 'postgres' ? 'pg' : 'mysql2',
				connection: {
					host: String(c.host),
					port: Number(c.port),
					user: String(c.user),
					password: String(c.password),
					database: String(c.database),
				},
				pool: { min: 0, max: 1 },
			});
			try {
				await (engine === 'postgres'
					? db.raw('select table_name from information_schema.tables where table_schema = current_schema() order by table_name limit 101')
					: db.raw('select TABLE_NAME from information_schema.TABLES where TABLE_SCHEMA = database() order by TABLE_NAME limit 101'));
			} finally {
				await db.destroy();
			}
		};
		await compare(`Table picker, ${TABLES.toLocaleString('en')} tables in ${engine}, vs a plain catalog query for 101 names`, plain, [
			['first page', () => listSearch(call, 'sqlTableSearch')],
			['searched page ("t_19")', () => listSearch(call, 'sqlTableSearch', 't_19')],
			[`late page (offset ${TABLES - 100})`, () => listSearch(call, 'sqlTableSearch', undefined, String(TABLES - 100))],
		]);
	} finally {
		await server.stop();
	}
}

export async function benchPickers(): Promise<void> {
	await benchOus();
	for (const engine of ENGINES) await benchTables(engine);
}
