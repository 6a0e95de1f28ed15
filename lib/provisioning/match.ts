import type { MatchKey } from '../envelope';
import { isEmptyValue } from '../envelope';
import { ProvisioningError } from '../errors';
import type { Target, TargetEntry } from '../targets/target';

export interface MatchResult {
	entry: TargetEntry | null;
	/** The key that found the entry. */
	key: MatchKey | null;
	/** Human-readable list of the keys tried, for the log. */
	tried: string[];
}

/**
 * Entra's matching: keys are tried one at a time in precedence order, the first hit wins,
 * and two or more hits for one key is DuplicateTargetEntries.
 */
export async function matchInTarget(target: Target, keys: MatchKey[], attributes: string[]): Promise<MatchResult> {
	const usable = keys.filter((k) => !isEmptyValue(k.value));
	if (usable.length === 0) {
		const names = keys.map((k) => k.attribute).join(', ') || 'none configured';
		throw new ProvisioningError(
			'MissingRequiredValue',
			`No match key has a value (match keys: ${names}). Without one the account cannot be matched, and creating it would duplicate it on the next run.`,
			{ field: keys[0]?.attribute ?? 'matchKeys' },
		);
	}
	const tried: string[] = [];
	for (const key of usable) {
		tried.push(key.attribute);
		const entries = await target.find(key, attributes);
		if (entries.length > 1) {
			throw new ProvisioningError(
				'DuplicateTargetEntries',
				`More than one account in the target has ${key.attribute} = "${String(key.value)}"; resolve the duplicates or match on a unique attribute`,
				{ field: key.attribute },
			);
		}
		if (entries.length === 1) return { entry: entries[0], key, tried };
	}
	return { entry: null, key: null, tried };
}
