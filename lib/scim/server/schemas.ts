/**
 * The SCIM Trigger's schemas, defined once (RFC 7643 §4.1 User, §4.2 Group, §4.3 enterprise User, with the
 * characteristics of §2.2 and §7): /Schemas publishes these definitions and validation.ts enforces them, so what
 * a client reads is what the server checks. Also the other discovery documents (RFC 7643 §5–6).
 */
import {
	CORE_GROUP_SCHEMA as CORE_GROUP,
	CORE_USER_SCHEMA as CORE_USER,
	ENTERPRISE_USER_SCHEMA as ENTERPRISE,
	LIST_RESPONSE_MESSAGE as LIST,
	RESOURCE_TYPE_SCHEMA,
	SCHEMA_SCHEMA,
	SERVICE_PROVIDER_CONFIG_SCHEMA,
} from '../schema';

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';

/** One attribute as RFC 7643 §7 describes it. */
export interface AttributeDefinition {
	name: string;
	type: AttributeType;
	multiValued: boolean;
	description: string;
	required: boolean;
	caseExact: boolean;
	mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
	returned: 'always' | 'never' | 'default' | 'request';
	uniqueness: 'none' | 'server' | 'global';
	/** Suggested values (RFC 7643 §7: "MAY be used"); published, not enforced. */
	canonicalValues?: string[];
	referenceTypes?: string[];
	subAttributes?: AttributeDefinition[];
}

export interface SchemaDefinition {
	id: string;
	name: string;
	description: string;
	attributes: AttributeDefinition[];
}

type Characteristics = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>;

const attribute = (type: AttributeType, name: string, description: string, extra: Characteristics = {}): AttributeDefinition => ({
	name,
	type,
	multiValued: false,
	description,
	required: false,
	caseExact: false,
	mutability: 'readWrite',
	returned: 'default',
	uniqueness: 'none',
	...extra,
});
const text = (name: string, description: string, extra: Characteristics = {}) => attribute('string', name, description, extra);
const complex = (name: string, description: string, subAttributes: AttributeDefinition[], extra: Characteristics = {}) =>
	attribute('complex', name, description, { ...extra, subAttributes });

/** The sub-attributes RFC 7643 §2.4 gives multi-valued attributes: type, primary, display, value (and $ref where named). */
const plural = (name: string, description: string, value: AttributeDefinition, types: string[] | undefined, extra: Characteristics = {}) =>
	complex(
		name,
		description,
		[
			value,
			text('display', 'A human-readable name, for display', { mutability: 'readOnly' }),
			text('type', "The value's function, e.g. 'work' or 'home'", types ? { canonicalValues: types } : {}),
			attribute('boolean', 'primary', 'Whether this is the preferred value; true at most once'),
		],
		{ multiValued: true, ...extra },
	);

