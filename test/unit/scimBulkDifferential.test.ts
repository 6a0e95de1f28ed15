/**
 * Issue 20, item 1, "one code path": a random bulk of creates, replaces, patches and deletes (with bulkId references
 * to earlier creates) sent as one /Bulk request to one provider gives the same statuses, the same store state and
 * the same events (ids, times and the bulk context aside) as the same operations sent one request at a time to
 * another provider, the client resolving the bulkIds itself. SCIM_BULK_SEED and SCIM_BULK_RUNS override the fixed
 * seed and the run count. The stores live on tmpfs when there is one.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ScimServiceProvider, type ScimEvent } from '../../lib/scim/server/serviceProvider';
import { FileIdentityStore } from '../../lib/store/fileIdentityStore';

const SEED = Number(process.env.SCIM_BULK_SEED ?? 20_0720);
const RUNS = Number(process.env.SCIM_BULK_RUNS ?? 300);
const BASE = 'https://n8n.example/webhook/x/scim/v2';
const PATCH = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** One operation of the random bulk; `ref`/`member` pick an earlier create (modulo how many there are). */
type Step =
	| { kind: 'createUser'; name: number; title: string; manager?: number }
	| { kind: 'createGroup'; name: number; members: number[] }
	| { kind: 'putUser'; ref: number; name: number; title: string }
	| { kind: 'patchUser'; ref: number; active: boolean }
	| { kind: 'patchGroup'; ref: number; member: number; op: 'add' | 'remove' }
	| { kind: 'delete'; ref: number; type: 'Users' | 'Groups' };

const pick = fc.nat({ max: 20 });
const step: fc.Arbitrary<Step> = fc.oneof(
	fc.record({
		kind: fc.constant('createUser' as const),
		name: fc.nat({ max: 5 }),
		title: fc.constantFrom('A', 'B'),
		manager: fc.option(pick, { nil: undefined }),
	}),
	fc.record({ kind: fc.constant('createGroup' as const), name: fc.nat({ max: 3 }), members: fc.array(pick, { maxLength: 3 }) }),
	fc.record({ kind: fc.constant('putUser' as const), ref: pick, name: fc.nat({ max: 5 }), title: fc.constantFrom('A', 'B', 'C') }),
	fc.record({ kind: fc.constant('patchUser' as const), ref: pick, active: fc.boolean() }),
	fc.record({ kind: fc.constant('patchGroup' as const), ref: pick, member: pick, op: fc.constantFrom('add' as const, 'remove' as const) }),
	fc.record({ kind: fc.constant('delete' as const), ref: pick, type: fc.constantFrom('Users' as const, 'Groups' as const) }),
);

interface Operation {
	method: string;
	path: string;
	bulkId?: string;
	data?: unknown;
}

/** The bulk's operations; a reference names an earlier create (none yet: the step becomes a create). */
function operations(steps: Step[]): Operation[] {
	const creates: number[] = [];
	const ref = (n: number) => `bulkId:b${creates[n % creates.length]}`;
	return steps.map((s, i) => {
		const needsRef = s.kind !== 'createUser' && s.kind !== 'createGroup';
		const kind = needsRef && creates.length === 0 ? 'createUser' : s.kind;
		const op = ((): Operation => {
			if (kind === 'createUser') {
				const manager =
					s.kind === 'createUser' && s.manager !== undefined && creates.length ? { [ENT]: { manager: { value: ref(s.manager) } } } : {};
				const name = 'name' in s ? s.name : i;
				return {
					method: 'POST',
					path: '/Users',
					bulkId: `b${i}`,
					data: { userName: `u${name}@x`, title: 'title' in s ? s.title : 'A', ...manager },
				};
			}
			const t = s as Exclude<Step, { kind: 'createUser' }>;
			switch (t.kind) {
				case 'createGroup':
					return {
						method: 'POST',
						path: '/Groups',
						bulkId: `b${i}`,
						data: { displayName: `g${t.name}`, members: creates.length ? t.members.map((m) => ({ value: ref(m) })) : [] },
					};
				case 'putUser':
					return { method: 'PUT', path: `/Users/${ref(t.ref)}`, data: { userName: `u${t.name}@x`, title: t.title } };
				case 'patchUser':
					return { method: 'PATCH', path: `/Users/${ref(t.ref)}`, data: PATCH([{ op: 'replace', path: 'active', value: t.active }]) };
				case 'patchGroup': {
					const member = ref(t.member);
					const value = t.op === 'add' ? { value: [{ value: member }] } : {};
					const path = t.op === 'add' ? 'members' : `members[value eq "${member}"]`;
					return { method: 'PATCH', path: `/Groups/${ref(t.ref)}`, data: PATCH([{ op: t.op, path, ...value }]) };
				}
				case 'delete':
					return { method: 'DELETE', path: `/${t.type}/${ref(t.ref)}` };
			}
		})();
		if (op.method === 'POST') creates.push(i);
		return op;
	});
}

