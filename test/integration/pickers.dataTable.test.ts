/**
 * The Data Table picker of the provisioning log (node version 3 of Provisioning Log and the action nodes), called as
 * n8n's editor calls it, against a stand-in for n8n's public Data Table API that answers as n8n 2.40.7's does: the
 * name filter is an unescaped `LIKE %name%` (packages/cli data-table.repository.ts), pages by cursor. The real API
 * runs in the e2e suites; this checks what we send and what the editor gets.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataTableApi } from '../../lib/dataTables/dataTableApi';
import { type ListSearchCall, listAll, listSearch } from '../harness/listSearch';

const TABLES = [
	// The oldest: last in n8n's default order (updatedAt, newest first).
	{ id: 'l0', name: 'log' },
	...Array.from({ length: 130 }, (_, i) => ({ id: `t${i}`, name: `log_${String(i).padStart(3, '0')}` })),
	{ id: 'p1', name: 'provisioning_log' },
	{ id: 'p2', name: 'provisioningXlog' },
	{ id: 'p3', name: '100% done' },
	{ id: 'z1', name: 'zig% table' },
];
const PAGE = 100;

let server: Server;
let base: string;
const seen: Array<{ url: string; key: string | undefined }> = [];
let apiPresent = true;

/** n8n's LIKE: `%` and `_` in the name are wildcards, compared without case. */
const n8nLike = (name: string, search: string) =>
	new RegExp(
		`^.*${search
			.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
			.replace(/%/g, '.*')
			.replace(/_/g, '.')}.*$`,
		'is',
	).test(name);

beforeAll(async () => {
	server = createServer((req, res) => {
		seen.push({ url: req.url!, key: req.headers['x-n8n-api-key'] as string | undefined });
		const url = new URL(req.url!, 'http://x');
		res.setHeader('Content-Type', 'application/json');
		if (!apiPresent || url.pathname !== '/api/v1/data-tables') {
			res.statusCode = 404;
			res.end(JSON.stringify({ message: 'not found' }));
			return;
		}
		const filter = url.searchParams.get('filter');
		const name = filter ? String(JSON.parse(filter).name ?? '') : '';
		const offset = Number(url.searchParams.get('cursor') ?? 0);
		const matching = TABLES.filter((t) => !name || n8nLike(t.name, name));
		if (url.searchParams.get('sortBy') === 'name:asc') matching.sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
		else matching.reverse();
		const data = matching.slice(offset, offset + PAGE);
		res.end(JSON.stringify({ data, nextCursor: offset + PAGE < matching.length ? String(offset + PAGE) : null }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
	seen.length = 0;
	apiPresent = true;
});

const call = (nodeType = 'provisioningLog', parameters: Record<string, unknown> = { operation: 'query' }): ListSearchCall => ({
	nodeType,
	typeVersion: 3,
	parameters: parameters as never,
	credentials: { provisioningLogApi: { baseUrl: base, apiKey: 'key-123' } },
});

describe('the Data Table picker', () => {
	test('lists by name with the id as value, page by page on n8n’s cursor, with the API key', async () => {
		const first = await listSearch(call(), 'dataTableSearch');
		expect(first.results).toHaveLength(PAGE);
		expect(first.results[0]).toEqual({ name: '100% done', value: 'p3', description: 'ID p3' });
		expect(first.paginationToken).toBe('100');
		const { values, pages } = await listAll(call(), 'dataTableSearch');
		expect(values.sort()).toEqual(TABLES.map((t) => t.id).sort());
		expect(pages).toBe(2);
		expect(seen.every((s) => s.key === 'key-123')).toBe(true);
		const query = Object.fromEntries(new URL(seen[0].url, 'http://x').searchParams);
		expect(query).toEqual({ limit: '100', sortBy: 'name:asc' });
	});

	test.each([
		['provisioning_log', ['p1']],
		['PROVISIONING', ['p1', 'p2']],
		['100%', ['p3']],
		['%', ['p3', 'z1']],
		['_', ['p1', ...Array.from({ length: 130 }, (_, i) => `t${i}`)]],
		['log_12', Array.from({ length: 10 }, (_, i) => `t${120 + i}`)],
	])('the search %j is matched as typed, not as n8n’s LIKE pattern', async (search, expected) => {
		expect((await listAll(call(), 'dataTableSearch', search)).values.sort()).toEqual([...expected].sort());
	});

	test('a page that n8n’s LIKE filled with names not matching as typed is read past, not answered empty', async () => {
		// n8n's "%g%%" matches every log_ table (two pages) before the one that holds "g%".
		const first = await listSearch(call(), 'dataTableSearch', 'g%');
		expect(first.results.map((r) => r.value)).toEqual(['z1']);
		expect(first.paginationToken).toBeUndefined();
		expect(seen).toHaveLength(2);
	});

	test('the action nodes (version 3) list the same tables for their Data Table log', async () => {
		const page = await listSearch(call('provisionUser', { provisioningLog: 'dataTable' }), 'dataTableSearch', 'provisioning_');
		expect(page.results.map((r) => r.value)).toEqual(['p1']);
	});

	test('an n8n without the Data Table API says so in the list', async () => {
		apiPresent = false;
		await expect(listSearch(call(), 'dataTableSearch')).rejects.toThrow(/no Data Table API/);
	});
});

describe("the log's table by name (what Provisioning Log and the action nodes look up before writing)", () => {
	test('is found when more than a page of tables match n8n’s LIKE on its name, wherever it falls in n8n’s order', async () => {
		// "%log%" matches all 135 tables; "log" itself is the oldest, so n8n lists it last.
		const api = new DataTableApi({ baseUrl: base, apiKey: 'key-123' });
		expect(await api.findByName('log')).toEqual([{ id: 'l0', name: 'log' }]);
	});
});
