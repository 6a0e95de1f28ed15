/** The SQL credential's TLS settings against a real PostgreSQL with a throwaway CA. */
import knexFactory from 'knex';
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions } from 'n8n-workflow';
import { sqlDatabaseApiTest } from '../../nodes/shared/credentialTests';
import { itemsInto, runWorkflow } from '../harness/workflow';
import { Postgres } from '../servers/postgres';

const PASSWORD = 'Tls-Secret-Pw-5';
let pg: Postgres;
beforeAll(async () => {
	pg = await Postgres.start({ password: PASSWORD, tls: true });
	const admin = knexFactory({ client: 'pg', connection: pg.socketConfig });
	await admin.raw('create table users (id serial primary key, user_name text not null unique)');
	await admin.destroy();
});
afterAll(async () => {
	await pg?.stop();
});

const credential = (tls: ICredentialDataDecryptedObject) => ({
	engine: 'postgres',
	host: '127.0.0.1',
	port: pg.port,
	database: 'postgres',
	user: 'postgres',
	password: PASSWORD,
	...tls,
});
const check = (data: ICredentialDataDecryptedObject) =>
	sqlDatabaseApiTest.call({} as ICredentialTestFunctions, { id: '1', name: 'c', type: 'sqlDatabaseApi', data });

describe('SQL Database credential over TLS (real PostgreSQL)', () => {
	test('with the CA certificate the server is verified and used', async () => {
		expect(await check(credential({ tls: true, caCertificate: pg.caCertificate }))).toEqual({
			status: 'OK',
			message: 'Connection successful',
		});
		const res = await runWorkflow(
			itemsInto(
				'provisionUser',
				{
					target: 'sql',
					inputMode: 'define',
					attributes: { attribute: [{ name: 'user_name', value: 'tls1', matchPrecedence: 1 }] },
					sqlTable: 'users',
					options: {},
				},
				[{}],
			),
			{ sqlDatabaseApi: credential({ tls: true, caCertificate: pg.caCertificate }) },
		);
		expect(res.output('Node', 0)[0].json).toMatchObject({ action: 'Create' });
	});

	test('without it the certificate is refused, with a message saying what to add; the node stops', async () => {
		const result = await check(credential({ tls: true }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/certificate was not accepted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. Add the CA certificate/);
		const res = await runWorkflow(
			itemsInto(
				'provisionUser',
				{
					target: 'sql',
					inputMode: 'define',
					attributes: { attribute: [{ name: 'user_name', value: 'tls2', matchPrecedence: 1 }] },
					sqlTable: 'users',
					options: {},
				},
				[{}],
			),
			{ sqlDatabaseApi: credential({ tls: true }) },
		);
		expect(res.error?.message).toMatch(/certificate was not accepted/);
		expect(JSON.stringify(res.run)).not.toContain(PASSWORD);
	});

	test('turning verification off is an explicit choice that connects', async () => {
		expect(await check(credential({ tls: true, verifyCertificate: false }))).toMatchObject({ status: 'OK' });
	});
});
