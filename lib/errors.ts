/** Error codes shown in provisioning-log records; names follow Entra's where Entra has one. */
export type ProvisioningErrorCode =
	| 'DuplicateTargetEntries'
	| 'InvalidInput'
	| 'MissingRequiredValue'
	| 'MissingDnValue'
	| 'InvalidDn'
	| 'Uniqueness'
	| 'TooManyRequests'
	| 'TargetUnavailable'
	| 'TargetRejected'
	| 'AuthenticationFailed'
	| 'Timeout'
	| 'Configuration'
	| 'NotFound';

/** A failure of one item (or of the whole target) that a person can act on. Never carries secrets. */
export class ProvisioningError extends Error {
	readonly code: ProvisioningErrorCode;
	/** The attribute or parameter at fault, when there is one. */
	readonly field?: string;
	/** HTTP status or LDAP result code from the target, when there is one. */
	readonly targetStatus?: number;
	/** True when retrying the same call later can succeed (throttling, outages). */
	readonly transient: boolean;

	constructor(
		code: ProvisioningErrorCode,
		message: string,
		options: { field?: string; targetStatus?: number; transient?: boolean; cause?: unknown } = {},
	) {
		super(message);
		this.name = 'ProvisioningError';
		this.code = code;
		this.field = options.field;
		this.targetStatus = options.targetStatus;
		this.transient = options.transient ?? false;
	}
}

/** Turns anything thrown into a ProvisioningError without leaking library internals (headers, configs). */
export function toProvisioningError(error: unknown): ProvisioningError {
	if (error instanceof ProvisioningError) return error;
	const message = error instanceof Error ? error.message : String(error);
	return new ProvisioningError('TargetRejected', message);
}
