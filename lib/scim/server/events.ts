/** The events the SCIM Trigger emits to the workflow: one per accepted change, never for reads. */
import type { StoreLocation, StoreRef } from '../../storeLocation';
import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../../util';
import type { Resource, ResourceType } from './identityStore';

export type ScimEventType =
	| 'user.created'
	| 'user.updated'
	| 'user.deactivated'
	| 'user.reactivated'
	| 'user.deleted'
	| 'group.created'
	| 'group.updated'
	| 'group.deleted'
	| 'group.membersAdded'
	| 'group.membersRemoved';

export interface ScimEvent {
	event: ScimEventType;
	resourceType: ResourceType;
	resourceId: string;
	/** The resource after the change (absent after a delete). */
	resource?: Record<string, unknown>;
	/** The resource before the change (absent after a create). */
	before?: Record<string, unknown>;
	changedAttributes: string[];
	/** Member ids for membership events. */
	members?: string[];
	/** The same members with their userName and externalId (or a group's displayName), for targets to resolve. */
	memberReferences?: Reference[];
	/** Where the trigger's store lives (signed by the trigger), so later nodes can read the current state and remember target ids. */
	store?: StoreLocation | StoreRef;
	/** `bulk`: the operation of a /Bulk request or an Entra bulk upload this event came from. */
	request: { id: string; time: string; client: string; method: string; path: string; bulk?: BulkContext };
}

/** What an event tells of the bulk it came from: the operation's index in the request, its bulkId, the upload. */
export interface BulkContext {
	operation: number;
	bulkId?: string;
	uploadId?: string;
}

/** Where an event came from: the request that caused it. */
export interface EventOrigin {
	method: string;
	path: string;
	userAgent?: string;
	bulk?: BulkContext;
}

/** Attributes whose values differ between two versions of a resource (top level, meta ignored, key order ignored). */
export function changedAttributes(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): string[] {
	const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
	return [...keys].filter((k) => k !== 'meta' && canonicalJson(before?.[k]) !== canonicalJson(after?.[k])).sort();
}

/**
 * A request that carries a password changes it (Okta's password sync sends it by PATCH or PUT). Passwords are never
 * stored, so nothing else could tell: "password" is named among the changed attributes, with or without Forward Passwords.
 */
const withPassword = (attributes: string[], password: unknown): string[] =>
	password === undefined || attributes.includes('password') ? attributes : [...attributes, 'password'].sort();

/** Builds events; the password reaches them only when the trigger forwards passwords (it is never stored). */
export class EventFactory {
	constructor(
		private readonly origin: EventOrigin,
		private readonly forwardPasswords: boolean,
	) {}

	event(
		event: ScimEventType,
		type: ResourceType,
		id: string,
		change: { before?: Resource; after?: Resource; members?: string[]; password?: unknown },
	): ScimEvent {
		// The password is the new one: it belongs to the resource after the change, never to the one before.
		const strip = (r?: Record<string, unknown>, withPassword = false) => {
			if (!r) return undefined;
			const copy = { ...r };
			delete copy.password;
			if (withPassword && this.forwardPasswords && change.password !== undefined) copy.password = change.password;
			return copy;
		};
		return {
			event,
			resourceType: type,
			resourceId: id,
			resource: strip(change.after, true),
			before: strip(change.before),
			changedAttributes: withPassword(changedAttributes(change.before, change.after), change.password),
			...(change.members ? { members: change.members } : {}),
			request: {
				id: randomUUID(),
				time: new Date().toISOString(),
				client: this.origin.userAgent ?? 'unknown',
				method: this.origin.method,
				path: this.origin.path,
				...(this.origin.bulk ? { bulk: { ...this.origin.bulk } } : {}),
			},
		};
	}

