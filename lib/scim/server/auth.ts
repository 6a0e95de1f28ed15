import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares secrets in constant time (hashing first makes the lengths equal too). */
export function secretsEqual(given: string, expected: string): boolean {
	const a = createHash('sha256').update(given).digest();
	const b = createHash('sha256').update(expected).digest();
	return timingSafeEqual(a, b) && expected.length > 0;
}

export interface InboundAuth {
	token: string;
	basicUser?: string;
	basicPassword?: string;
}

/** Bearer token (constant time), or basic credentials when configured. */
export function isAuthenticated(authorization: string | undefined, auth: InboundAuth): boolean {
	if (!authorization) return false;
	const [scheme, ...rest] = authorization.trim().split(/\s+/);
	const value = rest.join(' ');
	if (/^bearer$/i.test(scheme)) return secretsEqual(value, auth.token);
	if (/^basic$/i.test(scheme) && auth.basicUser && auth.basicPassword) {
		const decoded = Buffer.from(value, 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon < 0) return false;
		// Evaluate both comparisons: no early exit that would time the user name.
		const user = secretsEqual(decoded.slice(0, colon), auth.basicUser);
		const password = secretsEqual(decoded.slice(colon + 1), auth.basicPassword);
		return user && password;
	}
	return false;
}

/** Words people put in tokens: they add no randomness. */
const COMMON_WORDS =
	/password|passwort|secret|changeme|letmein|welcome|admin|token|bearer|scim|entra|okta|n8n|test|example|qwerty|azerty/gi;
/** Keys next to each other on a keyboard row count as a run, like abc. */
const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'azertyuiop', 'qsdfghjklm', 'wxcvbn'];

const nextTo = (a: string, b: string) =>
	Math.abs(a.charCodeAt(0) - b.charCodeAt(0)) === 1 || KEYBOARD_ROWS.some((row) => row.includes(a + b) || row.includes(b + a));

/** The length of the shortest block the text repeats (xK9#xK9#xK9 → 4), by the prefix function. */
function shortestPeriod(text: string): number {
	const prefix = new Array<number>(text.length).fill(0);
	for (let i = 1; i < text.length; i++) {
		let k = prefix[i - 1];
		while (k > 0 && text[i] !== text[k]) k = prefix[k - 1];
		prefix[i] = text[i] === text[k] ? k + 1 : k;
	}
	return text.length - (prefix[text.length - 1] ?? 0);
}

/**
 * A cautious estimate of a token's randomness in bits: only the shortest repeating block counts, common words count
 * for nothing, and so does a character equal to or next to the one before it (aaa, abc, 321, qwe); each remaining
 * character counts log2 of the character classes the token uses (lower case 26, upper case 26, digits 10, others 33).
 */
export function tokenEntropyBits(token: string): number {
	const block = token.slice(0, shortestPeriod(token)).replace(COMMON_WORDS, '');
	const pool =
		(/[a-z]/.test(block) ? 26 : 0) +
		(/[A-Z]/.test(block) ? 26 : 0) +
		(/[0-9]/.test(block) ? 10 : 0) +
		(/[^a-zA-Z0-9]/.test(block) ? 33 : 0);
	let counted = 0;
	const lower = block.toLowerCase();
	for (let i = 0; i < lower.length; i++) if (i === 0 || (lower[i] !== lower[i - 1] && !nextTo(lower[i - 1], lower[i]))) counted++;
	return pool ? counted * Math.log2(pool) : 0;
}
