/** A SCIM request and answer as the service provider sees them: no HTTP server's types, no n8n. */
export interface ScimHttpRequest {
	method: string;
	/** The path below the SCIM base, e.g. /Users/123 or /ServiceProviderConfig. */
	path: string;
	query: Record<string, string | undefined>;
	headers: Record<string, string | undefined>;
	body?: unknown;
}

export interface ScimHttpResponse {
	status: number;
	headers: Record<string, string>;
	body?: unknown;
}
