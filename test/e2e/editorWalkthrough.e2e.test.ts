/**
 * The editor walkthrough of issue 15 as a test: scripts/screenshots.ts in check mode (no files written). It runs
 * `npm start` on free ports, opens the real n8n editor in headless Chromium and checks what a citizen developer
 * needs: the SCIM Trigger's tenant URL, mapping rows, the canvas, the nodes panel, the target, the credential forms.
 *
 * Needs Debian's chromium at /usr/bin/chromium (.ci/run installs it; CHROMIUM_PATH overrides). E2E_N8N_VERSIONS
 * chooses the n8n versions; by default it is npm start's own.
 */
import { walkthrough } from '../../scripts/screenshots';

const VERSIONS: Array<[string, string | undefined]> = process.env.E2E_N8N_VERSIONS
	? process.env.E2E_N8N_VERSIONS.split(',').map((v) => [v, v])
	: [["npm start's default version", undefined]];

test.each(VERSIONS)(
	'the editor walkthrough passes on n8n %s (npm start, headless Chromium)',
	async (_label, version) => {
		const log: string[] = [];
		try {
			await walkthrough({ check: true, env: version ? { N8N_VERSION: version } : {}, log: (line) => log.push(line) });
		} catch (error) {
			// The walkthrough says what is missing; the last lines say where it got to.
			throw new Error(`${(error as Error).message}\n--- walkthrough log (last lines) ---\n${log.slice(-40).join('\n')}`);
		}
	},
	30 * 60 * 1000,
);
