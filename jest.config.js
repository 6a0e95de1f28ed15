/**
 * Four projects. The unit suite runs twice (UTC, and Pacific/Chatham: +12:45/+13:45 with DST) and the integration
 * suite once in America/St_Johns (−3:30/−2:30 with DST), so a local-time bug fails a test (README, Contributing →
 * Tests); they may run in parallel workers (each integration suite starts its own servers on free ports). The e2e
 * suites run in UTC, in the same workers as the rest, and share one packed package and one n8n per version (a suite holds it alone
 * while it runs), prepared by the e2e project's global set-up, which runs only when an e2e suite is selected.
 */
const project = (name, folder, timeZone, extra = {}) => ({
	displayName: name,
	testEnvironment: '<rootDir>/test/harness/zonedEnvironment.js',
	testEnvironmentOptions: { timeZone },
	roots: ['<rootDir>/test'],
	testMatch: [`<rootDir>/test/${folder}/**/*.test.ts`],
	transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
	setupFiles: ['<rootDir>/test/harness/env.ts'],
	...extra,
});

/** @type {import('jest').Config} */
module.exports = {
	testTimeout: 120000,
	testSequencer: '<rootDir>/test/harness/sequencer.js',
	globalSetup: '<rootDir>/test/harness/runFolderSetup.js',
	globalTeardown: '<rootDir>/test/harness/runFolderTeardown.js',
	projects: [
		project('unit', 'unit', 'UTC'),
		project('unit in Pacific/Chatham', 'unit', 'Pacific/Chatham'),
		project('integration in America/St_Johns', 'integration', 'America/St_Johns'),
		project('e2e', 'e2e', 'UTC', {
			globalSetup: '<rootDir>/test/harness/e2e/globalSetup.ts',
			globalTeardown: '<rootDir>/test/harness/e2e/globalTeardown.ts',
		}),
	],
};
