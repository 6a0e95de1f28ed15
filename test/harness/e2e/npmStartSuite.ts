/**
 * `npm start` as a newcomer runs it: through npm (which hands the project's .npmrc, ignore-scripts=true included,
 * to everything it starts), on free ports and a fresh user folder. It prints the SCIM endpoint and token, a user
 * pushed there reaches the demo app, the editor walkthrough (issue 15: scripts/screenshots.ts in check mode, in
 * headless Chromium) passes on it, and Ctrl+C stops every process it started. For the walkthrough's LDAP and SQL steps
 * (issue 21: a provisioning workflow built by picking) it starts a real slapd and PostgreSQL, and afterwards reads the
 * accounts the walkthrough created from the demo app, the directory and the table.
 *
 * The walkthrough runs on each of E2E_N8N_VERSIONS. It needs Debian's chromium at /usr/bin/chromium (.ci/run
 * installs it; CHROMIUM_PATH overrides).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import knexFactory from 'knex';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_N8N_VERSION, ensureRuntime, ROOT } from '../../../dev/n8n/instance';
import { walkthrough, WALKTHROUGH_ACCOUNTS, WALKTHROUGH_SQL_TABLE } from '../../../dev/walkthrough';
import { RUNTIME_INSTALL_TIMEOUT } from '../runtimes';
import { freePort } from '../../../dev/ports';
import { Postgres } from '../../servers/postgres';
import { Slapd } from '../../servers/slapd';

interface Proc {
	pid: number;
	pgid: number;
	exe: string;
	cmdline: string;
	environ: string;
}

/** Every process we may inspect (other users' processes are skipped). */
function processes(): Proc[] {
	const list: Proc[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
			const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
			list.push({
				pid: Number(entry),
				pgid,
				exe: realpathSync(`/proc/${entry}/exe`),
				cmdline,
				environ: `\0${readFileSync(`/proc/${entry}/environ`, 'utf8')}`,
			});
		} catch {
			/* gone meanwhile, or not ours */
		}
	}
	return list;
}

