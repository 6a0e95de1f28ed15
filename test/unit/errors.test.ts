import { ProvisioningError, remedyFor, toProvisioningError } from '../../lib/errors';

test('a ProvisioningError keeps its cause', () => {
	const cause = new Error('socket hang up');
	const error = new ProvisioningError('TargetUnavailable', 'GET /Users failed', { cause, transient: true });
	expect(error.cause).toBe(cause);
	expect(error.fromTarget).toBe(true);
});

test('an unknown error is labelled as a bug of this package, not as the target refusing something', () => {
	const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
	const error = toProvisioningError(bug);
	expect(error.code).toBe('Internal');
	expect(error.fromTarget).toBe(false);
	expect(error.message).toBe(
		"Unexpected error in n8n-nodes-provisioning (please report it): TypeError: Cannot read properties of undefined (reading 'id')",
	);
	expect(error.cause).toBe(bug);
	expect(remedyFor(error)).toMatch(/bug in n8n-nodes-provisioning/);
});

test('a ProvisioningError passes through unchanged', () => {
	const error = new ProvisioningError('Uniqueness', 'taken', { field: 'userName' });
	expect(toProvisioningError(error)).toBe(error);
	expect(remedyFor(error)).toMatch(/\(field "userName"\)$/);
});
