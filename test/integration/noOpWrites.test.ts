/**
 * A PUT or PATCH that changes nothing (Entra's cycles resend `active: true` and unchanged attributes) keeps the
 * resource as it is: the same version (ETag), the same lastModified, no store write, no event. A version that moved
 * without a change would fail another client's If-Match for nothing. Both stores, the file store and PostgreSQL.
 */
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IdentityStore } from '../../lib/scim/server/identityStore';
import { ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import { FileIdentityStore } from '../../lib/store/fileIdentityStore';
import { PostgresIdentityStore } from '../../lib/store/postgresIdentityStore';
import { Postgres } from '../servers/postgres';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
let pg: Postgres;
let dir: string;
beforeAll(async () => {
	pg = await Postgres.start();
	dir = mkdtempSync(join(tmpdir(), 'noop-'));
});
afterAll(async () => {
	await pg.stop();
	rmSync(dir, { recursive: true, force: true });
});

const folderBytes = (folder: string): number =>
	readdirSync(folder, { withFileTypes: true }).reduce(
		(sum, e) => sum + (e.isDirectory() ? folderBytes(join(folder, e.name)) : statSync(join(folder, e.name)).size),
		0,
	);

/** A fingerprint of what the store has written for a resource: it changes with every write. */
type Fingerprint = (id: string) => Promise<string>;

const stores: Array<[string, () => IdentityStore, Fingerprint]> = [
	['the file store', () => new FileIdentityStore(join(dir, 'file')), async () => String(folderBytes(join(dir, 'file')))],
	[
		'the PostgreSQL store',
		() => new PostgresIdentityStore(pg.config, 'noop'),
		// Every UPDATE writes a new row version with a new xmin, even one that sets the same values.
		async (id) => {
			const { Client } = await import('pg');
			const db = new Client(pg.config);
			await db.connect();
			try {
				const { rows } = await db.query('SELECT xmin::text AS x FROM provisioning_scim_resource WHERE id = $1', [id]);
				return String(rows[0]?.x);
			} finally {
				await db.end();
			}
		},
	],
];

describe.each(stores)('%s', (_name, open, fingerprint) => {
	test('an unchanged PUT or PATCH keeps the version and lastModified and emits nothing; a change moves them', async () => {
		const store = open();
		const provider = new ScimServiceProvider(store, { baseUrl: 'https://n8n.example/webhook/x/scim/v2' });
		const call = (method: string, path: string, body?: unknown) =>
			provider.handle({ method, path, query: {}, headers: { 'user-agent': 'test' }, body });
		try {
			const user = {
				schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
				userName: 'Same.User@example.org',
				externalId: 'S1',
				active: true,
				name: { givenName: 'Same', familyName: 'User' },
				emails: [{ value: 'same@example.org', type: 'work', primary: true }],
			};
			const created = await call('POST', '/Users', user);
			const { id, meta } = created.response.body as { id: string; meta: { version: string; lastModified: string } };
			await new Promise((r) => setTimeout(r, 20));
			const before = await fingerprint(id);

			// The same attributes again, in another key order, and a PATCH that sets what is already there.
			const put = await call('PUT', `/Users/${id}`, { ...user, name: { familyName: 'User', givenName: 'Same' } });
			const patch = await call('PATCH', `/Users/${id}`, {
				schemas: [PATCH],
				Operations: [
					{ op: 'replace', path: 'active', value: true },
					{ op: 'replace', value: { externalId: 'S1' } },
				],
			});
			for (const { response, events } of [put, patch]) {
				expect(response.status).toBe(200);
				expect(response.headers?.ETag).toBe(meta.version);
				expect((response.body as { meta: { lastModified: string } }).meta.lastModified).toBe(meta.lastModified);
				expect(events).toEqual([]);
			}
			// If-Match with the unchanged version still matches.
			const guarded = await provider.handle({
				method: 'PATCH',
				path: `/Users/${id}`,
				query: {},
				headers: { 'user-agent': 'test', 'if-match': meta.version },
				body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] },
			});
			expect(guarded.response.status).toBe(200);
			expect(guarded.response.headers?.ETag).not.toBe(meta.version);
			expect(guarded.events.map((e) => e.event)).toEqual(['user.deactivated']);
			expect(await fingerprint(id)).not.toBe(before);
		} finally {
			await (store as { close(): Promise<void> }).close();
		}
	});

	test('an unchanged update writes nothing to the store', async () => {
		const store = open();
		const provider = new ScimServiceProvider(store, { baseUrl: 'https://n8n.example/webhook/x/scim/v2' });
		try {
			const created = await provider.handle({
				method: 'POST',
				path: '/Users',
				query: {},
				headers: {},
				body: { userName: 'quiet@example.org', active: true },
			});
			const id = (created.response.body as { id: string }).id;
			const before = await fingerprint(id);
			for (let i = 0; i < 5; i++)
				await provider.handle({
					method: 'PATCH',
					path: `/Users/${id}`,
					query: {},
					headers: {},
					body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] },
				});
			expect(await fingerprint(id)).toBe(before);
		} finally {
			await (store as { close(): Promise<void> }).close();
		}
	});
});
