/**
 * End to end in real n8n with the SQL target: the packed package installed as the Community Nodes installer does it
 * (no install scripts, so knex, pg and mysql2 must work as plain JavaScript), a SQL Database credential imported, and
 * the workflow Webhook → Map Attributes → Provision User (SQL) driven over HTTP against a real PostgreSQL.
 */
import knexFactory, { type Knex } from 'knex';
import { sharedN8n, type SharedN8n } from '../harness/e2e/sharedN8n';
import { E2E_N8N_VERSIONS } from '../harness/runtimes';
import { Postgres } from '../servers/postgres';

const VERSIONS = E2E_N8N_VERSIONS;
const PASSWORD = 'E2e-Sql-Pw-42';

const workflow = {
	id: 'ProvisionSqlWebhook1',
	name: 'HR webhook → Map Attributes → Provision User (SQL)',
	nodes: [
		{
			id: '5d4e3f70-4444-4e40-9d04-000000000001',
			name: 'HR Event',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '7a2e3d4c-5b6f-4a70-9b8c-0d1e2f3a4b5c',
			parameters: { httpMethod: 'POST', path: 'provision-sql', responseMode: 'lastNode', options: {} },
		},
		{
			id: '5d4e3f70-4444-4e40-9d04-000000000002',
			name: 'Map Attributes',
			type: 'n8n-nodes-provisioning.mapAttributes',
			typeVersion: 1,
			position: [240, 0],
			parameters: {
				preset: 'none',
				mappings: {
					mapping: [
						{ target: 'employee_id', type: 'direct', source: 'body.employeeId', matchPrecedence: 1, required: true, apply: 'always' },
						{ target: 'userName', type: 'expression', expression: 'ToLower([body.email])', matchPrecedence: 2, apply: 'always' },
						{ target: 'given_name', type: 'expression', expression: 'NormalizeDiacritics([body.firstName])', apply: 'always' },
						{ target: 'family_name', type: 'direct', source: 'body.lastName', apply: 'always' },
						{ target: 'title', type: 'expression', expression: 'PCase([body.jobTitle])', apply: 'always' },
						{ target: 'active', type: 'expression', expression: 'IIF([body.status]="Terminated", False, True)', apply: 'always' },
					],
				},
				options: { missingAsEmpty: true },
			},
		},
		{
			id: '5d4e3f70-4444-4e40-9d04-000000000003',
			name: 'Provision User',
			type: 'n8n-nodes-provisioning.provisionUser',
			typeVersion: 1,
			position: [480, 0],
			parameters: {
				target: 'sql',
				inputMode: 'envelope',
				sqlTable: 'users',
				sqlKeyColumn: 'id',
				sqlColumns: { mapping: [{ attribute: 'userName', column: 'user_name' }] },
				sqlAccountState: { activeColumn: 'active' },
				options: {},
			},
			credentials: { sqlDatabaseApi: { id: 'AppDatabase1', name: 'App database' } },
		},
	],
	connections: {
		'HR Event': { main: [[{ node: 'Map Attributes', type: 'main', index: 0 }]] },
		'Map Attributes': { main: [[{ node: 'Provision User', type: 'main', index: 0 }]] },
	},
	settings: { executionOrder: 'v1' },
	pinData: {},
};

let pg: Postgres;
let admin: Knex;
beforeAll(async () => {
	pg = await Postgres.start({ password: PASSWORD });
	admin = knexFactory({ client: 'pg', connection: pg.socketConfig, pool: { min: 0, max: 1 } });
	await admin.raw(`create table users (
		id serial primary key, user_name text not null unique, employee_id text unique, given_name text, family_name text,
		title text, active boolean not null default true)`);
}, 300000);
afterAll(async () => {
	await admin?.destroy();
	await pg?.stop();
});

describe.each(VERSIONS)('real n8n %s with a SQL target', (version) => {
	let n8n: SharedN8n;

	beforeAll(async () => {
		await admin.raw('truncate users restart identity');
		n8n = await sharedN8n(version);
		await n8n.load({
			credentials: [
				{
					id: 'AppDatabase1',
					name: 'App database',
					type: 'sqlDatabaseApi',
					data: { engine: 'postgres', host: '127.0.0.1', port: pg.port, database: 'postgres', user: 'postgres', password: PASSWORD },
				},
			],
			workflows: [workflow],
		});
	}, 600000);

	afterAll(() => n8n?.unload());

	const post = async (body: object) => {
		const res = await fetch(`${n8n.url}/webhook/provision-sql`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});
		return { status: res.status, json: (await res.json()) as any };
	};
	const hire = {
		employeeId: 'E42',
		email: 'Ada.Lovelace@Example.org',
		firstName: 'Zoë',
		lastName: 'Lovelace',
		jobTitle: 'DATA ANALYST',
		status: 'Active',
	};

	test('n8n knows the SQL Database credential type', async () => {
		const cookie = n8n.session;
		const credentials = (await fetch(`${n8n.url}/types/credentials.json`, { headers: { cookie } }).then((r) => r.json())) as Array<{
			name: string;
		}>;
		expect(credentials.map((c) => c.name)).toContain('sqlDatabaseApi');
	});

	test('Webhook → Map Attributes → Provision User creates the row, leaves it alone, then updates one column', async () => {
		const created = await post(hire);
		expect(created.status).toBe(200);
		expect(created.json).toMatchObject({ action: 'Create', status: 'Success', targetSystem: 'sql' });
		const rows = await admin('users').select();
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({
			user_name: 'ada.lovelace@example.org',
			employee_id: 'E42',
			given_name: 'Zoe',
			title: 'Data Analyst',
			active: true,
		});
		expect(created.json.targetId).toBe(String(rows[0].id));

		const again = await post(hire);
		expect(again.json).toMatchObject({
			action: 'NoChange',
			targetId: created.json.targetId,
			matchedBy: { attribute: 'employee_id', value: 'E42' },
		});

		const left = await post({ ...hire, status: 'Terminated' });
		expect(left.json).toMatchObject({ action: 'Update', modifiedProperties: [{ name: 'active', oldValue: true, newValue: false }] });
		expect((await admin('users').first()).active).toBe(false);
	});
});
