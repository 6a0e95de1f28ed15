/** Posting to an n8n webhook from an e2e test. */

/** POSTs JSON; the answer's status and body (parsed when it is JSON). */
export async function postJson(url: string, body: unknown): Promise<{ status: number; json: any }> {
	const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
	const text = await res.text();
	let json: any = text;
	try {
		json = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	return { status: res.status, json };
}

/** The same, retried while the webhook answers 404: workflows activated in the background register theirs later. */
export async function postWhenReady(url: string, body: unknown): Promise<{ status: number; json: any }> {
	for (let i = 0; ; i++) {
		const res = await postJson(url, body);
		if (res.status !== 404 || i > 100) return res;
		await new Promise((r) => setTimeout(r, 300));
	}
}
