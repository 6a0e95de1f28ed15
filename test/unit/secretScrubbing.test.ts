/**
 * The one scrubber every message goes through (lib/redact.ts), as a property over random secrets — regular-expression
 * characters, quotes, characters outside Latin-1 and the BMP, very short ones — echoed the ways servers echo values:
 * whole, cut short ("'S3cr3t-xx...'", MySQL at 64 or 128 characters, PostgreSQL's row dumps), JSON-escaped, URL-encoded,
 * as MySQL's \xHH bytes, or as a token of it. And the other side: a message without the secret is left as it was.
 */
import fc from 'fast-check';
import { REDACTED, scrubError, scrubSecrets, secretValues, MIN_SECRET_LENGTH, SECRET_FRAGMENT_LENGTH } from '../../lib/redact';
import { ProvisioningError } from '../../lib/errors';

const SEED = 1807;
const RUNS = 1500;

const hex = (s: string) =>
	[...Buffer.from(s, 'utf8')].map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase()}`)).join('');
const forms = (s: string) => [s, JSON.stringify(s).slice(1, -1), hex(s)];
/** The first n characters, as servers cut (never half a character). */
const cut = (s: string, n: number) => [...s].slice(0, n).join('');

const tricky = fc.constantFrom(...'.*+?^${}()|[]\\/-_ %#=,;:'.split(''), 'é', 'ß', '€', '中', '🔑', '👩‍💻', '\u0301', '\t', '\n');
const secretText = (minLength: number, maxLength: number) =>
	fc
		.string({
			unit: fc.oneof(tricky, fc.constantFrom(...'abcXYZ019'.split('')), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })),
			minLength,
			maxLength,
		})
		.filter((s) => !s.includes(REDACTED) && !/['"`()]/.test(s)); // a quote inside would end the quoted echo early

/** How servers and libraries echo a value; n picks the cut. */
const ECHOES: Array<(s: string, n: number) => string> = [
	(s) => `Duplicate entry '${s}' for key 'user_name'`,
	(s, n) => `Incorrect integer value: '${cut(s, n)}...' for column \`app\`.\`t\`.\`badge\` at row 1`,
	(s, n) => `null value in column "code" violates not-null constraint (Failing row contains (7, ada, ${cut(s, n)}..., null))`,
	(s) => `{"detail":"Attribute 'nickName' has an invalid value ${JSON.stringify(s).slice(1, -1)}","status":"400"}`,
	(s) => `GET /Users?filter=userName%20eq%20%22${encodeURIComponent(s)}%22 failed`,
	(s, n) => `Incorrect string value: '${hex(s).slice(0, Math.max(SECRET_FRAGMENT_LENGTH, n * 4))}...' for column \`app\`.\`t\`.\`latin\``,
	(s, n) => `invalid input syntax for type json (Token "${cut(s, n)}" is invalid.)`,
	(s) => `bind failed: ${s}`,
];

function expectGone(out: string, secret: string): void {
	expect(out).not.toContain(secret);
	for (const form of forms(secret)) {
		for (let i = 0; i + SECRET_FRAGMENT_LENGTH <= form.length; i++) {
			const fragment = form.slice(i, i + SECRET_FRAGMENT_LENGTH);
			if (out.includes(fragment)) throw new Error(`"${fragment}" of the secret survived in: ${out}`);
		}
	}
}

