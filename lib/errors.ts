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
	| 'NotFound'
	/** The SCIM Trigger's store (remembered target ids) could not be read: not the target's fault, and retryable. */
	| 'StoreUnavailable'
	/** Not a target's answer or bad input but an unexpected failure of this package: a bug to report. */
	| 'Internal';

export interface ProvisioningErrorOptions {
	field?: string;
	targetStatus?: number;
	transient?: boolean;
	/** The underlying error, kept for logs and debugging; never copied into outputs. */
	cause?: unknown;
}

/** A failure of one item (or of the whole target) that a person can act on. Never carries secrets. */
export class ProvisioningError extends Error {
	readonly code: ProvisioningErrorCode;
	/** The attribute or parameter at fault, when there is one. */
	readonly field?: string;
	/** HTTP status or LDAP result code from the target, when there is one. */
	readonly targetStatus?: number;
	/** True when retrying the same call later can succeed (throttling, outages). */
	readonly transient: boolean;
	readonly cause?: unknown;

	constructor(code: ProvisioningErrorCode, message: string, options: ProvisioningErrorOptions = {}) {
		super(message);
		this.name = 'ProvisioningError';
		this.code = code;
		this.field = options.field;
		this.targetStatus = options.targetStatus;
		this.transient = options.transient ?? false;
		if (options.cause !== undefined) this.cause = options.cause;
	}

	/** Whether the failure came from the target's answer (or its absence) rather than from the input or the configuration. */
	get fromTarget(): boolean {
		return TARGET_CODES.has(this.code);
	}
}

const TARGET_CODES: ReadonlySet<ProvisioningErrorCode> = new Set([
	'Uniqueness',
	'TooManyRequests',
	'TargetUnavailable',
	'TargetRejected',
	'AuthenticationFailed',
	'Timeout',
	'NotFound',
]);

/**
 * Turns anything thrown into a ProvisioningError. Targets map their libraries' errors themselves, so anything
 * else that arrives here (a TypeError, say) is a bug of this package, labelled as such and kept as the cause.
 */
export function toProvisioningError(error: unknown): ProvisioningError {
	if (error instanceof ProvisioningError) return error;
	const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
	return new ProvisioningError('Internal', `Unexpected error in n8n-nodes-provisioning (please report it): ${text}`, { cause: error });
}

const REMEDIES: Record<ProvisioningErrorCode, string> = {
	DuplicateTargetEntries:
		'Several accounts in the target match this key: remove the duplicates there, or match on an attribute that is unique.',
	InvalidInput: 'Fix the input item or the mapping that produced it.',
	MissingRequiredValue: 'Map a value for this attribute, or give the mapping row a default value.',
	MissingDnValue: 'The DN template names an attribute the item has no value for: map that attribute, or change the template.',
	InvalidDn: 'Correct the DN (attribute=value pairs separated by commas).',
	Uniqueness:
		'Another account already holds a unique value (userName, mail or DN): resolve the conflict in the target, or match on that attribute.',
	TooManyRequests: 'The target kept throttling after the retries: lower the concurrency, or run again later. Reruns are safe.',
	TargetUnavailable:
		'The target could not be reached or failed (5xx): check that it is up and the URL is right, then run again. Reruns are safe.',
	TargetRejected: 'The target refused the request: the message says why. Fix the value or the mapping.',
	AuthenticationFailed: 'The target refused the credential: check the token, password or bind DN, and the account’s permissions.',
	Timeout: 'The target did not answer in time: raise the timeout in the credential, or lower the concurrency. Reruns are safe.',
	Configuration: "Fix the node's parameters or the credential.",
	NotFound: 'The account or group was removed from the target during the run: run again to match afresh.',
	StoreUnavailable:
		"The SCIM Trigger's store (a table in n8n's PostgreSQL database in queue mode, else a folder in n8n's user folder) could not be read: check that it is reachable, then run again. Reruns are safe.",
	Internal: 'This is a bug in n8n-nodes-provisioning: please report it with the workflow (without secrets).',
};

/** What a person can do about an error, shown beside its message. */
export function remedyFor(error: ProvisioningError): string {
	return `${REMEDIES[error.code]}${error.field ? ` (field "${error.field}")` : ''}`;
}
