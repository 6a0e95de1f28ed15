/**
 * Both governance state stores for a test file: PostgreSQL on a test server started once for the file (each store
 * with its own pool, closed after the file) and a folder for file stores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { PostgresGovernanceStore } from '../../lib/store/governance/postgresGovernanceStore';
import { Postgres } from '../servers/postgres';

export function governanceStores(folderPrefix: string, connectionsPerStore: number) {
	let pg: Postgres | undefined;
	const pools: Pool[] = [];
	const fileDir = mkdtempSync(join(tmpdir(), `${folderPrefix}-`));
	beforeAll(async () => {
		pg = await Postgres.start();
	});
	afterAll(async () => {
		await Promise.all(pools.map((p) => p.end()));
		await pg?.stop();
		rmSync(fileDir, { recursive: true, force: true });
	});
	return {
		postgres: () => pg!,
		pgStore: () => {
			const pool = new Pool({ ...pg!.config, max: connectionsPerStore }).on('error', () => undefined);
			pools.push(pool);
			return new PostgresGovernanceStore(pool);
		},
		fileDir,
	};
}
