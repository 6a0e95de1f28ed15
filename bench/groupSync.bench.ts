/**
 * 200 groups × 200 members (40,000 memberships) into slapd and into the SCIM server: Group Sync
 * against a one-call-per-membership baseline (the ids handed to it for free), same run, same concurrency.
 */
import axios from 'axios';
import { Attribute, Change, Client } from 'ldapts';
import pLimit from 'p-limit';
import { itemsInto, runWorkflow } from '../test/harness/workflow';
import { ScimTestServer } from '../dev/scimApp';
import { Slapd } from '../test/servers/slapd';

const GROUPS = Number(process.env.BENCH_GROUPS ?? 200);
const PER_GROUP = Number(process.env.BENCH_GROUP_MEMBERS ?? 200);
const USERS = 1000;
const CONCURRENCY = 8;

/** Group g gets PER_GROUP consecutive users starting at a group-specific offset. */
const membersOf = (g: number) => Array.from({ length: PER_GROUP }, (_, k) => (g * 37 + k) % USERS);

function report(label: string, groups: number, baselineRequests: number, baselineMs: number, oursRequests: number, oursMs: number) {
	console.log(`${label}: ${groups} groups x ${PER_GROUP} members (${groups * PER_GROUP} memberships)`);
	console.log(`  one call per membership (baseline)  ${baselineRequests} requests, ${(baselineMs / 1000).toFixed(2)} s`);
	console.log(`  Group Sync                          ${oursRequests} requests, ${(oursMs / 1000).toFixed(2)} s`);
	console.log(
		`  requests ${((oursRequests / baselineRequests) * 100).toFixed(2)}% of baseline (goal <= 5%), ${(baselineMs / oursMs).toFixed(1)}x faster (goal >= 10x)`,
	);
}

/** slapd as deployed (every write synced to disk), and with dbnosync, where single-value writes cost least. */
async function benchLdap(dbnosync: boolean): Promise<void> {
	const slapd = await Slapd.start({ dbnosync });
	try {
		const ldif: string[] = [];
		for (let i = 0; i < USERS; i++)
			ldif.push(`dn: uid=g${i},ou=People,${slapd.suffix}`, 'objectClass: inetOrgPerson', `uid: g${i}`, `cn: G ${i}`, `sn: ${i}`, '');
		slapd.ldapadd(ldif.join('\n'));
		const audit = () => (slapd.auditLog().match(/^# (add|modify|delete|modrdn) /gm) ?? []).length;

		// Baseline: create each group with its first member, then one modify per further membership.
		const client = new Client({ url: slapd.url });
		await client.bind(slapd.rootDn, slapd.rootPassword);
		const limit = pLimit(CONCURRENCY);
		let baselineRequests = 0;
		let t = performance.now();
		await Promise.all(
			Array.from({ length: GROUPS }, (_, g) =>
				limit(async () => {
					const [first, ...rest] = membersOf(g).map((u) => `uid=g${u},ou=People,${slapd.suffix}`);
					const dn = `cn=base${g},ou=Groups,${slapd.suffix}`;
					await client.add(dn, { objectClass: ['groupOfNames'], cn: `base${g}`, member: [first] });
					baselineRequests++;
					for (const member of rest) {
						await client.modify(dn, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [member] }) }));
						baselineRequests++;
					}
				}),
			),
		);
		const baselineMs = performance.now() - t;
		await client.unbind();

		const items = Array.from({ length: GROUPS }, (_, g) => ({ displayName: `ours${g}`, members: membersOf(g).map((u) => `g${u}`) }));
		const writesBefore = audit();
		t = performance.now();
		const res = await runWorkflow(
			itemsInto(
				'groupSync',
				{
					target: 'ldap',
					mode: 'authoritative',
					groupSchema: 'groupOfNames',
					groupSearchBase: `ou=Groups,${slapd.suffix}`,
					groupDnTemplate: `cn={displayName},ou=Groups,${slapd.suffix}`,
					searchBase: `ou=People,${slapd.suffix}`,
					objectFilter: '(objectClass=inetOrgPerson)',
					chunkSize: 100,
					options: { concurrency: CONCURRENCY },
				},
				items,
			),
			{
				ldapDirectoryApi: {
					...slapd.credential(),
				},
			},
		);
		const oursMs = performance.now() - t;
		const created = res.output('Node').filter((i) => i.json.action === 'Create').length;
		if (created !== GROUPS) throw new Error(`expected ${GROUPS} creates, got ${created}: ${res.error?.message ?? ''}`);
		// Reads are searches: group lookups (1 batched), user resolution (5 batched), no per-group read for new groups.
		const oursWrites = audit() - writesBefore;
		const oursSearches = 1 + Math.ceil(USERS / 200);
		report(`LDAP (${dbnosync ? 'dbnosync' : 'default fsync'})`, GROUPS, baselineRequests, baselineMs, oursWrites + oursSearches, oursMs);
	} finally {
		await slapd.stop();
	}
}

/** SCIMMY re-validates the whole member list on every PATCH, so the one-call-per-membership baseline is
 * slow on it: BENCH_SCIM_GROUPS (default 40) groups of the same size keep the run within minutes. */
async function benchScim(): Promise<void> {
	const GROUPS = Number(process.env.BENCH_SCIM_GROUPS ?? 40);
	const server = await ScimTestServer.start();
	try {
		const http = axios.create({
			baseURL: server.baseUrl,
			headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/scim+json' },
		});
		const ids: string[] = [];
		for (let i = 0; i < USERS; i += 100) {
			const batch = await Promise.all(
				Array.from({ length: 100 }, (_, k) =>
					http.post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `g${i + k}` }),
				),
			);
			ids.push(...batch.map((r) => r.data.id));
		}
		const limit = pLimit(CONCURRENCY);
		server.resetLog();
		let t = performance.now();
		await Promise.all(
			Array.from({ length: GROUPS }, (_, g) =>
				limit(async () => {
					const group = await http.post('/Groups', {
						schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
						displayName: `base${g}`,
						members: [],
					});
					for (const u of membersOf(g)) {
						await http.patch(`/Groups/${group.data.id}`, {
							schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
							Operations: [{ op: 'add', path: 'members', value: [{ value: ids[u] }] }],
						});
					}
				}),
			),
		);
		const baselineMs = performance.now() - t;
		const baselineRequests = server.requests.length;

		server.resetLog();
		const items = Array.from({ length: GROUPS }, (_, g) => ({ displayName: `ours${g}`, members: membersOf(g).map((u) => `g${u}`) }));
		t = performance.now();
		const res = await runWorkflow(
			itemsInto('groupSync', { target: 'scim', mode: 'authoritative', chunkSize: 100, options: { concurrency: CONCURRENCY } }, items),
			{
				scimTargetApi: { baseUrl: server.baseUrl, authentication: 'bearer', token: server.token },
			},
		);
		const oursMs = performance.now() - t;
		const created = res.output('Node').filter((i) => i.json.action === 'Create').length;
		if (created !== GROUPS) throw new Error(`expected ${GROUPS} creates, got ${created}: ${res.error?.message ?? ''}`);
		report('SCIM', GROUPS, baselineRequests, baselineMs, server.requests.length, oursMs);
	} finally {
		await server.stop();
	}
}

export async function benchGroupSync(): Promise<void> {
	await benchLdap(false);
	await benchLdap(true);
	if (process.env.BENCH_SKIP_SCIM_GROUPS !== 'true') await benchScim();
}
