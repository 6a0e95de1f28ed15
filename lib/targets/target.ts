/**
 * The one target interface every node works through, split by capability: `users` (accounts) and `groups`.
 * SCIM, LDAP and SQL implement it; the provisioning core never knows which one it has.
 */
import type { AttributeMap, AttributeValue, MatchKey, ScalarValue } from '../envelope';
import type { ProvisioningError } from '../errors';
import type { AttributeChange } from '../attributeChanges';

export type TargetSystem = 'scim' | 'ldap' | 'sql';

/** An account (or group) as read from a target: SCIM id, DN or row key, plus the requested attributes. */
export interface TargetEntry {
	id: string;
	/** Keyed exactly by the attribute names that were requested. */
	attributes: AttributeMap;
	/** Whether the account is enabled, where the target knows. */
	active?: boolean;
	/**
	 * When a disabled account was disabled, where the target records it (the disabled-time attribute Deprovision User
	 * stamps), or its last change where that is all the target knows (never earlier than the disable). Delayed deletion reads it.
	 */
	disabledAt?: Date;
}

/** A write as the target received it, secrets redacted; tests and the provisioning log read these. */
export interface WriteRecord {
	operation: 'create' | 'update' | 'rename' | 'move' | 'disable' | 'enable' | 'delete' | 'password';
	targetId: string;
	/** The protocol body (SCIM JSON, LDAP changes, SQL statement summary), redacted. */
	body: unknown;
}

/** Collects the writes of one execution; accounts and groups of a target share one. */
export class WriteLog {
	readonly records: WriteRecord[] = [];

	add(operation: WriteRecord['operation'], targetId: string, body: unknown): void {
		this.records.push({ operation, targetId, body });
	}
}

/**
 * How a target compares values of one attribute, for the values given, in order.
 * - `keys`: values the target may find equal share a key, and values whose keys differ never match; undefined for a
 *   value that matches nothing (text for a numeric column).
 * - `sure`: values whose sure forms are equal always match (the same value, as the target receives it).
 * - `exact`: equal keys always match too (the target's comparison, reproduced); otherwise the target's own lookup
 *   decides between values that share a key.
 */
export interface MatchKeys {
	keys: Array<string | undefined>;
	sure: Array<string | undefined>;
	exact: boolean;
}

export interface ListOptions {
	attributes: string[];
	/** A target-native filter limiting the listing (SCIM filter, LDAP filter, SQL is not filterable this way). */
	filter?: string;
	pageSize?: number;
}

/** Accounts in a target. */
export interface Accounts {
	/** Attributes people name accounts by (userName, uid, mail…), e.g. in protected-account lists. */
	readonly identityAttributes: string[];
	/** Whether the target stores this attribute's values without regard to case (so a case change is no change). */
	caseInsensitiveValues(attribute: string): boolean;
	/**
	 * How the target compares these values of an attribute when matching (see MatchKeys): the one comparison Provision
	 * User's batched lookups and reconcile both use. A SQL target asks the database where its collation decides.
	 */
	matchKeys(attribute: string, values: ScalarValue[]): Promise<MatchKeys>;
	/** Optional: a desired value in the form the target stores and reads it back (SQL column types), before comparing. */
	comparable?(attribute: string, value: AttributeValue): AttributeValue;
	/** Accounts whose attribute equals the key's value: none, one, or two when the key is ambiguous. */
	find(key: MatchKey, attributes: string[]): Promise<TargetEntry[]>;
	/** Accounts whose attribute equals any of the values, looked up in a few batched requests. */
	findMany(attribute: string, values: ScalarValue[], attributes: string[]): Promise<TargetEntry[]>;
	get(id: string, attributes: string[]): Promise<TargetEntry | null>;
	/** The identifier a create would produce, without writing (dry runs, log records). */
	previewId(attributes: AttributeMap): string | null;
	create(attributes: AttributeMap): Promise<TargetEntry>;
	/**
	 * Optional: creates many accounts in a few statements. One result per input, in order: the new entry, or the error
	 * that stopped its batch. The caller looks a failed one up again before creating it alone, so nothing is duplicated.
	 */
	createMany?(list: AttributeMap[]): Promise<Array<TargetEntry | ProvisioningError>>;
	/**
	 * Optional: desired values the target derives from the account's current ones (Active Directory's named
	 * userAccountControl flags, which keep every other bit). `current` is absent on a create. Attributes it needs
	 * read are in `derivedFrom`.
	 */
	adjustDesired?(desired: AttributeMap, current?: TargetEntry): AttributeMap;
	readonly derivedFrom?: string[];
	/**
	 * Optional: the identifier the account should have now, from the desired values (an LDAP DN from the DN template
	 * or an always-applied "dn"), or null when the target leaves it alone. A different one is a change of "dn": a move.
	 */
	desiredId?(attributes: AttributeMap, createOnly: AttributeMap): string | null;
	/** Optional: whether two identifiers name the same account (DNs compare without case and escaping differences). */
	sameId?(a: string, b: string): boolean;
	/** Applies the changes and returns the account's identifier afterwards (an LDAP rename or move changes the DN). */
	update(id: string, changes: AttributeChange[]): Promise<string>;
	/**
	 * Enables or disables; returns the account's identifier afterwards (moving to a disabled OU changes the DN). A disable
	 * records `at` in the target's disabled-time attribute where one is configured; an enable clears it.
	 */
	setActive(id: string, active: boolean, at?: Date): Promise<string>;
	/**
	 * Optional: an administrator's password reset (Active Directory's unicodePwd, over an encrypted connection only).
	 * The password is never logged, recorded or echoed in an error.
	 */
	resetPassword?(id: string, password: string, mustChange: boolean): Promise<void>;
	/** Deletes; an account that is already gone counts as deleted. */
	delete(id: string): Promise<void>;
	/** Every account in scope, paged: bounded memory whatever the size. */
	listAll(options: ListOptions): AsyncIterable<TargetEntry>;
}

