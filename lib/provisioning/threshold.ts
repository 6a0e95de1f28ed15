/** Entra's accidental-deletion prevention: a run that would disable or delete too much is held back. */
import { ProvisioningError } from '../errors';

/** Disables and deletes are counted together, as Entra counts them. */
export interface DeletionThreshold {
	/** Most disables + deletes one run may make. */
	maxCount?: number;
	/** Most disables + deletes as a percentage of the managed accounts. */
	maxPercent?: number;
	/** An admin approved this run: the threshold does not hold it back. */
	approved?: boolean;
}

/** Checks a threshold for nonsense before anything runs. */
export function validateThreshold(threshold: DeletionThreshold | undefined): void {
	if (!threshold) return;
	const { maxCount, maxPercent } = threshold;
	if (maxCount !== undefined && (!Number.isInteger(maxCount) || maxCount < 0)) {
		throw new ProvisioningError('Configuration', `The deletion threshold count must be a whole number of 0 or more, not ${maxCount}`, {
			field: 'thresholdCount',
		});
	}
	if (maxPercent !== undefined && (!Number.isFinite(maxPercent) || maxPercent <= 0 || maxPercent > 100)) {
		throw new ProvisioningError('Configuration', `The deletion threshold percentage must be above 0 and at most 100, not ${maxPercent}`, {
			field: 'thresholdPercent',
		});
	}
}

/** Why the run exceeds the threshold, or undefined when it does not. */
export function thresholdExceeded(
	threshold: DeletionThreshold | undefined,
	destructive: number,
	managed: number | undefined,
): string | undefined {
	if (!threshold || threshold.approved || destructive === 0) return undefined;
	if (threshold.maxCount !== undefined && destructive > threshold.maxCount) {
		return `${destructive} disables/deletes exceed the threshold of ${threshold.maxCount}`;
	}
	if (threshold.maxPercent !== undefined && managed !== undefined && managed > 0 && (destructive / managed) * 100 > threshold.maxPercent) {
		return `${destructive} disables/deletes are ${((destructive / managed) * 100).toFixed(1)}% of ${managed} managed accounts, above the threshold of ${threshold.maxPercent}%`;
	}
	return undefined;
}
