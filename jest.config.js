/**
 * Three projects: unit and integration suites may run in parallel workers (each integration suite starts its own
 * servers on free ports); the e2e suites share one packed package and one n8n per version, prepared by the e2e
 * project's global set-up, which runs only when an e2e suite is selected.
 */
const common = {
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
	setupFiles: ['<rootDir>/test/harness/env.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
	testTimeout: 120000,
	projects: [
		{ ...common, displayName: 'unit', roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts'] },
		{ ...common, displayName: 'integration', roots: ['<rootDir>/test/integration'], testMatch: ['**/*.test.ts'] },
		{
			...common,
			displayName: 'e2e',
			roots: ['<rootDir>/test/e2e'],
			testMatch: ['**/*.test.ts'],
			globalSetup: '<rootDir>/test/harness/e2e/globalSetup.ts',
			globalTeardown: '<rootDir>/test/harness/e2e/globalTeardown.ts',
		},
	],
};
