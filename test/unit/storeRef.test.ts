/**
 * Store references (lib/store/storeRef.ts): keys and paths, the signature, and n8n's encryption key found the way
 * n8n finds it. fast-check runs with a fixed seed; a failure prints it (and the path to the failing case).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import { n8nEncryptionKey } from '../../lib/store/n8nSettings';
import { locateByWebhook, openLinksAt, openStoreAt, registerWebhook } from '../../lib/store/openStore';
import { isStoreKey, pathInside, type StoreLocation, StoreRefSigner } from '../../lib/store/storeRef';

const SEED = 18002;
let root: string;
beforeEach(() => {
	root = mkdtempSync(join(tmpdir(), 'store-ref-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ N8N_USER_FOLDER: join(root, 'user'), ...extra });

describe('store keys and paths', () => {
	const pathLike = fc.oneof(
		fc.string(),
		fc.constantFrom('..', '.', '', '/', '\\', '%2e%2e', 'a/../..', '../x', 'x\0y', '~', 'C:\\x'),
		fc.array(fc.constantFrom('..', '.', 'a', '/', '\\', '-', '_', '%', '\0', 'é'), { maxLength: 12 }).map((parts) => parts.join('')),
	);

	test('any name either is refused or names an entry directly inside the base folder', () => {
		const base = join(root, 'base');
		fc.assert(
			fc.property(pathLike, (name) => {
				let path: string;
				try {
					path = pathInside(base, name, '.json');
				} catch {
					return !isStoreKey(name);
				}
				return isStoreKey(name) && dirname(path) === resolve(base) && path === join(resolve(base), `${name}.json`);
			}),
			{ seed: SEED, numRuns: 5000 },
		);
	});

	test('real keys are accepted: <workflow id>-<node id>, webhook ids', () => {
		for (const key of [
			'Xb3kQp9LmN2vR7tY-9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
			'12-a',
			'idp-flow-1',
			'7a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
		])
			expect(isStoreKey(key)).toBe(true);
		for (const key of ['', '..', 'a/b', 'a\\b', 'a.b', ' a', 'x'.repeat(201), 42, undefined]) expect(isStoreKey(key)).toBe(false);
	});

	test('every file store opener refuses a key with a path in it, and writes nothing', async () => {
		const folder = join(root, 'user');
		const evil: StoreLocation = { kind: 'file', key: '../../../../outside' };
		expect(() => openStoreAt(evil, folder, env())).toThrow(/not a SCIM Trigger store/i);
		expect(() => openLinksAt(evil, folder, env())).toThrow(/not a SCIM Trigger store/i);
		await expect(registerWebhook('hook-1', evil, folder, env())).rejects.toThrow(/not a SCIM Trigger store/i);
		await expect(registerWebhook('../../../../hook', { kind: 'file', key: 'ok' }, folder, env())).rejects.toThrow(/not a store key/);
		expect(await locateByWebhook('../../../../hook', folder, env())).toBeUndefined();
		expect(() => openStoreAt({ kind: 'postgres', key: "x' OR '1'='1" }, folder, env())).toThrow(/not a SCIM Trigger store/i);
		expect(readdirSync(root)).toEqual([]);
	});

	test('a webhook registry entry naming a path is not followed', async () => {
		const folder = join(root, 'user');
		const dir = join(folder, '.n8n', 'n8n-nodes-provisioning', 'scim-trigger', 'webhooks');
		mkdirSync(dir, { recursive: true });
		writeFileSync(join(dir, 'hook-2.json'), JSON.stringify({ kind: 'file', key: '../../elsewhere' }));
		await expect(locateByWebhook('hook-2', folder, env())).rejects.toThrow(/not a SCIM Trigger store/i);
	});
});

describe('the signature', () => {
	const instance = (key: string) => StoreRefSigner.of({ N8N_USER_FOLDER: join(tmpdir(), 'no-such-n8n-folder'), N8N_ENCRYPTION_KEY: key })!;
	const signer = instance('instance-key');
	const A: StoreLocation = { kind: 'file', key: 'wfA-trigger' };

	test('a reference verifies in the workflow it was signed for, and only there', () => {
		const ref = signer.sign(A, 'wfA');
		expect(ref).toEqual({ ...A, sig: expect.stringMatching(/^[\w-]{43}$/) });
		expect(signer.verify(ref, 'wfA')).toEqual(ref);
		expect(signer.verify(JSON.parse(JSON.stringify(ref)), 'wfA')).toEqual(ref);
		expect(signer.verify(ref, 'wfB')).toBeUndefined();
		expect(signer.verify({ ...ref, key: 'wfB-trigger' }, 'wfA')).toBeUndefined();
		expect(signer.verify({ ...ref, kind: 'postgres' }, 'wfA')).toBeUndefined();
		expect(signer.verify({ ...ref, sig: `${ref.sig}=` }, 'wfA')).toBeUndefined();
		expect(signer.verify({ kind: 'file', key: 'wfA-trigger' }, 'wfA')).toBeUndefined();
		expect(signer.verify(Object.assign(Object.create({ sig: ref.sig }), A), 'wfA')).toBeUndefined();
		// Another n8n instance (another encryption key) signs differently.
		expect(instance('other-key').verify(ref, 'wfA')).toBeUndefined();
	});

	test('no key with a path in it is ever signed', () => {
		expect(() => signer.sign({ kind: 'file', key: '../x' }, 'wfA')).toThrow(/not a SCIM Trigger store/i);
	});

	test('random references made up or altered never verify', () => {
		const made = fc.record({
			kind: fc.constantFrom('file', 'postgres', 'other'),
			key: fc.oneof(fc.constant('wfA-trigger'), fc.string()),
			sig: fc.oneof(fc.string(), fc.base64String(), fc.constant(signer.sign(A, 'wfA').sig.slice(1))),
		});
		fc.assert(
			fc.property(made, fc.constantFrom('wfA', 'wfB', ''), (ref, workflow) => signer.verify(ref, workflow) === undefined),
			{ seed: SEED, numRuns: 2000 },
		);
	});
});

describe("n8n's encryption key, found as n8n finds it", () => {
	const settings = (key: string) => {
		mkdirSync(join(root, 'user', '.n8n'), { recursive: true });
		writeFileSync(join(root, 'user', '.n8n', 'config'), JSON.stringify({ encryptionKey: key }));
	};

	test('the settings file first, then N8N_ENCRYPTION_KEY (n8n refuses to start when they differ), then _FILE', () => {
		expect(n8nEncryptionKey(env())).toBeUndefined();
		expect(n8nEncryptionKey(env({ N8N_ENCRYPTION_KEY: ' "from-env" ' }))).toBe('from-env');
		const file = join(root, 'key.txt');
		writeFileSync(file, 'from-file\n');
		expect(n8nEncryptionKey(env({ N8N_ENCRYPTION_KEY_FILE: file }))).toBe('from-file');
		settings('from-settings');
		expect(n8nEncryptionKey(env({ N8N_ENCRYPTION_KEY: 'from-env' }))).toBe('from-settings');
		expect(existsSync(join(root, 'user', '.n8n', 'config'))).toBe(true);
	});

	test('the n8n folder is under N8N_USER_FOLDER, else HOME', () => {
		settings('home-key');
		expect(n8nEncryptionKey({ HOME: join(root, 'user') })).toBe('home-key');
	});
});
