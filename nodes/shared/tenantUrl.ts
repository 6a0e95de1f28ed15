/**
 * The SCIM Trigger's tenant URL (what Entra ID and Okta are given) as the editor shows it. n8n's editor evaluates
 * expressions without knowing the instance's webhook base URL, so the base is computed here, when n8n loads the node,
 * the way n8n computes it (its UrlService): WEBHOOK_URL, else N8N_PROTOCOL://N8N_HOST:N8N_PORT + N8N_PATH. The node's
 * webhook id is the one part the editor fills in ({{ $webhookId }}). At activation the trigger compares this with the
 * URL n8n really serves and logs a warning if they differ. The SCIM Store node reads the webhook id back from the
 * same URL (webhookIdOf), so building and parsing live together.
 */

export const SCIM_BASE = 'scim/v2';

type Env = Record<string, string | undefined>;

const unquote = (value: string | undefined) => (value ?? '').replace(/^"+|"+$/g, '');
const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

/** n8n's webhook base URL, ending with "/". */
export function webhookBaseUrl(env: Env): string {
	const configured = unquote(env.WEBHOOK_URL);
	if (configured) return withSlash(configured);
	const protocol = env.N8N_PROTOCOL || 'http';
	const host = env.N8N_HOST || 'localhost';
	const port = Number(env.N8N_PORT || 5678);
	const path = env.N8N_PATH || '/';
	const defaultPort = (protocol === 'http' && port === 80) || (protocol === 'https' && port === 443);
	return withSlash(`${protocol}://${host}${defaultPort ? '' : `:${port}`}${path}`);
}

/** The base of test webhooks: n8n 2.x serves them from the editor's URL when no WEBHOOK_URL is set. */
function testBaseUrl(env: Env): string {
	if (unquote(env.WEBHOOK_URL)) return webhookBaseUrl(env);
	const editor = unquote(env.N8N_EDITOR_BASE_URL);
	return editor ? withSlash(editor) : webhookBaseUrl(env);
}

/** The tenant URL of a trigger with this webhook id, in production or test. */
export function tenantUrl(env: Env, webhookId: string, mode: 'production' | 'test'): string {
	const base = mode === 'test' ? testBaseUrl(env) : webhookBaseUrl(env);
	const endpoint = mode === 'test' ? env.N8N_ENDPOINT_WEBHOOK_TEST || 'webhook-test' : env.N8N_ENDPOINT_WEBHOOK || 'webhook';
	return `${base}${endpoint}/${webhookId}/${SCIM_BASE}`;
}

/** The same, as an n8n expression for the editor: the webhook id is filled in there. */
export function tenantUrlExpression(env: Env, mode: 'production' | 'test'): string {
	return `=${tenantUrl(env, '{{ $webhookId }}', mode)}`;
}

/** The webhook id in a tenant URL (…/<webhook endpoint>/<id>/scim/v2, whatever the endpoint is called), or the id itself. */
export function webhookIdOf(tenantUrlOrId: string): string | undefined {
	const text = tenantUrlOrId.trim();
	if (/^[\w-]+$/.test(text)) return text;
	let path: string;
	try {
		path = new URL(text).pathname;
	} catch {
		return undefined;
	}
	const segments = path.split('/').filter(Boolean);
	const base = SCIM_BASE.split('/');
	const at = segments.findIndex((_, i) => i > 0 && base.every((part, j) => segments[i + j]?.toLowerCase() === part));
	if (at < 0 || segments.length > at + base.length) return undefined;
	const id = segments[at - 1];
	return /^[\w-]+$/.test(id) ? id : undefined;
}
