/**
 * The pickers' query building, without servers: what is typed into a search box stays a value (SQL LIKE, LDAP
 * filters, SCIM filters), page tokens cannot be turned into anything but an offset, and the node descriptions
 * declare each picker twice (string before version 3, resourceLocator from 3) with a list search that exists.
 * Property tests use a fixed seed, printed by fast-check on failure.
 */
import fc from 'fast-check';
import { AndFilter, type Filter, FilterParser, OrFilter, SubstringFilter } from 'ldapts';
import type { INodeProperties, INodeType } from 'n8n-workflow';
import { parseFilter } from '../../lib/scim/server/filterParser';
import { containerFilter, groupFilter } from '../../lib/targets/ldap/ldapListing';
import { offsetOf, pageFrom, searchText } from '../../lib/targets/listing';
import { groupSearchFilter } from '../../lib/targets/scim/scimListing';
import { likeContains } from '../../lib/targets/sql/sqlListing';
import { DeprovisionUser } from '../../nodes/DeprovisionUser/DeprovisionUser.node';
import { GroupSync } from '../../nodes/GroupSync/GroupSync.node';
import { ProvisionUser } from '../../nodes/ProvisionUser/ProvisionUser.node';
import { ProvisioningLog } from '../../nodes/ProvisioningLog/ProvisioningLog.node';
import { ACTION_PICKERS, locatorText, PICKER_VERSION } from '../../nodes/shared/pickers';

const SEED = 20261206;
const RUNS = 500;
/** Search text an attacker or a confused user types: the syntax characters of all three languages, and plain ones. */
const hostile = fc.string({ unit: fc.constantFrom(...'aB0 _%!\\*()=,."\'`;-\0é'.split('')), maxLength: 24 });

/** SQL LIKE with ESCAPE '!', as the engines evaluate it, for a differential check of the escaping. */
function like(pattern: string, text: string): boolean {
	let regex = '';
	for (let i = 0; i < pattern.length; i++) {
		const ch = pattern[i];
		if (ch === '!') regex += pattern[++i].replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
		else if (ch === '%') regex += '[\\s\\S]*';
		else if (ch === '_') regex += '[\\s\\S]';
		else regex += ch.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
	}
	return new RegExp(`^${regex}$`, 'u').test(text);
}

describe('SQL: the search is one bound LIKE that matches the text as typed', () => {
	test.each([
		['a_b', '%a!_b%'],
		['100%', '%100!%%'],
		['x!y', '%x!!y%'],
		["O'Brien\\", "%o'brien\\%"],
	])('%j → %j', (search, pattern) => expect(likeContains(search)).toBe(pattern));

	test(`property: LIKE with the pattern matches exactly the names that contain the search (seed ${SEED})`, () => {
		fc.assert(
			fc.property(hostile, hostile, hostile, (search, before, after) => {
				const name = (before + search + after).toLowerCase();
				expect(like(likeContains(search), name)).toBe(true);
				expect(like(likeContains(search), before.toLowerCase())).toBe(before.toLowerCase().includes(search.toLowerCase()));
			}),
			{ seed: SEED, numRuns: RUNS },
		);
	});
});

/** The values of every substring filter in a parsed LDAP filter. */
function substrings(filter: Filter): string[] {
	if (filter instanceof AndFilter || filter instanceof OrFilter) return filter.filters.flatMap(substrings);
	if (filter instanceof SubstringFilter) return [filter.initial, ...filter.any, filter.final].filter(Boolean);
	return [];
}

describe('LDAP: the search is escaped into the filter (RFC 4515)', () => {
	test('filters for containers and groups', () => {
		expect(containerFilter()).toBe(
			'(|(objectClass=organizationalUnit)(objectClass=container)(objectClass=domain)(objectClass=organization))',
		);
		expect(containerFilter('ou=Sales*')).toContain('(ou=*Sales\\2a*)');
		expect(groupFilter('groupOfNames', ')(cn=*')).toBe('(&(objectClass=groupOfNames)(cn=*\\29\\28cn=\\2a*))');
		expect(groupFilter('group')).toBe('(objectClass=group)');
	});

	test(`property: the parsed filter holds the search as its only substring value (seed ${SEED})`, () => {
		fc.assert(
			fc.property(hostile, (search) => {
				const value = searchText(search);
				const parsed = FilterParser.parseString(groupFilter('groupOfNames', search));
				expect(substrings(parsed)).toEqual(value ? [value] : []);
				const containers = substrings(FilterParser.parseString(containerFilter(search)));
				expect(new Set(containers).size).toBeLessThanOrEqual(1);
			}),
			{ seed: SEED, numRuns: RUNS },
		);
	});
});

