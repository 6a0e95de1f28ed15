/**
 * A small RFC 4180 reader for HR exports (no CSV parser is among the project's packages): quoted fields with commas,
 * doubled quotes and line breaks; CRLF, LF or CR between records; a UTF-8 byte order mark dropped; empty lines
 * skipped. Anything else malformed is refused with its line number rather than guessed at.
 */

export interface CsvLimits {
	maxBytes: number;
	maxRecords: number;
	maxFields: number;
}

/** Generous for an HR export (tens of thousands of workers), small enough to read into memory. */
export const DEFAULT_CSV_LIMITS: CsvLimits = { maxBytes: 20 * 1024 * 1024, maxRecords: 100_000, maxFields: 500 };

export class CsvError extends Error {
	constructor(
		message: string,
		readonly line: number,
	) {
		super(message);
		this.name = 'CsvError';
	}
}

export function parseCsv(input: string, limits: Partial<CsvLimits> = {}): string[][] {
	return readCsv(input, limits).records;
}

/** The records, and the line each starts on (for messages about a record). */
export function readCsv(input: string, limits: Partial<CsvLimits> = {}): { records: string[][]; lines: number[] } {
	const { maxBytes, maxRecords, maxFields } = { ...DEFAULT_CSV_LIMITS, ...limits };
	if (Buffer.byteLength(input, 'utf8') > maxBytes) throw new CsvError(`The CSV is larger than ${maxBytes} bytes`, 0);
	const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
	const records: string[][] = [];
	const lines: number[] = [];
	let record: string[] = [];
	let line = 1;
	/** The line the current record started on, for errors about it. */
	let recordLine = 1;
	let i = 0;
	const fail = (message: string, at = line) => {
		throw new CsvError(`Line ${at}: ${message}`, at);
	};
	const isBreak = (ch: string | undefined) => ch === '\r' || ch === '\n';
	/** Past one line break (CRLF counts once). */
	const skipBreak = () => {
		i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
		line++;
	};
	const endRecord = () => {
		if (records.length >= maxRecords) fail(`more than ${maxRecords} records`, recordLine);
		records.push(record);
		lines.push(recordLine);
		record = [];
	};
	const pushField = (value: string) => {
		if (record.length >= maxFields) fail(`more than ${maxFields} fields`, recordLine);
		record.push(value);
	};

	while (i < text.length) {
		if (record.length === 0 && isBreak(text[i])) {
			// An empty line: no record at all.
			skipBreak();
			recordLine = line;
			continue;
		}
		let value = '';
		if (text[i] === '"') {
			const opened = line;
			i++;
			for (;;) {
				if (i >= text.length) fail('a quoted field is not closed', opened);
				const ch = text[i];
				if (ch === '"') {
					if (text[i + 1] === '"') {
						value += '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
				value += ch;
				i++;
			}
			if (i < text.length && text[i] !== ',' && !isBreak(text[i]))
				fail('text after the closing quote of a field (quote it all, doubling inner quotes)');
		} else {
			const start = i;
			while (i < text.length && text[i] !== ',' && !isBreak(text[i])) {
				if (text[i] === '"') fail('a quote inside an unquoted field (quote the field and double the quote)');
				i++;
			}
			value = text.slice(start, i);
		}
		pushField(value);
		if (text[i] === ',') {
			i++;
			// A separator at the very end still ends a field: "a," is two fields.
			if (i >= text.length || isBreak(text[i])) pushField('');
			else continue;
		}
		if (i < text.length) skipBreak();
		endRecord();
		recordLine = line;
	}
	return { records, lines };
}
