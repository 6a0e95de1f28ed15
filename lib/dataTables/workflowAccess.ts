/**
 * Whether an n8n API key may read a workflow, asked of n8n's public API (`GET /api/v1/workflows/{id}`). n8n answers
 * by the key owner's projects and the key's scopes, which a community node cannot check itself: the Provisioning
 * Log node shows or resets another workflow's quarantine only when the key it is given can read that workflow.
 */
import type { AxiosInstance } from 'axios';
import { ProvisioningError } from '../errors';
import { scrubSecrets } from '../redact';
import { n8nApiClient } from './dataTableApi';

export class WorkflowAccess {
	private readonly http: AxiosInstance;

	constructor(private readonly options: { baseUrl: string; apiKey: string; timeoutMs?: number }) {
		// Only the status is read: never follow a redirect to somewhere that would see the key.
		this.http = n8nApiClient(options, { maxRedirects: 0 });
	}

	/** True when n8n lets the key read the workflow; false when it says the workflow is not there for the key. */
	async canRead(workflowId: string): Promise<boolean> {
		const what = `reading workflow ${workflowId}`;
		let status: number;
		try {
			({ status } = await this.http.get(`/workflows/${encodeURIComponent(workflowId)}`));
		} catch (error) {
			const message = scrubSecrets(`n8n's API did not answer (${what}): ${(error as Error).message}`, [this.options.apiKey]);
			throw new ProvisioningError('TargetUnavailable', message, { transient: true });
		}
		if (status >= 200 && status < 300) return true;
		// Not in the key owner's projects, or a key without the workflow:read scope: n8n says 404 or 403.
		if (status === 404 || status === 403) return false;
		if (status === 401) {
			throw new ProvisioningError('Configuration', `n8n's API refused the API key (${what})`, { field: 'apiKey', targetStatus: status });
		}
		throw new ProvisioningError('TargetUnavailable', `n8n's API answered ${status} (${what})`, {
			targetStatus: status,
			transient: status >= 500,
		});
	}
}
