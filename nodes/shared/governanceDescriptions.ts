/**
 * Node version 2 of the action nodes (Provision User, Deprovision User, Group Sync): the persisted provisioning
 * log, quarantine and retry settings, and the Alerts output. Version 1 keeps its parameters and outputs, so
 * workflows saved with it load and run unchanged.
 */
import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import { DEFAULT_SCHEDULE } from '../../lib/provisioning/governance/policy';
import { versionsFrom } from './pickers';

export const GOVERNED_VERSION = 2;
export const N8N_API_CREDENTIAL = 'provisioningLogApi';

const fromVersion2 = { '@version': versionsFrom(GOVERNED_VERSION) };

/**
 * The node's outputs per version, as an n8n expression (n8n evaluates it with `$nodeVersion`, as its own Respond
 * to Webhook node does). Version 2 adds "Alerts" last among the main outputs; n8n adds the error output after it.
 */
export function versionedOutputs(version1: string[], version2: string[]): `={{${string}}}` {
	const outputs = (names: string[]) => JSON.stringify(names.map((name) => (name ? { type: 'main', displayName: name } : { type: 'main' })));
	return `={{ $nodeVersion >= ${GOVERNED_VERSION} ? ${outputs(version2)} : ${outputs(version1)} }}`;
}

/**
 * The n8n API credential (n8n's own "n8n API" type: API key and base URL) for the Data Table log. Hidden by the
 * parameter's value rather than shown by it, so n8n's editor does not take "Provisioning Log" for the node's
 * authentication selector (and hide it).
 */
export const logCredentialDisplay: INodeCredentialDescription['displayOptions'] = {
	show: fromVersion2,
	hide: { provisioningLog: ['outputs'] },
};

export const governanceProperties: INodeProperties[] = [
	{
		displayName: 'Provisioning Log',
		name: 'provisioningLog',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'On the Outputs Only',
				value: 'outputs',
				description: 'Each item’s record leaves on the outputs; n8n keeps it as long as it keeps the execution',
			},
			{
				name: 'Also in a Data Table',
				value: 'dataTable',
				description: 'Every record is also appended to a Data Table, kept after executions are pruned (n8n 2.7 or later)',
			},
		],
		default: 'outputs',
		description: 'Where each item’s provisioning-log record is kept: on the outputs, or also in a Data Table for audits',
		displayOptions: { show: fromVersion2 },
	},
	{
		displayName: 'Data Table',
		name: 'logTable',
		type: 'string',
		default: 'provisioning_log',
		required: true,
		description:
			'Name or ID of the Data Table for the provisioning log, in the API key owner’s project. Created with the log’s columns when missing; missing columns are added.',
		displayOptions: { show: { ...fromVersion2, provisioningLog: ['dataTable'] } },
	},
	{
		displayName:
			'The log is written through n8n’s public API with an n8n API key (Settings → n8n API). n8n 1.x and 2.0–2.6 have no Data Table API: see the README for the fallback with n8n’s Postgres node.',
		name: 'notice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...fromVersion2, provisioningLog: ['dataTable'] } },
	},
	{
		displayName: 'Quarantine and Retry',
		name: 'governance',
		type: 'collection',
		placeholder: 'Add Setting',
		default: {},
		displayOptions: { show: fromVersion2 },
		options: [
			{
				displayName: 'Maximum Attempts',
				name: 'maxAttempts',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 5,
				description: 'Attempts a failed item gets in all, the first included; after the last it is dropped with one alert',
			},
			{
				displayName: 'Quarantine a Failing Target',
				name: 'quarantine',
				type: 'boolean',
				default: true,
				description:
					'Whether a target that refuses the credential, or fails a large share of its operations, is skipped by later runs (one alert instead of an error per item) and tried again less and less often',
			},
			{
				displayName: 'Quarantine Above (%)',
				name: 'quarantinePercent',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 100 },
				default: 40,
				description: 'Share of failed operations that puts the target in quarantine, e.g. 40',
			},
			{
				displayName: 'Quarantine After (Operations)',
				name: 'quarantineMinOperations',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 20,
				description:
					'Operations a verdict needs, e.g. 20: one run, or consecutive runs added up within a day. A refused credential quarantines at once.',
			},
			{
				displayName: 'Quarantine Schedule',
				name: 'quarantineSchedule',
				type: 'string',
				default: DEFAULT_SCHEDULE,
				description: 'Waits before each trial run while quarantined, e.g. 15m, 1h, 6h, 24h (the last one repeats)',
			},
			{
				displayName: 'Reset Quarantine',
				name: 'resetQuarantine',
				type: 'boolean',
				default: false,
				description: 'Whether this run lifts the quarantine and tries the target at once (one alert). Turn it off again afterwards.',
			},
			{
				displayName: 'Retry Failed Items',
				name: 'retryFailedItems',
				type: 'boolean',
				default: true,
				description:
					'Whether items that failed because of the target (timeouts, 5xx, 429 after retries, lost connections, a refused credential) are kept and retried first in the next run of this node. Items that failed on their own data are not, and neither are items holding a secret value.',
			},
		],
	},
];
