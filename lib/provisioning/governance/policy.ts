/**
 * The settings of quarantine and retry (escrow), as a node reads them, checked before anything runs. Entra's
 * quarantine rule is the model: a target failing most of its operations is tried less and less often.
 */
import { ProvisioningError } from '../../errors';

export interface QuarantinePolicy {
	enabled: boolean;
	/** Share of failed operations (0–1) that puts a target in quarantine: 0.4 means 40%. */
	failureShare: number;
	/** Operations a verdict needs (one run, or consecutive runs added up): fewer say too little. */
	minOperations: number;
	/** Minutes between trial runs while quarantined: the first after entering, then the next after each failed trial. */
	scheduleMinutes: number[];
}

export interface RetryPolicy {
	enabled: boolean;
	/** Attempts an item gets in all (the first one included) before it is dropped with an alert. */
	maxAttempts: number;
}

export interface GovernancePolicy {
	quarantine: QuarantinePolicy;
	retry: RetryPolicy;
}

export const DEFAULT_SCHEDULE = '15m, 1h, 6h, 24h';

export const DEFAULT_POLICY: GovernancePolicy = {
	quarantine: { enabled: true, failureShare: 0.4, minOperations: 20, scheduleMinutes: [15, 60, 360, 1440] },
	retry: { enabled: true, maxAttempts: 5 },
};

const UNITS: Record<string, number> = { m: 1, min: 1, h: 60, d: 1440 };

/** "15m, 1h, 6h, 24h" → [15, 60, 360, 1440]; a bare number is minutes. */
export function parseSchedule(text: string): number[] {
	const parts = text
		.split(/[,;\s]+/)
		.map((p) => p.trim())
		.filter(Boolean);
	const bad = (part: string) =>
		new ProvisioningError(
			'Configuration',
			`The quarantine schedule "${text}" is not a list of intervals: "${part}" should look like 15m, 1h or 1d`,
			{ field: 'quarantineSchedule' },
		);
	if (!parts.length) throw bad(text);
	return parts.map((part) => {
		const match = /^(\d+(?:\.\d+)?)(m|min|h|d)?$/i.exec(part);
		if (!match) throw bad(part);
		const minutes = Number(match[1]) * UNITS[(match[2] ?? 'm').toLowerCase()];
		if (!(minutes > 0)) throw bad(part);
		return minutes;
	});
}

/** Human form of an interval: 15 min, 1 h, 1 d 6 h. */
export function formatMinutes(minutes: number): string {
	if (minutes < 60) return `${Math.round(minutes * 10) / 10} min`;
	if (minutes < 1440) return `${Math.round((minutes / 60) * 10) / 10} h`;
	const days = Math.floor(minutes / 1440);
	const hours = Math.round((minutes - days * 1440) / 60);
	return hours ? `${days} d ${hours} h` : `${days} d`;
}

/** Checks the numbers a person typed; nonsense stops the node before any item runs. */
export function validatePolicy(policy: GovernancePolicy): GovernancePolicy {
	const { quarantine, retry } = policy;
	if (!(quarantine.failureShare > 0 && quarantine.failureShare <= 1)) {
		throw new ProvisioningError(
			'Configuration',
			`The quarantine failure percentage must be above 0 and at most 100, not ${Math.round(quarantine.failureShare * 1000) / 10}`,
			{ field: 'quarantinePercent' },
		);
	}
	if (!Number.isInteger(quarantine.minOperations) || quarantine.minOperations < 1) {
		throw new ProvisioningError(
			'Configuration',
			`The quarantine minimum of operations must be a whole number of 1 or more, not ${quarantine.minOperations}`,
			{ field: 'quarantineMinOperations' },
		);
	}
	if (!quarantine.scheduleMinutes.length) {
		throw new ProvisioningError('Configuration', 'The quarantine schedule needs at least one interval', { field: 'quarantineSchedule' });
	}
	if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
		throw new ProvisioningError('Configuration', `The maximum attempts must be a whole number of 1 or more, not ${retry.maxAttempts}`, {
			field: 'maxAttempts',
		});
	}
	return policy;
}
