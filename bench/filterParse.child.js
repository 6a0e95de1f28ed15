/**
 * Times the SCIM filter parser for `npm run bench -- filter`, in a process of its own that holds nothing but the
 * parser (argv[2], transpiled to JavaScript): in the bench's own process, TypeScript's compiler fills the heap, and
 * every major garbage collection marks it, which adds noise unrelated to the parse. Prints the times as JSON.
 *
 * CPU time of one parse (not wall time: the machine is shared), the best of nine rounds over every size. Each measurement
 * parses 4 MiB of filter text (512 parses of 8 KiB … 4 of 1 MiB) and keeps every tree until it ends, so every size
 * gives the garbage collector the same work: otherwise small trees die young and cost nothing to collect, while trees
 * of several MB are promoted to the old generation, a one-time step in V8's cost per object, not in the parser's.
 */
const { parseFilter } = require(process.argv[2]);
const { texts } = JSON.parse(require('node:fs').readFileSync(process.argv[3], 'utf8'));

/** CPU ms of one parse of `text`, over enough parses to read 4 MiB, keeping every tree until the end. */
function measure(text) {
	const repeats = Math.max(1, Math.round((4096 * 1024) / text.length));
	const trees = [];
	const started = process.cpuUsage();
	for (let i = 0; i < repeats; i++) trees.push(parseFilter(text));
	const used = process.cpuUsage(started);
	return (used.user + used.system) / 1000 / repeats;
}

for (const text of texts) parseFilter(text); // warm-up
// Rounds go through every size in turn, so a busy moment of the machine does not land on one size only.
const best = texts.map(() => Infinity);
for (let round = 0; round < 9; round++) texts.forEach((text, i) => (best[i] = Math.min(best[i], measure(text))));
process.stdout.write(JSON.stringify(best));
