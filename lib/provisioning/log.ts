import type { AttributeValue, MatchKey, ProvisioningEnvelope } from '../envelope';
import { type ProvisioningError, type ProvisioningErrorCode, toProvisioningError } from '../errors';
import { isSecretAttribute, REDACTED, scrubError, secretScrubber, secretValues } from '../redact';
import type { Target, TargetSystem } from '../targets/target';
import type { AttributeChange } from '../attributeChanges';

export type ProvisioningAction =
	'Create' | 'Update' | 'NoChange' | 'Skipped' | 'Failed' | 'Disable' | 'Enable' | 'Delete' | 'StagedDisable' | 'StagedDelete';
export type ProvisioningStatus = 'Success' | 'Failure' | 'Skipped' | 'Warning';
export type ProvisioningStepName = 'Evaluate' | 'Match' | 'Scope' | 'Provision';

export interface ProvisioningStep {
	step: ProvisioningStepName;
	status: ProvisioningStatus;
	detail: string;
}

export interface ModifiedProperty {
	name: string;
	oldValue: AttributeValue | undefined;
	newValue: AttributeValue | undefined;
	/** The mapping row that produced the value, when Map Attributes supplied a trace. */
	source?: string;
	/** The value was removed (a clear-when-empty row, or the envelope's clearAttributes): newValue is null. */
	cleared?: true;
}

/** One record per object per run, modelled on Entra's provisioning log. Never holds a secret. */
export interface ProvisioningLogRecord {
	action: ProvisioningAction;
	status: ProvisioningStatus;
	dryRun: boolean;
	targetSystem: TargetSystem;
	targetEndpoint: string;
	/** SCIM id or DN; for a dry-run create, the DN it would get (LDAP) or null (SCIM). */
	targetId: string | null;
	source?: { system?: string; id?: string };
	matchedBy: { attribute: string; value: string | number | boolean | null } | null;
	modifiedProperties: ModifiedProperty[];
	steps: ProvisioningStep[];
	durationMs: number;
	timestamp: string;
	error?: { code: ProvisioningErrorCode; reason: string; field?: string };
	/** Extra facts for some actions (Group Sync: members added and removed, unresolved, chunks). */
	details?: Record<string, unknown>;
	/** How the item is known across runs (node version 2): its first match key, `userName=ada@example.org`, or a group's name. */
	sourceKey?: string;
	/**
	 * Retry of failed items (node version 2): this attempt's number, and whether the item is kept for the next run,
	 * dropped after its last attempt, or could not be kept (and why). Absent for a first attempt that needs no retry.
	 */
	retry?: { attempt: number; kept?: boolean; dropped?: boolean; notKept?: string };
}

/** What became of one item (or one account, in reconcile): its record, and the error when it failed. */
export interface ItemOutcome {
	record: ProvisioningLogRecord;
	/** Set when the item failed; the record then has action Failed. */
	error?: ProvisioningError;
}

/** Collects a record step by step; every value passes through redaction on the way in, every message through scrubbing. */
export class LogRecordBuilder {
	private readonly started = performance.now();
	readonly record: ProvisioningLogRecord;

	constructor(
		init: Pick<ProvisioningLogRecord, 'dryRun' | 'targetSystem' | 'targetEndpoint' | 'source'>,
		private readonly secrets: ReadonlySet<string> = new Set(),
		private readonly trace: Record<string, string> = {},
		/** Removes the item's secret values (secretValues) from every step and error message. */
		private readonly scrub: (text: string) => string = (text) => text,
	) {
		this.record = {
			action: 'Skipped',
			status: 'Skipped',
			targetId: null,
			matchedBy: null,
			modifiedProperties: [],
			steps: [],
			durationMs: 0,
			timestamp: new Date().toISOString(),
			...init,
		};
	}

	step(step: ProvisioningStepName, status: ProvisioningStatus, detail: string): this {
		this.record.steps.push({ step, status, detail: this.scrub(detail) });
		return this;
	}

	matched(key: MatchKey): this {
		this.record.matchedBy = {
			attribute: key.attribute,
			value: isSecretAttribute(key.attribute, this.secrets) ? REDACTED : key.value,
		};
		return this;
	}

	changes(changes: AttributeChange[]): this {
		this.record.modifiedProperties = changes.map((c) => {
			const secret = isSecretAttribute(c.attribute, this.secrets);
			const cleared = (c.newValue === undefined || c.newValue === null) && c.oldValue !== undefined && c.oldValue !== null;
			const property: ModifiedProperty = {
				name: c.attribute,
				oldValue: secret && c.oldValue !== undefined ? REDACTED : c.oldValue,
				newValue: cleared ? null : secret && c.newValue !== undefined ? REDACTED : c.newValue,
			};
			if (cleared) property.cleared = true;
			if (this.trace[c.attribute]) property.source = this.trace[c.attribute];
			return property;
		});
		return this;
	}

	finish(action: ProvisioningAction, status: ProvisioningStatus, targetId?: string | null): ProvisioningLogRecord {
		this.record.action = action;
		this.record.status = status;
		if (targetId !== undefined) this.record.targetId = targetId;
		this.record.durationMs = Math.round((performance.now() - this.started) * 100) / 100;
		return this.record;
	}

	/**
	 * Finishes the record as a failure, with the error's code, reason and field. The error comes back without the item's
	 * secrets: whatever a target or a library echoed, it is what every output, log row and retry entry shows.
	 */
	fail(thrown: unknown, details?: Record<string, unknown>): ItemOutcome {
		const error = scrubError(toProvisioningError(thrown), this.scrub);
		this.record.error = { code: error.code, reason: error.message, ...(error.field ? { field: error.field } : {}) };
		this.step('Provision', 'Failure', error.message);
		if (details) this.record.details = details;
		return { record: this.finish('Failed', 'Failure'), error };
	}
}

/** Where the item came from, as the log shows it (the store location is plumbing, not provenance). */
const sourceOf = (envelope?: ProvisioningEnvelope) =>
	envelope?.source
		? Object.fromEntries(Object.entries({ system: envelope.source.system, id: envelope.source.id }).filter(([, v]) => v !== undefined))
		: undefined;

/** A new record for an item against a target; the envelope's secrets and trace come along. */
export function recordFor(target: Pick<Target, 'system' | 'endpoint'>, dryRun: boolean, envelope?: ProvisioningEnvelope): LogRecordBuilder {
	return new LogRecordBuilder(
		{ dryRun, targetSystem: target.system, targetEndpoint: target.endpoint, source: sourceOf(envelope) },
		new Set(envelope?.redact ?? []),
		envelope?.trace,
		envelope ? secretScrubber(secretValues(envelope)) : undefined,
	);
}
