const path = require('path');
const { task, src, dest } = require('gulp');

// n8n loads node and credential icons, and each node's codex (<Node>.node.json: categories, aliases, documentation),
// from dist, next to the compiled files.
task('build:icons', () =>
	src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], { encoding: false }).pipe(
		dest((file) => path.join('dist', path.relative(__dirname, file.base))),
	),
);
