/** fast-check generators shared by the property tests. */
import fc from 'fast-check';

/** DN attribute values, built mostly from the characters that matter to DN syntax (RFC 4514), plus any unicode. */
export const dnValue = fc
	.array(
		fc.oneof(
			{ weight: 4, arbitrary: fc.constantFrom(' ', '#', '\\', ',', '+', '"', '<', '>', ';', '=', '\0', 'a', 'B', '2', 'é', '\u00a0') },
			{ weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 2 }) },
		),
		{ minLength: 1, maxLength: 12 },
	)
	.map((parts) => parts.join(''));