describe('scrubbing secrets out of messages (property, fixed seed)', () => {
	test('a secret of at least MIN_SECRET_LENGTH characters is gone, in every echo, whole or cut short', () => {
		fc.assert(
			fc.property(
				secretText(MIN_SECRET_LENGTH, 200).filter((s) => [...s].length >= MIN_SECRET_LENGTH),
				fc.nat(ECHOES.length - 1),
				fc.integer({ min: 0, max: 200 }),
				(secret, which, at) => {
					const length = [...secret].length;
					const n = Math.min(length, MIN_SECRET_LENGTH + (at % Math.max(1, length - MIN_SECRET_LENGTH + 1)));
					const message = ECHOES[which](secret, Math.max(n, Math.min(length, SECRET_FRAGMENT_LENGTH)));
					const out = scrubSecrets(message, ['unrelated-pw', secret]);
					expectGone(out, secret);
					expect(out).toContain(REDACTED);
					expect(out).not.toContain(`${REDACTED}${REDACTED}`);
					expect(scrubSecrets(out, [secret])).toBe(out);
				},
			),
			{ seed: SEED, numRuns: RUNS },
		);
	});

	test('a short secret (1 to 3 characters, counted as code points) is removed where a message quotes it whole, and nowhere else', () => {
		fc.assert(
			fc.property(
				secretText(1, MIN_SECRET_LENGTH - 1).filter((s) => [...s].length < MIN_SECRET_LENGTH),
				(secret) => {
					const quoted = scrubSecrets(`Incorrect integer value: '${secret}' for column 'badge'`, [secret]);
					expect(quoted).toBe(`Incorrect integer value: '${REDACTED}' for column 'badge'`);
					// Anything so short is in ordinary words and numbers: those stay readable.
					const prose = `Data too long for column short_code${secret}x at row 1`;
					expect(scrubSecrets(prose, [secret])).toBe(prose);
				},
			),
			{ seed: SEED, numRuns: RUNS },
		);
	});

	test('a message that holds none of the secret is unchanged', () => {
		const words = fc.constantFrom(
			'Data',
			'too',
			'long',
			'for',
			'column',
			"'short_code'",
			'at',
			'row',
			'1',
			'(id)=(42)',
			'"users_pkey"',
			'`app`.`t`',
		);
		fc.assert(
			fc.property(fc.array(words, { minLength: 1, maxLength: 12 }), secretText(1, 60), (parts, secret) => {
				const message = parts.join(' ');
				const echoed = forms(secret).some((f) =>
					[...Array(Math.max(0, f.length - MIN_SECRET_LENGTH + 1)).keys()].some((i) => message.includes(f.slice(i, i + MIN_SECRET_LENGTH))),
				);
				const quotedWhole = [`'${secret}'`, `"${secret}"`, `(${secret})`, `\`${secret}\``].some((q) => message.includes(q));
				fc.pre(!echoed && !quotedWhole);
				expect(scrubSecrets(message, [secret])).toBe(message);
			}),
			{ seed: SEED, numRuns: RUNS },
		);
	});
});

describe('what counts as an item’s secret', () => {
	test('secret names, names the envelope’s redact list adds (Redact() outputs) and secret match keys; scalars inside lists and objects', () => {
		expect(
			secretValues({
				attributes: { userName: 'ada', nickName: 'Nick-1', pins: [1234, 5678], title: 'Analyst' },
				createOnly: { password: 'Pw-1', apiToken: { value: 'tok-1' } },
				matchKeys: [
					{ attribute: 'userName', value: 'ada' },
					{ attribute: 'nickName', value: 'Nick-1' },
				],
				redact: ['nickName', 'pins'],
			}).sort(),
		).toEqual(['1234', '5678', 'Nick-1', 'Pw-1', 'tok-1']);
	});

	test('an error keeps its code, field and transience; only the message changes, and only when it held a secret', () => {
		const error = new ProvisioningError('TargetRejected', "Incorrect integer value: 'Pw-123456789' for column 'badge'", {
			field: 'badge',
			targetStatus: 1366,
		});
		const scrubbed = scrubError(error, ['Pw-123456789']);
		expect(scrubbed).toMatchObject({ code: 'TargetRejected', field: 'badge', targetStatus: 1366, transient: false });
		expect(scrubbed.message).toBe(`Incorrect integer value: '${REDACTED}' for column 'badge'`);
		expect(scrubError(error, ['unrelated'])).toBe(error);
	});
});
