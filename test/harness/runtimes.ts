import { ensureRuntime, type N8nRuntime, TESTED_N8N_VERSIONS } from '../../dev/n8n/runtime';

/** The n8n versions the end-to-end tests run on: E2E_N8N_VERSIONS (comma-separated), else the newest 1.x and 2.x. */
export const E2E_N8N_VERSIONS =
	process.env.E2E_N8N_VERSIONS?.split(',')
		.map((v) => v.trim())
		.filter(Boolean) ?? TESTED_N8N_VERSIONS;

/** Installs, or checks and repairs, every runtime the run needs, side by side (a cold cache takes minutes). */
export function prepareRuntimes(versions = E2E_N8N_VERSIONS): Promise<N8nRuntime[]> {
	return Promise.all(versions.map((v) => ensureRuntime(v)));
}

/** Generous: a cold install of both runtimes on two cores; jest needs some limit. */
export const RUNTIME_INSTALL_TIMEOUT = 45 * 60 * 1000;

/**
 * The share of E2E_N8N_VERSIONS one of a pair of test files runs (`major` 1, or 2 for 2.x and newer), so that the
 * long suites run per version in separate jest workers. A file whose share is empty says so in a test of its own.
 */
export function describeEachMajor(major: 1 | 2, title: string, suite: (version: string) => void): void {
	const versions = E2E_N8N_VERSIONS.filter((v) => (major === 1 ? v.startsWith('1.') : !v.startsWith('1.')));
	if (versions.length) describe.each(versions)(title, suite);
	else
		test(`E2E_N8N_VERSIONS (${E2E_N8N_VERSIONS.join(', ')}) names no n8n ${major}.x: the other file of the pair runs them`, () => {
			expect(E2E_N8N_VERSIONS.every((v) => (major === 1 ? !v.startsWith('1.') : v.startsWith('1.')))).toBe(true);
		});
}
