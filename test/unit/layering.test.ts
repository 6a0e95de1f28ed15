/**
 * The layering of lib/ (README, Architecture) is enforced by `npm run lint`. These cases show the rules bite: each
 * lints a would-be file in place with the project's own ESLint configuration and expects the named rule to fail it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..', '..');

// ESLint loads its flat config (an ES module) by dynamic import, which jest's VM cannot: it runs in one child process.
const LINT_ALL = `
import { ESLint } from 'eslint';
const eslint = new ESLint({ cwd: process.cwd() });
const cases = JSON.parse(process.argv[1]);
const out = [];
for (const { filePath, code } of cases) {
	const [result] = await eslint.lintText(code, { filePath });
	out.push(result.messages.map((m) => m.ruleId + ': ' + m.message));
}
console.log(JSON.stringify(out));
`;

const cases: Array<{ filePath: string; code: string }> = [];
let results: string[][] | undefined;
/** Registers a would-be file; its problems are read once every case is known. */
function lintLater(filePath: string, code: string): () => string[] {
	const index = cases.push({ filePath: join(root, filePath), code }) - 1;
	return () => {
		results ??= JSON.parse(
			execFileSync(process.execPath, ['--input-type=module', '-e', LINT_ALL, JSON.stringify(cases)], { cwd: root, encoding: 'utf8' }),
		) as string[][];
		return results[index];
	};
}

const restricted = (found: string[]) => found.filter((m) => m.startsWith('import-x/no-restricted-paths'));

describe('lint keeps one direction of dependency', () => {
	const backArrows = [
		[
			'a SQL target reaching up into the provisioning core',
			'lib/targets/sql/probe.ts',
			"export { diffAttributes } from '../../provisioning/diff';",
		],
		['an LDAP helper reaching up into the targets', 'lib/ldap/probe.ts', "export type { Target } from '../targets/target';"],
		['the provisioning core reaching into a store', 'lib/provisioning/probe.ts', "export { openStoreAt } from '../store/openStore';"],
		['a base module reaching up into SCIM', 'lib/envelope.ts', "export type { Resource } from './scim/resource';"],
		['the SCIM server reaching across into LDAP', 'lib/scim/server/probe.ts', "export { escapeFilterValue } from '../../ldap/escape';"],
		['the core importing a node', 'lib/util.ts', "export { userFolder } from '../nodes/shared/stores';"],
		['the core importing test code', 'lib/mapping/probe.ts', "export { eventually } from '../../test/harness/eventually';"],
		['a node importing test code', 'nodes/shared/probe.ts', "export { eventually } from '../../test/harness/eventually';"],
		['npm start importing test code', 'scripts/probe.ts', "export { eventually } from '../test/harness/eventually';"],
		['the dev tools importing test code', 'dev/probe.ts', "export { eventually } from '../test/harness/eventually';"],
	].map(([what, file, code]) => [what, lintLater(file, code)] as const);
	const downwards = lintLater(
		'lib/provisioning/probe.ts',
		"export type { Target } from '../targets/target';\nexport { canonicalValue } from '../attributeChanges';\n",
	);
	// groups.ts imports groupPlan.ts: groupPlan.ts importing groups.ts back closes a circle.
	const circle = lintLater('lib/provisioning/groupPlan.ts', "import { syncGroups } from './groups';\nexport const sync = syncGroups;\n");

	test.each(backArrows)('%s fails', (_what, problems) => {
		expect(restricted(problems())).toHaveLength(1);
	});

	test('an import down the layers passes', () => {
		expect(restricted(downwards())).toEqual([]);
	});

	test('a circle inside a layer fails', () => {
		expect(circle().filter((m) => m.startsWith('import-x/no-cycle'))).toHaveLength(1);
	});

	// import-x/no-cycle skips type-only imports; a circle of types still ties modules together, so it is looked for here.
	test('no circle in lib/, type imports included', () => {
		const graph = importGraph(join(root, 'lib'));
		expect(circles(graph).map((c) => c.map((f) => relative(root, f)).join(' -> '))).toEqual([]);
	});

	test('the circle finder finds a circle of types', () => {
		const graph = new Map([
			['groups', ['groupPlan', 'groupApply']],
			['groupPlan', ['groups']],
			['groupApply', ['groupPlan']],
			['util', []],
		]);
		expect(circles(graph)).toEqual([['groupApply', 'groupPlan', 'groups']]);
	});
});

/** Every .ts file under `dir` and the files it imports (value and type imports alike, relative ones only). */
function importGraph(dir: string): Map<string, string[]> {
	const graph = new Map<string, string[]>();
	const walk = (folder: string) => {
		for (const name of readdirSync(folder)) {
			const path = join(folder, name);
			if (statSync(path).isDirectory()) walk(path);
			else if (name.endsWith('.ts')) {
				const { importedFiles } = ts.preProcessFile(readFileSync(path, 'utf8'), true, false);
				graph.set(
					path,
					importedFiles
						.map((f) => f.fileName)
						.filter((f) => f.startsWith('.'))
						.map((f) => {
							const base = resolve(dirname(path), f);
							return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => statSync(candidate, { throwIfNoEntry: false })) ?? base;
						}),
				);
			}
		}
	};
	walk(dir);
	return graph;
}

/** The strongly connected components with more than one module (Tarjan), each sorted. */
function circles(graph: Map<string, string[]>): string[][] {
	let counter = 0;
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const onStack = new Set<string>();
	const found: string[][] = [];
	const visit = (node: string) => {
		index.set(node, counter);
		low.set(node, counter++);
		stack.push(node);
		onStack.add(node);
		for (const next of graph.get(node) ?? []) {
			if (!graph.has(next)) continue;
			if (!index.has(next)) {
				visit(next);
				low.set(node, Math.min(low.get(node)!, low.get(next)!));
			} else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
		}
		if (low.get(node) === index.get(node)) {
			const component: string[] = [];
			let member: string;
			do {
				member = stack.pop()!;
				onStack.delete(member);
				component.push(member);
			} while (member !== node);
			if (component.length > 1) found.push(component.sort());
		}
	};
	for (const node of graph.keys()) if (!index.has(node)) visit(node);
	return found;
}