/** A group as read from a target. */
export interface GroupEntry {
	/** SCIM id, DN or row key. */
	id: string;
	displayName: string;
	externalId?: string;
	/** Member references in the target's own form: SCIM ids, DNs, uids (posixGroup) or row keys. */
	members: string[];
}

export interface GroupSpec {
	displayName: string;
	externalId?: string;
	/** Extra attributes for a new group (gidNumber for posixGroup, groupType for AD, description…). */
	extra?: Record<string, string | number>;
}

/** Groups and memberships in a target. */
export interface Groups {
	/** Whether groups can contain groups here (posixGroup cannot). */
	readonly supportsNesting: boolean;
	/** Attributes an account must be read with so that `memberRef` can name it (posixGroup needs the uid). */
	readonly memberRefAttributes: string[];
	/** The reference that makes an account a member: its SCIM id, DN, uid (posixGroup) or row key. */
	memberRef(account: TargetEntry): string | undefined;
	/** The reference that puts one group inside another. */
	groupMemberRef(group: GroupEntry): string;
	/** A canonical form of a member reference, for comparisons. */
	memberKey(ref: string): string;
	/** Groups by externalId or displayName, looked up in batches. */
	findGroups(by: 'externalId' | 'displayName', values: string[]): Promise<GroupEntry[]>;
	/** One group with its complete member list. */
	readGroup(id: string): Promise<GroupEntry | null>;
	/** Creates a group; targets that cannot hold an empty group get the first members here. */
	createGroup(spec: GroupSpec, initialMembers: string[]): Promise<GroupEntry>;
	/** Renames; returns the group's identifier afterwards (an LDAP rename changes the DN). */
	renameGroup(id: string, displayName: string): Promise<string>;
	/** One request adding these members (the caller chunks); members it already has are no change. */
	addMembers(id: string, members: string[]): Promise<void>;
	/** One request removing these members (the caller chunks); `remaining` is the count left afterwards. */
	removeMembers(id: string, members: string[], remaining: number): Promise<void>;
	/** Deletes a group; one that is already gone counts as deleted. */
	deleteGroup(id: string): Promise<void>;
	/** Removes an account from every group that lists it; returns the groups it was removed from. */
	removeFromAllGroups(accountId: string): Promise<string[]>;
}

/** A provisioning target for one execution: its accounts and groups over one shared connection. */
export interface Target {
	readonly system: TargetSystem;
	/** Where the target lives, safe to log (no credentials). */
	readonly endpoint: string;
	readonly users: Accounts;
	readonly groups: Groups;
	/** Every write of this execution, in order. */
	readonly writes: WriteRecord[];
	close(): Promise<void>;
}
