/** Users in a SCIM 2.0 service provider: lookups, creates built from attribute paths, minimal PATCHes. */
import pLimit from 'p-limit';
import type { AttributeMap, MatchKey, ScalarValue } from '../../envelope';
import { ProvisioningError } from '../../errors';
import { equalityFilter, parseScimPath, readScimPath, removeScimPath, writeScimPath } from '../../scim/path';
import { CORE_USER_SCHEMA } from '../../scim/schema';
import { parseTime } from '../../times';
import { unique } from '../../util';
import { looseKey } from '../looseKey';
import type { Accounts, ListOptions, MatchKeys, TargetEntry } from '../target';
import type { AttributeChange } from '../../attributeChanges';
import { type PatchOperation, resourcePath, type ScimApi, type ScimResource } from './scimApi';

/**
 * What clearing an attribute removes: an element's value (`phoneNumbers[type eq "work"].value`) removes the element,
 * which would otherwise stay behind as a bare `{type: "work"}` that a later add duplicates.
 */
const clearedPath = (attribute: string) => (/\]\.value$/i.test(attribute) ? attribute.slice(0, -'.value'.length) : attribute);

export class ScimUsers implements Accounts {
	readonly identityAttributes = ['userName', 'externalId', 'displayName'];

	private readonly resourceType = 'Users';

	constructor(
		private readonly api: ScimApi,
		/** Stamped with the time of a disable; unset, the resource's meta.lastModified tells (never earlier than the disable). */
		private readonly disabledTimeAttribute?: string,
	) {}

	/** When a disabled account was disabled: the stamp, or its last modification. */
	private disabledAt(resource: ScimResource): Date | undefined {
		const raw = this.disabledTimeAttribute ? readScimPath(resource, this.disabledTimeAttribute) : resource.meta?.lastModified;
		if (typeof raw !== 'string') return undefined;
		return parseTime(raw);
	}

	caseInsensitiveValues(): boolean {
		return false;
	}

	/**
	 * Each app compares as it likes (RFC 7643's caseExact, or not; trimmed, or not; some filter parsers do not even
	 * find a value with escapes in it): loose keys here, and the app's own lookup decides every match.
	 */
	async matchKeys(_attribute: string, values: ScalarValue[]): Promise<MatchKeys> {
		return { keys: values.map((v) => (v === '' ? undefined : looseKey(v))), sure: values.map(() => undefined), exact: false };
	}

	private toEntry(resource: ScimResource, attributes: string[]): TargetEntry {
		const values: AttributeMap = {};
		for (const name of attributes) {
			const value = readScimPath(resource, name);
			if (value !== undefined) values[name] = value as AttributeMap[string];
		}
		const active = typeof resource.active === 'boolean' ? resource.active : undefined;
		return { id: String(resource.id), attributes: values, active, ...(active === false ? { disabledAt: this.disabledAt(resource) } : {}) };
	}

	async find(key: MatchKey, attributes: string[]): Promise<TargetEntry[]> {
		if (key.value === null || key.value === '') return [];
		if (key.attribute.toLowerCase() === 'id') {
			const entry = await this.get(String(key.value), attributes);
			return entry ? [entry] : [];
		}
		// Two results are enough to know the key is ambiguous.
		const res = await this.api.client.request({
			method: 'GET',
			path: `/${this.resourceType}`,
			params: { filter: equalityFilter(key.attribute, key.value), startIndex: 1, count: 2 },
			idempotent: true,
		});
		const resources: ScimResource[] = Array.isArray(res.data?.Resources) ? res.data.Resources : [];
		return resources.map((r) => this.toEntry(r, attributes));
	}

	/** Batched lookup with `or`-joined equality filters (one value per request on servers that refuse `or`). */
	async findMany(attribute: string, values: ScalarValue[], attributes: string[]): Promise<TargetEntry[]> {
		const present = values.filter((v): v is Exclude<ScalarValue, null> => v !== null && v !== '');
		if (attribute.toLowerCase() === 'id') {
			const limit = pLimit(4);
			const found = await Promise.all(unique(present.map(String)).map((id) => limit(() => this.get(id, attributes))));
			return found.filter((e): e is TargetEntry => e !== null);
		}
		// As typed: 42 and "42" are different filters (`eq 42`, `eq "42"`), as `find` sends them.
		const distinct = [...new Map(present.map((v) => [`${typeof v}:${String(v)}`, v])).values()];
		const resources = await this.api.lookup(this.resourceType, distinct, (v) => equalityFilter(attribute, v));
		return resources.map((r) => this.toEntry(r, attributes));
	}

	async get(id: string, attributes: string[]): Promise<TargetEntry | null> {
		const resource = await this.api.get(this.resourceType, id);
		return resource ? this.toEntry(resource, attributes) : null;
	}

	previewId(): string | null {
		return null;
	}

