/**
 * The target's schema as the editor's load methods see it: the node's chosen credential and target settings, read
 * from the parameters the editor sends, turned into one schema read, kept in a short-lived cache.
 *
 * The cache is in-process state used only by these editor load methods (n8n calls them whenever a panel opens
 * and once per mapping row); executions never read it. Keys are digests of the credential and settings.
 */
import { type ICredentialDataDecryptedObject, type ILoadOptionsFunctions, NodeOperationError } from 'n8n-workflow';
import type { TargetAttributeList } from '../../lib/targets/attributeSchema';
import type { SchemaKind } from '../../lib/targets/attributeCheck';
import type { LdapFlavour } from '../../lib/ldap/flavours';
import { LdapConnection } from '../../lib/targets/ldap/connection';
import { defaultObjectClasses, objectClassesInFilter, readLdapAttributes } from '../../lib/targets/ldap/ldapSchemaReader';
import { SchemaCache } from '../../lib/targets/schemaCache';
import { readScimAttributes } from '../../lib/targets/scim/scimSchemaReader';
import { SqlConnection } from '../../lib/targets/sql/sqlConnection';
import type { SqlUserTableSettings } from '../../lib/targets/sql/sqlLayout';
import { readSqlAttributes } from '../../lib/targets/sql/sqlSchemaReader';
import { ldapConnectionFromCredentials, scimClientFromCredentials } from './targets';
import { SQL_CREDENTIAL, sqlConnectionFromCredentials } from './sqlSettings';

const CREDENTIALS: Record<SchemaKind, string> = { scim: 'scimTargetApi', ldap: 'ldapDirectoryApi', sql: SQL_CREDENTIAL };

/** One listing per credential and settings for a minute: one schema read per open of a panel at most. */
export const schemaCache = new SchemaCache<TargetAttributeList>({ ttlMs: 60_000, maxEntries: 50 });

/** A parameter's plain text: a string as it is, a resource locator's value, anything else empty. */
export function plainText(value: unknown): string {
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number') return String(value);
	if (value && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, 'value')) {
		return plainText((value as { value: unknown }).value);
	}
	return '';
}

/** Rows of a fixedCollection as the editor sends them: {collection: {row: [...]}}. */
export function rowsOf(ctx: ILoadOptionsFunctions, collection: string, row: string): Array<Record<string, unknown>> {
	const value = ctx.getCurrentNodeParameter(collection) as Record<string, unknown> | undefined;
	const rows = value && typeof value === 'object' ? value[row] : undefined;
	return Array.isArray(rows) ? rows.filter((r) => r && typeof r === 'object') : [];
}

/** The object classes a value of an objectClass row names: "top,person,inetOrgPerson" or Split("top,person", ","). */
export function objectClassesInValue(value: unknown): string[] {
	if (Array.isArray(value)) return value.map(String);
	let text = typeof value === 'string' ? value.trim() : '';
	if (text.startsWith('=')) return [];
	const split = /^split\s*\(\s*"([^"]*)"/i.exec(text);
	if (split) text = split[1];
	return text
		.split(/[\s,]+/)
		.map((c) => c.trim())
		.filter((c) => /^[A-Za-z][\w-]{0,127}$/.test(c));
}

export interface SchemaSettings {
	/** LDAP: the object classes whose attributes are listed. */
	objectClasses?: string[];
	/** SQL: the users table and the node's column settings. */
	sql?: SqlUserTableSettings;
}

/** The node's SQL table settings, read from the editor's parameters (a table may be text or a picked resource). */
export function sqlSettingsFrom(ctx: ILoadOptionsFunctions): SqlUserTableSettings {
	const text = (name: string) => plainText(ctx.getCurrentNodeParameter(name));
	const state = (ctx.getCurrentNodeParameter('sqlAccountState') ?? {}) as Record<string, unknown>;
	return {
		table: text('sqlTable') || 'users',
		keyColumn: text('sqlKeyColumn') || 'id',
		columns: rowsOf(ctx, 'sqlColumns', 'mapping').map((r) => ({ attribute: plainText(r.attribute), column: plainText(r.column) })),
		multiValued: rowsOf(ctx, 'sqlMultiValued', 'attribute').map((r) => ({
			attribute: plainText(r.attribute),
			table: plainText(r.table),
			userKeyColumn: plainText(r.userKeyColumn),
			valueColumn: plainText(r.valueColumn),
			column: plainText(r.column),
		})),
		activeColumn: plainText(state.activeColumn) || undefined,
		softDeleteColumn: plainText(state.softDeleteColumn) || undefined,
	};
}

/** The LDAP object classes: those an objectClass row writes, else the object filter's, else the flavour's default. */
export function ldapObjectClasses(rowValues: unknown[], objectFilter: string, flavour: LdapFlavour): string[] {
	const fromRows = [...new Set(rowValues.flatMap(objectClassesInValue))];
	if (fromRows.length) return fromRows;
	const fromFilter = objectClassesInFilter(objectFilter);
	return fromFilter.length ? fromFilter : defaultObjectClasses(flavour);
}

async function readList(
	kind: SchemaKind,
	credentials: ICredentialDataDecryptedObject,
	settings: SchemaSettings,
): Promise<TargetAttributeList> {
	if (kind === 'scim') return readScimAttributes(scimClientFromCredentials(credentials, { maxRetries: 1 }));
	if (kind === 'ldap') {
		const connection = new LdapConnection(ldapConnectionFromCredentials(credentials));
		try {
			const flavour = (String(credentials.flavour ?? '') || 'openldap') as LdapFlavour;
			return await readLdapAttributes(connection, settings.objectClasses ?? defaultObjectClasses(flavour), flavour);
		} finally {
			await connection.close();
		}
	}
	const connection = new SqlConnection({ ...sqlConnectionFromCredentials(credentials), poolSize: 1 });
	try {
		return await readSqlAttributes(connection, settings.sql ?? { table: 'users', keyColumn: 'id' });
	} finally {
		await connection.close();
	}
}

/** The node's target kind, or undefined when it has none (Map Attributes without a target). */
export function targetKindOf(ctx: ILoadOptionsFunctions): SchemaKind | undefined {
	const kind = ctx.getCurrentNodeParameter('target');
	return kind === 'scim' || kind === 'ldap' || kind === 'sql' ? kind : undefined;
}

/** The flavour of the node's LDAP credential. */
export async function ldapFlavourOf(ctx: ILoadOptionsFunctions): Promise<LdapFlavour> {
	const credentials = await ctx.getCredentials(CREDENTIALS.ldap);
	return (String(credentials.flavour ?? '') || 'openldap') as LdapFlavour;
}

/** The target's attribute list for the editor, from the cache or one schema read; failures name the target's problem. */
export async function targetAttributeList(
	ctx: ILoadOptionsFunctions,
	kind: SchemaKind,
	settings: SchemaSettings,
): Promise<TargetAttributeList> {
	const credentials = await ctx.getCredentials(CREDENTIALS[kind]);
	try {
		return await schemaCache.get({ kind, credentials, settings }, () => readList(kind, credentials, settings));
	} catch (error) {
		// The targets' errors are already scrubbed of secrets; the editor shows this message on the parameter.
		throw new NodeOperationError(ctx.getNode(), `The target's schema could not be read: ${(error as Error).message}`);
	}
}
