/**
 * `npm run csv2bulk`: HR records in a CSV → Entra /bulkUpload requests (SCIM BulkRequests of POST /Users with a
 * bulkId each), CSV2SCIM-like: mapped columns into core and enterprise attributes, every column into a custom extension.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvToBulkRequests, parseBulkMapping } from '../../dev/hr/csv2bulk';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CSV_EXT = 'urn:ietf:params:scim:schemas:extension:csv:1.0:User';
const EXAMPLES = join(__dirname, '..', '..', 'examples', 'hr');

const mapping = parseBulkMapping({
	customExtension: CSV_EXT,
	attributes: {
		externalId: 'WorkerID',
		userName: 'Email',
		'name.givenName': 'FirstName',
		'emails[type eq "work"].value': 'Email',
		[`${ENT}:employeeNumber`]: 'WorkerID',
		[`${ENT}:manager.value`]: 'ManagerID',
	},
	active: { column: 'WorkerStatus', activeValues: ['Active'] },
});
const HEADER = 'WorkerID,WorkerStatus,FirstName,Email,ManagerID';
const rows = (n: number) =>
	[HEADER, ...Array.from({ length: n }, (_, i) => `${1000 + i},Active,Worker ${i},w${i}@example.org,${i ? 1000 : ''}`)].join('\n');

test('a record becomes a POST /Users operation with core, enterprise and custom extension attributes', () => {
	const { requests } = csvToBulkRequests(`${HEADER},HireDate\n1002,Inactive,"Zoë",zoe@example.org,1001,2021-09-01\n`, mapping);
	expect(requests).toEqual([
		{
			schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
			Operations: [
				{
					method: 'POST',
					bulkId: expect.any(String),
					path: '/Users',
					data: {
						schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT, CSV_EXT],
						externalId: '1002',
						userName: 'zoe@example.org',
						name: { givenName: 'Zoë' },
						emails: [{ type: 'work', value: 'zoe@example.org' }],
						active: false,
						[ENT]: { employeeNumber: '1002', manager: { value: '1001' } },
						[CSV_EXT]: {
							WorkerID: '1002',
							WorkerStatus: 'Inactive',
							FirstName: 'Zoë',
							Email: 'zoe@example.org',
							ManagerID: '1001',
							HireDate: '2021-09-01',
						},
					},
				},
			],
		},
	]);
});

test('at most 50 operations a request (or fewer when asked), every bulkId unique across the requests', () => {
	const { requests } = csvToBulkRequests(rows(123), mapping);
	expect(requests.map((r) => r.Operations.length)).toEqual([50, 50, 23]);
	const ids = requests.flatMap((r) => r.Operations.map((o) => o.bulkId));
	expect(new Set(ids).size).toBe(123);
	expect(csvToBulkRequests(rows(7), mapping, { maxOperations: 3 }).requests.map((r) => r.Operations.length)).toEqual([3, 3, 1]);
	expect(() => csvToBulkRequests(rows(1), mapping, { maxOperations: 0 })).toThrow(/between 1 and/);
	// A generator that repeats itself is caught, not sent as two records under one bulkId.
	expect(() => csvToBulkRequests(rows(2), mapping, { newId: () => 'same' })).toThrow(/bulkId "same" twice/);
});

test('empty cells are not sent as mapped attributes; empty records and a BOM are ignored', () => {
	const { requests } = csvToBulkRequests(`\uFEFF${HEADER}\r\n1000,Active,,ceo@example.org,\r\n,,,,\r\n\r\n`, mapping);
	expect(requests[0].Operations).toHaveLength(1);
	const data = requests[0].Operations[0].data;
	expect(data.name).toBeUndefined();
	expect(data[ENT]).toEqual({ employeeNumber: '1000' });
	expect((data[CSV_EXT] as Record<string, string>).ManagerID).toBe('');
});

test('hostile column names never become object keys: not a SCIM attribute name, left out with a warning', () => {
	const before = Object.getOwnPropertyNames(Object.prototype).sort();
	const { requests, warnings } = csvToBulkRequests(
		`${HEADER},__proto__,constructor,prototype,Has Space\n1000,Active,A,a@example.org,,"{""polluted"":1}",x,y,z\n`,
		mapping,
	);
	const ext = requests[0].Operations[0].data[CSV_EXT] as object;
	expect(Object.getPrototypeOf(ext)).toBe(Object.prototype);
	expect(Object.keys(ext)).toEqual(['WorkerID', 'WorkerStatus', 'FirstName', 'Email', 'ManagerID']);
	expect(warnings).toEqual([expect.stringMatching(/"__proto__", "constructor", "prototype", "Has Space".*not SCIM attribute names/)]);
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
	expect(JSON.stringify(requests)).not.toMatch(/__proto__|polluted/);
});

test('a mapping naming a reserved or malformed target, or a column the CSV lacks, is refused before any record', () => {
	expect(() => parseBulkMapping(JSON.parse('{"attributes":{"__proto__":"WorkerID"}}'))).toThrow(/reserved name/);
	expect(() => parseBulkMapping({ attributes: { 'name.given.name': 'FirstName' } })).toThrow(/Invalid SCIM attribute path/);
	expect(() => parseBulkMapping({ attributes: { userName: 7 } })).toThrow(/column name/);
	expect(() => parseBulkMapping({ attributes: {}, customExtension: 'not-a-urn' })).toThrow(/urn:/);
	expect(() => csvToBulkRequests('WorkerID,Email\n1,a@b\n', mapping)).toThrow(/no column "FirstName", "ManagerID", "WorkerStatus"/);
});

test('a record with more or fewer fields than the header, or a repeated header, is refused with its line', () => {
	expect(() => csvToBulkRequests(`${HEADER}\n1000,Active,A,a@example.org\n`, mapping)).toThrow(/^Line 2: 4 fields, the header has 5/);
	expect(() => csvToBulkRequests(`${HEADER},Email\n`, mapping)).toThrow(/column "Email" twice/);
});

test('the shipped example: 12 workers in one request, a manager chain by employee id, a leaver, diacritics', () => {
	const shipped = parseBulkMapping(JSON.parse(readFileSync(join(EXAMPLES, 'csv2bulk.mapping.json'), 'utf8')));
	const { requests, warnings } = csvToBulkRequests(readFileSync(join(EXAMPLES, 'employees.csv'), 'utf8'), shipped);
	expect(warnings).toEqual([]);
	expect(requests).toHaveLength(1);
	const users = requests[0].Operations.map((o) => o.data as Record<string, any>);
	expect(users).toHaveLength(12);
	const ids = new Set(users.map((u) => u.externalId));
	// Every manager is one of the workers (the chain ends at the one without a manager).
	for (const u of users) if (u[ENT].manager) expect(ids.has(u[ENT].manager.value)).toBe(true);
	expect(users.filter((u) => !u[ENT].manager)).toHaveLength(1);
	expect(users.filter((u) => u.active === false).map((u) => u[CSV_EXT].LastDayOfWork)).toEqual([
		expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
	]);
	expect(users.some((u) => /[^\x00-\x7F]/.test(u.name.familyName))).toBe(true);
});