	/** Builds a SCIM resource from attribute paths, adding extension schema URNs as needed. */
	buildResource(attributes: AttributeMap): ScimResource {
		const resource: ScimResource = {};
		const schemas = new Set<string>([CORE_USER_SCHEMA]);
		for (const [path, value] of Object.entries(attributes)) {
			if (path === 'schemas') continue;
			const parsed = parseScimPath(path);
			if (parsed.schema) schemas.add(parsed.schema);
			writeScimPath(resource, path, value);
		}
		const extra = attributes.schemas;
		if (Array.isArray(extra)) for (const s of extra) schemas.add(String(s));
		return { schemas: [...schemas], ...resource };
	}

	async create(attributes: AttributeMap): Promise<TargetEntry> {
		if (attributes.userName === undefined || attributes.userName === '') {
			throw new ProvisioningError('MissingRequiredValue', 'A SCIM user needs a userName; map a value to "userName"', { field: 'userName' });
		}
		const body = this.buildResource(attributes);
		const res = await this.api.client.request({ method: 'POST', path: `/${this.resourceType}`, body });
		const id = res.data?.id;
		if (typeof id !== 'string' && typeof id !== 'number') {
			throw new ProvisioningError('TargetRejected', `POST /${this.resourceType} answered ${res.status} without a resource id`);
		}
		this.api.record('create', String(id), body);
		return this.toEntry(res.data, Object.keys(attributes));
	}

	/** PATCH operations for a set of changes: replace what exists, add filtered elements that do not. */
	patchOperations(changes: AttributeChange[]): PatchOperation[] {
		return changes.map((change): PatchOperation => {
			const path = parseScimPath(change.attribute);
			if (change.newValue === undefined || change.newValue === null) {
				// Clearing an extension reference (…:User:manager.value) clears the reference itself (see below for why).
				const whole = path.schema && path.subAttribute === 'value' && !path.filter;
				return { op: 'remove', path: whole ? `${path.schema}:${path.attribute}` : clearedPath(change.attribute) };
			}
			if (path.filter && (change.oldValue === undefined || change.oldValue === null)) {
				// Replacing a filtered path that matches nothing is 400 noTarget (RFC 7644 §3.5.2.3): add the element instead.
				const element: Record<string, unknown> = { ...path.filter };
				if (path.subAttribute) element[path.subAttribute] = change.newValue;
				else Object.assign(element, change.newValue);
				return { op: 'add', path: `${path.schema ? `${path.schema}:` : ''}${path.attribute}`, value: [element] };
			}
			// A value that does not exist yet is added: strict servers refuse to replace what is not there.
			const op = change.oldValue === undefined || change.oldValue === null ? 'add' : 'replace';
			// An extension's sub-attribute (…:2.0:User:manager.value) goes as its parent with just that sub-attribute:
			// servers split the path at the dot in "2.0" (SCIMMY does). RFC 7644 §3.5.2.3 leaves the other sub-attributes alone.
			if (path.schema && path.subAttribute) {
				return { op, path: `${path.schema}:${path.attribute}`, value: { [path.subAttribute]: change.newValue } };
			}
			return { op, path: change.attribute, value: change.newValue };
		});
	}

	async update(id: string, changes: AttributeChange[]): Promise<string> {
		if (changes.length === 0) return id;
		const operations = this.patchOperations(changes);
		// Setting and removing values is absolute state, harmless to repeat; adding an element to a list is not.
		const idempotent = operations.every((op) => !(op.op === 'add' && Array.isArray(op.value)));
		await this.api.modify(this.resourceType, id, 'update', operations, idempotent, (resource) => {
			for (const change of changes) {
				if (change.newValue === undefined || change.newValue === null) removeScimPath(resource, clearedPath(change.attribute));
				else writeScimPath(resource, change.attribute, change.newValue);
			}
		});
		return id;
	}

	/** A disable also stamps the disabled-time attribute when one is set; an enable leaves it (the next disable overwrites it). */
	async setActive(id: string, active: boolean, at: Date = new Date()): Promise<string> {
		const operations: PatchOperation[] = [{ op: 'replace', path: 'active', value: active }];
		const stamp = !active && this.disabledTimeAttribute ? at.toISOString() : undefined;
		if (stamp) operations.push(...this.patchOperations([{ attribute: this.disabledTimeAttribute!, oldValue: undefined, newValue: stamp }]));
		await this.api.modify(this.resourceType, id, active ? 'enable' : 'disable', operations, true, (resource) => {
			resource.active = active;
			if (stamp) writeScimPath(resource, this.disabledTimeAttribute!, stamp);
		});
		return id;
	}

	async delete(id: string): Promise<void> {
		// 404 counts as done: a rerun of a half-finished batch converges.
		await this.api.client.request({ method: 'DELETE', path: resourcePath(this.resourceType, id), idempotent: true, acceptStatus: [404] });
		this.api.record('delete', id, null);
	}

	async *listAll(options: ListOptions): AsyncIterable<TargetEntry> {
		for await (const r of this.api.list(this.resourceType, options.filter, options.pageSize ?? 100))
			yield this.toEntry(r, options.attributes);
	}
}
