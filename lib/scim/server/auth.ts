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
