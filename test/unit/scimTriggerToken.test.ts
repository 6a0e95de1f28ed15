/**
 * The SCIM Trigger's bearer token (issue 18, Low): refused when it is guessable, not only when it is short, and
 * compared in constant time.
 */
import crypto from 'node:crypto';
import fc from 'fast-check';
import { isAuthenticated } from '../../lib/scim/server/auth';
import { tokenProblem } from '../../nodes/ScimTrigger/tokenProblem';

const SEED = 1816;

test.each([
	'aaaaaaaaaaaaaaaaaaaaaaaa',
	'abcdefghijklmnopqrstuvwxyz',
	'1234567890123456789012',
	'passwordpassword',
	'Password1234567890!',
	'changemechangemechangeme',
	'xK9#xK9#xK9#xK9#xK9#',
	'qwertyuiopasdfghjkl',
	'scim-token-scim-token',
	'SecretSecretSecret2024',
])('a guessable token is refused, saying why: %s', (token) => {
	expect(tokenProblem(token)).toMatch(/guess/);
});

test('short and empty tokens are refused as before', () => {
	expect(tokenProblem('')).toMatch(/no bearer token/);
	expect(tokenProblem('Zq8#kL2!')).toMatch(/8 characters: use at least 16/);
});

test(`random tokens pass: openssl rand -base64 32 / -hex 32 / -base64 16, UUIDs (fast-check, seed ${SEED})`, () => {
	const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b));
	fc.assert(
		fc.property(
			fc.oneof(
				bytes(32).map((b) => b.toString('base64')),
				bytes(32).map((b) => b.toString('hex')),
				bytes(16).map((b) => b.toString('base64')),
				bytes(18).map((b) => b.toString('base64url')),
				fc.uuid({ version: 4 }),
				fc.uuid({ version: 4 }).map((u) => u.toUpperCase()),
			),
			(token) => {
				expect(tokenProblem(token)).toBeUndefined();
			},
		),
		{ seed: SEED, numRuns: 20000 },
	);
	for (const phrase of ['correct horse battery staple', 'Tr0ub4dor&3-plus-more-words']) expect(tokenProblem(phrase)).toBeUndefined();
});

describe('the token is compared in constant time', () => {
	afterEach(() => jest.restoreAllMocks());
	const TOKEN = 'Kq7vP2xL9mZ4tR8wN3bH6cJ1';
	test('bearer: one timingSafeEqual over equal-length digests, whatever was sent', () => {
		const spy = jest.spyOn(crypto, 'timingSafeEqual');
		for (const sent of ['x', 'Kq7vP2xL9mZ4tR8wN3bH6cJ2', TOKEN, 'K'.repeat(500)]) {
			spy.mockClear();
			expect(isAuthenticated(`Bearer ${sent}`, { token: TOKEN })).toBe(sent === TOKEN);
			expect(spy).toHaveBeenCalledTimes(1);
			const [a, b] = spy.mock.calls[0] as [Buffer, Buffer];
			expect([a.length, b.length]).toEqual([32, 32]);
		}
	});
	test('basic: the password is compared even when the user name is wrong (no early exit)', () => {
		const spy = jest.spyOn(crypto, 'timingSafeEqual');
		const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
		const auth = { token: TOKEN, basicUser: 'okta', basicPassword: 'Zt5mQ8rW2pX7vK3n' };
		expect(isAuthenticated(basic('wrong', 'Zt5mQ8rW2pX7vK3n'), auth)).toBe(false);
		expect(spy).toHaveBeenCalledTimes(2);
		spy.mockClear();
		expect(isAuthenticated(basic('okta', 'Zt5mQ8rW2pX7vK3n'), auth)).toBe(true);
		expect(spy).toHaveBeenCalledTimes(2);
	});
	test('an empty configured token never authenticates', () => {
		expect(isAuthenticated('Bearer ', { token: '' })).toBe(false);
	});
});