describe('SCIM: the search is a quoted value of displayName sw', () => {
	test(`property: the filter parses back to one sw comparison with the search as its value (seed ${SEED})`, () => {
		fc.assert(
			fc.property(hostile, (search) => {
				const value = searchText(search);
				const filter = groupSearchFilter(search);
				if (!value) return expect(filter).toBeUndefined();
				expect(parseFilter(filter!)).toEqual({ op: 'sw', attrPath: 'displayName', compValue: value });
			}),
			{ seed: SEED, numRuns: RUNS },
		);
	});
});

describe('page tokens and pages', () => {
	test.each([
		[undefined, 0],
		['100', 100],
		['-5', 0],
		['1e3', 0],
		['100; drop table users', 0],
		['99999999999', 0],
		[{ offset: 5 }, 0],
	])('token %j is offset %j', (token, offset) => expect(offsetOf(token)).toBe(offset));

	test('a page reads one row more than it shows to know another follows; left-out rows still count', () => {
		const rows = [1, 2, 3, 4];
		expect(pageFrom(rows, 10, 3, (n) => (n === 2 ? undefined : { name: String(n), value: String(n) }))).toEqual({
			results: [
				{ name: '1', value: '1' },
				{ name: '3', value: '3' },
			],
			next: '13',
		});
		expect(pageFrom(rows, 0, 4, (n) => ({ name: String(n), value: String(n) })).next).toBeUndefined();
	});

	test('the search text is trimmed and capped', () => {
		expect(searchText('  x ')).toBe('x');
		expect(searchText('y'.repeat(10_000))).toHaveLength(200);
		expect(searchText(42)).toBe('');
	});
});

describe('the saved shapes: strings before version 3, pickers from 3', () => {
	test.each([
		['users', 'users'],
		[{ __rl: true, mode: 'list', value: ' app.users ', cachedResultName: 'app.users' }, 'app.users'],
		[{ __rl: true, mode: 'name', value: null }, ''],
		[undefined, ''],
	])('%j reads as %j', (saved, text) => expect(locatorText(saved)).toBe(text));

	const nodes: Array<[string, INodeType]> = [
		['Provision User', new ProvisionUser()],
		['Deprovision User', new DeprovisionUser()],
		['Group Sync', new GroupSync()],
		['Provisioning Log', new ProvisioningLog()],
	];

	/** Parameters that came with version 3: a picker only, nothing for the older versions to read. */
	const NEW_IN_3 = new Set(['newEntryContainer']);

	test.each(nodes)('%s: every picker has a list search, and a string twin for the versions before 3', (_name, node) => {
		const { properties, version } = node.description;
		expect(version).toEqual([1, 2, PICKER_VERSION]);
		const pickers = properties.filter((p) => p.type === 'resourceLocator');
		expect(pickers.length).toBeGreaterThan(0);
		for (const picker of pickers) {
			expect(Object.keys(ACTION_PICKERS)).toContain(picker.name);
			expect(picker.displayOptions?.show?.['@version']).toEqual([PICKER_VERSION]);
			for (const mode of picker.modes ?? []) {
				if (mode.type === 'list') expect(node.methods?.listSearch?.[mode.typeOptions!.searchListMethod!]).toBeInstanceOf(Function);
			}
			const twins = properties.filter((p: INodeProperties) => p.name === picker.name && p !== picker);
			if (NEW_IN_3.has(picker.name)) {
				expect(twins).toEqual([]);
				continue;
			}
			expect(twins).toHaveLength(1);
			expect(twins[0].type).toBe('string');
			expect((twins[0].displayOptions?.show?.['@version'] as number[]).every((v) => v < PICKER_VERSION)).toBe(true);
			expect((picker.default as { value: unknown }).value).toBe(twins[0].default);
		}
	});
});
