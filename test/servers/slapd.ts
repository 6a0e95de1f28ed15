import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../dev/ports';

export interface SlapdOptions {
	suffix?: string;
	/** Skip fsync on writes (benchmarks that compare against ldapadd set it for both). */
	dbnosync?: boolean;
	/** Also listen on ldaps:// with a throwaway CA and certificate. */
	tls?: boolean;
	/** Extra schemas: names from /etc/ldap/schema (msuser for Active Directory classes) or absolute paths. */
	extraSchemas?: string[];
	/**
	 * Extra overlays: `refint` keeps member, uniqueMember, manager and secretary DNs right when an entry is renamed,
	 * moved or deleted (as Active Directory does by itself). It works asynchronously, after the modify DN answers.
	 */
	overlays?: Array<'refint'>;
	/** Entries a search may return to users other than the root (default unlimited; slapd's own default is 500). */
	sizeLimit?: number;
}

const SLAPD = '/usr/sbin/slapd';

function requireBinary(path: string, hint: string): void {
	if (!existsSync(path)) throw new Error(`${path} is missing: ${hint}. The LDAP tests need a real OpenLDAP server.`);
}

/** A real OpenLDAP slapd on 127.0.0.1 with a throwaway config, database and audit log. */
export class Slapd {
	readonly rootDn: string;
	readonly rootPassword = 'admin-secret-Pw1';
	readonly auditLogPath: string;
	url = '';
	ldapsUrl = '';
	caCertificate = '';
	private process?: ChildProcess;
	private port = 0;
	private tlsPort = 0;

	private constructor(
		readonly dir: string,
		readonly suffix: string,
		private readonly options: SlapdOptions,
	) {
		this.rootDn = `cn=admin,${suffix}`;
		this.auditLogPath = join(dir, 'audit.ldif');
	}

	/** slapd's process id (benchmarks read its CPU time from /proc). */
	get pid(): number | undefined {
		return this.process?.pid;
	}

	/** The LDAP Directory API credential for this server, bound as its root (override fields after the spread). */
	credential(): { urls: string; bindDn: string; bindPassword: string; baseDn: string; flavour: string } {
		return { urls: this.url, bindDn: this.rootDn, bindPassword: this.rootPassword, baseDn: this.suffix, flavour: 'openldap' };
	}

	/** The connection settings of the LDAP target for this server, bound as its root. */
	connection(): { urls: string[]; bindDn: string; bindPassword: string } {
		return { urls: [this.url], bindDn: this.rootDn, bindPassword: this.rootPassword };
	}

	static async start(options: SlapdOptions = {}): Promise<Slapd> {
		requireBinary(SLAPD, 'install it with "apt-get install -y slapd ldap-utils"');
		requireBinary('/usr/bin/ldapadd', 'install it with "apt-get install -y ldap-utils"');
		const dir = mkdtempSync(join(tmpdir(), 'slapd-'));
		const slapd = new Slapd(dir, options.suffix ?? 'dc=example,dc=org', options);
		slapd.port = await freePort();
		if (options.tls) {
			slapd.tlsPort = await freePort();
			slapd.makeCertificates();
		}
		slapd.writeConfig();
		await slapd.launch();
		const dc = /^dc=([^,]+)/.exec(slapd.suffix)?.[1] ?? 'example';
		slapd.ldapadd(
			[
				`dn: ${slapd.suffix}`,
				'objectClass: dcObject',
				'objectClass: organization',
				`dc: ${dc}`,
				'o: Example',
				'',
				`dn: ou=People,${slapd.suffix}`,
				'objectClass: organizationalUnit',
				'ou: People',
				'',
				`dn: ou=Groups,${slapd.suffix}`,
				'objectClass: organizationalUnit',
				'ou: Groups',
				'',
			].join('\n'),
		);
		return slapd;
	}

