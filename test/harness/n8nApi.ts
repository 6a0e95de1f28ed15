/**
 * Real n8n's APIs as the e2e tests use them: an API key for the public API (created through the REST API with the
 * owner's session), and the public API itself (executions, data tables, workflows).
 */
import { ownerSession } from '../../dev/n8n/instance';

export interface PublicApi {
	key: string;
	get<T = any>(path: string, query?: Record<string, string | number | boolean>): Promise<T>;
	call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** Creates the owner (first start) and an API key with every scope the owner may grant. */
export async function createApiKey(url: string, cookie?: string): Promise<string> {
	cookie ??= await ownerSession(url);
	const scopesRes = await fetch(`${url}/rest/api-keys/scopes`, { headers: { cookie } });
	const scopes = scopesRes.ok ? ((await scopesRes.json()) as { data: string[] }).data : undefined;
	const res = await fetch(`${url}/rest/api-keys`, {
		method: 'POST',
		headers: { cookie, 'Content-Type': 'application/json' },
		body: JSON.stringify({ label: `e2e ${Date.now()}`, expiresAt: null, ...(scopes ? { scopes } : {}) }),
	});
	const body = (await res.json()) as { data?: { rawApiKey?: string; apiKey?: string } };
	const key = body.data?.rawApiKey ?? body.data?.apiKey;
	if (!res.ok || !key) throw new Error(`n8n did not create an API key: ${res.status} ${JSON.stringify(body)}`);
	return key;
}

export function publicApi(url: string, key: string): PublicApi {
	const call = async (method: string, path: string, body?: unknown) => {
		const res = await fetch(`${url}/api/v1${path}`, {
			method,
			headers: { 'X-N8N-API-KEY': key, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		let parsed: unknown = text;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			/* not JSON */
		}
		return { status: res.status, body: parsed as any };
	};
	return {
		key,
		call,
		get: async (path, query = {}) => {
			const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
			const res = await call('GET', `${path}${qs ? `?${qs}` : ''}`);
			if (res.status >= 300) throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
			return res.body;
		},
	};
}

/** Waits until the workflow has at least `count` finished executions; returns them with their data, oldest first. */
export async function finishedExecutions(api: PublicApi, workflowId: string, count: number, timeoutMs = 120000): Promise<any[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const page = await api.get('/executions', { workflowId, includeData: true, limit: 100 });
		const done = (page.data as any[]).filter((e) => e.finished || e.stoppedAt);
		if (done.length >= count) return done.sort((a, b) => Number(a.id) - Number(b.id));
		if (Date.now() > deadline)
			throw new Error(`only ${done.length} of ${count} executions of ${workflowId} finished: ${JSON.stringify(page.data).slice(0, 2000)}`);
		await new Promise((r) => setTimeout(r, 500));
	}
}

/** A node's output items in an execution (public API, includeData). */
export function nodeOutput(execution: any, node: string, output = 0): any[] {
	const runs = execution.data?.resultData?.runData?.[node];
	return (runs?.[0]?.data?.main?.[output] ?? []).map((i: { json: unknown }) => i.json);
}
