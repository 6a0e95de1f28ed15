/** Issue 19: searches answered from PostgreSQL's indexes answer exactly as a scan (the file store: test/unit/scimFilterScan.test.ts). */
import { PostgresIdentityStore } from '../../lib/store/postgresIdentityStore';
import { INDEXED_SEARCH_SEED, indexedSearchMatchesScan } from '../harness/indexedSearch';
import { Postgres } from '../servers/postgres';

let pg: Postgres;
beforeAll(async () => {
	pg = await Postgres.start();
});
afterAll(async () => {
	await pg.stop();
});

test(`PostgreSQL store: searches answered from the indexes answer exactly as a scan (fast-check, seed ${INDEXED_SEARCH_SEED})`, async () => {
	const store = new PostgresIdentityStore(pg.config, 'filter-index');
	try {
		await indexedSearchMatchesScan(store);
	} finally {
		await store.close();
	}
});
