/** A value marked Redact() never appears in a Map Attributes error, whichever function fails on it. */
import { compileMapping } from '../../lib/mapping/mapping';

const SECRET = 'S3cret-Value-9917';

describe('Map Attributes: Redact() values stay out of error messages', () => {
	test.each([
		['CDate(Redact([x]))'],
		['FormatDateTime(Redact([x]), , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")'],
		['CDate(Join(",", Redact([x]), "a"))'],
	])('%s failing on the secret', (expression) => {
		const map = compileMapping([{ target: 'out', type: 'expression', expression }]);
		let message = '';
		try {
			map({ x: SECRET });
		} catch (error) {
			message = (error as Error).message;
		}
		expect(message).not.toBe('');
		expect(message).not.toContain(SECRET);
	});

	test('an error about another, unmarked value still names it', () => {
		const map = compileMapping([{ target: 'out', type: 'expression', expression: 'CDate([x])' }]);
		expect(() => map({ x: 'banana' })).toThrow(/banana/);
	});
});
