/** A SCIM 2.0 service provider as a target: users and groups over one client. */
import type { ScimClient } from '../../scim/client';
import { type Target, WriteLog } from '../target';
import { ScimApi, type ScimApiOptions } from './scimApi';
import { ScimGroups } from './scimGroups';
import { ScimUsers } from './scimUsers';

export interface ScimTargetOptions extends ScimApiOptions {
	/**
	 * Where a disable records its time, for delayed deletion: a SCIM attribute path written with active=false (an ISO
	 * time; it needs an attribute the app's schema has). Default: the resource's meta.lastModified, read only.
	 */
	disabledTimeAttribute?: string;
}

export class ScimTarget implements Target {
	readonly system = 'scim' as const;
	readonly users: ScimUsers;
	readonly groups: ScimGroups;
	private readonly log = new WriteLog();

	constructor(
		readonly client: ScimClient,
		options: ScimTargetOptions = {},
	) {
		const api = new ScimApi(client, this.log, options);
		this.users = new ScimUsers(api, options.disabledTimeAttribute);
		this.groups = new ScimGroups(api);
	}

	get endpoint(): string {
		return `${this.client.baseUrl}/Users`;
	}

	get writes() {
		return this.log.records;
	}

	async close(): Promise<void> {}
}
