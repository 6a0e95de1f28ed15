/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The editor walkthrough of issue 15, and the README's screenshots. It opens the real n8n editor of an `npm start` in
 * headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core), walks through what a citizen developer
 * sees, and checks each thing; a missing element fails the run saying what is missing. Each step is a file in steps/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Locator, chromium, selectors } from 'playwright-core';
import { ownerSession, ROOT } from '../n8n/instance';
import { type RunningStart, startLocalN8n } from './npmStart';
import { expect, Missing, type Walkthrough } from './page';
import { examplesLoad, flagshipCanvas } from './steps/canvas';
import { credentialForms } from './steps/credentials';
import { mappingRows, newRowsWithoutErrors } from './steps/mappingRows';
import { nodesPanel } from './steps/nodesPanel';
import { provisioningLog, visibleTarget } from './steps/provisionUser';
import { scimTriggerPanel } from './steps/scimTrigger';
import { ldapTargetSchema, scimTargetSchema, sqlTargetSchema } from './steps/targetSchemas';
import type { WalkthroughTargets } from './targets';

export { Missing, startLocalN8n, type RunningStart };
export { WALKTHROUGH_ACCOUNTS, WALKTHROUGH_SQL_TABLE, type WalkthroughTargets } from './targets';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(ROOT, 'docs', 'screenshots');
const VIEWPORT = { width: 1440, height: 1000 };

const STEPS = [
	examplesLoad,
	flagshipCanvas,
	scimTriggerPanel,
	mappingRows,
	newRowsWithoutErrors,
	provisioningLog,
	visibleTarget,
	nodesPanel,
	credentialForms,
	scimTargetSchema,
	ldapTargetSchema,
	sqlTargetSchema,
];

export interface WalkthroughOptions {
	check: boolean;
	log?: (line: string) => void;
	env?: Record<string, string>;
	/** An `npm start` that is already running (the e2e test's, or one of yours while working on a step); left running. */
	attach?: Omit<RunningStart, 'stop'>;
	/** Real LDAP and SQL servers for the target steps (check mode needs both; without them they are skipped). */
	targets?: WalkthroughTargets;
}

export async function walkthrough(options: WalkthroughOptions): Promise<void> {
	const log = options.log ?? ((line: string) => console.log(line));
	expect(existsSync(CHROMIUM), `Chromium at ${CHROMIUM} (apt-get install chromium)`);
	const attached =
		options.attach ??
		(process.env.WALKTHROUGH_N8N_URL
			? {
					url: process.env.WALKTHROUGH_N8N_URL,
					tenantUrl: String(process.env.WALKTHROUGH_TENANT_URL),
					token: String(process.env.WALKTHROUGH_TOKEN),
				}
			: undefined);
	const n8n: RunningStart = attached
		? { ...attached, stop: async () => undefined }
		: await startLocalN8n((line) => log(`  npm start | ${line}`), options.env);
	let browser: Browser | undefined;
	try {
		const cookie = await ownerSession(n8n.url);
		selectors.setTestIdAttribute('data-test-id');
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
			],
		});
		// Reduced motion: the same pages without transitions to render (less CPU; what is checked does not move).
		const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, reducedMotion: 'reduce' });
		const [name, value] = cookie.split('=');
		await context.addCookies([{ name, value, url: n8n.url }]);
		const page = await context.newPage();
		if (!options.check) mkdirSync(OUT, { recursive: true });
		const shoot = async (file: string, target?: Locator, hover?: Locator) => {
			if (options.check) return;
			const path = join(OUT, `${file}.png`);
			// Away from any field, so no hover state shows; or on the one element whose hover text the shot is about.
			await page.mouse.move(VIEWPORT.width / 2, 2);
			if (hover) await hover.hover();
			await page.waitForTimeout(hover ? 1200 : 300);
			await (target ?? page).screenshot({ path });
			log(`  wrote docs/screenshots/${file}.png`);
		};
		const w: Walkthrough = {
			page,
			url: n8n.url,
			tenantUrl: n8n.tenantUrl,
			token: n8n.token,
			shoot,
			log,
			check: options.check,
			targets: options.targets ?? {},
		};
		// WALKTHROUGH_ONLY=mappingRows,… runs some steps only, while working on them.
		const only = process.env.WALKTHROUGH_ONLY?.split(',');
		try {
			for (const step of STEPS) {
				if (only && !only.includes(step.name)) continue;
				const started = Date.now();
				await step(w);
				log(`  (${step.name}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
			}
		} catch (error) {
			const shot = join(tmpdir(), 'walkthrough-failure.png');
			await page.screenshot({ path: shot }).catch(() => undefined);
			if (error instanceof Missing) error.message += ` (the page at that moment: ${shot})`;
			throw error;
		}
	} finally {
		await browser?.close();
		await n8n.stop();
	}
}
