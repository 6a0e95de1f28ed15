/**
 * `npm run csv2bulk -- <file.csv> [--mapping <file.json>] [--out <folder>] [--max-operations <n>]`: HR records → Entra
 * /bulkUpload requests (SCIM BulkRequests of at most 50 POST /Users operations). The mapping defaults to
 * csv2bulk.mapping.json next to the CSV. One request goes to stdout; with --out, each request goes to its own file
 * (bulk-001.json, …), ready for `curl --data-binary @file`.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CSV_LIMITS } from '../dev/hr/csv';
import { csvToBulkRequests, parseBulkMapping } from '../dev/hr/csv2bulk';

function main(): void {
	const { values, positionals } = parseArgs({
		allowPositionals: true,
		options: { mapping: { type: 'string' }, out: { type: 'string' }, 'max-operations': { type: 'string' } },
	});
	const [csvFile] = positionals;
	if (!csvFile || positionals.length > 1) {
		throw new Error('Usage: npm run csv2bulk -- <file.csv> [--mapping <file.json>] [--out <folder>] [--max-operations <n>]');
	}
	// Checked before reading, so a huge file is refused without loading it.
	if (statSync(csvFile).size > DEFAULT_CSV_LIMITS.maxBytes)
		throw new Error(`${csvFile} is larger than ${DEFAULT_CSV_LIMITS.maxBytes} bytes`);
	const mappingFile = values.mapping ?? join(dirname(csvFile), 'csv2bulk.mapping.json');
	const mapping = parseBulkMapping(JSON.parse(readFileSync(mappingFile, 'utf8')));
	const maxOperations = values['max-operations'] === undefined ? undefined : Number(values['max-operations']);
	const { requests, warnings } = csvToBulkRequests(readFileSync(csvFile, 'utf8'), mapping, { maxOperations });
	for (const warning of warnings) console.error(`Warning: ${warning}`);
	const records = requests.reduce((n, r) => n + r.Operations.length, 0);

	if (!values.out) {
		if (requests.length > 1)
			throw new Error(`${records} records make ${requests.length} requests: give --out <folder> to write one file each`);
		process.stdout.write(`${JSON.stringify(requests[0] ?? { schemas: [], Operations: [] }, null, 2)}\n`);
		return;
	}
	mkdirSync(values.out, { recursive: true });
	const width = Math.max(3, String(requests.length).length);
	requests.forEach((request, i) => {
		const file = join(values.out!, `bulk-${String(i + 1).padStart(width, '0')}.json`);
		writeFileSync(file, `${JSON.stringify(request, null, 2)}\n`);
		console.error(`${file}: ${request.Operations.length} operations`);
	});
	console.error(`${records} records in ${requests.length} request${requests.length === 1 ? '' : 's'}.`);
}

try {
	main();
} catch (error) {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
}
