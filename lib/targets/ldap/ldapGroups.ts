/**
 * Groups in an LDAP directory: groupOfNames, groupOfUniqueNames, posixGroup and Active Directory groups, with
 * the empty-group placeholder their schemas need and AD's ranged retrieval of large member lists.
 */
import { Control, NoSuchAttributeError, NoSuchObjectError, TypeOrValueExistsError } from 'ldapts';
import { ProvisioningError } from '../../errors';
import { rdnAttribute, renderDnTemplate } from '../../ldap/dnTemplate';
import { escapeDnValue, escapeFilterValue, normaliseDn } from '../../ldap/escape';
import { anyOfFilter } from '../../ldap/filters';
import { addValues, allValues, deleteValues, firstValue, redactedChanges, replaceValues } from '../../ldap/values';
import { chunks, unique } from '../../util';
import type { GroupEntry, Groups, GroupSpec, TargetEntry, WriteLog } from '../target';
import { failedWith, type LdapConnection, type LdapEntry, noSuchEntry } from './connection';
import { nextMemberRange } from './memberRange';

export type LdapGroupSchema = 'groupOfNames' | 'groupOfUniqueNames' | 'posixGroup' | 'activeDirectory';

export interface LdapGroupOptions {
	schema: LdapGroupSchema;
	/** Where groups are searched; defaults to the base DN. */
	searchBase?: string;
	/** DN of new groups, e.g. cn={displayName},ou=Groups,dc=example,dc=org. */
	dnTemplate?: string;
	/** Attribute holding the source's external id (none by default). */
	externalIdAttribute?: string;
	/** Member kept in groupOfNames/groupOfUniqueNames when they would be empty (their schema requires one); defaults to the group's own DN. */
	placeholderMember?: string;
}

const SCHEMAS: Record<LdapGroupSchema, { objectClass: string; memberAttribute: string; requiresMember: boolean }> = {
	groupOfNames: { objectClass: 'groupOfNames', memberAttribute: 'member', requiresMember: true },
	groupOfUniqueNames: { objectClass: 'groupOfUniqueNames', memberAttribute: 'uniqueMember', requiresMember: true },
	posixGroup: { objectClass: 'posixGroup', memberAttribute: 'memberUid', requiresMember: false },
	activeDirectory: { objectClass: 'group', memberAttribute: 'member', requiresMember: false },
};

/** The object class groups of a schema have (the group picker lists them). */
export const groupObjectClass = (schema: LdapGroupSchema): string => (SCHEMAS[schema] ?? SCHEMAS.groupOfNames).objectClass;

/** LDAP_SERVER_PERMISSIVE_MODIFY (AD, OpenLDAP, 389-DS): adding a present value or deleting an absent one is no error. */
const PERMISSIVE_MODIFY = new Control('1.2.840.113556.1.4.1413', { critical: false });

/** AD's global security group. */
const AD_GLOBAL_SECURITY_GROUP = '-2147483646';

export class LdapGroups implements Groups {
	private readonly schema: (typeof SCHEMAS)[LdapGroupSchema];
	private readonly options: LdapGroupOptions;
	/** Groups whose member list held only the placeholder when read or created (this execution). */
	private readonly placeholderGroups = new Set<string>();
	/** Groups known not to hold the placeholder (this execution). */
	private readonly withoutPlaceholder = new Set<string>();

	constructor(
		private readonly connection: LdapConnection,
		private readonly writes: WriteLog,
		private readonly baseDn: string,
		options: LdapGroupOptions = { schema: 'groupOfNames' },
	) {
		this.schema = SCHEMAS[options.schema];
		if (!this.schema) {
			throw new ProvisioningError(
				'Configuration',
				`Unknown group schema "${String(options.schema)}"; use ${Object.keys(SCHEMAS).join(', ')}`,
				{
					field: 'groupSchema',
				},
			);
		}
		this.options = options;
	}

	private get byUid(): boolean {
		return this.options.schema === 'posixGroup';
	}

	get supportsNesting(): boolean {
		return !this.byUid;
	}

	get memberRefAttributes(): string[] {
		return this.byUid ? ['uid'] : [];
	}

	memberRef(account: TargetEntry): string | undefined {
		if (!this.byUid) return account.id;
		const uid = ([] as unknown[]).concat(account.attributes.uid ?? [])[0];
		return uid === undefined || uid === '' ? undefined : String(uid);
	}

	groupMemberRef(group: GroupEntry): string {
		return group.id;
	}

	memberKey(ref: string): string {
		return this.byUid ? ref.toLowerCase() : normaliseDn(ref);
	}

	private placeholderFor(groupDn: string): string {
		return this.options.placeholderMember || groupDn;
	}

