/** A SCIM 2.0 service provider as a target: users and groups over one client. */
import type { ScimClient } from '../../scim/client';
import { type Target, WriteLog } from '../target';
import { ScimApi, type ScimApiOptions } from './scimApi';
import { ScimGroups } from './scimGroups';
import { ScimUsers } from './scimUsers';

export class ScimTarget implements Target {
	readonly system = 'scim' as const;
	readonly users: ScimUsers;
	readonly groups: ScimGroups;
	private readonly log = new WriteLog();

	constructor(
		readonly client: ScimClient,
		options: ScimApiOptions = {},
	) {
		const api = new ScimApi(client, this.log, options);
		this.users = new ScimUsers(api);
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
