/** Group operations every target offers, so Group Sync works with SCIM and LDAP alike. */
export interface GroupEntry {
	/** SCIM id or DN. */
	id: string;
	displayName: string;
	externalId?: string;
	/** Member references in the target's own form: SCIM ids, DNs, or uids (posixGroup). */
	members: string[];
}

export interface GroupSpec {
	displayName: string;
	externalId?: string;
	/** Extra attributes for a new group (gidNumber for posixGroup, groupType for AD, description…). */
	extra?: Record<string, string | number>;
}

export interface GroupTarget {
	/** What a member reference is: a SCIM id, a DN, or a uid (posixGroup's memberUid). */
	readonly memberKind: 'id' | 'dn' | 'uid';
	/** Whether groups can contain groups here (posixGroup cannot). */
	readonly supportsNesting: boolean;
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
	/** One request adding these members (the caller chunks). */
	addMembers(id: string, members: string[]): Promise<void>;
	/** One request removing these members (the caller chunks). */
	removeMembers(id: string, members: string[], remaining: number): Promise<void>;
	/** Users by a source identifier attribute, batched: identifier → member references. */
	resolveUsers(attribute: string, values: string[]): Promise<Map<string, string[]>>;
	/** The member reference that puts one group inside another. */
	groupMemberRef(group: GroupEntry): string;
}

/** AD ranged retrieval: the next `member;range=…` to ask for, or undefined when the list is complete. */
export function nextMemberRange(attributeNames: string[], attribute = 'member'): { received: string; next?: string } | undefined {
	const pattern = new RegExp(`^${attribute};range=(\\d+)-(\\d+|\\*)$`, 'i');
	for (const name of attributeNames) {
		const m = pattern.exec(name);
		if (!m) continue;
		if (m[2] === '*') return { received: name };
		return { received: name, next: `${attribute};range=${Number(m[2]) + 1}-*` };
	}
	return undefined;
}
