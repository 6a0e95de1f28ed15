/** Discovery documents (RFC 7643 §5–7) the service provider serves. */
import {
	CORE_GROUP_SCHEMA as CORE_GROUP,
	CORE_USER_SCHEMA as CORE_USER,
	ENTERPRISE_USER_SCHEMA as ENTERPRISE,
	LIST_RESPONSE_MESSAGE as LIST,
	RESOURCE_TYPE_SCHEMA,
	SCHEMA_SCHEMA,
	SERVICE_PROVIDER_CONFIG_SCHEMA,
} from '../schema';

export function serviceProviderConfig(baseUrl: string, maxResults: number): Record<string, unknown> {
	return {
		schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
		documentationUri: 'https://github.com/n8n-nodes-provisioning/n8n-nodes-provisioning#scim-trigger',
		patch: { supported: true },
		bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
		filter: { supported: true, maxResults },
		changePassword: { supported: false },
		sort: { supported: false },
		etag: { supported: true },
		authenticationSchemes: [
			{ type: 'oauthbearertoken', name: 'Bearer token', description: 'A bearer token from the SCIM Trigger credential', primary: true },
		],
		meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
	};
}

export function resourceTypes(baseUrl: string): Record<string, unknown>[] {
	return [
		{
			schemas: [RESOURCE_TYPE_SCHEMA],
			id: 'User',
			name: 'User',
			endpoint: '/Users',
			schema: CORE_USER,
			schemaExtensions: [{ schema: ENTERPRISE, required: false }],
			meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
		},
		{
			schemas: [RESOURCE_TYPE_SCHEMA],
			id: 'Group',
			name: 'Group',
			endpoint: '/Groups',
			schema: CORE_GROUP,
			meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
		},
	];
}

const attr = (name: string, extra: Record<string, unknown> = {}) => ({
	name,
	type: 'string',
	multiValued: false,
	required: false,
	caseExact: false,
	mutability: 'readWrite',
	returned: 'default',
	uniqueness: 'none',
	...extra,
});

export function schemas(baseUrl: string): Record<string, unknown>[] {
	const schema = (id: string, name: string, attributes: unknown[]) => ({
		schemas: [SCHEMA_SCHEMA],
		id,
		name,
		attributes,
		meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${id}` },
	});
	return [
		schema(CORE_USER, 'User', [
			attr('userName', { required: true, uniqueness: 'server' }),
			attr('name', { type: 'complex', subAttributes: ['givenName', 'familyName', 'formatted', 'middleName'].map((n) => attr(n)) }),
			attr('displayName'),
			attr('title'),
			attr('active', { type: 'boolean' }),
			attr('password', { mutability: 'writeOnly', returned: 'never' }),
			attr('emails', {
				type: 'complex',
				multiValued: true,
				subAttributes: [attr('value'), attr('type'), attr('primary', { type: 'boolean' })],
			}),
			attr('groups', { type: 'complex', multiValued: true, mutability: 'readOnly' }),
		]),
		schema(CORE_GROUP, 'Group', [
			attr('displayName', { required: true }),
			attr('members', { type: 'complex', multiValued: true, subAttributes: [attr('value', { caseExact: true }), attr('display')] }),
		]),
		schema(
			ENTERPRISE,
			'EnterpriseUser',
			['employeeNumber', 'costCenter', 'organization', 'division', 'department']
				.map((n) => attr(n))
				.concat([attr('manager', { type: 'complex' })]),
		),
	];
}

export function listResponse(resources: unknown[], totalResults: number, startIndex: number): Record<string, unknown> {
	return { schemas: [LIST], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}
