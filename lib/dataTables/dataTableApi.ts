/**
 * n8n Data Tables through n8n's public REST API (`/api/v1/data-tables`, n8n 2.7 and later), with an n8n API key.
 *
 * Why not `this.helpers.getDataTableProxy`: n8n hands that helper to every node, but its provider serves only
 * n8n's own Data Table and Evaluation nodes and throws "This proxy is only available for Data table nodes" for
 * any other node type (packages/cli/src/modules/data-table/data-table-proxy.service.ts, in 1.123 and every 2.x
 * checked). The public API is the one door n8n opens to other code; n8n 1.x and 2.0–2.6 do not have it.
 */
import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { ProvisioningError } from '../errors';
import { scrubSecrets } from '../redact';

export type DataTableColumnType = 'string' | 'number' | 'boolean' | 'date';

export interface DataTableColumn {
	id?: string;
	name: string;
	type: DataTableColumnType;
}

export interface DataTableInfo {
	id: string;
	name: string;
	columns?: DataTableColumn[];
}

/** n8n's Data Table filter: conditions combined with one `and` or one `or`. */
export interface DataTableFilter {
	type: 'and' | 'or';
	filters: Array<{
		columnName: string;
		condition: 'eq' | 'neq' | 'like' | 'ilike' | 'gt' | 'gte' | 'lt' | 'lte';
		value: string | number | boolean | null;
	}>;
}

export type DataTableRow = Record<string, string | number | boolean | null>;

export interface DataTableApiOptions {
	/** The instance's API URL, `https://n8n.example.com/api/v1` (a URL without `/api/v1` gets it). */
	baseUrl: string;
	apiKey: string;
	timeoutMs?: number;
}

/** The versions that have the API, for messages. */
export const DATA_TABLE_API_SINCE = '2.7';

export const NO_DATA_TABLE_API =
	`This n8n has no Data Table API: n8n ${DATA_TABLE_API_SINCE} and later have it (/api/v1/data-tables); n8n 1.x and 2.0–2.6 do not. ` +
	'Community nodes cannot use the getDataTableProxy helper either (n8n serves it to its own Data Table nodes only). ' +
	'Keep the provisioning log with the fallback instead: Provisioning Log node → Format as Table Rows → n8n’s Postgres node ' +
	'(or n8n’s Data Table node), see the README, "Provisioning log: the fallback".';

export function apiBaseUrl(raw: string): string {
	const trimmed = raw.trim().replace(/\/+$/, '');
	if (!/^https?:\/\//i.test(trimmed)) {
		throw new ProvisioningError('Configuration', `The n8n API credential's Base URL "${raw}" is not an http(s) URL`, { field: 'baseUrl' });
	}
	return /\/api\/v\d+$/.test(trimmed) ? trimmed : `${trimmed}/api/v1`;
}

/** An HTTP client for n8n's public API with the key: every status is returned to the caller to judge. */
export function n8nApiClient(
	options: DataTableApiOptions,
	config: Pick<CreateAxiosDefaults, 'responseType' | 'maxRedirects'>,
): AxiosInstance {
	if (!options.apiKey) throw new ProvisioningError('Configuration', 'The n8n API credential has no API key', { field: 'apiKey' });
	return axios.create({
		baseURL: apiBaseUrl(options.baseUrl),
		timeout: options.timeoutMs ?? 30000,
		headers: { 'X-N8N-API-KEY': options.apiKey, Accept: 'application/json' },
		validateStatus: () => true,
		...config,
	});
}

/**
 * A query string with every reserved character percent-encoded (RFC 3986). n8n's API validates its query with
 * express-openapi-validator, which refuses any value holding one of :/?#[]@!$&'()*+,;= as it came on the wire
 * ("Parameter 'filter' must be url encoded"); axios leaves : , $ [ ] as they are and writes spaces as +, and
 * encodeURIComponent leaves ! ' ( ) *.
 */
