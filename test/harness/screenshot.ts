/**
 * A screenshot of a page of real n8n, for the README: Debian's headless Chromium (`chromium`) driven over the
 * DevTools protocol. Needs Node 22 or later (WebSocket built in), which n8n 2.x's e2e runs on. Opt-in (see
 * governance.e2e.test.ts); no test asserts on what it shows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ScreenshotOptions {
	/** Wait until the page shows this text (the data the picture is for), up to `timeoutMs`. */
	waitForText?: string;
	/** Time to let the page settle once the text is there (animations, fonts). */
	settleMs?: number;
	timeoutMs?: number;
	width?: number;
	height?: number;
}

export async function screenshot(url: string, cookie: string, file: string, options: ScreenshotOptions = {}): Promise<void> {
	const { waitForText, settleMs = 2000, timeoutMs = 120000, width = 1440, height = 900 } = options;
	const Socket = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
	if (!Socket) throw new Error(`screenshots need Node 22 or later (WebSocket); this is Node ${process.versions.node}`);
	const deadline = Date.now() + timeoutMs;
	const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
	// Port 0: Chromium picks a free port and writes it to DevToolsActivePort in the profile (no race for a port).
	const chrome: ChildProcess = spawn(
		'chromium',
		[
			'--headless=new',
			'--no-sandbox',
			'--disable-gpu',
			'--remote-debugging-port=0',
			`--user-data-dir=${profile}`,
			`--window-size=${width},${height}`,
			'about:blank',
		],
		{ stdio: 'ignore' },
	);
	const exited = new Promise<void>((resolve) => {
		chrome.once('exit', () => resolve());
		chrome.once('error', () => resolve());
	});
	let ws: WebSocket | undefined;
	try {
		const portFile = join(profile, 'DevToolsActivePort');
		while (!existsSync(portFile) || !readFileSync(portFile, 'utf8').includes('\n')) {
			if (chrome.exitCode !== null || Date.now() > deadline) throw new Error('Chromium did not start (is the chromium package installed?)');
			await sleep(200);
		}
		const port = readFileSync(portFile, 'utf8').split('\n')[0].trim();
		let page: { type: string; webSocketDebuggerUrl: string } | undefined;
		while (!page) {
			if (Date.now() > deadline) throw new Error('Chromium did not open a page');
			const targets = await fetch(`http://127.0.0.1:${port}/json`)
				.then((r) => r.json() as Promise<Array<{ type: string; webSocketDebuggerUrl: string }>>)
				.catch(() => []);
			page = targets.find((t) => t.type === 'page');
			if (!page) await sleep(200);
		}
		const socket = new Socket(page.webSocketDebuggerUrl);
		ws = socket;
		await new Promise((resolve, reject) => {
			socket.onopen = resolve;
			socket.onerror = () => reject(new Error('could not connect to Chromium'));
		});
		let id = 0;
		const pending = new Map<number, { resolve: (result: any) => void; reject: (error: Error) => void }>();
		socket.onmessage = (event) => {
			const message = JSON.parse(String(event.data));
			const waiting = message.id ? pending.get(message.id) : undefined;
			if (!waiting) return;
			pending.delete(message.id);
			if (message.error) waiting.reject(new Error(`Chromium: ${message.error.message}`));
			else waiting.resolve(message.result);
		};
		socket.onclose = () => {
			for (const waiting of pending.values()) waiting.reject(new Error('Chromium closed the connection'));
			pending.clear();
		};
		const send = (method: string, params: object = {}) =>
			new Promise<any>((resolve, reject) => {
				pending.set(++id, { resolve, reject });
				socket.send(JSON.stringify({ id, method, params }));
			});
		const [name, ...value] = cookie.split('=');
		await send('Network.enable');
		await send('Network.setCookie', { name, value: value.join('='), url });
		await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
		await send('Page.enable');
		await send('Page.navigate', { url });
		// n8n's editor is a single-page app: the load event comes long before the data is on screen.
		const shown = async () => {
			const check = waitForText
				? `document.body && document.body.innerText.includes(${JSON.stringify(waitForText)})`
				: `document.readyState === 'complete'`;
			const { result } = await send('Runtime.evaluate', { expression: check, returnByValue: true });
			return result?.value === true;
		};
		while (!(await shown())) {
			if (Date.now() > deadline) throw new Error(`the page at ${url} did not show ${JSON.stringify(waitForText)} in time`);
			await sleep(500);
		}
		await sleep(settleMs);
		const { data } = await send('Page.captureScreenshot', { format: 'png' });
		mkdirSync(dirname(file), { recursive: true });
		writeFileSync(file, Buffer.from(data, 'base64'));
	} finally {
		ws?.close();
		chrome.kill();
		await Promise.race([exited, sleep(10000)]);
		if (chrome.exitCode === null && chrome.signalCode === null) chrome.kill('SIGKILL');
		rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
	}
}
