/**
 * HR records in a CSV → the requests an Entra API-driven inbound client posts to /bulkUpload (SCIM BulkRequests of
 * POST /Users operations, each with a bulkId), as Microsoft's CSV2SCIM sample builds them: mapped columns go into
 * core and enterprise attributes, and every column goes as it is into a custom extension schema.
 */
import { randomUUID } from 'node:crypto';
import { parseScimPath, writeScimPath } from '../../lib/scim/path';
import { RESERVED_KEYS } from '../../lib/util';
import { type CsvLimits, readCsv } from './csv';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
/** Entra's /bulkUpload takes at most 50 operations a request. */
export const ENTRA_MAX_OPERATIONS = 50;
const MAX_OPERATIONS = 1000;
/** RFC 7643 §2.1: ATTRNAME = ALPHA *(nameChar); nameChar = "-" / "_" / DIGIT / ALPHA. */
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

export interface BulkMapping {
	/** The schema every column is sent under as it is (CSV2SCIM's ScimSchemaNamespace); none: only mapped columns. */
	customExtension?: string;
	/** SCIM attribute path (`name.givenName`, `urn:…:enterprise:2.0:User:manager.value`) → CSV column. */
	attributes: Record<string, string>;
	/** `active` is true when this column holds one of these values (ignoring case). */
	active?: { column: string; activeValues: string[] };
}

export interface BulkOperation {
	method: 'POST';
	bulkId: string;
	path: '/Users';
	data: Record<string, unknown>;
}

export interface BulkRequest {
	schemas: string[];
	Operations: BulkOperation[];
}

export interface BulkOptions {
	maxOperations?: number;
	newId?: () => string;
	limits?: Partial<CsvLimits>;
}

const invalidMapping = (why: string) => new Error(`Invalid mapping: ${why}`);

/** Checks a mapping file's content; paths are parsed here so that a bad one fails before any record. */
export function parseBulkMapping(json: unknown): BulkMapping {
	if (!json || typeof json !== 'object' || Array.isArray(json)) throw invalidMapping('expected an object');
	const raw = json as Record<string, unknown>;
	const attributes = raw.attributes;
	if (!attributes || typeof attributes !== 'object' || Array.isArray(attributes)) throw invalidMapping('"attributes" must be an object');
	const mapping: BulkMapping = { attributes: {} };
	for (const [path, column] of Object.entries(attributes)) {
		if (typeof column !== 'string' || !column) throw invalidMapping(`"${path}" needs a column name`);
		parseScimPath(path);
		Object.defineProperty(mapping.attributes, path, { value: column, enumerable: true });
	}
	if (raw.customExtension !== undefined) {
		if (typeof raw.customExtension !== 'string' || !/^urn:[^\s]+$/i.test(raw.customExtension))
			throw invalidMapping('"customExtension" must be a schema URN (urn:…)');
		mapping.customExtension = raw.customExtension;
	}
	if (raw.active !== undefined) {
		const active = raw.active as { column?: unknown; activeValues?: unknown };
		if (
			typeof active?.column !== 'string' ||
			!Array.isArray(active.activeValues) ||
			!active.activeValues.every((v) => typeof v === 'string')
		)
			throw invalidMapping('"active" needs a "column" and a list of "activeValues"');
		mapping.active = { column: active.column, activeValues: active.activeValues as string[] };
	}
	return mapping;
}

/** The schemas a record's data names: core, then the extensions the mapping writes, then the custom extension. */
function schemasOf(mapping: BulkMapping): string[] {
	const extensions = Object.keys(mapping.attributes)
		.map((path) => parseScimPath(path).schema)
		.filter((s): s is string => !!s);
	return [...new Set([CORE_USER, ...extensions, ...(mapping.customExtension ? [mapping.customExtension] : [])])];
}

export function csvToBulkRequests(
	csv: string,
	mapping: BulkMapping,
	options: BulkOptions = {},
): { requests: BulkRequest[]; warnings: string[] } {
	const maxOperations = options.maxOperations ?? ENTRA_MAX_OPERATIONS;
	if (!Number.isInteger(maxOperations) || maxOperations < 1 || maxOperations > MAX_OPERATIONS)
		throw new Error(`The operations a request must be between 1 and ${MAX_OPERATIONS}`);
	const newId = options.newId ?? randomUUID;
	const {
		records: [header = [], ...records],
		lines,
	} = readCsv(csv, options.limits);
	const columns = new Map<string, number>();
	header.forEach((name, index) => {
		const column = name.trim();
		if (columns.has(column)) throw new Error(`Line 1: the header names the column "${column}" twice`);
		columns.set(column, index);
	});
	const needed = [...Object.values(mapping.attributes), ...(mapping.active ? [mapping.active.column] : [])];
	const missing = [...new Set(needed.filter((c) => !columns.has(c)))];
	if (missing.length) throw new Error(`The CSV has no column ${missing.map((c) => `"${c}"`).join(', ')}`);
	// Columns that are not SCIM attribute names (or would name an object's prototype) stay out of the extension.
	const extensionColumns = [...columns].filter(([name]) => ATTRIBUTE_NAME.test(name) && !RESERVED_KEYS.has(name));
	const skipped = [...columns.keys()].filter((name) => !extensionColumns.some(([kept]) => kept === name));
	const warnings =
		mapping.customExtension && skipped.length
			? [`Columns ${skipped.map((c) => `"${c}"`).join(', ')} are not SCIM attribute names: left out of ${mapping.customExtension}`]
			: [];
	const schemas = schemasOf(mapping);
	const activeValues = new Set(mapping.active?.activeValues.map((v) => v.trim().toLowerCase()));
	const bulkIds = new Set<string>();

	const operations: BulkOperation[] = [];
	records.forEach((record, n) => {
		if (record.every((field) => field.trim() === '')) return;
		if (record.length !== header.length) throw new Error(`Line ${lines[n + 1]}: ${record.length} fields, the header has ${header.length}`);
		const cell = (column: string) => record[columns.get(column)!].trim();
		const data: Record<string, unknown> = { schemas: [...schemas] };
		for (const [path, column] of Object.entries(mapping.attributes)) {
			const value = cell(column);
			if (value !== '') writeScimPath(data, path, value);
		}
		if (mapping.active) data.active = activeValues.has(cell(mapping.active.column).toLowerCase());
		if (mapping.customExtension) {
			// Every column as it is, after the mapped attributes (which may have written into this schema too).
			const extension: Record<string, string> = {};
			for (const [name, index] of extensionColumns) extension[name] = record[index].trim();
			const mapped = data[mapping.customExtension];
			data[mapping.customExtension] = mapped && typeof mapped === 'object' ? Object.assign(extension, mapped) : extension;
		}
		const bulkId = newId();
		if (bulkIds.has(bulkId)) throw new Error(`The id generator gave bulkId "${bulkId}" twice`);
		bulkIds.add(bulkId);
		operations.push({ method: 'POST', bulkId, path: '/Users', data });
	});

	const requests: BulkRequest[] = [];
	for (let i = 0; i < operations.length; i += maxOperations)
		requests.push({ schemas: [BULK_REQUEST], Operations: operations.slice(i, i + maxOperations) });
	return { requests, warnings };
}
