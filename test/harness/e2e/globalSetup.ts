/**
 * Jest global set-up of the e2e project (it runs only when an e2e suite is selected): the n8n runtimes are
 * installed or checked, and the package is built, packed and installed once for the whole run. Suites copy the
 * installed template instead of packing and installing it again.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPackage, packPackage } from '../../../dev/n8n/instance';
import { prepareRuntimes } from '../runtimes';

export default async function globalSetup(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'e2e-run-'));
	process.env.E2E_RUN_DIR = dir;
	const started = Date.now();
	const runtimes = prepareRuntimes();
	const tarball = packPackage();
	const template = join(dir, 'template');
	mkdirSync(template, { recursive: true });
	installPackage(template, tarball);
	await runtimes;
	writeFileSync(join(dir, 'run.json'), JSON.stringify({ tarball, template }));
	process.stderr.write(
		`\ne2e set-up: runtimes ready, package packed and installed once (${Math.round((Date.now() - started) / 1000)} s)\n`,
	);
}