	private toGroup(entry: LdapEntry, members: string[]): GroupEntry {
		const ext = this.options.externalIdAttribute;
		const placeholder = this.memberKey(this.placeholderFor(entry.dn));
		const real = members.filter((m) => this.byUid || this.memberKey(m) !== placeholder);
		if (real.length < members.length) this.placeholderGroups.add(entry.dn);
		else if (members.length) this.withoutPlaceholder.add(entry.dn);
		return {
			id: entry.dn,
			displayName: firstValue(entry, 'cn') ?? '',
			externalId: ext ? firstValue(entry, ext) : undefined,
			members: real,
		};
	}

	private get searchBase(): string {
		return this.options.searchBase || this.baseDn;
	}

	async findGroups(by: 'externalId' | 'displayName', values: string[]): Promise<GroupEntry[]> {
		const attribute = by === 'displayName' ? 'cn' : this.options.externalIdAttribute;
		if (!attribute) return [];
		const out: GroupEntry[] = [];
		for (const chunk of chunks(unique(values.filter(Boolean)), 200)) {
			const filter = anyOfFilter(`(objectClass=${this.schema.objectClass})`, attribute, chunk);
			const attributes = ['cn', ...(this.options.externalIdAttribute ? [this.options.externalIdAttribute] : [])];
			for await (const entry of this.connection.searchPaged('group search', this.searchBase, { scope: 'sub', filter, attributes }, 500)) {
				out.push(this.toGroup(entry, []));
			}
		}
		return out;
	}

	private async readOnce(dn: string, attributes: string[]): Promise<LdapEntry | undefined> {
		return (await this.connection.search('group read', dn, { scope: 'base', filter: '(objectClass=*)', attributes }, true))[0];
	}

	/** Reads a group with every member, following AD's ranged retrieval (member;range=0-1499, …). */
	async readGroup(dn: string): Promise<GroupEntry | null> {
		const memberAttribute = this.schema.memberAttribute;
		const entry = await this.readOnce(dn, [
			'cn',
			memberAttribute,
			...(this.options.externalIdAttribute ? [this.options.externalIdAttribute] : []),
		]);
		if (!entry) return null;
		const members = allValues(entry, memberAttribute);
		let range = nextMemberRange(Object.keys(entry), memberAttribute);
		let current: LdapEntry = entry;
		while (range) {
			members.push(...allValues(current, range.received));
			if (!range.next) break;
			const more = await this.readOnce(dn, [range.next]);
			if (!more) break;
			current = more;
			range = nextMemberRange(Object.keys(more), memberAttribute);
		}
		return this.toGroup(entry, members);
	}

	async createGroup(spec: GroupSpec, initialMembers: string[]): Promise<GroupEntry> {
		const { objectClass, memberAttribute, requiresMember } = this.schema;
		const dn = renderDnTemplate(this.options.dnTemplate ?? '', {
			displayName: spec.displayName,
			cn: spec.displayName,
			...(spec.extra ?? {}),
		});
		const ad = this.options.schema === 'activeDirectory';
		const record: Record<string, string[]> = { objectClass: ['top', objectClass], cn: [spec.displayName] };
		if (spec.externalId && this.options.externalIdAttribute) record[this.options.externalIdAttribute] = [spec.externalId];
		for (const [k, v] of Object.entries(spec.extra ?? {})) if (v !== undefined && v !== '') record[k] = [String(v)];
		if (this.byUid && !record.gidNumber) {
			throw new ProvisioningError('MissingRequiredValue', `A posixGroup needs a gidNumber; "${spec.displayName}" has none`, {
				field: 'gidNumber',
			});
		}
		if (ad) {
			record.groupType ??= [AD_GLOBAL_SECURITY_GROUP];
			record.sAMAccountName ??= [spec.displayName];
		}
		if (initialMembers.length) record[memberAttribute] = initialMembers;
		else if (requiresMember) record[memberAttribute] = [this.placeholderFor(dn)];
		await this.connection.run('group add', (client) => client.add(dn, record));
		this.writes.add('create', dn, record);
		if (!initialMembers.length && requiresMember) this.placeholderGroups.add(dn);
		else this.withoutPlaceholder.add(dn);
		return { id: dn, displayName: spec.displayName, externalId: spec.externalId, members: [...initialMembers] };
	}

	async renameGroup(dn: string, displayName: string): Promise<string> {
		const rdnName = rdnAttribute(dn);
		const newRdn = `${rdnName}=${escapeDnValue(displayName)}`;
		const renamed = await this.connection.modifyDN(dn, newRdn);
		if (rdnName.toLowerCase() !== 'cn') await this.connection.modify(renamed, [replaceValues('cn', [displayName])]);
		this.writes.add('rename', renamed, { from: dn, newRdn });
		if (this.placeholderGroups.delete(dn)) this.placeholderGroups.add(renamed);
		return renamed;
	}

