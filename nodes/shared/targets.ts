import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';
import { ProvisioningError } from '../../lib/errors';
import type { LdapFlavour } from '../../lib/ldap/flavours';
import { type ScimAuth, ScimClient } from '../../lib/scim/client';
import type { GroupTarget } from '../../lib/targets/groups';
import { type LdapConnectionOptions, type LdapGroupOptions, LdapTarget, type OpenLdapDisableMethod } from '../../lib/targets/ldapTarget';
import { ScimTarget } from '../../lib/targets/scimTarget';
import type { Target } from '../../lib/targets/target';

export const SCIM_CREDENTIAL = 'scimTargetApi';
export const LDAP_CREDENTIAL = 'ldapDirectoryApi';

const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));

function extraHeaders(raw: unknown): Record<string, string> {
	if (raw === undefined || raw === null || raw === '') return {};
	let parsed = raw;
	if (typeof raw === 'string') {
		try {
			parsed = JSON.parse(raw);
		} catch {
			throw new ProvisioningError('Configuration', 'The credential\'s "Extra Headers" is not valid JSON', { field: 'extraHeaders' });
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new ProvisioningError('Configuration', 'The credential\'s "Extra Headers" must be a JSON object', { field: 'extraHeaders' });
	}
	return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
}

export function scimClientFromCredentials(c: ICredentialDataDecryptedObject, overrides: { maxRetries?: number } = {}): ScimClient {
	let auth: ScimAuth;
	switch (c.authentication) {
		case 'basic':
			auth = { type: 'basic', username: text(c.username), password: text(c.password) };
			break;
		case 'oauth2ClientCredentials':
			auth = { type: 'oauth2ClientCredentials', tokenUrl: text(c.tokenUrl), clientId: text(c.clientId), clientSecret: text(c.clientSecret), scope: text(c.scope) || undefined };
			break;
		case 'header':
			if (!text(c.headerName)) throw new ProvisioningError('Configuration', 'The credential uses a custom header but has no header name', { field: 'headerName' });
			auth = { type: 'header', name: text(c.headerName), value: text(c.headerValue) };
			break;
		case 'none':
			auth = { type: 'none' };
			break;
		default:
			auth = { type: 'bearer', token: text(c.token) };
	}
	return new ScimClient({
		baseUrl: text(c.baseUrl),
		auth,
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

export interface LdapNodeSettings {
	dnTemplate?: string;
	searchBase?: string;
	objectFilter?: string;
	openLdapDisable?: OpenLdapDisableMethod;
	groups?: LdapGroupOptions;
}

export type TargetKind = 'scim' | 'ldap';

/** Turns the node's chosen credential into a Target; configuration errors surface as ProvisioningError. */
export async function targetFromCredentials(ctx: IExecuteFunctions, kind: TargetKind, ldap: LdapNodeSettings = {}): Promise<Target & GroupTarget> {
	if (kind === 'scim') {
		const credentials = await ctx.getCredentials(SCIM_CREDENTIAL);
		return new ScimTarget(scimClientFromCredentials(credentials));
	}
	const credentials = await ctx.getCredentials(LDAP_CREDENTIAL);
	const baseDn = text(credentials.baseDn);
	if (!baseDn) throw new ProvisioningError('Configuration', 'The LDAP credential has no base DN', { field: 'baseDn' });
	return new LdapTarget({
		connection: ldapConnectionFromCredentials(credentials),
		flavour: (text(credentials.flavour) || 'openldap') as LdapFlavour,
		baseDn,
		searchBase: ldap.searchBase || undefined,
		objectFilter: ldap.objectFilter || undefined,
		dnTemplate: ldap.dnTemplate || undefined,
		openLdapDisable: ldap.openLdapDisable,
		groups: ldap.groups,
	});
}
