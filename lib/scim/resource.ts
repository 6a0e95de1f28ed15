/** A SCIM resource as a service provider stores and serves it (RFC 7643 §3): its type, id and meta are server-owned. */
export type ResourceType = 'User' | 'Group';

export type Resource = Record<string, unknown> & {
	id: string;
	meta: { resourceType: ResourceType; created: string; lastModified: string; version: string };
};
