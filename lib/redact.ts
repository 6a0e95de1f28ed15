/** Shown wherever a secret value would otherwise appear (Entra shows the same marker). */
export const REDACTED = '[Redact]';

const SECRET_ATTRIBUTE_NAMES = new Set(['password', 'userpassword', 'unicodepwd', 'clientsecret', 'secret', 'token']);

/** True for attributes whose values must never reach outputs or logs. */
export function isSecretAttribute(name: string, extraSecrets: ReadonlySet<string> = new Set()): boolean {
	const lower = name.toLowerCase();
	if (extraSecrets.has(name) || extraSecrets.has(lower)) return true;
	const last = lower.split(/[.:]/).pop() ?? lower;
	return SECRET_ATTRIBUTE_NAMES.has(lower) || SECRET_ATTRIBUTE_NAMES.has(last);
}

/** Removes every occurrence of the given secrets from a message (errors from libraries can echo input). */
export function scrubSecrets(text: string, secrets: Iterable<string | undefined>): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 3) out = out.split(secret).join(REDACTED);
	}
	return out;
}

const SECRET_KEY = /pass(word)?|pwd|secret|token|credential/i;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Redacted copies of an input item's secret fields. n8n merges the input item into items routed to the
 * error output, so failed items carry these to overwrite the secrets that merge would copy in.
 */
export function secretOverrides(json: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const extra = new Set(Array.isArray(json.redact) ? json.redact.map(String) : []);
	for (const [key, value] of Object.entries(json)) {
		if (SECRET_KEY.test(key)) {
			out[key] = REDACTED;
		} else if ((key === 'attributes' || key === 'createOnly') && isObject(value)) {
			const secrets = Object.keys(value).filter((k) => isSecretAttribute(k, extra) || SECRET_KEY.test(k));
			if (secrets.length) out[key] = { ...value, ...Object.fromEntries(secrets.map((k) => [k, REDACTED])) };
		}
	}
	return out;
}
