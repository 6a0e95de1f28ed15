/** Whether a SCIM Trigger Auth bearer token is random enough to protect a SCIM endpoint. */
import { tokenEntropyBits } from '../../lib/scim/server/auth';

/** The randomness a bearer token needs, as lib/scim/server/auth.ts estimates it (README, SCIM Trigger Auth API). */
export const MIN_TOKEN_BITS = 60;

/** Why a bearer token is too weak to protect a SCIM endpoint, or undefined when it is fine. */
export function tokenProblem(token: string): string | undefined {
	if (token.trim().length === 0) return 'The SCIM Trigger Auth credential has no bearer token';
	if (token.length < 16) return `The SCIM Trigger Auth credential's bearer token has ${token.length} characters: use at least 16`;
	const bits = tokenEntropyBits(token);
	if (bits < MIN_TOKEN_BITS)
		return `The SCIM Trigger Auth credential's bearer token is too easy to guess: about ${Math.floor(bits)} bits of randomness, at least ${MIN_TOKEN_BITS} needed (repeated characters, runs such as abc or 123, a repeated block and common words such as "password" count for nothing). Use a random value, e.g. from "openssl rand -base64 32"`;
	return undefined;
}
