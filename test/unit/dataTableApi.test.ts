import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataTableApi, strictQueryString } from '../../lib/dataTables/dataTableApi';

// What n8n's API (express-openapi-validator) refuses in a query value as it comes on the wire.
const RESERVED = /[:/?#[\]@!$&'()*+,;=]/;

describe("the Data Table API's query strings pass n8n's validator", () => {
	let server: Server;
	let base: string;
	const seen: string[] = [];

	beforeAll(async () => {
		server = createServer((req, res) => {
			seen.push(req.url!);
			res.setHeader('Content-Type', 'application/json');
			res.end(JSON.stringify(req.method === 'DELETE' ? [{ id: 1 }] : { data: [{ id: 't1', name: 'provisioning_log' }], nextCursor: null }));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(() => new Promise((resolve) => server.close(resolve)));

	const rawQuery = (url: string) =>
		url
			.slice(url.indexOf('?') + 1)
			.split('&')
			.map((pair) => pair.split('='));

	test('every reserved character is encoded, and the values decode back unchanged', () => {
		const params = { filter: JSON.stringify({ name: "O'Brien (a+b), x:y; [1]!*" }), sortBy: 'time:desc', limit: 100, cursor: undefined };
		const query = strictQueryString(params);
		for (const [key, value] of query.split('&').map((pair) => pair.split('='))) {
			expect(key).not.toMatch(RESERVED);
			expect(value).not.toMatch(RESERVED);
		}
		expect(Object.fromEntries(new URLSearchParams(query))).toEqual({ filter: params.filter, sortBy: 'time:desc', limit: '100' });
	});

	test('list by name, read rows with a filter and a sort, delete with a filter: nothing on the wire n8n would refuse', async () => {
		const api = new DataTableApi({ baseUrl: base, apiKey: 'k' });
		expect(await api.findByName('provisioning_log')).toEqual([{ id: 't1', name: 'provisioning_log' }]);
		await api.getRows('t1', {
			filter: { type: 'and', filters: [{ columnName: 'source_key', condition: 'ilike', value: "o'brien, ada" }] },
			sortBy: 'time:desc',
			limit: 50,
			cursor: 'abc=',
		});
		expect(
			await api.deleteRows('t1', { type: 'and', filters: [{ columnName: 'time', condition: 'lt', value: '2026-01-01T00:00:00.000Z' }] }),
		).toBe(1);

		expect(seen.map((url) => url.split('?')[0])).toEqual([
			'/api/v1/data-tables',
			'/api/v1/data-tables/t1/rows',
			'/api/v1/data-tables/t1/rows/delete',
		]);
		for (const url of seen) for (const [, value] of rawQuery(url)) expect(value).not.toMatch(RESERVED);
		const [list, rows, del] = seen.map((url) => Object.fromEntries(new URLSearchParams(url.slice(url.indexOf('?') + 1))));
		expect(list).toEqual({ filter: '{"name":"provisioning_log"}', sortBy: 'name:asc', limit: '100' });
		expect(JSON.parse(rows.filter)).toEqual({
			type: 'and',
			filters: [{ columnName: 'source_key', condition: 'ilike', value: "o'brien, ada" }],
		});
		expect(rows).toMatchObject({ sortBy: 'time:desc', limit: '50', cursor: 'abc=' });
		expect(JSON.parse(del.filter).filters[0]).toMatchObject({ columnName: 'time', value: '2026-01-01T00:00:00.000Z' });
		expect(del.returnData).toBe('true');
	});
});
