/**
 * One run, four projects: the unit suite twice (UTC, and Pacific/Chatham: +12:45/+13:45 with DST), the integration
 * suite once in America/St_Johns (−3:30/−2:30 with DST), e2e in UTC. See README, Contributing → Tests.
 */
const project = (name, folder, timeZone) => ({
	displayName: `${name} (${timeZone})`,
	testEnvironment: '<rootDir>/test/harness/zonedEnvironment.js',
	testEnvironmentOptions: { timeZone },
	roots: ['<rootDir>/test'],
	testMatch: [`<rootDir>/test/${folder}/**/*.test.ts`],
	transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
	setupFiles: ['<rootDir>/test/harness/env.ts'],
});

/** @type {import('jest').Config} */
module.exports = {
	testTimeout: 120000,
	projects: [
		project('unit', 'unit', 'UTC'),
		project('unit', 'unit', 'Pacific/Chatham'),
		project('integration', 'integration', 'America/St_Johns'),
		project('e2e', 'e2e', 'UTC'),
	],
};
