/** Groups in a SCIM 2.0 service provider, written the way Entra does: empty create, then chunked member PATCHes. */
import { scimFilterValue } from '../../scim/path';
import { CORE_GROUP_SCHEMA } from '../../scim/schema';
import type { GroupEntry, Groups, GroupSpec, TargetEntry } from '../target';
import type { ScimApi, ScimResource } from './scimApi';

const memberValues = (group: ScimResource): string[] =>
	Array.isArray(group.members) ? group.members.map((m: { value: unknown }) => String(m.value)) : [];

/** `members[value eq "…"]`: removes exactly one member (never the legacy value-array form that wipes groups). */
const memberPath = (id: string) => `members[value eq ${scimFilterValue(id)}]`;

export class ScimGroups implements Groups {
	readonly supportsNesting = true;
	readonly memberRefAttributes: string[] = [];

	constructor(private readonly api: ScimApi) {}

	memberRef(account: TargetEntry): string {
		return account.id;
	}

	groupMemberRef(group: GroupEntry): string {
		return group.id;
	}

	memberKey(ref: string): string {
		return ref;
	}

	private toGroup(resource: ScimResource): GroupEntry {
		return {
			id: String(resource.id),
			displayName: String(resource.displayName ?? ''),
			externalId: resource.externalId === undefined ? undefined : String(resource.externalId),
			members: memberValues(resource),
		};
	}

	/** Batched group lookup without member lists (excludedAttributes=members, as Entra does). */
	async findGroups(by: 'externalId' | 'displayName', values: string[]): Promise<GroupEntry[]> {
		const resources = await this.api.lookup('Groups', values, (v) => `${by} eq ${scimFilterValue(v)}`, { excludedAttributes: 'members' });
		return resources.map((r) => this.toGroup(r));
	}

	async readGroup(id: string): Promise<GroupEntry | null> {
		const resource = await this.api.get('Groups', id);
		return resource ? this.toGroup(resource) : null;
	}

	/** POST with no members, as Entra does; members follow in chunked PATCHes. */
	async createGroup(spec: GroupSpec): Promise<GroupEntry> {
		const body: ScimResource = { schemas: [CORE_GROUP_SCHEMA], displayName: spec.displayName, members: [], ...(spec.extra ?? {}) };
		if (spec.externalId) body.externalId = spec.externalId;
		const res = await this.api.client.request({ method: 'POST', path: '/Groups', body });
		this.api.record('create', String(res.data?.id), body);
		return { ...this.toGroup(res.data ?? {}), members: [] };
	}

	async renameGroup(id: string, displayName: string): Promise<string> {
		await this.api.modify(
			'Groups',
			id,
			'update',
			[{ op: 'replace', path: 'displayName', value: displayName }],
			true,
			(g) => (g.displayName = displayName),
		);
		return id;
	}

	async addMembers(id: string, members: string[]): Promise<void> {
		await this.api.modify(
			'Groups',
			id,
			'update',
			[{ op: 'add', path: 'members', value: members.map((value) => ({ value })) }],
			false,
			(g) => {
				const have = new Set(memberValues(g));
				g.members = [...(g.members ?? []), ...members.filter((m) => !have.has(m)).map((value) => ({ value }))];
			},
		);
	}

	/** One remove operation per member, by value filter. */
	async removeMembers(id: string, members: string[]): Promise<void> {
		const drop = new Set(members);
		const operations = members.map((m) => ({ op: 'remove' as const, path: memberPath(m) }));
		await this.api.modify(
			'Groups',
			id,
			'update',
			operations,
			true,
			(g) => (g.members = (g.members ?? []).filter((m: { value: string }) => !drop.has(m.value))),
		);
	}

	async deleteGroup(id: string): Promise<void> {
		// 404 counts as done: a rerun converges.
		await this.api.client.request({ method: 'DELETE', path: `/Groups/${encodeURIComponent(id)}`, idempotent: true, acceptStatus: [404] });
		this.api.record('delete', id, null);
	}

	/**
	 * Removes one member from every group listing it. The groups are collected before any is changed: a
	 * listing filtered on membership shrinks as members are removed, so paging while writing would skip groups.
	 */
	async removeFromAllGroups(accountId: string): Promise<string[]> {
		const groups: ScimResource[] = [];
		for await (const group of this.api.list('Groups', memberPath(accountId), 100, { attributes: 'displayName' })) groups.push(group);
		const removed: string[] = [];
		for (const group of groups) {
			const id = String(group.id);
			await this.api.modify(
				'Groups',
				id,
				'update',
				[{ op: 'remove', path: memberPath(accountId) }],
				true,
				(g) => {
					g.members = (g.members ?? []).filter((m: { value: string }) => m.value !== accountId);
				},
				[404],
			);
			removed.push(String(group.displayName ?? id));
		}
		return removed;
	}
}
