import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';
import { ProvisioningError } from '../../lib/errors';
import { parseJson } from '../../lib/util';
import type { LdapFlavour, UacFlags } from '../../lib/ldap/flavours';
import { type ScimAuth, ScimClient } from '../../lib/scim/client';
import {
	type LdapConnectionOptions,
	type LdapGroupOptions,
	LdapTarget,
	type LdapTargetOptions,
	type OpenLdapDisableMethod,
} from '../../lib/targets/ldap/ldapTarget';
import { ScimTarget } from '../../lib/targets/scim/scimTarget';
import type { Target } from '../../lib/targets/target';
import { locatorText } from './pickers';
import { readSqlSettings, type SqlSettings, SQL_CREDENTIAL, sqlTargetFromCredentials } from './sqlSettings';

export const SCIM_CREDENTIAL = 'scimTargetApi';
export const LDAP_CREDENTIAL = 'ldapDirectoryApi';
export { SQL_CREDENTIAL } from './sqlSettings';

export type TargetKind = 'scim' | 'ldap' | 'sql';

/** Node-level settings of a target (the credential holds the connection). */
export interface TargetSettings {
	dnTemplate?: string;
	/** LDAP: the DN new entries are placed in (version 3's picker); the DN template names the part before it. */
	newEntryContainer?: string;
	searchBase?: string;
	objectFilter?: string;
	openLdapDisable?: OpenLdapDisableMethod;
	groups?: LdapGroupOptions;
	/** LDAP: the DN template applies on updates too (entries move). */
	moveEntries?: boolean;
	/** LDAP: who makes DN references follow a moved entry. */
	dnReferences?: LdapTargetOptions['dnReferences'];
	/** LDAP (Active Directory): new accounts must change their password at next logon. */
	mustChangePassword?: boolean;
	/** LDAP (Active Directory): userAccountControl flags set and cleared by Provision User. */
	uacFlags?: UacFlags;
	/** LDAP attribute or SCIM path a disable stamps with its time (delayed deletion); empty: the target's default. */
	disabledTimeAttribute?: string;
	/** The SQL tables (SQL targets). */
	sql?: SqlSettings;
}

const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));

function extraHeaders(raw: unknown): Record<string, string> {
	if (raw === undefined || raw === null || raw === '') return {};
	const parsed = typeof raw === 'string' ? parseJson(raw) : raw;
	if (parsed === undefined) {
		throw new ProvisioningError('Configuration', 'The credential\'s "Extra Headers" is not valid JSON', { field: 'extraHeaders' });
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new ProvisioningError('Configuration', 'The credential\'s "Extra Headers" must be a JSON object', { field: 'extraHeaders' });
	}
	return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
}

function scimAuth(c: ICredentialDataDecryptedObject): ScimAuth {
	switch (c.authentication) {
		case 'basic':
			return { type: 'basic', username: text(c.username), password: text(c.password) };
		case 'oauth2ClientCredentials':
			return {
				type: 'oauth2ClientCredentials',
				tokenUrl: text(c.tokenUrl),
				clientId: text(c.clientId),
				clientSecret: text(c.clientSecret),
				scope: text(c.scope) || undefined,
			};
		case 'header':
			if (!text(c.headerName))
				throw new ProvisioningError('Configuration', 'The credential uses a custom header but has no header name', { field: 'headerName' });
			return { type: 'header', name: text(c.headerName), value: text(c.headerValue) };
		case 'none':
			return { type: 'none' };
		default:
			return { type: 'bearer', token: text(c.token) };
	}
}

export function scimClientFromCredentials(c: ICredentialDataDecryptedObject, overrides: { maxRetries?: number } = {}): ScimClient {
	return new ScimClient({
		baseUrl: text(c.baseUrl),
		auth: scimAuth(c),
		headers: extraHeaders(c.extraHeaders),
		timeoutMs: Number(c.timeoutMs) || 30000,
		...overrides,
	});
}

export function ldapConnectionFromCredentials(c: ICredentialDataDecryptedObject): LdapConnectionOptions {
	return {
		urls: text(c.urls)
			.split(/[\s,]+/)
			.filter(Boolean),
		startTls: c.startTls === true,
		caCertificate: text(c.caCertificate) || undefined,
		allowSelfSigned: c.allowSelfSigned === true,
		bindDn: text(c.bindDn),
		bindPassword: text(c.bindPassword),
		connectTimeoutMs: Number(c.connectTimeoutMs) || 10000,
		timeoutMs: Number(c.timeoutMs) || 30000,
	};
}

export function ldapTargetFromCredentials(credentials: ICredentialDataDecryptedObject, settings: TargetSettings = {}): LdapTarget {
	const baseDn = text(credentials.baseDn);
	if (!baseDn) throw new ProvisioningError('Configuration', 'The LDAP credential has no base DN', { field: 'baseDn' });
	return new LdapTarget({
		connection: ldapConnectionFromCredentials(credentials),
		flavour: (text(credentials.flavour) || 'openldap') as LdapFlavour,
		baseDn,
		searchBase: settings.searchBase || undefined,
		objectFilter: settings.objectFilter || undefined,
		dnTemplate: settings.dnTemplate || undefined,
		newEntryContainer: settings.newEntryContainer || undefined,
		openLdapDisable: settings.openLdapDisable,
		groups: settings.groups,
		moveEntries: settings.moveEntries,
		dnReferences: settings.dnReferences,
		mustChangePassword: settings.mustChangePassword,
		disabledTimeAttribute: settings.disabledTimeAttribute || undefined,
		uacFlags: settings.uacFlags,
	});
}

/** Turns the node's chosen credential into a Target; configuration errors surface as ProvisioningError. */
export async function targetFromCredentials(ctx: IExecuteFunctions, kind: TargetKind, settings: TargetSettings = {}): Promise<Target> {
	if (kind === 'scim') {
		const client = scimClientFromCredentials(await ctx.getCredentials(SCIM_CREDENTIAL));
		return new ScimTarget(client, { disabledTimeAttribute: settings.disabledTimeAttribute || undefined });
	}
	if (kind === 'sql') return sqlTargetFromCredentials(await ctx.getCredentials(SQL_CREDENTIAL), settings.sql);
	return ldapTargetFromCredentials(await ctx.getCredentials(LDAP_CREDENTIAL), settings);
}

/** Reads the node's LDAP settings, which show only for LDAP targets, or its SQL table settings. */
export function targetSettings(
	ctx: IExecuteFunctions,
	kind: TargetKind,
	names: Array<'dnTemplate' | 'newEntryContainer' | 'searchBase' | 'objectFilter'>,
): TargetSettings {
	if (kind === 'sql') return { sql: readSqlSettings(ctx) };
	if (kind !== 'ldap') return {};
	return Object.fromEntries(names.map((name) => [name, locatorText(ctx.getNodeParameter(name, 0, ''))]));
}
