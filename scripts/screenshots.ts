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
 * Chromium must be installed (`apt-get install chromium`; never `playwright install`).
 */
import { Missing, walkthrough } from '../dev/walkthrough';

if (require.main === module) {
	walkthrough({ check: process.argv.includes('--check') }).then(
		() => console.log('Walkthrough passed.'),
		(error) => {
			console.error(error instanceof Missing ? `Walkthrough failed: missing ${error.message}` : error);
			process.exit(1);
		},
	);
}
