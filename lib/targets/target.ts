import type { AttributeMap, AttributeValue, MatchKey, ScalarValue } from '../envelope';

/** An account (or group) as read from a target: SCIM id or DN, plus the requested attributes. */
export interface TargetEntry {
	id: string;
	/** Keyed exactly by the attribute names that were requested. */
	attributes: AttributeMap;
	/** Whether the account is enabled, where the target knows. */
	active?: boolean;
}

/** One attribute that differs between the target and the desired state. */
export interface AttributeChange {
	attribute: string;
	oldValue: AttributeValue | undefined;
	newValue: AttributeValue | undefined;
	/** For multi-valued attributes: values to add and to remove, for a minimal write. */
	added?: ScalarValue[];
	removed?: ScalarValue[];
}

/** A write as the target received it, secrets redacted; tests and the provisioning log read these. */
export interface WriteRecord {
	operation: 'create' | 'update' | 'rename' | 'disable' | 'enable' | 'delete';
	targetId: string;
	/** The protocol body (SCIM JSON, or LDAP changes), redacted. */
	body: unknown;
}

export interface ListOptions {
	attributes: string[];
	/** A target-native filter limiting the listing (SCIM filter or LDAP filter). */
	filter?: string;
	pageSize?: number;
}

export type TargetSystem = 'scim' | 'ldap';

/** One interface for every provisioning target; nodes work with any implementation. */
export interface Target {
	readonly system: TargetSystem;
	/** Where the target lives, safe to log (no credentials). */
	readonly endpoint: string;
	/** Attributes people name accounts by (userName, uid, mail…), e.g. in protected-account lists. */
	readonly identityAttributes: string[];
	/** Attribute names that the target compares without regard to case. */
	caseInsensitiveValues(attribute: string): boolean;
	/** Whether the target matches this attribute's values without regard to case (LDAP caseIgnore, SCIM userName). */
	caseInsensitiveMatch(attribute: string): boolean;
	/** Accounts whose attribute equals the key's value; at most two are returned (enough to detect duplicates). */
	find(key: MatchKey, attributes: string[]): Promise<TargetEntry[]>;
	/** Accounts whose attribute equals any of the values, looked up in a few batched requests. */
	findMany(attribute: string, values: ScalarValue[], attributes: string[]): Promise<TargetEntry[]>;
	get(id: string, attributes: string[]): Promise<TargetEntry | null>;
	/** The identifier a create would produce, without writing (dry runs, log records). */
	previewId(attributes: AttributeMap): string | null;
	create(attributes: AttributeMap): Promise<TargetEntry>;
	/** Applies the changes and returns the account's identifier afterwards (an LDAP rename changes the DN). */
	update(id: string, changes: AttributeChange[]): Promise<string>;
	/** Enables or disables; returns the account's identifier afterwards (moving to a disabled OU changes the DN). */
	setActive(id: string, active: boolean): Promise<string>;
	/** Removes the account from every group that lists it; returns the groups it was removed from. */
	removeFromAllGroups(id: string): Promise<string[]>;
	/** Deletes; an account that is already gone counts as deleted. */
	delete(id: string): Promise<void>;
	listAll(options: ListOptions): AsyncIterable<TargetEntry>;
	/** Every write this target object made, in order. */
	readonly writes: WriteRecord[];
	close(): Promise<void>;
}

/** identifier (case-folded where the target matches without case) → ids of the entries holding it. */
export function indexBy(entries: TargetEntry[], attribute: string, fold: boolean): Map<string, string[]> {
	const index = new Map<string, string[]>();
	for (const entry of entries) {
		const raw = attribute.toLowerCase() === 'id' || attribute.toLowerCase() === 'dn' ? entry.id : entry.attributes[attribute];
		for (const v of Array.isArray(raw) ? raw : [raw]) {
			if (v === undefined || v === null) continue;
			const key = fold ? String(v).toLowerCase() : String(v);
			const ids = index.get(key) ?? [];
			if (!ids.includes(entry.id)) ids.push(entry.id);
			index.set(key, ids);
		}
	}
	return index;
}
