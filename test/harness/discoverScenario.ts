/**
 * One population with every discovery situation, run through the real Discover Accounts node against a real target
 * (each integration file gives the server, how to seed it and what its own log says was written):
 *
 * accounts (login: first key, anchor)      source items (first key, second key, anchor)
 * rem:  rem-old@x.org                      0: rem-new@x.org, rem-new        → linked to rem by Link Account (remembered)
 * anc:  anc-other@x.org, E2                1: anc@x.org, anc-src, E2        → anc linked by the anchor
 * mat:  mat@x.org                          2: mat@x.org, mat-src            → mat matched
 * two:  two@x.org                          3: two@x.org, four; 4: five@x.org, two → two disputed (two items match it)
 * gee:  gee@x.org, E6; eff: eff@x.org      5: eff@x.org, six, E6            → gee linked; eff disputed (matches an item linked to gee)
 * jay1, jay2: jay@x.org                    7: jay@x.org, eight              → both disputed (one item matches two accounts)
 * orph, prot (protected), pend (disabled 2026-01-01, 30 days' delay)       → orphan, protected, pendingDeletion (due 2026-01-31)
 *                                          6: miss@x.org, miss              → missing
 */
import type { ICredentialDataDecryptedObject, INodeExecutionData } from 'n8n-workflow';
import { StoreRefSigner } from '../../lib/store/storeRef';
import { itemsInto, runWorkflow } from './workflow';

export const ACCOUNTS = ['rem', 'anc', 'mat', 'two', 'gee', 'eff', 'jay1', 'jay2', 'orph', 'prot', 'pend'] as const;
export type Login = (typeof ACCOUNTS)[number];
export const FIRST_KEY: Record<Login, string> = {
	rem: 'rem-old@x.org',
	anc: 'anc-other@x.org',
	mat: 'mat@x.org',
	two: 'two@x.org',
	gee: 'gee@x.org',
	eff: 'eff@x.org',
	jay1: 'jay@x.org',
	jay2: 'jay@x.org',
	orph: 'orph@x.org',
	prot: 'prot@x.org',
	pend: 'pend@x.org',
};
export const ANCHOR: Partial<Record<Login, string>> = { anc: 'E2', gee: 'E6' };
const SOURCES: Array<[string, string, string?]> = [
	['rem-new@x.org', 'rem-new'],
	['anc@x.org', 'anc-src', 'E2'],
	['mat@x.org', 'mat-src'],
	['two@x.org', 'four'],
	['five@x.org', 'two'],
	['eff@x.org', 'six', 'E6'],
	['miss@x.org', 'miss'],
	['jay@x.org', 'eight'],
];
export const DISABLED_AT = '2026-01-01T00:00:00.000Z';

export interface DiscoverTarget {
	/** The node's target and its settings (search base, table, disabled-time attribute…). */
	params: Record<string, unknown>;
	credentials: () => Record<string, ICredentialDataDecryptedObject>;
	/** Attribute names: [first key, second key (the login), anchor]. */
	attributes: [string, string, string];
	/** Creates the eleven accounts, then disables pend at DISABLED_AT (through Deprovision User's core, clock injected). */
	seed(): Promise<void>;
	/** A mark in the server's own record of writes, and what was written since. */
	mark(): Promise<unknown>;
	writesSince(mark: unknown): Promise<string[]>;
	/** An id of the target's form that no account has. */
	absentAccountId: string;
}

const LOCATION = { kind: 'file' as const, key: `discover-${process.pid}` };

export function sourceItems(attributes: [string, string, string]): object[] {
	// Signed for the harness's workflow, as a SCIM Store node signs its items: links are kept beside that store.
	const store = StoreRefSigner.of(process.env)!.sign(LOCATION, 'test-workflow');
	return SOURCES.map(([first, second, anchor], i) => ({
		attributes: anchor ? { [attributes[2]]: anchor } : {},
		matchKeys: [
			{ attribute: attributes[0], value: first },
			{ attribute: attributes[1], value: second },
		],
		source: { system: 'hr', id: `s${i}`, store },
	}));
}

/** Each account by login, with its situation and the source items it belongs to (or the candidates of a dispute). */
export function classified(items: INodeExecutionData[], login: string): Array<[string, string, number[]]> {
	return items
		.map((item) => {
			const j = item.json as {
				situation: string;
				sourceIndex: number | null;
				candidates: Array<{ sourceIndex: number }>;
				account: { attributes: Record<string, unknown> } | null;
			};
			const name = j.account ? String([j.account.attributes[login]].flat()[0]) : `source ${j.sourceIndex}`;
			const sources =
				j.situation === 'disputed' ? j.candidates.map((c) => c.sourceIndex).sort() : j.sourceIndex === null ? [] : [j.sourceIndex];
			return [name, j.situation, sources] as [string, string, number[]];
		})
		.sort((a, b) => a[0].localeCompare(b[0]));
}