/** The same operations one request at a time: the client swaps each bulkId for the id its create answered. */
async function oneAtATime(provider: ScimServiceProvider, ops: Operation[]): Promise<{ statuses: string[]; events: ScimEvent[] }> {
	const ids = new Map<string, string>();
	const failed = new Set<string>();
	const statuses: string[] = [];
	const events: ScimEvent[] = [];
	for (const op of ops) {
		const text = JSON.stringify({ path: op.path, data: op.data });
		const refs = [...text.matchAll(/bulkId:(b\d+)/g)].map((m) => m[1]);
		if (refs.some((r) => failed.has(r))) {
			statuses.push('409');
			if (op.bulkId) failed.add(op.bulkId);
			continue;
		}
		const { path, data } = JSON.parse(text.replace(/bulkId:(b\d+)/g, (_m, r: string) => ids.get(r)!)) as Operation;
		const answer = await provider.handle({ method: op.method, path, query: {}, headers: { 'user-agent': 'diff' }, body: data });
		statuses.push(String(answer.response.status));
		events.push(...answer.events);
		if (op.bulkId) {
			if (answer.response.status === 201) ids.set(op.bulkId, (answer.response.body as { id: string }).id);
			else failed.add(op.bulkId);
		}
	}
	return { statuses, events };
}

/** Ids become their order of first appearance; times, request ids and the bulk context go. */
function normalise(value: unknown, ids: Map<string, string>): unknown {
	const text = JSON.stringify(value, (key, v) => (key === 'meta' ? undefined : v));
	return JSON.parse(
		text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
			if (!ids.has(id)) ids.set(id, `#${ids.size}`);
			return ids.get(id)!;
		}),
	);
}
const eventsOf = (events: ScimEvent[], ids: Map<string, string>) =>
	events.map((e) => normalise({ ...e, request: { method: e.request.method, path: e.request.path, client: e.request.client } }, ids));

async function state(store: FileIdentityStore, ids: Map<string, string>) {
	return normalise({ users: await store.list('User'), groups: await store.list('Group') }, ids);
}

const root = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

test(`${RUNS} random bulks: one /Bulk request = the same operations one at a time (seed ${SEED})`, async () => {
	await fc.assert(
		fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
			const dirs = [mkdtempSync(join(root, 'bulkdiff-')), mkdtempSync(join(root, 'bulkdiff-'))];
			const [bulkStore, singleStore] = dirs.map((d) => new FileIdentityStore(d));
			try {
				const ops = operations(steps);
				const bulkProvider = new ScimServiceProvider(bulkStore, { baseUrl: BASE });
				const singleProvider = new ScimServiceProvider(singleStore, { baseUrl: BASE });
				const bulk = await bulkProvider.handle({
					method: 'POST',
					path: '/Bulk',
					query: {},
					headers: { 'user-agent': 'diff' },
					body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: ops },
				});
				expect(bulk.response.status).toBe(200);
				const single = await oneAtATime(singleProvider, ops);
				const statuses = (bulk.response.body as { Operations: Array<{ status: string }> }).Operations.map((o) => o.status);
				expect(statuses).toEqual(single.statuses);
				const [bulkIds, singleIds] = [new Map<string, string>(), new Map<string, string>()];
				expect(eventsOf(bulk.events, bulkIds)).toEqual(eventsOf(single.events, singleIds));
				expect(await state(bulkStore, bulkIds)).toEqual(await state(singleStore, singleIds));
			} finally {
				await Promise.all([bulkStore.close(), singleStore.close()]);
				for (const d of dirs) rmSync(d, { recursive: true, force: true });
			}
		}),
		{ seed: SEED, numRuns: RUNS },
	);
});