export function strictQueryString(params: Record<string, unknown>): string {
	const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
	return Object.entries(params)
		.filter(([, value]) => value !== undefined && value !== null)
		.map(([key, value]) => `${encode(key)}=${encode(String(value))}`)
		.join('&');
}

export class DataTableApi {
	private readonly http: AxiosInstance;
	private readonly apiKey: string;

	constructor(options: DataTableApiOptions) {
		this.apiKey = options.apiKey;
		// Rows are JSON; a proxy answering HTML must not be taken for data.
		this.http = n8nApiClient(options, { responseType: 'json' });
	}

	private scrub(text: string): string {
		return scrubSecrets(text, [this.apiKey]);
	}

	private async call<T>(
		method: 'GET' | 'POST' | 'DELETE',
		path: string,
		what: string,
		options: { params?: Record<string, unknown>; data?: unknown; notFound?: 'api' | 'table' | 'column-api' } = {},
	): Promise<T> {
		let response;
		try {
			const query = options.params ? strictQueryString(options.params) : '';
			response = await this.http.request({ method, url: query ? `${path}?${query}` : path, data: options.data });
		} catch (error) {
			throw new ProvisioningError('TargetUnavailable', this.scrub(`n8n's API did not answer (${what}): ${(error as Error).message}`), {
				transient: true,
				cause: error,
			});
		}
		const { status, data } = response;
		if (status >= 200 && status < 300) return data as T;
		const detail = this.scrub(
			typeof data === 'object' && data && 'message' in data
				? String((data as { message: unknown }).message)
				: String(data ?? '').slice(0, 300),
		);
		if (status === 401) {
			throw new ProvisioningError('Configuration', `n8n's API refused the API key (${what}): ${detail}`, {
				field: 'apiKey',
				targetStatus: status,
			});
		}
		if (status === 403) {
			throw new ProvisioningError(
				'Configuration',
				`n8n's API key may not do this (${what}): ${detail}. Give the key the data table scopes (dataTable:*, dataTableRow:*, dataTableColumn:*) or use the owner's key.`,
				{ field: 'apiKey', targetStatus: status },
			);
		}
		if (status === 404 && options.notFound === 'api')
			throw new ProvisioningError('Configuration', NO_DATA_TABLE_API, { targetStatus: status });
		if (status === 404 && options.notFound === 'column-api') {
			throw new ProvisioningError(
				'Configuration',
				`This n8n's API cannot add columns to a Data Table (${what}); add them in the Data Table's view, or let the node create a new table`,
				{ targetStatus: status },
			);
		}
		if (status === 404)
			throw new ProvisioningError('Configuration', `n8n's API found no such Data Table (${what}): ${detail}`, { targetStatus: status });
		if (status === 429 || status >= 500) {
			throw new ProvisioningError('TargetUnavailable', `n8n's API answered ${status} (${what}): ${detail}`, {
				targetStatus: status,
				transient: true,
			});
		}
		throw new ProvisioningError('TargetRejected', `n8n's API answered ${status} (${what}): ${detail}`, { targetStatus: status });
	}

	/**
	 * Tables of the API key's user with this exact name. n8n's name filter is a LIKE on `%name%` (with `_` and `%` in
	 * the name as wildcards), so it can match more than a page: every page is read (sorted by name, a stable order).
	 */
	async findByName(name: string): Promise<DataTableInfo[]> {
		const found: DataTableInfo[] = [];
		let cursor: string | undefined;
		for (let pages = 0; pages < 100; pages++) {
			const page = await this.call<{ data?: DataTableInfo[]; nextCursor?: string | null }>(
				'GET',
				'/data-tables',
				`list data tables named "${name}"`,
				{ params: { filter: JSON.stringify({ name }), sortBy: 'name:asc', limit: 100, cursor }, notFound: 'api' },
			);
			found.push(...(page.data ?? []).filter((t) => t.name === name));
			if (!page.nextCursor) break;
			cursor = page.nextCursor;
		}
		return found;
	}

