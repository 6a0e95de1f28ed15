/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
	globalSetup: '<rootDir>/test/servers/globalSetup.ts',
	globalTeardown: '<rootDir>/test/servers/globalTeardown.ts',
	testTimeout: 120000,
};
