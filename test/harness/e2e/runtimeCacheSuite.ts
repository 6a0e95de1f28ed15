/**
 * The runtime cache proves itself (issue 9): a runtime marked ready whose sqlite3 binding is missing, as the
 * former ensure-n8n.sh left it when npm's ignore-scripts leaked into its rebuild, is detected and repaired.
 * The planted runtime is a hard-linked copy of the real one; what the test or the repair rewrites (the sqlite3
 * package, the marker, npm's lockfiles) is copied for real, so the real runtime is never touched.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ensureRuntime, lastEnsureAction, type N8nRuntime, run, sqliteProblem } from '../../../dev/n8n/runtime';
import { RUNTIME_INSTALL_TIMEOUT } from '../runtimes';

/** The suite of one n8n version (test/e2e/runtimeCache.n8n1 and .n8n2 run it per version, in separate workers). */
export function runtimeCacheSuite(version: string): void {
	let warm: N8nRuntime;
	let cache: string;
	let planted: string;
	let warmMarker: string;
	const binding = () => join(planted, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');
	const saved = {
		npm_config_ignore_scripts: process.env.npm_config_ignore_scripts,
		CFLAGS: process.env.CFLAGS,
		CXXFLAGS: process.env.CXXFLAGS,
	};

	beforeAll(async () => {
		warm = await ensureRuntime(version);
		cache = mkdtempSync(join(tmpdir(), 'runtime-cache-'));
		planted = join(cache, basename(warm.dir));
		await run('cp', ['-al', warm.dir, planted]);
		for (const own of ['node_modules/sqlite3', 'package-lock.json', 'node_modules/.package-lock.json', '.ready']) {
			rmSync(join(planted, own), { recursive: true, force: true });
			if (existsSync(join(warm.dir, own))) cpSync(join(warm.dir, own), join(planted, own), { recursive: true });
		}
		// A fetched Node comes along (hard-linked) so that the repair does not download it again.
		if (!warm.node.system) await run('cp', ['-al', dirname(dirname(dirname(dirname(warm.node.bin)))), cache]);
		warmMarker = readFileSync(join(warm.dir, '.ready'), 'utf8');
		// The broken state of issue 9: no build at all, and the empty marker ensure-n8n.sh wrote anyway.
		rmSync(join(planted, 'node_modules', 'sqlite3', 'build'), { recursive: true, force: true });
		writeFileSync(join(planted, '.ready'), '');
		// As under `npm test`: npm hands the project's ignore-scripts=true to everything it runs.
		process.env.npm_config_ignore_scripts = 'true';
		// The repair builds sqlite3 unoptimised here (make appends these to node-gyp's -O3): what is tested is that it
		// builds and loads; an optimised build of the SQLite amalgamation costs about 45 s more CPU per version.
		process.env.CFLAGS = '-O0';
		process.env.CXXFLAGS = '-O0';
	}, RUNTIME_INSTALL_TIMEOUT);

	afterAll(() => {
		for (const [key, value] of Object.entries(saved)) {
			if (value === undefined) delete process.env[key];
			else process.env[key] = value;
		}
		if (cache) rmSync(cache, { recursive: true, force: true });
	});

	test(
		'a runtime marked ready without a working sqlite3 is detected, rebuilt for its Node, then marked ready again',
		async () => {
			expect(existsSync(binding())).toBe(false);
			expect(await sqliteProblem(planted, warm.node)).toMatch(/Could not locate the bindings file|Cannot find/);

			// Two users at once: one repairs, the other waits for the lock and finds it repaired.
			const logs: string[] = [];
			const [first, second] = await Promise.all([0, 1].map(() => ensureRuntime(version, { cache, log: (l) => logs.push(l) })));
			expect(logs.filter((l) => l.includes('is broken'))).toHaveLength(1);
			expect(logs.join('\n')).toMatch(
				new RegExp(
					`The cached n8n ${version.replace(/\./g, '\\.')} runtime .* is broken \\(sqlite3 does not load under Node ${warm.node.version}`,
				),
			);
			expect(logs.filter((l) => l.startsWith('Building sqlite3'))).toHaveLength(1);
			expect(logs.some((l) => l.startsWith('Installing'))).toBe(false);
			// The same Node: the machine's, or the fetched one from this cache.
			const node = warm.node.system
				? warm.node
				: {
						...warm.node,
						bin: warm.node.bin.replace(dirname(warm.dir), cache),
						headers: warm.node.headers!.replace(dirname(warm.dir), cache),
					};
			expect(first).toEqual({ version, dir: planted, node });
			expect(second).toEqual(first);

			expect(existsSync(binding())).toBe(true);
			expect(await sqliteProblem(planted, node)).toBeUndefined();
			expect(JSON.parse(readFileSync(join(planted, '.ready'), 'utf8'))).toMatchObject({
				n8n: version,
				node: node.version,
				nodeBin: node.bin,
			});

			// The next use only checks.
			await ensureRuntime(version, { cache, log: (l) => logs.push(l) });
			expect(lastEnsureAction(planted)).toBe('none');
			// The real runtime the copy came from is untouched.
			expect(readFileSync(join(warm.dir, '.ready'), 'utf8')).toBe(warmMarker);
			expect(await sqliteProblem(warm.dir, warm.node)).toBeUndefined();
			// Building sqlite3 takes a minute on an idle 2-core machine, several when it is busy.
		},
		RUNTIME_INSTALL_TIMEOUT,
	);

	test('a binding that is there but does not load is detected too', async () => {
		writeFileSync(binding(), 'not a shared object');
		expect(await sqliteProblem(planted, warm.node)).toMatch(/invalid ELF header|file too short/);
	});
}