	/**
	 * One page of the key's tables whose name contains the search text, by name (the editor's picker). n8n matches
	 * the name with an unescaped LIKE, so `%` and `_` typed there are wildcards: pages are narrowed here to names that
	 * contain the text as typed, and read on (a few at most) while they come back empty, as an empty page would end
	 * the editor's list.
	 */
	async list(search: string, cursor?: string): Promise<{ data: DataTableInfo[]; nextCursor: string | null }> {
		const wanted = search.toLowerCase();
		let next: string | null = cursor ?? null;
		const data: DataTableInfo[] = [];
		for (let read = 0; read === 0 || (next && data.length === 0 && read < 10); read++) {
			const params: Record<string, unknown> = { limit: 100, sortBy: 'name:asc' };
			if (search) params.filter = JSON.stringify({ name: search });
			if (next) params.cursor = next;
			const page = await this.call<{ data?: DataTableInfo[]; nextCursor?: string | null }>('GET', '/data-tables', 'list data tables', {
				params,
				notFound: 'api',
			});
			data.push(...(page.data ?? []).filter((t) => !search || String(t.name).toLowerCase().includes(wanted)));
			next = page.nextCursor ?? null;
		}
		return { data, nextCursor: next };
	}

	/** A table with its columns, or null when there is no such id. */
	async get(id: string): Promise<DataTableInfo | null> {
		try {
			return await this.call<DataTableInfo>('GET', `/data-tables/${encodeURIComponent(id)}`, `read data table ${id}`);
		} catch (error) {
			if (error instanceof ProvisioningError && error.targetStatus === 404) return null;
			throw error;
		}
	}

	async create(name: string, columns: DataTableColumn[]): Promise<DataTableInfo> {
		return this.call<DataTableInfo>('POST', '/data-tables', `create data table "${name}"`, {
			data: { name, columns: columns.map(({ name: n, type }) => ({ name: n, type })) },
			notFound: 'api',
		});
	}

	async addColumn(id: string, column: DataTableColumn): Promise<void> {
		await this.call('POST', `/data-tables/${encodeURIComponent(id)}/columns`, `add column "${column.name}"`, {
			data: { name: column.name, type: column.type },
			notFound: 'column-api',
		});
	}

	async insertRows(id: string, rows: DataTableRow[]): Promise<void> {
		await this.call('POST', `/data-tables/${encodeURIComponent(id)}/rows`, `insert ${rows.length} row(s)`, {
			data: { data: rows, returnType: 'count' },
		});
	}

	/** One page of rows; `nextCursor` is null after the last page. */
	async getRows(
		id: string,
		query: { filter?: DataTableFilter; sortBy?: string; limit?: number; cursor?: string },
	): Promise<{ data: Array<DataTableRow & { id: number }>; nextCursor: string | null }> {
		const params: Record<string, unknown> = { limit: query.limit ?? 100 };
		if (query.filter?.filters.length) params.filter = JSON.stringify(query.filter);
		if (query.sortBy) params.sortBy = query.sortBy;
		if (query.cursor) params.cursor = query.cursor;
		const page = await this.call<{ data: Array<DataTableRow & { id: number }>; nextCursor?: string | null }>(
			'GET',
			`/data-tables/${encodeURIComponent(id)}/rows`,
			'read rows',
			{ params },
		);
		return { data: page.data ?? [], nextCursor: page.nextCursor ?? null };
	}

	/** Deletes the rows matching the filter (n8n requires one); returns how many. */
	async deleteRows(id: string, filter: DataTableFilter): Promise<number> {
		const deleted = await this.call<unknown>('DELETE', `/data-tables/${encodeURIComponent(id)}/rows/delete`, 'delete rows', {
			params: { filter: JSON.stringify(filter), returnData: true },
		});
		return Array.isArray(deleted) ? deleted.length : 0;
	}
}
