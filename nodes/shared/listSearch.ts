/**
 * The pickers' list searches (`methods.listSearch`): credentials and the current parameters in, one page of the
 * listing in lib/ out, each on its own connection closed before the answer.
 */
import { type ILoadOptionsFunctions, type INodeListSearchResult, NodeOperationError } from 'n8n-workflow';
import { DataTableApi } from '../../lib/dataTables/dataTableApi';
import { LdapConnection } from '../../lib/targets/ldap/connection';
import { groupObjectClass, type LdapGroupSchema } from '../../lib/targets/ldap/ldapGroups';
import { listContainers, listGroups } from '../../lib/targets/ldap/ldapListing';
import type { ListPage } from '../../lib/targets/listing';
import { listScimGroups } from '../../lib/targets/scim/scimListing';
import { tableName } from '../../lib/targets/sql/identifiers';
import { SqlConnection } from '../../lib/targets/sql/sqlConnection';
import { listColumns, listGroupNames, listTables } from '../../lib/targets/sql/sqlListing';
import { N8N_API_CREDENTIAL } from './governanceDescriptions';
import { locatorText } from './pickers';
import { SQL_CREDENTIAL, sqlConnectionFromCredentials } from './sqlSettings';
import { LDAP_CREDENTIAL, ldapConnectionFromCredentials, SCIM_CREDENTIAL, scimClientFromCredentials } from './targets';

type Search = (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) => Promise<INodeListSearchResult>;

const answer = (page: ListPage): INodeListSearchResult =>
	page.next ? { results: page.results, paginationToken: page.next } : { results: page.results };

/** A listing's failure as the editor shows it under the list (messages are already free of secrets). */
async function listing(ctx: ILoadOptionsFunctions, list: () => Promise<ListPage>): Promise<INodeListSearchResult> {
	try {
		return answer(await list());
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), (error as Error).message);
	}
}

/** A parameter as the editor holds it now; an expression cannot be resolved while picking. */
function current(ctx: ILoadOptionsFunctions, name: string, fallback = ''): string {
	const text = locatorText(ctx.getCurrentNodeParameter(name)) || fallback;
	if (text.startsWith('=')) throw new NodeOperationError(ctx.getNode(), `"${name}" is an expression: type the name instead of picking it`);
	return text;
}

async function withSql(ctx: ILoadOptionsFunctions, list: (connection: SqlConnection) => Promise<ListPage>) {
	const connection = new SqlConnection({ ...sqlConnectionFromCredentials(await ctx.getCredentials(SQL_CREDENTIAL)), poolSize: 1 });
	try {
		return await listing(ctx, () => list(connection));
	} finally {
		await connection.close();
	}
}

async function withLdap(ctx: ILoadOptionsFunctions, list: (connection: LdapConnection, baseDn: string) => Promise<ListPage>) {
	const credentials = await ctx.getCredentials(LDAP_CREDENTIAL);
	const connection = new LdapConnection(ldapConnectionFromCredentials(credentials));
	try {
		return await listing(ctx, () => list(connection, String(credentials.baseDn ?? '').trim()));
	} finally {
		await connection.close();
	}
}

/** The columns of the table a parameter names. */
const columnsOf = (tableParameter: string, fallback: string): Search =>
	async function (this: ILoadOptionsFunctions, filter, token) {
		const table = tableName(current(this, tableParameter, fallback), tableParameter);
		return withSql(this, (c) => listColumns(c, table, { search: filter, token }));
	};

export const listSearch: Record<string, Search> = {
	async sqlTableSearch(filter, token) {
		return withSql(this, (c) => listTables(c, { search: filter, token }));
	},
	sqlUserColumnSearch: columnsOf('sqlTable', 'users'),
	sqlGroupColumnSearch: columnsOf('sqlGroupsTable', 'groups'),
	sqlMembershipColumnSearch: columnsOf('sqlMembershipTable', 'group_members'),

	async ldapContainerSearch(filter, token) {
		return withLdap(this, (c, baseDn) => listContainers(c, baseDn, { search: filter, token }));
	},

	/** Group Sync's groups on whichever target is chosen. */
	async groupSearch(filter, token) {
		const target = current(this, 'target', 'scim');
		if (target === 'ldap') {
			const schema = current(this, 'groupSchema', 'groupOfNames') as LdapGroupSchema;
			const base = current(this, 'groupSearchBase');
			return withLdap(this, (c, baseDn) => listGroups(c, base || baseDn, groupObjectClass(schema), { search: filter, token }));
		}
		if (target === 'sql') {
			const table = tableName(current(this, 'sqlGroupsTable', 'groups'), 'sqlGroupsTable');
			const nameColumn = current(this, 'sqlGroupNameColumn', 'name');
			return withSql(this, (c) => listGroupNames(c, { table, nameColumn }, { search: filter, token }));
		}
		const client = scimClientFromCredentials(await this.getCredentials(SCIM_CREDENTIAL), { maxRetries: 1 });
		return listing(this, () => listScimGroups(client, { search: filter, token }));
	},

	/** The Data Tables the n8n API key's owner can see: the log's table by id. */
	async dataTableSearch(filter, token) {
		const credentials = await this.getCredentials(N8N_API_CREDENTIAL);
		const api = new DataTableApi({ baseUrl: String(credentials.baseUrl ?? ''), apiKey: String(credentials.apiKey ?? '') });
		return listing(this, async () => {
			const page = await api.list(String(filter ?? '').trim(), token);
			const results = page.data.map((t) => ({ name: t.name, value: t.id, description: `ID ${t.id}` }));
			return page.nextCursor ? { results, next: page.nextCursor } : { results };
		});
	},
};
