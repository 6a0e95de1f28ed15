import { ERROR_MESSAGE } from '../schema';

/** An RFC 7644 §3.12 error a SCIM service provider answers with. */
export type ScimType =
	| 'invalidFilter'
	| 'invalidSyntax'
	| 'invalidPath'
	| 'noTarget'
	| 'invalidValue'
	| 'mutability'
	| 'tooMany'
	| 'uniqueness'
	| 'invalidVers'
	| 'sensitive';

export class ScimError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly scimType?: ScimType,
	) {
		super(message);
		this.name = 'ScimError';
	}

	toBody(): Record<string, unknown> {
		return {
			schemas: [ERROR_MESSAGE],
			status: String(this.status),
			...(this.scimType ? { scimType: this.scimType } : {}),
			detail: this.message || `HTTP ${this.status}`,
		};
	}
}