	/**
	 * Members already present are no change: servers with permissive modify (AD) ignore them; for the others
	 * (OpenLDAP) a refused add is followed by one read and an add of just the missing members.
	 */
	async addMembers(dn: string, members: string[]): Promise<void> {
		const attribute = this.schema.memberAttribute;
		const changes = [addValues(attribute, members)];
		// The placeholder goes with the first real member; a group not read in this execution may hold it.
		const mayHoldPlaceholder = this.schema.requiresMember && !this.withoutPlaceholder.has(dn);
		if (mayHoldPlaceholder) changes.push(deleteValues(attribute, [this.placeholderFor(dn)]));
		try {
			await this.connection.modify(dn, changes, [PERMISSIVE_MODIFY]);
		} catch (error) {
			// Without permissive modify: a member to add is present, or the placeholder to delete is absent.
			if (!failedWith(error, TypeOrValueExistsError, NoSuchAttributeError)) throw error;
			const present = new Set((await this.readGroup(dn))?.members.map((m) => this.memberKey(m)) ?? []);
			const missing = members.filter((m) => !present.has(this.memberKey(m)));
			changes.splice(0, changes.length, ...(missing.length ? [addValues(attribute, missing)] : []));
			if (missing.length && this.placeholderGroups.has(dn)) changes.push(deleteValues(attribute, [this.placeholderFor(dn)]));
			if (changes.length) await this.connection.modify(dn, changes);
		}
		this.placeholderGroups.delete(dn);
		this.withoutPlaceholder.add(dn);
		if (changes.length) this.writes.add('update', dn, redactedChanges(changes));
	}

	/** When the group would be left empty and its schema requires a member, the placeholder goes in the same modify. */
	async removeMembers(dn: string, members: string[], remaining: number): Promise<void> {
		const { memberAttribute, requiresMember } = this.schema;
		const changes = [];
		if (remaining === 0 && requiresMember && !this.placeholderGroups.has(dn))
			changes.push(addValues(memberAttribute, [this.placeholderFor(dn)]));
		changes.push(deleteValues(memberAttribute, members));
		try {
			await this.connection.modify(dn, changes, [PERMISSIVE_MODIFY]);
		} catch (error) {
			if (!failedWith(error, NoSuchAttributeError)) throw error;
			// Some were gone already (a server without permissive modify): remove just the ones still there.
			const present = new Set((await this.readGroup(dn))?.members.map((m) => this.memberKey(m)) ?? []);
			const still = members.filter((m) => present.has(this.memberKey(m)));
			if (!still.length) return;
			return this.removeMembers(dn, still, remaining);
		}
		if (remaining === 0 && requiresMember) {
			this.placeholderGroups.add(dn);
			this.withoutPlaceholder.delete(dn);
		}
		this.writes.add('update', dn, redactedChanges(changes));
	}

	async deleteGroup(dn: string): Promise<void> {
		await this.connection.run('group delete', async (client) => {
			try {
				await client.del(dn);
			} catch (error) {
				if (!failedWith(error, NoSuchObjectError)) throw error; // already gone
			}
		});
		this.writes.add('delete', dn, null);
	}

	/** Removes the DN (member, uniqueMember) and its uid (memberUid) from every group under the base DN. */
	async removeFromAllGroups(dn: string): Promise<string[]> {
		const [account] = await this.connection.search('read', dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['uid'] }, true);
		if (!account) throw noSuchEntry(dn);
		const uid = firstValue(account, 'uid');
		const escapedDn = escapeFilterValue(dn);
		const filter = `(|(member=${escapedDn})(uniqueMember=${escapedDn})${uid ? `(memberUid=${escapeFilterValue(uid)})` : ''})`;
		// Collected first, then changed: the listing is not disturbed by the writes.
		const groups: LdapEntry[] = [];
		for await (const group of this.connection.searchPaged(
			'group search',
			this.baseDn,
			{ scope: 'sub', filter, attributes: ['member', 'uniqueMember', 'memberUid'] },
			500,
		)) {
			groups.push(group);
		}
		const target = normaliseDn(dn);
		const removed: string[] = [];
		for (const group of groups) {
			const changes = ['member', 'uniqueMember']
				.map((type) => ({ type, values: allValues(group, type).filter((v) => normaliseDn(v) === target) }))
				.filter(({ values }) => values.length)
				.map(({ type, values }) => deleteValues(type, values));
			if (uid && allValues(group, 'memberUid').includes(uid)) changes.push(deleteValues('memberUid', [uid]));
			if (!changes.length) continue;
			await this.connection.modify(group.dn, changes);
			this.writes.add('update', group.dn, redactedChanges(changes));
			removed.push(group.dn);
		}
		return removed;
	}
}
