/** The small RFC 4180 reader behind `npm run csv2bulk` (no CSV parser is installed). */
import fc from 'fast-check';
import { CsvError, parseCsv } from '../../dev/hr/csv';

test('fields, quoted fields with commas, doubled quotes and line breaks; CRLF, LF and CR records', () => {
	const text = 'id,name,title\r\n1,"Saldaña, Zoë","Says ""hi"""\n2,Ada,"two\r\nlines"\r3,,last';
	expect(parseCsv(text)).toEqual([
		['id', 'name', 'title'],
		['1', 'Saldaña, Zoë', 'Says "hi"'],
		['2', 'Ada', 'two\r\nlines'],
		['3', '', 'last'],
	]);
});

test('a UTF-8 byte order mark is dropped; empty lines are skipped; a final line break adds no record', () => {
	expect(parseCsv('\uFEFFa,b\r\n\r\n1,2\n\n\n3,4\r\n')).toEqual([
		['a', 'b'],
		['1', '2'],
		['3', '4'],
	]);
	expect(parseCsv('')).toEqual([]);
	// A line of separators is a record of empty fields, not an empty line.
	expect(parseCsv('a,b\n,\n')).toEqual([
		['a', 'b'],
		['', ''],
	]);
});

test('an unterminated quote, text after a closing quote and a quote inside an unquoted field are refused with the line', () => {
	expect(() => parseCsv('a,b\n1,"open\n')).toThrow(new CsvError('Line 2: a quoted field is not closed', 2));
	expect(() => parseCsv('a,b\n1,"x"y\n')).toThrow(/^Line 2: .*after the closing quote/);
	expect(() => parseCsv('a,b\r\n\r\n1,x"y\n')).toThrow(/^Line 3: .*quote inside an unquoted field/);
});

test('limits: bytes, records and fields per record', () => {
	expect(() => parseCsv('a,b\n1,2\n', { maxBytes: 4 })).toThrow(/larger than 4 bytes/);
	expect(() => parseCsv('a\n1\n2\n3\n', { maxRecords: 3 })).toThrow(/more than 3 records/);
	expect(() => parseCsv('a,b,c\n', { maxFields: 2 })).toThrow(/Line 1: more than 2 fields/);
});

test('property: any table written the RFC 4180 way reads back the same (seed 20240620)', () => {
	const field = fc.string({ unit: fc.constantFrom('a', 'ë', ',', '"', '\r', '\n', ' ', 'x') });
	// Two fields at least: a record of one empty field is an empty line, which the reader skips.
	const table = fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 8 });
	const quote = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
	fc.assert(
		fc.property(table, fc.constantFrom('\r\n', '\n'), (rows, eol) => {
			expect(parseCsv(rows.map((r) => r.map(quote).join(',')).join(eol) + eol)).toEqual(rows);
		}),
		{ seed: 20240620, numRuns: 300 },
	);
});
