/**
 * Jest's Node environment with the process in the project's time zone (`testEnvironmentOptions.timeZone`), so that a
 * local-time bug (a timestamp read in the machine's zone) fails a test here instead of on a machine far from UTC.
 * Node applies a change of process.env.TZ at once, to every Date and Intl call; the servers a test starts inherit it.
 */
const { TestEnvironment } = require('jest-environment-node');

class ZonedEnvironment extends TestEnvironment {
	constructor(config, context) {
		const { timeZone = 'UTC', ...options } = config.projectConfig.testEnvironmentOptions ?? {};
		process.env.TZ = timeZone;
		super({ ...config, projectConfig: { ...config.projectConfig, testEnvironmentOptions: options } }, context);
	}
}

module.exports = ZonedEnvironment;
