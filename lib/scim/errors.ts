/** RFC 7644 §3.12 error body. Servers send `status` as a string (RFC) or a number (Okta). */
export interface ScimErrorBody {
	schemas?: string[];
	status?: string | number;
	scimType?: string;
	detail?: string;
}

/** Extracts status, scimType and detail from whatever error shape a server sent. */
export function parseScimError(httpStatus: number, body: unknown): { status: number; scimType?: string; detail: string } {
	let parsed: unknown = body;
	if (typeof body === 'string') {
		try {
			parsed = JSON.parse(body);
		} catch {
			parsed = { detail: body.slice(0, 500) };
		}
	}
	const obj = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as ScimErrorBody & Record<string, unknown>;
	const rawStatus = obj.status ?? httpStatus;
	const status = Number.parseInt(String(rawStatus), 10) || httpStatus;
	const detail =
		(typeof obj.detail === 'string' && obj.detail) ||
		(typeof obj.message === 'string' && obj.message) ||
		(typeof obj.error === 'string' && obj.error) ||
		`HTTP ${httpStatus}`;
	return { status, scimType: typeof obj.scimType === 'string' ? obj.scimType : undefined, detail };
}
