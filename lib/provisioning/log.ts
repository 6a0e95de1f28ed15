import type { AttributeValue, MatchKey } from '../envelope';
import type { ProvisioningErrorCode } from '../errors';
import { isSecretAttribute, REDACTED } from '../redact';
import type { AttributeChange, TargetSystem } from '../targets/target';

export type ProvisioningAction =
	| 'Create'
	| 'Update'
	| 'NoChange'
	| 'Skipped'
	| 'Failed'
	| 'Disable'
	| 'Enable'
	| 'Delete'
	| 'StagedDisable'
	| 'StagedDelete';
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
}

/** Collects a record step by step; every value passes through redaction on the way in. */
export class LogRecordBuilder {
	private readonly started = performance.now();
	readonly record: ProvisioningLogRecord;

	constructor(
		init: Pick<ProvisioningLogRecord, 'dryRun' | 'targetSystem' | 'targetEndpoint' | 'source'>,
		private readonly secrets: ReadonlySet<string> = new Set(),
		private readonly trace: Record<string, string> = {},
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
		this.record.steps.push({ step, status, detail });
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
			const property: ModifiedProperty = {
				name: c.attribute,
				oldValue: secret && c.oldValue !== undefined ? REDACTED : c.oldValue,
				newValue: secret && c.newValue !== undefined ? REDACTED : c.newValue,
			};
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
}
