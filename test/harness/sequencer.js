/**
 * Jest's order, with the long e2e suites first even in a fresh clone. Without jest's timing cache the default
 * order is by file size, which put the one-line per-version files (npmStart, runtimeCache, queueMode: the longest
 * suites) last, so a fresh clone's run waited minutes on them at the end. First those, then the other e2e suites
 * (they wait on n8n while unit and integration suites fill the CPU), then the rest; jest's own order within each.
 */
const Sequencer = require('@jest/test-sequencer').default;

const rank = (path) => (/\.n8n\d+\.e2e\.test\.ts$/.test(path) ? 0 : /\.e2e\.test\.ts$/.test(path) ? 1 : 2);

class LongSuitesFirst extends Sequencer {
	sort(tests) {
		const ordered = super.sort(tests);
		const position = new Map(ordered.map((test, i) => [test, i]));
		return [...ordered].sort((a, b) => rank(a.path) - rank(b.path) || position.get(a) - position.get(b));
	}
}

module.exports = LongSuitesFirst;
