/**
 * Where a SCIM Trigger's store lives, as items carry it to later nodes (an event's `store`, an envelope's
 * `source.store`). Items are data from anywhere — an HR webhook body, an API response — so a reference opens a store
 * only when it is signed: an HMAC-SHA256 over the workflow it was issued to, the store's kind and key, with a key
 * derived from n8n's encryption key (shared by every process of one n8n, never by anyone outside it). A SCIM Trigger
 * signs its events for its own workflow, a SCIM Store node its items for the workflow it runs in; a reference copied
 * into another workflow does not verify there. Store keys are checked, and file paths kept inside their folder, here.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { relative, resolve } from 'node:path';
import { isObject } from '../util';
import { n8nEncryptionKey, n8nFolder } from './n8nSettings';

import type { StoreLocation, StoreRef } from '../storeLocation';

export type { StoreLocation, StoreRef };

/** Store keys are `<workflow id>-<node id>`; n8n's ids are letters, digits and hyphens. */
const STORE_KEY = /^[A-Za-z0-9_-]{1,200}$/;

export const isStoreKey = (key: unknown): key is string => typeof key === 'string' && STORE_KEY.test(key);

const shown = (name: string) => JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);

/**
 * The path of a store key (plus a suffix) directly inside `base`. Every file store opener (identity store, links,
 * webhook registry) goes through here: the name must be a store key, and the resolved path must stay in base.
 */
export function pathInside(base: string, name: string, suffix = ''): string {
	if (!isStoreKey(name)) throw new Error(`${shown(String(name))} is not a store key (letters, digits, "-" and "_", at most 200)`);
	const path = resolve(base, name + suffix);
	if (relative(resolve(base), path) !== name + suffix) throw new Error(`${shown(name)} does not name a file inside ${base}`);
	return path;
}

/** A location the stores accept: a known kind and a store key. */
export function checkLocation(location: StoreLocation): StoreLocation {
	if ((location.kind !== 'file' && location.kind !== 'postgres') || !isStoreKey(location.key))
		throw new Error(
			`Not a SCIM Trigger store: kind ${shown(String(location.kind))}, key ${shown(String(location.key))} (a key is letters, digits, "-" and "_")`,
		);
	return location;
}

const own = (o: Record<string, unknown>, name: string) => (Object.prototype.hasOwnProperty.call(o, name) ? o[name] : undefined);

const signers = new Map<string, StoreRefSigner>();

export class StoreRefSigner {
	private constructor(private readonly secret: Buffer) {}

	/**
	 * This n8n's signer, or undefined when its encryption key is not found (outside n8n). Kept per process once found,
	 * as n8n reads its key once at start.
	 */
	static of(env: NodeJS.ProcessEnv): StoreRefSigner | undefined {
		const where = JSON.stringify([n8nFolder(env), env.N8N_ENCRYPTION_KEY, env.N8N_ENCRYPTION_KEY_FILE]);
		if (!signers.has(where)) {
			const key = n8nEncryptionKey(env);
			// A key of its own (domain separation): the encryption key itself never signs anything.
			if (key) signers.set(where, new StoreRefSigner(createHmac('sha256', key).update('n8n-nodes-provisioning store reference').digest()));
		}
		return signers.get(where);
	}

	private mac(location: StoreLocation, workflowId: string): string {
		return createHmac('sha256', this.secret)
			.update(JSON.stringify(['v1', workflowId, location.kind, location.key]))
			.digest('base64url');
	}

	sign(location: StoreLocation, workflowId: string): StoreRef {
		const { kind, key } = checkLocation(location);
		return { kind, key, sig: this.mac({ kind, key }, workflowId) };
	}

	/** The reference when `value` is one signed for this workflow by this n8n (compared in constant time), else undefined. */
	verify(value: unknown, workflowId: string): StoreRef | undefined {
		if (!isObject(value)) return undefined;
		const [kind, key, sig] = [own(value, 'kind'), own(value, 'key'), own(value, 'sig')];
		if ((kind !== 'file' && kind !== 'postgres') || !isStoreKey(key) || typeof sig !== 'string') return undefined;
		const expected = Buffer.from(this.mac({ kind, key }, workflowId));
		const given = Buffer.from(sig);
		return given.length === expected.length && timingSafeEqual(given, expected) ? { kind, key, sig } : undefined;
	}
}
