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