export const USER_SCHEMA: SchemaDefinition = {
	id: CORE_USER,
	name: 'User',
	description: 'User Account',
	attributes: [
		text('userName', 'Unique identifier the User signs in with; required, unique ignoring case', { required: true, uniqueness: 'server' }),
		complex('name', "The components of the user's real name", [
			text('formatted', 'The full name, formatted for display'),
			text('familyName', 'The family (last) name'),
			text('givenName', 'The given (first) name'),
			text('middleName', 'The middle name(s)'),
			text('honorificPrefix', "The honorific prefix(es), e.g. 'Ms.'"),
			text('honorificSuffix', "The honorific suffix(es), e.g. 'III'"),
		]),
		text('displayName', 'The name of the User, suitable for display'),
		text('nickName', 'The casual way to address the user'),
		attribute('reference', 'profileUrl', "A URL of the User's online profile", { referenceTypes: ['external'] }),
		text('title', "The user's title, such as 'Vice President'"),
		text('userType', "The relationship to the organization, e.g. 'Employee' or 'Contractor'"),
		text('preferredLanguage', "The preferred written or spoken language, e.g. 'en-US'"),
		text('locale', "The default location for localisation, e.g. 'en-US'"),
		text('timezone', "The time zone in the Olson format, e.g. 'America/Los_Angeles'"),
		attribute('boolean', 'active', "The User's administrative status"),
		text('password', 'The cleartext password, to set or reset it; never stored or returned', {
			mutability: 'writeOnly',
			returned: 'never',
		}),
		plural('emails', 'Email addresses for the User', text('value', 'An email address'), ['work', 'home', 'other']),
		plural('phoneNumbers', 'Phone numbers for the User', text('value', 'A phone number'), [
			'work',
			'home',
			'mobile',
			'fax',
			'pager',
			'other',
		]),
		plural('ims', 'Instant messaging addresses for the User', text('value', 'An instant messaging address'), [
			'aim',
			'gtalk',
			'icq',
			'xmpp',
			'msn',
			'skype',
			'qq',
			'yahoo',
		]),
		plural(
			'photos',
			'URLs of photos of the User',
			attribute('reference', 'value', 'The URL of a photo', { referenceTypes: ['external'] }),
			['photo', 'thumbnail'],
		),
		complex(
			'addresses',
			'Physical mailing addresses for the User',
			[
				text('formatted', 'The full mailing address, formatted for display'),
				text('streetAddress', 'The street address'),
				text('locality', 'The city or locality'),
				text('region', 'The state or region'),
				text('postalCode', 'The zip or postal code'),
				text('country', 'The country'),
				text('type', "The address's function, e.g. 'work' or 'home'", { canonicalValues: ['work', 'home', 'other'] }),
				attribute('boolean', 'primary', 'Whether this is the preferred address; true at most once'),
			],
			{ multiValued: true },
		),
		complex(
			'groups',
			'The groups the User belongs to; read-only, changed through /Groups',
			[
				text('value', "The group's id", { mutability: 'readOnly' }),
				attribute('reference', '$ref', 'The URI of the group', { mutability: 'readOnly', referenceTypes: ['User', 'Group'] }),
				text('display', "The group's name", { mutability: 'readOnly' }),
				text('type', "'direct' or 'indirect'", { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
			],
			{ multiValued: true, mutability: 'readOnly' },
		),
		plural('entitlements', 'Entitlements the User has', text('value', 'An entitlement'), undefined),
		plural('roles', 'Roles of the User', text('value', 'A role'), undefined),
		plural(
			'x509Certificates',
			'Certificates issued to the User',
			attribute('binary', 'value', 'A DER-encoded X.509 certificate', { caseExact: true }),
			undefined,
		),
	],
};

export const GROUP_SCHEMA: SchemaDefinition = {
	id: CORE_GROUP,
	name: 'Group',
	description: 'Group',
	attributes: [
		// RFC 7643 leaves displayName optional in the schema and REQUIRED in the text (§4.2); this server requires it.
		text('displayName', 'A human-readable name for the Group; required', { required: true }),
		complex(
			'members',
			'The members of the Group',
			[
				text('value', 'The id of the member', { required: true, caseExact: true, mutability: 'immutable' }),
				attribute('reference', '$ref', 'The URI of the member', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
				text('display', "The member's name, for display", { mutability: 'immutable' }),
				text('type', "'User' or 'Group'", { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
			],
			{ multiValued: true },
		),
	],
};

export const ENTERPRISE_USER_SCHEMA: SchemaDefinition = {
	id: ENTERPRISE,
	name: 'EnterpriseUser',
	description: 'Enterprise User',
	attributes: [
		text('employeeNumber', 'An identifier assigned by the organization, e.g. in order of hire'),
		text('costCenter', 'The name of a cost center'),
		text('organization', 'The name of an organization'),
		text('division', 'The name of a division'),
		text('department', 'The name of a department'),
		complex('manager', "The User's manager", [
			text('value', "The id of the manager's User", { caseExact: true }),
			attribute('reference', '$ref', "The URI of the manager's User", { referenceTypes: ['User'] }),
			text('displayName', "The manager's displayName", { mutability: 'readOnly' }),
		]),
	],
};

/**
 * Attributes of every resource (RFC 7643 §3.1). Not part of any schema document: `id` and `meta` belong to the
 * server, `externalId` to the client, `schemas` names the resource's schemas.
 */
export const COMMON_ATTRIBUTES: AttributeDefinition[] = [
	text('id', 'The server-assigned identifier', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
	text('externalId', "The client's identifier for the resource", { caseExact: true }),
	attribute('reference', 'schemas', "The resource's schema URIs", { multiValued: true, caseExact: true, returned: 'always' }),
	complex(
		'meta',
		'Resource metadata, owned by the server',
		[
			text('resourceType', 'The resource type', { caseExact: true, mutability: 'readOnly' }),
			attribute('dateTime', 'created', 'When the resource was added', { mutability: 'readOnly' }),
			attribute('dateTime', 'lastModified', 'When the resource last changed', { mutability: 'readOnly' }),
			attribute('reference', 'location', 'The URI of the resource', { mutability: 'readOnly', caseExact: true }),
			text('version', 'The weak ETag of the resource', { mutability: 'readOnly', caseExact: true }),
		],
		{ mutability: 'readOnly' },
	),
];

/** The schema documents, by resource type: the core schema first, then its extensions. */
export const RESOURCE_SCHEMAS: Record<'User' | 'Group', SchemaDefinition[]> = {
	User: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
	Group: [GROUP_SCHEMA],
};

export function serviceProviderConfig(
	baseUrl: string,
	maxResults: number,
	bulk: { maxOperations: number; maxPayloadSize: number },
): Record<string, unknown> {
	return {
		schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
		documentationUri: 'https://github.com/n8n-nodes-provisioning/n8n-nodes-provisioning#scim-trigger',
		patch: { supported: true },
		bulk: { supported: true, maxOperations: bulk.maxOperations, maxPayloadSize: bulk.maxPayloadSize },
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
			description: 'User Account',
			schema: CORE_USER,
			schemaExtensions: [{ schema: ENTERPRISE, required: false }],
			meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
		},
		{
			schemas: [RESOURCE_TYPE_SCHEMA],
			id: 'Group',
			name: 'Group',
			endpoint: '/Groups',
			description: 'Group',
			schema: CORE_GROUP,
			meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
		},
	];
}

/** The /Schemas documents: the same definitions the validator enforces. */
export function schemas(baseUrl: string): Record<string, unknown>[] {
	return [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA].map((s) => ({
		schemas: [SCHEMA_SCHEMA],
		id: s.id,
		name: s.name,
		description: s.description,
		attributes: s.attributes,
		meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${s.id}` },
	}));
}

export function listResponse(resources: unknown[], totalResults: number, startIndex: number): Record<string, unknown> {
	return { schemas: [LIST], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}
