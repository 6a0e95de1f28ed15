/**
 * `npm run screenshots`: the editor walkthrough of issue 15 (dev/walkthrough), and the README's screenshots.
 *
 * It starts `npm start` on free ports with a fresh user folder (N8N_VERSION chooses the n8n version), opens the real n8n
 * editor in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core), walks through what a citizen
 * developer sees, and checks each thing; a missing element fails the run with a message saying what is missing.
 *
 *   npm run screenshots            checks, and writes the PNGs into docs/screenshots/
 *   npm run screenshots -- --check checks only (the e2e test runs this)
 *
 * Chromium must be installed (`apt-get install chromium`; never `playwright install`). npm start has no LDAP or SQL
 * server: WALKTHROUGH_TARGETS names a JSON file `{ "ldap": {…}, "sql": {…} }` (dev/walkthrough/targets.ts) for the
 * target steps, which are skipped without it.
 */
import { readFileSync } from 'node:fs';
import { Missing, walkthrough, type WalkthroughTargets } from '../dev/walkthrough';

if (require.main === module) {
	const file = process.env.WALKTHROUGH_TARGETS;
	const targets = file ? (JSON.parse(readFileSync(file, 'utf8')) as WalkthroughTargets) : undefined;
	walkthrough({ check: process.argv.includes('--check'), targets }).then(
		() => console.log('Walkthrough passed.'),
		(error) => {
			console.error(error instanceof Missing ? `Walkthrough failed: missing ${error.message}` : error);
			process.exit(1);
		},
	);
}
