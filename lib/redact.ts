import type { ProvisioningEnvelope } from './envelope';
import { ProvisioningError } from './errors';

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

/** Secrets shorter than this are removed only where a message quotes them whole: shorter ones are in every message. */
export const MIN_SECRET_LENGTH = 4;
/** Any run of this many characters of a secret is removed: servers echo values cut short ("'S3cr3t-xx...'") or in pieces. */
export const SECRET_FRAGMENT_LENGTH = 8;

/** How a value shows in messages: as is, JSON-escaped (SCIM bodies), URL-encoded, and as MySQL's \xHH for bytes it cannot show. */
function echoForms(secret: string): string[] {
	const hex = [...Buffer.from(secret, 'utf8')]
		.map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase()}`))
		.join('');
	let url = secret;
	try {
		url = encodeURIComponent(secret);
	} catch {
		// A lone surrogate has no URL form.
	}
	return [...new Set([secret, JSON.stringify(secret).slice(1, -1), url, hex])];
}

const MARKERS = /(?:\[Redact\])+/g;

/** Quoted values in a message ('…', "…", `…`, (…)), each kind on its own (they nest); a trailing "..." is a server's cut. */
const QUOTED = [/'([^']*)'/g, /"([^"]*)"/g, /`([^`]*)`/g, /\(([^()]*)\)/g];

/**
 * Removes the given secrets from a message (errors from libraries and servers echo input): every occurrence of a
 * secret of at least MIN_SECRET_LENGTH characters, every run of SECRET_FRAGMENT_LENGTH characters of one (a truncated
 * or partial echo), and a quoted value that is a secret, or at least MIN_SECRET_LENGTH characters of one.
 */
export function scrubSecrets(text: string, secrets: Iterable<string | undefined>): string {
	return secretScrubber(secrets)(text);
}

/** scrubSecrets for one list of secrets and many messages: the list is prepared once. */
export function secretScrubber(secrets: Iterable<string | undefined>): (text: string) => string {
	const unique = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s.length > 0))];
	// Length in characters, not UTF-16 units; a short secret's other forms (JSON, URL, hex) are as short in substance.
	const long = unique.filter((s) => [...s].length >= MIN_SECRET_LENGTH).flatMap(echoForms);
	const short = unique.filter((s) => [...s].length < MIN_SECRET_LENGTH).flatMap(echoForms);
	if (long.length + short.length === 0) return (text) => text;
	const fragments = new Set<string>();
	for (const form of long) {
		for (let i = 0; i + SECRET_FRAGMENT_LENGTH <= form.length; i++) fragments.add(form.slice(i, i + SECRET_FRAGMENT_LENGTH));
	}
	const partOfSecret = (piece: string) =>
		short.includes(piece) || long.some((f) => f === piece || ([...piece].length >= MIN_SECRET_LENGTH && f.includes(piece)));
	// A value scrubbed in part already (by the target, with its own list) is hidden whole when the rest is secret too.
	const quotesSecret = (value: string) =>
		value.includes(REDACTED)
			? value.split(REDACTED).every((piece) => !piece || [...long, ...short].some((f) => f.includes(piece)))
			: value !== '' && partOfSecret(value);
	return (text) => {
		if (!text) return text;
		const hidden = new Uint8Array(text.length);
		const hide = (from: number, to: number) => hidden.fill(1, from, to);
		for (const form of long) {
			for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) hide(at, at + form.length);
		}
		for (let i = 0; fragments.size && i + SECRET_FRAGMENT_LENGTH <= text.length; i++) {
			if (fragments.has(text.slice(i, i + SECRET_FRAGMENT_LENGTH))) hide(i, i + SECRET_FRAGMENT_LENGTH);
		}
		for (const match of QUOTED.flatMap((quoted) => [...text.matchAll(quoted)])) {
			if (quotesSecret(match[1].replace(/(\.\.\.|…)$/, ''))) hide(match.index! + 1, match.index! + 1 + match[1].length);
		}
		return hidden.includes(1) ? joinHidden(text, hidden).replace(MARKERS, REDACTED) : text;
	};
}

/** The text with each run of hidden characters replaced by one marker, never splitting a surrogate pair. */
function joinHidden(text: string, hidden: Uint8Array): string {
	let out = '';
	for (let i = 0; i < text.length;) {
		if (!hidden[i]) {
			out += text[i++];
			continue;
		}
		if (/[\uDC00-\uDFFF]/.test(text[i]) && out && /[\uD800-\uDBFF]/.test(out[out.length - 1])) out = out.slice(0, -1);
		while (i < text.length && (hidden[i] || /[\uDC00-\uDFFF]/.test(text[i]))) i++;
		out += REDACTED;
	}
	return out;
}

/** The error with the secrets removed from its message; the same error when none was there. The cause, which may hold values, is dropped. */
export function scrubError(error: ProvisioningError, secrets: readonly string[] | ((text: string) => string)): ProvisioningError {
	const scrub = typeof secrets === 'function' ? secrets : secretScrubber(secrets);
	const message = scrub(error.message);
	if (message === error.message) return error;
	return new ProvisioningError(error.code, message, { field: error.field, targetStatus: error.targetStatus, transient: error.transient });
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

/**
 * The values of an envelope no message may show: of attributes with a secret name (password, or a name like one),
 * of those its `redact` lists (Redact() outputs, rows marked secret), and of secret match keys.
 */
export function secretValues(
	envelope: Partial<Pick<ProvisioningEnvelope, 'attributes' | 'createOnly' | 'matchKeys' | 'redact'>>,
): string[] {
	const extra = new Set(envelope.redact ?? []);
	const secret = (name: string) => isSecretAttribute(name, extra) || SECRET_KEY.test(name);
	const out = new Set<string>();
	const add = (value: unknown): void => {
		if (typeof value === 'string' || typeof value === 'number') out.add(String(value));
		else if (Array.isArray(value)) value.forEach(add);
		else if (isObject(value)) Object.values(value).forEach(add);
	};
	for (const map of [envelope.attributes, envelope.createOnly]) {
		for (const [name, value] of Object.entries(map ?? {})) if (secret(name)) add(value);
	}
	for (const key of envelope.matchKeys ?? []) if (secret(key.attribute)) add(key.value);
	return [...out];
}
