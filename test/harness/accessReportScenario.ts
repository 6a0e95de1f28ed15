/**
 * The access-report example's scenario, shared by its integration test and its e2e test: the SCIM app's accounts
 * (one per situation against the example's employees, and orphans with hostile names) and the log's days.
 */

export const HOSTILE_NAME = '<script>alert(1)</script>"><svg onload=alert(2)>@evil.example';
/** Sets the page's title if it ever runs: the e2e test checks it did not. */
export const HOSTILE_DISPLAY_NAME = `</svg></table><img src=x onerror="document.title='pwned'">`;
export const APP_ACCOUNTS = [
	{ userName: 'ada.lovelace@example.org', externalId: 'E1001' }, // linked (anchor)
	{ userName: 'grace.hopper@example.org' }, // matched, not linked
	{ userName: 'shared.mailbox@example.org' }, // disputed: two employees have this mail
	{ userName: 'breakglass@example.org' }, // protected orphan
	{ userName: 'mallory@example.org' }, // orphan
	{ userName: HOSTILE_NAME, displayName: HOSTILE_DISPLAY_NAME }, // orphan
];
/** Against the example's five employees (linus has no account: missing). */
export const EXPECTED_COUNTS = { linked: 1, matched: 1, disputed: 1, orphan: 2, protected: 1, pendingDeletion: 0, missing: 1 };

export async function seed(baseUrl: string, token: string): Promise<void> {
	for (const account of APP_ACCOUNTS) {
		const res = await fetch(`${baseUrl}/Users`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
			body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], active: true, ...account }),
		});
		expect(res.status).toBe(201);
	}
}

const DAY = 24 * 3600 * 1000;
/** An instant `days` UTC days before today, at `hour` UTC. */
export const daysAgo = (days: number, hour = 10): string => {
	const now = new Date();
	return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - days * DAY + hour * 3600 * 1000).toISOString();
};

/** Log rows over the window (and one day before it), with what they add up to. */
export function logRowsFor(target: string) {
	const row = (time: string, action: string, status = 'Success', dry_run = false) => ({
		time,
		run_id: '7',
		workflow_id: 'w',
		workflow: 'HR sync',
		node: 'Provision User',
		action,
		status,
		dry_run,
		target_system: 'scim',
		target,
		source_key: 'externalId=E1001',
		changes: 'password: (none) → "[Redact]"',
	});
	return {
		rows: [
			row(daysAgo(0, 0), 'Create'),
			row(daysAgo(0, 1), 'Create'),
			row(daysAgo(1), 'Update'),
			row(daysAgo(2), 'Failed', 'Failure'),
			row(daysAgo(10), 'Disable'),
			row(daysAgo(29), 'Create'),
			row(daysAgo(30), 'Create'), // the day before the window
			row(daysAgo(3), 'Create', 'Success', true), // a dry run changed nothing
			row(daysAgo(3), 'NoChange'),
		],
		activity: { creates: 3, updates: 1, disables: 1, failures: 1 },
	};
}
