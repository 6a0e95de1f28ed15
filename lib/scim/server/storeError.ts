/** What an identity store refuses, in storage terms; the SCIM layer turns these into RFC 7644 errors. */
export type StoreErrorKind =
	/** A unique value (a user's userName) is held by another resource. */
	| 'conflict'
	/** The caller's version (If-Match) is no longer the stored one. */
	| 'versionMismatch'
	/** The resource lacks what the store indexes it by (a user's userName). */
	| 'invalid';

export class StoreError extends Error {
	constructor(
		readonly kind: StoreErrorKind,
		message: string,
	) {
		super(message);
		this.name = 'StoreError';
	}
}
