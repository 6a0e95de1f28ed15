/**
 * What a refused row comes back as, on real PostgreSQL and MariaDB: every constraint and data error has its code (never
 * Internal), the same one on both engines; it counts as a failure at the target but is not retried (the same row would
 * fail the same way); and no secret of the item — a password column, an attribute the envelope's `redact` lists, a
 * Redact() output — is left in any message, description, output item, provisioning-log record or console line, whole
 * or in the truncated, hex-escaped or row-dump forms the servers echo values in.
 */
import type { INodeExecutionData } from 'n8n-workflow';
import type { ProvisioningEnvelope } from '../../lib/envelope';
import { figuresOf } from '../../lib/provisioning/governance/quarantine';
import { isRetryable } from '../../lib/provisioning/governance/escrow';
import { provisionUsers } from '../../lib/provisioning/provisionUser';
import { sqlTargetFromCredentials } from '../../nodes/shared/sqlSettings';
import { ENGINES, type SqlServer, startSqlServer } from '../harness/sql';
import { chain, itemsInto, runWorkflow } from '../harness/workflow';

/** Long (servers cut echoes at 64 or 128 characters), with regular-expression characters and characters outside Latin-1. */
const secret = (tag: string, filler: string) => `${tag}-S${tag}é.*+?^$\{${tag}}()|[]\\${tag}-${filler.repeat(140)}-🔑-${tag}`;
const PASSWORD = secret('Pw', 'p');
const NICK = secret('Nick', 'n');
const OFFENDING = secret('Bad', 'b');
const SECRETS = [PASSWORD, NICK, OFFENDING];
/** A secret is out of a text when no 8 characters of it are there, in JavaScript's or in MySQL's \xHH escaping. */
const FRAGMENT = 8;
const hexEscaped = (s: string) =>
	[...Buffer.from(s, 'utf8')].map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase()}`)).join('');

function expectNoSecret(text: string): void {
	for (const form of SECRETS.flatMap((s) => [s, hexEscaped(s), JSON.stringify(s).slice(1, -1)])) {
		for (let i = 0; i + FRAGMENT <= form.length; i++) {
			const fragment = form.slice(i, i + FRAGMENT);
			if (/^(.)\1*$/.test(fragment)) continue; // the filler alone says nothing
			if (text.includes(fragment)) throw new Error(`"${fragment}" (part of a secret) is in: ${text}`);
		}
	}
}

const everything = (item: INodeExecutionData) =>
	JSON.stringify({
		json: item.json,
		error: item.error && { ...item.error, message: item.error.message, description: item.error.description },
	});

interface Case {
	name: string;
	attributes: Record<string, unknown>;
	code: 'TargetRejected' | 'Uniqueness';
	/** The column named as the field, where the engine names it. */
	field?: string;
	engines?: Array<'postgres' | 'mysql'>;
	clear?: string[];
}

const CASES: Case[] = [
	{
		name: 'no value for a NOT NULL column (MySQL 1364, PostgreSQL 23502)',
		attributes: { required_code: undefined },
		code: 'TargetRejected',
		field: 'required_code',
	},
	{ name: 'a value too long (1406, 22001)', attributes: { short_code: OFFENDING }, code: 'TargetRejected' },
	{ name: 'text in an integer column (1366, 22P02)', attributes: { badge: OFFENDING }, code: 'TargetRejected' },
	{ name: 'a missing foreign key (1452, 23503)', attributes: { team_id: 999 }, code: 'TargetRejected' },
	{ name: 'a CHECK constraint (MariaDB 4025, MySQL 3819, 23514)', attributes: { level: OFFENDING }, code: 'TargetRejected' },
	{ name: 'a bad time, by its SQLSTATE class 22 (1292, 22007)', attributes: { started: OFFENDING }, code: 'TargetRejected' },
	{ name: 'a number out of range, by its SQLSTATE class 22 (1264, 22003)', attributes: { badge: 99999999999 }, code: 'TargetRejected' },
	{
		name: 'characters the column cannot hold, echoed in hex (1366)',
		attributes: { latin: OFFENDING },
		code: 'TargetRejected',
		engines: ['mysql'],
	},
	{ name: 'a duplicate secret (1062, 23505)', attributes: { nickname: NICK }, code: 'Uniqueness' },
];

describe.each(ENGINES)('SQL errors and secrets (%s)', (engine) => {
	let server: SqlServer;
	const cases = CASES.filter((c) => !c.engines || c.engines.includes(engine));
	const envelope = (c: Case, i: number): ProvisioningEnvelope => {
		const attributes: Record<string, unknown> = { user_name: `e${i}`, required_code: 'RC', nickname: `${NICK}-${i}`, ...c.attributes };
		if (attributes.required_code === undefined) delete attributes.required_code;
		return {
			attributes: attributes as ProvisioningEnvelope['attributes'],
			createOnly: { password: PASSWORD },
			matchKeys: [{ attribute: 'user_name', value: `e${i}` }],
			redact: ['nickname', 'short_code', 'badge', 'level', 'started', 'latin'],
		};
	};
	const console$ = { text: '' };

	beforeAll(async () => {
		server = await startSqlServer(engine);
		const pg = engine === 'postgres';
		await server.admin.raw('create table teams (id int primary key)');
		await server.admin.raw(
			`create table accounts (
				id ${pg ? 'serial' : 'int auto_increment'} primary key, user_name varchar(100) not null unique,
				required_code varchar(50) not null, short_code varchar(8), badge integer, team_id int references teams(id),
				level varchar(300) check (level in ('junior', 'senior')), password varchar(300), nickname varchar(300) unique,
				started ${pg ? 'timestamp' : 'datetime'}, latin varchar(300)${pg ? '' : ' character set latin1'})`,
		);
		await server.admin('accounts').insert({ user_name: 'holder', required_code: 'RC', nickname: NICK, password: PASSWORD });
		for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
			jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
				console$.text += `${args.map(String).join(' ')}\n`;
			});
		}
	});
	afterAll(async () => {
		jest.restoreAllMocks();
		await server?.stop();
	});
	afterEach(() => expectNoSecret(console$.text));

	test('each error has its code, counts as a target failure, is not retried, and no secret is in the error or the record', async () => {
		const target = sqlTargetFromCredentials(server.credential, { users: { table: 'accounts', keyColumn: 'id' } });
		try {
			const outcomes = await provisionUsers(target, cases.map(envelope));
			expect(outcomes.map((o, i) => [cases[i].name, o.error?.code])).toEqual(cases.map((c) => [c.name, c.code]));
			const named = cases.flatMap((c, i) => (c.field ? [[c.name, outcomes[i].error?.field]] : []));
			expect(named).toEqual(cases.flatMap((c) => (c.field ? [[c.name, c.field]] : [])));
			for (const { error, record } of outcomes) {
				expect(error!.fromTarget).toBe(true);
				expect(isRetryable(error!)).toBe(false);
				expectNoSecret(error!.message);
				expectNoSecret(JSON.stringify(record));
			}
			expect(figuresOf(outcomes)).toMatchObject({ operations: cases.length, failures: cases.length });
		} finally {
			await target.close();
		}
	});

	test('clearing a NOT NULL column of an existing row (MySQL 1048, PostgreSQL 23502): TargetRejected, naming the column', async () => {
		const target = sqlTargetFromCredentials(server.credential, { users: { table: 'accounts', keyColumn: 'id' } });
		try {
			const [outcome] = await provisionUsers(target, [
				{
					attributes: { user_name: 'holder' },
					matchKeys: [{ attribute: 'user_name', value: 'holder' }],
					clearAttributes: ['required_code'],
				},
			]);
			expect([outcome.error?.code, outcome.error?.field]).toEqual(['TargetRejected', 'required_code']);
			expectNoSecret(JSON.stringify(outcome.record));
		} finally {
			await target.close();
		}
	});

	const params = { target: 'sql', inputMode: 'envelope', sqlTable: 'accounts', sqlKeyColumn: 'id', options: {} };

	test('through the node: no secret in the error output, its message, description or provisioning-log record', async () => {
		const items = cases.map((c, i) => envelope(c, 100 + i));
		const res = await runWorkflow(itemsInto('provisionUser', params, items, { onError: 'continueErrorOutput' }), {
			sqlDatabaseApi: server.credential,
		});
		expect(res.output('Node', 0)).toHaveLength(0);
		const failed = res.output('Node', 1);
		expect(failed).toHaveLength(cases.length);
		for (const item of failed) expectNoSecret(everything(item));
	});

	test('through the node, On Error → Stop: the NodeApiError says nothing secret', async () => {
		const longText = cases.findIndex((c) => c.attributes.badge === OFFENDING);
		const res = await runWorkflow(itemsInto('provisionUser', params, [envelope(cases[longText], 200)]), {
			sqlDatabaseApi: server.credential,
		});
		expect(res.error?.name).toBe('NodeApiError');
		expectNoSecret(
			JSON.stringify({ ...res.error, message: res.error?.message, description: (res.error as { description?: string }).description }),
		);
	});

	test('a Redact() output from Map Attributes is scrubbed from the refusal of its value', async () => {
		const res = await runWorkflow(
			chain(
				[{ login: 'mapped', code: 'RC', badge: OFFENDING }],
				[
					{
						name: 'Map',
						type: 'mapAttributes',
						parameters: {
							preset: 'none',
							mappings: {
								mapping: [
									{ target: 'user_name', type: 'direct', source: 'login', matchPrecedence: 1 },
									{ target: 'required_code', type: 'direct', source: 'code' },
									{ target: 'badge', type: 'expression', expression: 'Redact([badge])' },
								],
							},
						},
					},
					{ name: 'Provision', type: 'provisionUser', parameters: params, settings: { onError: 'continueErrorOutput' } },
				],
			),
			{ sqlDatabaseApi: server.credential },
		);
		expect(res.output('Map')[0].json).toMatchObject({ redact: ['badge'] });
		const [failed] = res.output('Provision', 1);
		expect(failed).toBeDefined();
		expect(everything(failed)).toContain('TargetRejected');
		expectNoSecret(everything(failed));
	});
});
