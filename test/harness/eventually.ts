/**
 * Waiting for something that happens in the background (an execution after the trigger answered, a directory
 * overlay): polls until the check holds, and fails naming what never happened. Polling counts attempts, not time,
 * so a slow machine waits longer instead of failing sooner.
 */
export interface EventuallyOptions {
	/** How many times to ask (default 300). */
	attempts?: number;
	/** Pause between attempts in ms (default 100). */
	intervalMs?: number;
}

/** Resolves once `check` returns true; throws `Never happened: <what>` after the last attempt. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, options: EventuallyOptions = {}): Promise<void> {
	await eventuallyFind(async () => ((await check()) ? true : undefined), what, options);
}

/** Resolves with the first defined value `find` returns; throws `Never happened: <what>` after the last attempt. */
export async function eventuallyFind<T>(
	find: () => T | undefined | Promise<T | undefined>,
	what: string,
	{ attempts = 300, intervalMs = 100 }: EventuallyOptions = {},
): Promise<T> {
	for (let i = 0; i < attempts; i++) {
		const found = await find();
		if (found !== undefined) return found;
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
	throw new Error(`Never happened: ${what}`);
}
