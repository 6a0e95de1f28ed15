/**
 * Group Sync's group picker (node version 3) on the real SCIM server, called as n8n's editor calls it: `/Groups` with
 * `displayName sw "…"` (the search quoted as a JSON string), startIndex/count pages that add up to every group, and
 * an app that refuses the filter listed unfiltered and narrowed here.
 */
import { ScimTestServer } from '../../dev/scimApp';
import { type ListSearchCall, listAll, listSearch } from '../harness/listSearch';

let scim: ScimTestServer;
const TEAMS = Array.from({ length: 250 }, (_, i) => `Team ${String(i).padStart(3, '0')}`);
const ODD = ['Eng "core" \\ ops', 'Sales'];

beforeAll(async () => {
	scim = await ScimTestServer.start();
	const post = (displayName: string) =>
		fetch(`${scim.baseUrl}/Groups`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json' },
			body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, members: [] }),
		}).then((r) => {
			if (r.status !== 201) throw new Error(`POST /Groups answered ${r.status}`);
		});
	const names = [...TEAMS, ...ODD];
	for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map(post));
});
afterAll(async () => {
	await scim.stop();
});
beforeEach(() => {
	scim.faults.length = 0;
	scim.resetLog();
});

const call = (): ListSearchCall => ({
	nodeType: 'groupSync',
	typeVersion: 3,
	parameters: { target: 'scim' } as never,
	credentials: { scimTargetApi: { baseUrl: scim.baseUrl, authentication: 'bearer', token: scim.token } },
});
const groupGets = () => scim.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Groups'));

describe("Group Sync's SCIM group picker (real SCIM server)", () => {
	test('the first page of 100 with a token, then pages that add up to every group once', async () => {
		const first = await listSearch(call(), 'groupSearch');
		expect(first.results).toHaveLength(100);
		expect(first.paginationToken).toBe('100');
		expect(first.results[0].description).toMatch(/^ID \S+/);
		expect(groupGets()[0].query).toMatchObject({ startIndex: '1', count: '100', attributes: 'displayName' });
		const { values, pages } = await listAll(call(), 'groupSearch');
		expect(values.sort()).toEqual([...TEAMS, ...ODD].sort());
		expect(pages).toBe(3);
	});

	test('the search is a displayName sw filter (the app decides how it compares case)', async () => {
		const { values } = await listAll(call(), 'groupSearch', 'Team 01');
		expect(values.sort()).toEqual(TEAMS.slice(10, 20));
		expect(groupGets().map((r) => [r.status ?? 200, r.query.filter])).toEqual([[200, 'displayName sw "Team 01"']]);
	});

	test('quotes and backslashes in the search are sent escaped as a JSON string: the one group is found, nothing is injected', async () => {
		// SCIMMY's filter parser refuses escaped quotes (400), so these two are answered by the unfiltered fallback.
		for (const [search, expected] of [
			[ODD[0], [ODD[0]]],
			['x" or displayName pr or displayName eq "y', []],
		] as const) {
			scim.resetLog();
			expect((await listAll(call(), 'groupSearch', search)).values).toEqual(expected);
			const filters = groupGets()
				.map((r) => r.query.filter)
				.filter((f) => f !== undefined);
			expect(filters).toEqual([`displayName sw ${JSON.stringify(search)}`]);
		}
	});

	test('an app that refuses the filter (400) is listed unfiltered and narrowed to the search', async () => {
		scim.faults.push({ status: 400, method: 'GET', filterIncludes: ' sw ', times: 10 });
		// Sales comes after the 250 teams: unfiltered pages are read on until one matches, not answered empty.
		const page = await listSearch(call(), 'groupSearch', 'sal');
		expect(page.results.map((r) => r.value)).toEqual(['Sales']);
		expect(groupGets().map((r) => [r.status ?? 200, r.query.filter ?? '', r.query.startIndex])).toEqual([
			[400, 'displayName sw "sal"', '1'],
			[200, '', '1'],
			[200, '', '101'],
			[200, '', '201'],
		]);
	});
});
