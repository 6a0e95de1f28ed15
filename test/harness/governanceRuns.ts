/**
 * Governed runs driven step by step, for the escrow race tests: a run begins (claims kept items), its items succeed
 * or fail as the test says, and it finishes (settles), with the steps of several runs interleaved in the order the
 * test chooses. Each input carries a tag (the run that read it), so a retried input tells whose data it is.
 */
import type { ProvisioningEnvelope } from '../../lib/envelope';
import { ProvisioningError } from '../../lib/errors';
import type { Alert } from '../../lib/provisioning/governance/alerts';
import type { RunInput } from '../../lib/provisioning/governance/escrow';
import { type Begun, Governor } from '../../lib/provisioning/governance/governor';
import { envelopeKeeping } from '../../lib/provisioning/governance/keys';
import { DEFAULT_POLICY, type GovernancePolicy } from '../../lib/provisioning/governance/policy';
import type { GovernanceScope, GovernanceStore } from '../../lib/provisioning/governance/store';
import { type ItemOutcome, recordFor } from '../../lib/provisioning/log';

export const RACE_TARGET = { system: 'scim' as const, endpoint: 'https://app.example/scim/v2/Users' };

/** Retry on, quarantine off (a test that wants quarantine passes its own policy). */
export const RETRY_ONLY: GovernancePolicy = {
	quarantine: { ...DEFAULT_POLICY.quarantine, enabled: false },
	retry: { enabled: true, maxAttempts: 5 },
};

/** One node's scope on the race target, as nodes/shared/governance.ts builds it. */
export function raceScope(workflowId: string, nodeId: string, target = RACE_TARGET): GovernanceScope {
	const where = `${target.system}:${target.endpoint}`;
	return { key: [workflowId, nodeId, 'cred-1', where].join('|'), workflowId, nodeId, nodeName: nodeId, target: where };
}

export const envelopeOf = (key: string, tag: string): ProvisioningEnvelope => ({
	attributes: { userName: key, displayName: tag },
	matchKeys: [{ attribute: 'userName', value: key }],
});

/** What an item does at the target: succeeds, fails for the target's reason (kept), or fails on its own data. */
export type Result = 'ok' | 'fail' | 'reject';

export interface Planned {
	key: string;
	tag: string;
	retried: boolean;
	attempts: number;
}

export class SteppedRun {
	private readonly governor: Governor<ProvisioningEnvelope>;
	private begun?: Begun<ProvisioningEnvelope>;

	constructor(
		store: GovernanceStore,
		readonly scope: GovernanceScope,
		readonly runId: string,
		now: () => number,
		policy: GovernancePolicy = RETRY_ONLY,
	) {
		this.governor = new Governor<ProvisioningEnvelope>({
			policy,
			store,
			scope,
			context: { workflow: { id: scope.workflowId, name: 'races' }, node: scope.nodeName, runId, target: RACE_TARGET },
			keep: envelopeKeeping,
			now,
		});
	}

	/** Begins with these items (key and tag each); returns what the run will try, kept items first. */
	async begin(items: Array<[string, string]> = []): Promise<{ skipped: boolean; planned: Planned[] }> {
		this.begun = await this.governor.begin(items.map(([key, tag]) => envelopeOf(key, tag)));
		return { skipped: this.begun.skip, planned: this.planned() };
	}

	private get inputs(): RunInput<ProvisioningEnvelope | ProvisioningError>[] {
		if (!this.begun || this.begun.skip) return [];
		return this.begun.inputs;
	}

	planned(): Planned[] {
		return this.inputs.map((run) => {
			const envelope = run.input as ProvisioningEnvelope;
			return {
				key: String(envelope.attributes.userName),
				tag: String(envelope.attributes.displayName),
				retried: run.retried,
				attempts: run.prior?.attempts ?? 0,
			};
		});
	}

	/** Finishes: each planned item ends as `results` says (by key; 'ok' when not named). */
	finish(results: Record<string, Result> = {}): Promise<Alert[]> {
		const outcomes = this.planned().map(({ key }) => outcomeOf(results[key] ?? 'ok'));
		return this.governor.finish(this.inputs, outcomes);
	}

	/** The run stops on an error that is not the target's (a bug, a bad setting) after it began. */
	finishFailed(error: unknown): Promise<Alert[]> {
		return this.governor.finishFailed(error);
	}
}

export function outcomeOf(result: Result): ItemOutcome {
	const record = recordFor(RACE_TARGET, false);
	if (result === 'ok') return { record: record.finish('Update', 'Success', 'id-1') };
	if (result === 'reject') return record.fail(new ProvisioningError('TargetRejected', 'rejected'));
	return record.fail(new ProvisioningError('TargetUnavailable', 'POST /Users answered 503', { transient: true }));
}

/** What the next run in `scope` would retry, seen by a run that begins well after every lease ran out. */
export async function keptIn(store: GovernanceStore, scope: GovernanceScope, runId: string, at: number): Promise<Planned[]> {
	const probe = new SteppedRun(store, scope, runId, () => at);
	const { planned } = await probe.begin();
	return planned.sort((a, b) => a.key.localeCompare(b.key));
}
