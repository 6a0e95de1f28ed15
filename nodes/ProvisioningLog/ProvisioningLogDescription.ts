import type { INodeProperties } from 'n8n-workflow';
import { versionsFrom } from '../shared/pickers';

const ACTIONS = ['Create', 'Update', 'NoChange', 'Skipped', 'Failed', 'Disable', 'Enable', 'Delete', 'StagedDisable', 'StagedDelete'];
const STATUSES = ['Success', 'Failure', 'Skipped', 'Warning'];

const onTable = { show: { operation: ['query', 'prune', 'append'] } };
const toRows = { show: { operation: ['append', 'formatRows'] } };
const onState = { show: { operation: ['quarantineStatus', 'resetQuarantine'] } };

export const provisioningLogProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Append Records',
				value: 'append',
				action: 'Append records to the log',
				description: 'Write the provisioning-log records of the input items to the Data Table; the items pass through',
			},
			{
				name: 'Build Access Report',
				value: 'accessReport',
				action: 'Build the access report',
				description:
					'One HTML page from Discover Accounts’ Summary and Accounts items and the log’s rows: counts per situation, orphans, disputed accounts and the activity of the last days per target',
			},
			{
				name: 'Format as Table Rows',
				value: 'formatRows',
				action: 'Format records as table rows',
				description:
					'Turn provisioning-log records into flat rows with the log’s columns, for n8n’s Postgres or Data Table node (the fallback where n8n has no Data Table API)',
			},
			{
				name: 'Get Quarantine Status',
				value: 'quarantineStatus',
				action: 'Get the quarantine status',
				description: 'Which targets the action nodes of a workflow have quarantined, until when, and how many items wait for a retry',
			},
			{
				name: 'Prune Old Records',
				value: 'prune',
				action: 'Prune old records',
				description: 'Delete the records older than the retention period',
			},
			{
				name: 'Query Records',
				value: 'query',
				action: 'Query the provisioning log',
				description: 'Find records by user, action, status, time range and run',
			},
			{
				name: 'Reset Quarantine',
				value: 'resetQuarantine',
				action: 'Reset a quarantine',
				description: 'Lift the quarantine of a workflow’s action nodes: their next run tries the target at once',
			},
		],
		default: 'query',
		description: 'What to do with the log or the quarantine state',
	},
	{
		displayName: 'Data Table',
		name: 'logTable',
		type: 'string',
		default: 'provisioning_log',
		required: true,
		description: 'Name or ID of the Data Table that holds the provisioning log, as set in the action nodes',
		displayOptions: onTable,
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: { operation: ['query'] } },
		options: [
			{
				displayName: 'Actions',
				name: 'actions',
				type: 'multiOptions',
				options: ACTIONS.map((a) => ({ name: a, value: a })),
				default: [],
				description: 'Only records with one of these actions (Create, Update, Disable…); none means every action',
			},
			{
				displayName: 'From',
				name: 'from',
				type: 'dateTime',
				default: '',
				description: 'Records at or after this time',
			},
			{
				displayName: 'Node',
				name: 'node',
				type: 'string',
				default: '',
				description: 'The name of the action node that wrote the records',
			},
			{
				displayName: 'Run ID',
				name: 'runId',
				type: 'string',
				default: '',
				description: 'The execution ID of one run, e.g. 1234',
			},
			{
				displayName: 'Statuses',
				name: 'statuses',
				type: 'multiOptions',
				options: STATUSES.map((s) => ({ name: s, value: s })),
				default: [],
				description: 'Only records with one of these statuses (Success, Failure, Skipped, Warning); none means every status',
			},
			{
				displayName: 'Target ID',
				name: 'targetId',
				type: 'string',
				default: '',
				description: 'Part of the account’s ID in the target: a SCIM ID, a DN, a row key',
			},
			{
				displayName: 'To',
				name: 'to',
				type: 'dateTime',
				default: '',
				description: 'Records at or before this time',
			},
			{
				displayName: 'User',
				name: 'user',
				type: 'string',
				default: '',
				placeholder: 'ada@example.org',
				description: 'Part of the source key, without regard to case: a userName, an employee ID, a group’s name',
			},
			{
				displayName: 'Workflow ID',
				name: 'workflowId',
				type: 'string',
				default: '',
				description: 'Only records written by this workflow, e.g. the ID in its URL',
			},
		],
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { operation: ['query'] } },
	},
	{
		displayName: 'Keep Records For (Days)',
		name: 'retentionDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 30,
		description: 'Records older than this many days are deleted, e.g. 30 (as long as Entra keeps its provisioning logs)',
		displayOptions: { show: { operation: ['prune'] } },
	},
	{
		displayName: 'Days of Activity',
		name: 'reportDays',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 366 },
		default: 30,
		description: 'How many whole days of provisioning activity the chart shows, ending today; days run from 00:00 to 24:00 UTC',
		displayOptions: { show: { operation: ['accessReport'] } },
	},
	{
		displayName: 'Title',
		name: 'reportTitle',
		type: 'string',
		default: 'Access report',
		description: 'The heading of the page, e.g. the name of the application',
		displayOptions: { show: { operation: ['accessReport'] } },
	},
	{
		displayName: 'Source Node',
		name: 'sourceNode',
		type: 'string',
		default: '={{ $prevNode.name }}',
		description: 'The action node the records come from, for the "node" column',
		displayOptions: toRows,
	},
	{
		displayName: 'Workflow ID',
		name: 'stateWorkflowId',
		type: 'string',
		default: '={{ $workflow.id }}',
		description: 'The workflow whose action nodes are concerned: this version acts on its own workflow only',
		displayOptions: { show: { ...onState.show, '@version': [1] } },
	},
	{
		// Version 1 has one choice, its own workflow; a hidden setting so the API credential stays hidden for it.
		displayName: 'Workflow',
		name: 'stateWorkflow',
		type: 'hidden',
		default: 'own',
		displayOptions: { show: { ...onState.show, '@version': [1] } },
	},
	{
		displayName: 'Workflow',
		name: 'stateWorkflow',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'This Workflow',
				value: 'this',
				description: 'The action nodes of the workflow this node is in',
			},
			{
				name: 'Another Workflow',
				value: 'other',
				description: 'One workflow by ID, if the Provisioning Log API credential’s key can read it in n8n',
			},
			{
				name: 'Every Workflow the API Key Can Read',
				value: 'all',
				description: 'Every workflow with quarantine state that the Provisioning Log API credential’s key can read in n8n',
			},
		],
		default: 'this',
		description:
			'Whose quarantine to see or reset. Other workflows need an n8n API key that can read them: this node cannot see n8n’s projects itself.',
		displayOptions: { show: { ...onState.show, '@version': versionsFrom(2) } },
	},
	{
		displayName: 'Workflow ID',
		name: 'stateWorkflowId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 7hNqf2bK9cX3vLmA',
		description: 'The ID of the workflow, from its URL',
		displayOptions: { show: { ...onState.show, '@version': versionsFrom(2), stateWorkflow: ['other'] } },
	},
	{
		displayName: 'Node Name',
		name: 'stateNode',
		type: 'string',
		default: '',
		description: 'Only this action node; empty means every action node of the workflow',
		displayOptions: onState,
	},
	{
		displayName: 'Only Quarantined Targets',
		name: 'onlyQuarantined',
		type: 'boolean',
		default: true,
		description: 'Whether to leave out targets that are healthy',
		displayOptions: { show: { operation: ['quarantineStatus'] } },
	},
];