export const EXPECTED: Array<[string, string, number[]]> = (
	[
		['anc', 'linked', [1]],
		['eff', 'disputed', [5]],
		['gee', 'linked', [5]],
		['jay1', 'disputed', [7]],
		['jay2', 'disputed', [7]],
		['mat', 'matched', [2]],
		['orph', 'orphan', []],
		['pend', 'pendingDeletion', []],
		['prot', 'protected', []],
		['rem', 'linked', [0]],
		['source 6', 'missing', [6]],
		['two', 'disputed', [3, 4]],
	] as Array<[string, string, number[]]>
).sort((a, b) => a[0].localeCompare(b[0]));

export function discoverySuite(t: () => DiscoverTarget): void {
	const discover = () =>
		runWorkflow(
			itemsInto(
				'discoverAccounts',
				{
					...t().params,
					operation: 'discover',
					inputMode: 'envelope',
					anchorAttribute: t().attributes[2],
					protectedValues: 'prot',
					options: { ...((t().params.options as object) ?? {}), deleteDisabledAfterDays: 30 },
				},
				sourceItems(t().attributes),
			),
			t().credentials(),
		);
	const link = (operation: 'link' | 'unlink', accountId: string | null, source: number) =>
		runWorkflow(
			itemsInto('discoverAccounts', { ...t().params, operation, accountId: accountId ?? '', sourceItem: '={{ $json.envelope }}' }, [
				{ envelope: sourceItems(t().attributes)[source] },
			]),
			t().credentials(),
		);
	const accountOf = (item: INodeExecutionData) => item.json.account as { id: string; attributes: Record<string, unknown> } | null;
	const idOf = (items: INodeExecutionData[], name: string) =>
		accountOf(items.find((i) => [accountOf(i)?.attributes[t().attributes[1]]].flat()[0] === name)!)!.id;

	let seedWrites: string[] = [];
	beforeAll(async () => {
		const beforeSeed = await t().mark();
		await t().seed();
		seedWrites = await t().writesSince(beforeSeed);
	});

	test('every situation, classified exactly; Link Account then a rerun shows linked; Unlink reverses it; the target is never written', async () => {
		const start = await t().mark();
		const before = await discover();
		expect(before.error).toBeUndefined();
		const login = t().attributes[1];
		const first = classified(before.output('Node'), login);
		// Before any link: item 0 (renamed) has no account, and rem belongs to nobody.
		expect(first.filter(([name]) => ['rem', 'source 0'].includes(name))).toEqual([
			['rem', 'orphan', []],
			['source 0', 'missing', [0]],
		]);

		const linked = await link('link', idOf(before.output('Node'), 'rem'), 0);
		expect(linked.output('Node').map((i) => [i.json.action, i.json.status])).toEqual([['Link', 'Success']]);
		const run = await discover();
		const accounts = run.output('Node');
		expect(classified(accounts, login)).toEqual(EXPECTED);
		expect(accounts.find((i) => i.json.situation === 'pendingDeletion')!.json.deletionDue).toBe('2026-01-31T00:00:00.000Z');
		expect(classified(run.output('Node', 1), login)).toEqual(EXPECTED.filter(([, s]) => s === 'disputed'));
		expect(run.output('Node', 2).map((i) => i.json.counts)).toEqual([
			{ linked: 3, matched: 1, disputed: 4, orphan: 1, protected: 1, pendingDeletion: 1, missing: 1 },
		]);
		const rem = accounts.find((i) => i.json.linkedBy === 'remembered')!;
		expect(rem.pairedItem).toEqual({ item: 0 });

		// Link the matched account to its source item: from then on it is linked; Unlink makes it matched again.
		await link('link', idOf(accounts, 'mat'), 2);
		const afterLink = classified((await discover()).output('Node'), login);
		expect(afterLink.find(([name]) => name === 'mat')).toEqual(['mat', 'linked', [2]]);
		const unlinked = await link('unlink', null, 2);
		expect(unlinked.output('Node').map((i) => [i.json.action, i.json.status])).toEqual([['Unlink', 'Success']]);
		expect(classified((await discover()).output('Node'), login)).toEqual(EXPECTED);

		// Discovery and resolution wrote nothing to the target, by the server's own record (which did see the seed's writes).
		expect(seedWrites.length).toBeGreaterThan(0);
		expect(await t().writesSince(start)).toEqual([]);
	});

	test('Link Account refuses an account the target does not have, and a source item from no trigger store', async () => {
		const missing = await runWorkflow(
			itemsInto(
				'discoverAccounts',
				{ ...t().params, operation: 'link', accountId: t().absentAccountId, sourceItem: '={{ $json.envelope }}' },
				[{ envelope: sourceItems(t().attributes)[2] }, { envelope: { attributes: {}, matchKeys: [], source: { id: 'x' } } }],
				{ onError: 'continueErrorOutput' },
			),
			t().credentials(),
		);
		expect(missing.output('Node', 3).map((i) => (i.json.error as { code: string }).code)).toEqual(['NotFound', 'InvalidInput']);
	});
}