	private makeCertificates(): void {
		const run = (args: string[]) => execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
		run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Test CA', '-keyout', 'ca.key', '-out', 'ca.crt']);
		run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
		writeFileSync(join(this.dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
		run([
			'x509',
			'-req',
			'-in',
			'server.csr',
			'-CA',
			'ca.crt',
			'-CAkey',
			'ca.key',
			'-CAcreateserial',
			'-days',
			'2',
			'-out',
			'server.crt',
			'-extfile',
			'san.ext',
		]);
		this.caCertificate = readFileSync(join(this.dir, 'ca.crt'), 'utf8');
	}

	private writeConfig(): void {
		mkdirSync(join(this.dir, 'db'), { recursive: true });
		const schemas = ['core', 'cosine', 'inetorgperson', 'nis', ...(this.options.extraSchemas ?? [])];
		const tls = this.options.tls
			? [
					`TLSCACertificateFile ${join(this.dir, 'ca.crt')}`,
					`TLSCertificateFile ${join(this.dir, 'server.crt')}`,
					`TLSCertificateKeyFile ${join(this.dir, 'server.key')}`,
				]
			: [];
		const config = [
			...schemas.map((s) => `include ${s.startsWith('/') ? s : `/etc/ldap/schema/${s}.schema`}`),
			`pidfile ${join(this.dir, 'slapd.pid')}`,
			`argsfile ${join(this.dir, 'slapd.args')}`,
			'modulepath /usr/lib/ldap',
			'moduleload back_mdb',
			'moduleload ppolicy',
			'moduleload auditlog',
			...(this.options.overlays?.includes('refint') ? ['moduleload refint'] : []),
			...tls,
			`sizelimit ${this.options.sizeLimit ?? 'unlimited'}`,
			'database mdb',
			'maxsize 1073741824',
			`suffix "${this.suffix}"`,
			`rootdn "${this.rootDn}"`,
			`rootpw ${this.rootPassword}`,
			`directory ${join(this.dir, 'db')}`,
			...(this.options.dbnosync ? ['dbnosync'] : []),
			'index objectClass eq',
			'index uid,mail,cn,employeeNumber,memberUid eq',
			'overlay ppolicy',
			'overlay auditlog',
			`auditlog ${this.auditLogPath}`,
			...(this.options.overlays?.includes('refint')
				? ['overlay refint', 'refint_attributes member uniqueMember manager secretary', `refint_nothing cn=nobody,${this.suffix}`]
				: []),
			'',
		].join('\n');
		writeFileSync(join(this.dir, 'slapd.conf'), config);
	}

	private async launch(): Promise<void> {
		const urls = [`ldap://127.0.0.1:${this.port}/`, ...(this.options.tls ? [`ldaps://127.0.0.1:${this.tlsPort}/`] : [])];
		this.url = `ldap://127.0.0.1:${this.port}`;
		if (this.options.tls) this.ldapsUrl = `ldaps://127.0.0.1:${this.tlsPort}`;
		let stderr = '';
		const child = spawn(SLAPD, ['-f', join(this.dir, 'slapd.conf'), '-h', urls.join(' '), '-d', '0'], {
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		child.stderr!.on('data', (chunk) => (stderr += chunk));
		this.process = child;
		const deadline = Date.now() + 20000;
		while (!(await canConnect(this.port))) {
			if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}: ${stderr}`);
			if (Date.now() > deadline) throw new Error(`slapd did not start listening: ${stderr}`);
			await new Promise((r) => setTimeout(r, 50));
		}
	}

	/** Loads LDIF with the real ldapadd client, as an admin would. */
	ldapadd(ldif: string, extraArgs: string[] = []): void {
		const res = spawnSync('ldapadd', ['-x', '-D', this.rootDn, '-w', this.rootPassword, '-H', this.url, ...extraArgs], {
			input: ldif,
			encoding: 'utf8',
			maxBuffer: 1 << 30,
		});
		if (res.status !== 0) throw new Error(`ldapadd failed (${res.status}): ${res.stderr}`);
	}

	/** Runs ldapsearch and returns its LDIF output. */
	ldapsearch(base: string, filter = '(objectClass=*)', attributes: string[] = [], scope = 'sub'): string {
		const res = spawnSync(
			'ldapsearch',
			[
				'-x',
				'-LLL',
				'-o',
				'ldif-wrap=no',
				'-D',
				this.rootDn,
				'-w',
				this.rootPassword,
				'-H',
				this.url,
				'-b',
				base,
				'-s',
				scope,
				filter,
				...attributes,
			],
			{
				encoding: 'utf8',
			},
		);
		if (res.status !== 0 && res.status !== 32) throw new Error(`ldapsearch failed (${res.status}): ${res.stderr}`);
		return res.stdout;
	}

	/** Every change slapd applied, as LDIF (the auditlog overlay). */
	auditLog(): string {
		return existsSync(this.auditLogPath) ? readFileSync(this.auditLogPath, 'utf8') : '';
	}

	/** Hard-kills slapd, as a crash would. */
	kill(): void {
		this.process?.kill('SIGKILL');
		this.process = undefined;
	}

	async restart(): Promise<void> {
		this.kill();
		await new Promise((r) => setTimeout(r, 200));
		await this.launch();
	}

	async stop(): Promise<void> {
		const child = this.process;
		this.process = undefined;
		if (child && child.exitCode === null) {
			const exited = new Promise((r) => child.once('exit', r));
			child.kill('SIGTERM');
			await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
			if (child.exitCode === null) child.kill('SIGKILL');
		}
		rmSync(this.dir, { recursive: true, force: true });
	}
}

function canConnect(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

/** Entries in LDIF text, as attribute → values maps keyed by DN. */
export function parseLdif(ldif: string): Map<string, Record<string, string[]>> {
	const entries = new Map<string, Record<string, string[]>>();
	for (const block of ldif.split(/\n\n+/)) {
		const lines = block.split('\n').filter((l) => l && !l.startsWith('#'));
		if (!lines.length) continue;
		const record: Record<string, string[]> = {};
		let dn = '';
		for (const line of lines) {
			const m = /^([^:]+)(::?) ?(.*)$/.exec(line);
			if (!m) continue;
			const value = m[2] === '::' ? Buffer.from(m[3], 'base64').toString('utf8') : m[3];
			if (m[1].toLowerCase() === 'dn') dn = value;
			else (record[m[1]] ??= []).push(value);
		}
		if (dn) entries.set(dn, record);
	}
	return entries;
}
