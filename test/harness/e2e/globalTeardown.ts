/** Jest global teardown of the e2e project: every process the run's suites shared is stopped, its folder removed. */
import { rmSync } from 'node:fs';
import { recordedProcesses, stopGroup } from './run';

export default async function globalTeardown(): Promise<void> {
	const dir = process.env.E2E_RUN_DIR;
	if (!dir) return;
	await Promise.all(recordedProcesses(dir).map((p) => stopGroup(p.pid)));
	if (process.env.E2E_KEEP_RUN_DIR !== 'true') rmSync(dir, { recursive: true, force: true });
}