	/** The events of an update: user updated, deactivated or reactivated; group updated, members added or removed. */
	changes(type: ResourceType, before: Resource, after: Resource, password?: unknown): ScimEvent[] {
		const attributes = withPassword(changedAttributes(before, after), password);
		if (attributes.length === 0) return [];
		if (type === 'User') {
			const was = before.active !== false;
			const is = after.active !== false;
			const kind: ScimEventType = was && !is ? 'user.deactivated' : !was && is ? 'user.reactivated' : 'user.updated';
			return [this.event(kind, type, after.id, { before, after, password })];
		}
		const ids = (r: Resource) => new Set(((r.members as Array<{ value: string }>) ?? []).map((m) => String(m.value)));
		const old = ids(before);
		const now = ids(after);
		const added = [...now].filter((m) => !old.has(m));
		const removed = [...old].filter((m) => !now.has(m));
		const events: ScimEvent[] = [];
		if (attributes.some((a) => a !== 'members')) events.push(this.event('group.updated', type, after.id, { before, after }));
		if (added.length) events.push(this.event('group.membersAdded', type, after.id, { before, after, members: added }));
		if (removed.length) events.push(this.event('group.membersRemoved', type, after.id, { before, after, members: removed }));
		return events;
	}
}

/** What an event says about a user or group it names: enough for a target to find it (userName, externalId). */
export interface Reference {
	value: string;
	type: 'User' | 'Group' | 'Unknown';
	userName?: string;
	externalId?: string;
	displayName?: string;
}

type Lookup = (type: ResourceType, id: string) => Promise<Resource | undefined>;

const MANAGER_PARENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Resolves ids to references once per request: users first, then groups (a group can be a member). */
export class ReferenceResolver {
	private readonly known = new Map<string, Promise<Reference>>();

	constructor(private readonly lookup: Lookup) {}

	/** A resource that is gone from the store (deleted in this request) is still known by what it was. */
	remember(type: ResourceType, resource: Record<string, unknown>): void {
		const id = String(resource.id);
		const ref =
			type === 'User'
				? { value: id, type, userName: resource.userName, externalId: resource.externalId, displayName: resource.displayName }
				: { value: id, type, externalId: resource.externalId, displayName: resource.displayName };
		this.known.set(id, Promise.resolve(clean(ref)));
	}

	reference(id: string): Promise<Reference> {
		let found = this.known.get(id);
		if (!found) {
			found = (async (): Promise<Reference> => {
				const user = await this.lookup('User', id);
				if (user)
					return clean({ value: id, type: 'User', userName: user.userName, externalId: user.externalId, displayName: user.displayName });
				const group = await this.lookup('Group', id);
				if (group) return clean({ value: id, type: 'Group', externalId: group.externalId, displayName: group.displayName });
				return { value: id, type: 'Unknown' };
			})();
			this.known.set(id, found);
		}
		return found;
	}

	/** The event with userName/externalId beside every id it names: members (delta or all), and a user's manager. */
	async enrich(event: ScimEvent): Promise<ScimEvent> {
		const delta = event.event === 'group.membersAdded' || event.event === 'group.membersRemoved';
		if (delta && event.members) event.memberReferences = await Promise.all(event.members.map((id) => this.reference(id)));
		else if (event.resource) await this.enrichResource(event.resource);
		else if (event.before) await this.enrichResource(event.before);
		return event;
	}

	/** Adds the keys to a resource's members and manager, in place (on a copy the caller owns). */
	async enrichResource(resource: Record<string, unknown>): Promise<Record<string, unknown>> {
		if (Array.isArray(resource.members)) resource.members = await Promise.all(resource.members.map((m) => this.member(m)));
		const ext = resource[MANAGER_PARENT] as Record<string, unknown> | undefined;
		const manager = ext?.manager as Record<string, unknown> | undefined;
		if (manager && typeof manager.value === 'string' && manager.value) {
			const ref = await this.reference(manager.value);
			resource[MANAGER_PARENT] = { ...ext, manager: { ...manager, ...withoutValue(ref) } };
		}
		return resource;
	}

	private async member(member: unknown): Promise<unknown> {
		if (typeof member !== 'object' || member === null || typeof (member as { value?: unknown }).value !== 'string') return member;
		const m = member as Record<string, unknown>;
		return { ...m, ...withoutValue(await this.reference(m.value as string)) };
	}
}

const clean = (ref: Record<string, unknown>): Reference =>
	Object.fromEntries(
		Object.entries(ref)
			.filter(([, v]) => v !== undefined && v !== null && v !== '')
			.map(([k, v]) => [k, String(v)]),
	) as unknown as Reference;
const withoutValue = (reference: Reference) => {
	const rest: Partial<Reference> = { ...reference };
	delete rest.value;
	return rest;
};
