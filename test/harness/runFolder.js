/**
 * Jest's global set-up and teardown for the whole run (every project): one folder holds the n8n user folder each
 * test file gets (test/harness/env.ts), and goes when the run ends, so runs do not pile folders up in the temp dir.
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

async function setup() {
	process.env.N8N_TEST_RUN_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-tests-'));
}

async function teardown() {
	const dir = process.env.N8N_TEST_RUN_FOLDER;
	if (dir) rmSync(dir, { recursive: true, force: true });
}

module.exports = { setup, teardown };
