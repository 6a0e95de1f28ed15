/** The events the SCIM Trigger emits to the workflow: one per accepted change, never for reads. */
import { randomUUID } from 'node:crypto';
import type { Resource, ResourceType } from '../../store/identityStore';

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
	request: { id: string; time: string; client: string; method: string; path: string };
}

/** Where an event came from: the request that caused it. */
export interface EventOrigin {
	method: string;
	path: string;
	userAgent?: string;
}

/** Attributes whose values differ between two versions of a resource (top level, meta ignored). */
export function changedAttributes(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): string[] {
	const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
	return [...keys].filter((k) => k !== 'meta' && JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k])).sort();
}

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
		const strip = (r?: Record<string, unknown>) => {
			if (!r) return undefined;
			const copy = { ...r };
			delete copy.password;
			if (this.forwardPasswords && change.password !== undefined) copy.password = change.password;
			return copy;
		};
		return {
			event,
			resourceType: type,
			resourceId: id,
			resource: strip(change.after),
			before: strip(change.before),
			changedAttributes: changedAttributes(change.before, change.after),
			...(change.members ? { members: change.members } : {}),
			request: {
				id: randomUUID(),
				time: new Date().toISOString(),
				client: this.origin.userAgent ?? 'unknown',
				method: this.origin.method,
				path: this.origin.path,
			},
		};
	}

	/** The events of an update: user updated, deactivated or reactivated; group updated, members added or removed. */
	changes(type: ResourceType, before: Resource, after: Resource, password?: unknown): ScimEvent[] {
		const attributes = changedAttributes(before, after);
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
