/**
 * 10,000 new users into slapd: Provision User (real workflow, batched matching, concurrency 4) against
 * `ldapadd` of the same entries as LDIF into an identical slapd, in the same run. Then a rerun with
 * nothing changed, against the create run.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { itemsInto, runWorkflow } from '../test/harness/workflow';
import { Slapd } from '../test/servers/slapd';

const PEOPLE = 'ou=People,dc=example,dc=org';

function people(n: number) {
	return Array.from({ length: n }, (_, i) => ({
		uid: `bench${i}`,
		cn: `Bench User ${i}`,
		sn: `User${i}`,
		givenName: 'Bench',
		mail: `bench${i}@example.org`,
		employeeNumber: `B${100000 + i}`,
		title: 'Engineer',
		telephoneNumber: `+1 555 ${String(i).padStart(6, '0')}`,
		departmentNumber: String(i % 40),
		l: 'Zurich',
		objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
	}));
}

export async function benchLdapProvision(n = Number(process.env.BENCH_USERS ?? 10000)): Promise<Record<string, number>> {
	const baseline = await Slapd.start();
	const ours = await Slapd.start();
	try {
		const users = people(n);
		const ldif = users
			.map((u) =>
				[
					`dn: uid=${u.uid},${PEOPLE}`,
					...Object.entries(u).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}: ${x}`) : [`${k}: ${v}`])),
					'',
				].join('\n'),
			)
			.join('\n');
		const file = join(baseline.dir, 'bench.ldif');
		writeFileSync(file, ldif);

		let t = performance.now();
		const res = spawnSync('ldapadd', ['-x', '-D', baseline.rootDn, '-w', baseline.rootPassword, '-H', baseline.url, '-f', file], {
			encoding: 'utf8',
			maxBuffer: 1 << 30,
		});
		const ldapaddMs = performance.now() - t;
		if (res.status !== 0) throw new Error(`ldapadd failed: ${res.stderr}`);

		const envelopes = users.map(({ objectClass, ...attributes }) => ({
			attributes,
			createOnly: { objectClass },
			matchKeys: [{ attribute: 'uid', value: attributes.uid }],
		}));
		const workflow = itemsInto(
			'provisionUser',
			{
				target: 'ldap',
				inputMode: 'envelope',
				dnTemplate: `uid={uid},${PEOPLE}`,
				objectFilter: '(objectClass=inetOrgPerson)',
				options: { concurrency: 4 },
			},
			envelopes,
		);
		const credentials = {
			ldapDirectoryApi: { ...ours.credential() },
		};

		t = performance.now();
		const created = await runWorkflow(workflow, credentials);
		const createMs = performance.now() - t;
		const createdCount = created.output('Node').filter((i) => i.json.action === 'Create').length;
		if (createdCount !== n) throw new Error(`expected ${n} creates, got ${createdCount}: ${created.error?.message ?? ''}`);

		t = performance.now();
		const rerun = await runWorkflow(workflow, credentials);
		const rerunMs = performance.now() - t;
		const unchanged = rerun.output('Node').filter((i) => i.json.action === 'NoChange').length;
		if (unchanged !== n) throw new Error(`expected ${n} NoChange, got ${unchanged}`);

		const result = {
			users: n,
			ldapaddPerSecond: Math.round(n / (ldapaddMs / 1000)),
			createPerSecond: Math.round(n / (createMs / 1000)),
			rerunPerSecond: Math.round(n / (rerunMs / 1000)),
			createVsLdapadd: ldapaddMs / createMs,
			rerunSpeedup: createMs / rerunMs,
		};
		console.log(`LDAP: ${n} users`);
		console.log(`  ldapadd (baseline)          ${(ldapaddMs / 1000).toFixed(2)} s  (${result.ldapaddPerSecond}/s)`);
		console.log(`  Provision User, create      ${(createMs / 1000).toFixed(2)} s  (${result.createPerSecond}/s)`);
		console.log(`  Provision User, unchanged   ${(rerunMs / 1000).toFixed(2)} s  (${result.rerunPerSecond}/s)`);
		console.log(`  ratio create vs ldapadd     ${result.createVsLdapadd.toFixed(2)}x   (goal >= 0.8x)`);
		console.log(`  ratio unchanged vs create   ${result.rerunSpeedup.toFixed(2)}x faster   (goal >= 3x)`);
		return result;
	} finally {
		await baseline.stop();
		await ours.stop();
	}
}
