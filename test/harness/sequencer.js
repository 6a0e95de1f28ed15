/**
 * Jest's order for one run of every project in three workers on two cores.
 * - The e2e suites with processes of their own (npmStart, queueMode, runtimeCache: one file per n8n major version)
 *   come first, npm start's (the longest) at the head: without jest's timing cache a fresh clone ordered by file size
 *   and ran these one-line files last.
 * - The suites on the shared n8n of a version hold it alone (an flock), so two of them at once leave a worker
 *   waiting. They are dealt one at a time between the own-process suites, and the last ones among the first third
 *   of the unit and integration suites, which fill the CPU meanwhile (all e2e first left the machine half idle for
 *   five minutes while three workers queued for the shared n8n).
 * Jest's own order (by past duration, else size) holds within each group.
 */
const Sequencer = require('@jest/test-sequencer').default;

const OWN_PROCESSES = ['npmStart', 'queueMode', 'runtimeCache'];
const ownKind = (path) => OWN_PROCESSES.findIndex((name) => new RegExp(`/${name}\\.n8n\\d+\\.e2e\\.test\\.ts$`).test(path));
const isE2e = (path) => /\.e2e\.test\.ts$/.test(path);

class InterleavedSuites extends Sequencer {
	sort(tests) {
		const ordered = super.sort(tests);
		const position = new Map(ordered.map((test, i) => [test, i]));
		const own = ordered
			.filter((test) => ownKind(test.path) >= 0)
			.sort((a, b) => ownKind(a.path) - ownKind(b.path) || position.get(a) - position.get(b));
		const shared = ordered.filter((test) => isE2e(test.path) && ownKind(test.path) < 0);
		const rest = ordered.filter((test) => !isE2e(test.path));

		const sequence = own.slice(0, 2);
		let next = 0;
		for (const suite of own.slice(2)) {
			sequence.push(suite);
			if (next < shared.length) sequence.push(shared[next++]);
		}
		const left = shared.slice(next);
		const gap = Math.max(1, Math.floor(Math.ceil(rest.length / 3) / (left.length + 1)));
		let taken = 0;
		for (const suite of left) {
			sequence.push(...rest.slice(taken, taken + gap), suite);
			taken += gap;
		}
		sequence.push(...rest.slice(taken));
		return sequence;
	}
}

module.exports = InterleavedSuites;