/** The suite of one n8n version (test/e2e/npmStart.n8n1 and .n8n2 run it per version, in separate workers). */
export function npmStartSuite(version: string): void {
	let child: ChildProcess;
	let output = '';
	let userFolder: string;
	let banner: { n8nUrl: string; endpoint: string; token: string; demoUrl: string; demoToken: string };
	const exited = () => child.exitCode !== null || child.signalCode !== null;

	beforeAll(async () => {
		userFolder = mkdtempSync(join(tmpdir(), 'npm-start-'));
		const port = await freePort();
		const env: NodeJS.ProcessEnv = {
			...process.env,
			N8N_PORT: String(port),
			DEMO_SCIM_PORT: String(await freePort()),
			N8N_USER_FOLDER: userFolder,
		};
		// The default version exactly as the README has it: no N8N_VERSION.
		if (version === DEFAULT_N8N_VERSION) delete env.N8N_VERSION;
		else env.N8N_VERSION = version;
		child = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
		child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
		while (!output.includes('Press Ctrl+C to stop.')) {
			if (exited())
				throw new Error(`npm start exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output.slice(-5000)}`);
			await new Promise((r) => setTimeout(r, 250));
		}
		const scim = /SCIM endpoint for Entra ID \/ Okta[^\n]*\n\s+(\S+)\n\s+(\S+)/.exec(output);
		const demoUrl = /Demo SCIM app\s+(\S+)/.exec(output);
		const demoToken = /Demo SCIM token\s+(\S+)/.exec(output);
		if (!scim || !demoUrl || !demoToken)
			throw new Error(`npm start did not print the SCIM endpoint, its token and the demo app:\n${output.slice(-3000)}`);
		banner = { n8nUrl: `http://127.0.0.1:${port}`, endpoint: scim[1], token: scim[2], demoUrl: demoUrl[1], demoToken: demoToken[1] };
	}, RUNTIME_INSTALL_TIMEOUT);

	afterAll(async () => {
		if (child && !exited()) process.kill(-child.pid!, 'SIGKILL');
		rmSync(userFolder, { recursive: true, force: true });
	});

	test('prints the version it prepared and the Node it runs on', async () => {
		const runtime = await ensureRuntime(version);
		expect(output).toContain(`Preparing n8n ${version}`);
		expect(output).toContain(`n8n ${version} runs on Node.js ${runtime.node.version}`);
		// n8n itself runs on that Node.
		const n8n = processes().filter(
			(p) => p.environ.includes(`\0N8N_USER_FOLDER=${userFolder}\0`) && p.cmdline.includes('/node_modules/n8n/bin/n8n'),
		);
		expect(n8n.length).toBeGreaterThan(0);
		expect(new Set(n8n.map((p) => p.exe))).toEqual(new Set([realpathSync(runtime.node.bin)]));
	});

	test('a user pushed to the printed SCIM endpoint with the printed token reaches the demo app', async () => {
		expect(banner.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook\/[\w-]+\/scim\/v2$/);
		const userName = `newcomer.${version}@example.org`;
		const res = await fetch(`${banner.endpoint}/Users`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${banner.token}`, 'Content-Type': 'application/scim+json' },
			body: JSON.stringify({
				schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
				userName,
				externalId: 'newcomer',
				active: true,
				name: { givenName: 'New', familyName: 'Comer' },
			}),
		});
		expect(res.status).toBe(201);
		const inDemo = async () => {
			const list = await fetch(`${banner.demoUrl}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, {
				headers: { Authorization: `Bearer ${banner.demoToken}` },
			});
			return ((await list.json()) as { Resources?: Array<Record<string, unknown>> }).Resources ?? [];
		};
		let found: Array<Record<string, unknown>> = [];
		for (let i = 0; i < 300 && !found.length; i++) {
			found = await inDemo();
			if (!found.length) await new Promise((r) => setTimeout(r, 200));
		}
		expect(found).toHaveLength(1);
		expect(found[0]).toMatchObject({ userName, externalId: 'newcomer', active: true });
	});

	test(
		'the editor walkthrough passes on it (headless Chromium), and provisions into SCIM, LDAP and SQL by picking',
		async () => {
			// npm start runs only the demo SCIM app: the LDAP and SQL steps get real servers as plain data.
			const slapd = await Slapd.start();
			const pg = await Postgres.start({ password: 'Walkthrough-Pw-21' });
			const admin = knexFactory({ client: 'pg', connection: pg.socketConfig, pool: { min: 0, max: 1 } });
			const log: string[] = [];
			try {
				for (const statement of WALKTHROUGH_SQL_TABLE.ddl) await admin.raw(statement);
				try {
					await walkthrough({
						check: true,
						attach: { url: banner.n8nUrl, tenantUrl: banner.endpoint, token: banner.token },
						log: (line) => log.push(line),
						targets: { ldap: slapd.credential(), sql: { engine: 'postgres', ...pg.config, password: 'Walkthrough-Pw-21' } },
					});
				} catch (error) {
					// The walkthrough says what is missing; the last lines say where it got to.
					throw new Error(`${(error as Error).message}\n--- walkthrough log (last lines) ---\n${log.slice(-40).join('\n')}`);
				}
				// The accounts the walkthrough's runs created, read from the targets themselves.
				const scim = await fetch(`${banner.demoUrl}/Users?filter=${encodeURIComponent(`userName eq "${WALKTHROUGH_ACCOUNTS.scim}"`)}`, {
					headers: { Authorization: `Bearer ${banner.demoToken}` },
				});
				const scimUsers = ((await scim.json()) as { Resources?: Array<Record<string, unknown>> }).Resources ?? [];
				expect(scimUsers).toEqual([
					expect.objectContaining({ userName: WALKTHROUGH_ACCOUNTS.scim, name: expect.objectContaining({ givenName: 'Walter' }) }),
				]);
				const entry = slapd.ldapsearch(slapd.suffix, `(uid=${WALKTHROUGH_ACCOUNTS.ldap})`, ['sn', 'cn', 'mail']);
				expect(entry).toContain(`dn: uid=${WALKTHROUGH_ACCOUNTS.ldap},ou=People,${slapd.suffix}`);
				expect(entry).toContain('sn: Walker');
				expect(entry).toContain(`mail: ${WALKTHROUGH_ACCOUNTS.ldap}@example.org`);
				const rows = await admin(`${WALKTHROUGH_SQL_TABLE.schema}.${WALKTHROUGH_SQL_TABLE.name}`).select('login', 'email');
				expect(rows).toEqual([{ login: WALKTHROUGH_ACCOUNTS.sql, email: `${WALKTHROUGH_ACCOUNTS.sql}@example.org` }]);
			} finally {
				await admin.destroy();
				await pg.stop();
				await slapd.stop();
			}
		},
		30 * 60 * 1000,
	);

	test('Ctrl+C stops npm start, n8n and everything n8n started', async () => {
		const groups = new Set(
			processes()
				.filter((p) => p.environ.includes(`\0N8N_USER_FOLDER=${userFolder}\0`))
				.map((p) => p.pgid),
		);
		expect(groups.size).toBeGreaterThan(0);
		const done = new Promise((r) => child.once('exit', r));
		// What the terminal does on Ctrl+C: SIGINT to the foreground process group (npm, sh, ts-node).
		process.kill(-child.pid!, 'SIGINT');
		await done;
		let left = processes().filter((p) => groups.has(p.pgid) || p.pgid === child.pid);
		for (let i = 0; i < 100 && left.length; i++) {
			await new Promise((r) => setTimeout(r, 200));
			left = processes().filter((p) => groups.has(p.pgid) || p.pgid === child.pid);
		}
		expect(left.map((p) => p.pid)).toEqual([]);
	});
}
