/**
 * Issue 18, defect 3: SCIM filters are parsed in linear time and capped (length, comparisons, nesting), so one
 * request cannot block n8n's event loop; whatever a client sends is answered 400 invalidFilter, never a crash or a 500.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScimFilter } from '../../lib/scim/server/filter';
import { ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import { FileIdentityStore } from '../../lib/store/fileIdentityStore';

/** The documented caps (README, SCIM Trigger, "Filters"). */
const MAX_LENGTH = 65536;
const MAX_COMPARISONS = 200;
const MAX_DEPTH = 32;
const SEED = 1818;

let dir: string;
let store: FileIdentityStore;
let provider: ScimServiceProvider;
beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'scimfilter-'));
	store = new FileIdentityStore(dir);
	provider = new ScimServiceProvider(store, { baseUrl: 'https://n8n.example/webhook/x/scim/v2' });
	await provider.handle({ method: 'POST', path: '/Users', query: {}, headers: {}, body: { userName: 'ada@example.org' } });
});
afterAll(async () => {
	await store.close();
	rmSync(dir, { recursive: true, force: true });
});

const search = async (filter: string) =>
	(await provider.handle({ method: 'POST', path: '/.search', query: {}, headers: {}, body: { filter } })).response as {
		status: number;
		body: { scimType?: string; detail?: string; totalResults?: number };
	};

/** `userName eq "…"` padded with a long value to exactly `length` characters. */
const ofLength = (length: number) => `userName eq "${'a'.repeat(length - 'userName eq ""'.length)}"`;
const comparisons = (n: number) => Array.from({ length: n }, (_, i) => `userName eq "u${i}@example.org"`).join(' or ');
const nested = (depth: number) => `${'('.repeat(depth)}userName eq "ada@example.org"${')'.repeat(depth)}`;

describe('filter caps', () => {
	test(`a filter over ${MAX_LENGTH} characters is 400 invalidFilter naming the limit; one of exactly that length is answered`, async () => {
		const over = await search(ofLength(MAX_LENGTH + 1));
		expect(over).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
		expect(over.body.detail).toContain('65,536 characters');
		expect(await search(ofLength(MAX_LENGTH))).toMatchObject({ status: 200, body: { totalResults: 0 } });
	});

	test(`more than ${MAX_COMPARISONS} comparisons is 400 naming the limit; ${MAX_COMPARISONS} are answered`, async () => {
		const over = await search(comparisons(MAX_COMPARISONS + 1));
		expect(over).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
		expect(over.body.detail).toContain(`${MAX_COMPARISONS} comparisons`);
		expect(await search(`${comparisons(MAX_COMPARISONS - 1)} or userName eq "ADA@example.org"`)).toMatchObject({
			status: 200,
			body: { totalResults: 1 },
		});
	});

	test(`nesting deeper than ${MAX_DEPTH} (brackets, parentheses, not) is 400 naming the limit; ${MAX_DEPTH} levels are answered`, async () => {
		for (const deep of [nested(MAX_DEPTH + 1), `${'not ('.repeat(MAX_DEPTH + 1)}active eq true${')'.repeat(MAX_DEPTH + 1)}`]) {
			const over = await search(deep);
			expect(over).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
			expect(over.body.detail).toContain(`${MAX_DEPTH} levels`);
		}
		expect(await search(nested(MAX_DEPTH))).toMatchObject({ status: 200, body: { totalResults: 1 } });
	});

	test('a 400 does not echo a huge filter back', async () => {
		const res = await search(`${'x'.repeat(MAX_LENGTH - 10)} zz "a"`);
		expect(res).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
		expect(res.body.detail!.length).toBeLessThan(500);
	});
});

describe('hostile filters are 400, never a crash or a 500', () => {
	const answered = async (filter: string) => {
		const res = await search(filter);
		if (res.status !== 200 && !(res.status === 400 && res.body.scimType === 'invalidFilter')) {
			throw new Error(`${JSON.stringify(filter.slice(0, 200))} answered ${res.status} ${JSON.stringify(res.body)}`);
		}
	};
	test('deep nesting within the length cap (the old parser recursed once per level)', async () => {
		for (const opener of ['(', 'not (', 'not ', 'emails[', 'a[']) {
			const depth = Math.floor((MAX_LENGTH - 20) / opener.length);
			await answered(`${opener.repeat(depth)}userName eq "x"`);
		}
	});
	test(`random strings and random token soups (fast-check, seed ${SEED})`, async () => {
		const tokens = [
			'(',
			')',
			'[',
			']',
			'].',
			'.',
			' ',
			'not',
			'and',
			'or',
			'eq',
			'pr',
			'co',
			'userName',
			'emails',
			'"',
			'"x"',
			'\\',
			'true',
			'-1',
			':',
		];
		const soup = fc.array(fc.constantFrom(...tokens), { maxLength: 60 }).map((parts) => parts.join(''));
		await fc.assert(
			fc.asyncProperty(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }), soup), answered),
			{
				seed: SEED,
				numRuns: 3000,
			},
		);
	});
});

describe('parseScimFilter keeps what clients send', () => {
	test('Entra, Okta and RFC forms', () => {
		expect(parseScimFilter('emails[type eq "work"].value eq "x"')).toEqual(parseScimFilter('emails[type eq "work" and value eq "x"]'));
		expect(parseScimFilter('EXTERNALID EQ Ext-1')).toEqual({ op: 'eq', attrPath: 'EXTERNALID', compValue: 'Ext-1' });
		expect(parseScimFilter('userName eq "a\\"b\\\\c"')).toEqual({ op: 'eq', attrPath: 'userName', compValue: 'a"b\\c' });
		expect(parseScimFilter('a eq 1 or b eq 2 and not (c pr)')).toEqual({
			op: 'or',
			filters: [
				{ op: 'eq', attrPath: 'a', compValue: 1 },
				{
					op: 'and',
					filters: [
						{ op: 'eq', attrPath: 'b', compValue: 2 },
						{ op: 'not', filter: { op: 'pr', attrPath: 'c' } },
					],
				},
			],
		});
	});
});
