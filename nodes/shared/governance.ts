/**
 * The n8n side of governance (node version 2): reads the node's settings, opens the shared state store and the
 * Data Table log, and builds the run's Governor (lib/provisioning/governance/governor.ts). Used only by the
 * shared pipeline, so every action node gets the same log, quarantine, retry and alerts.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { DataTableApi } from '../../lib/dataTables/dataTableApi';
import { ProvisioningLogTable } from '../../lib/dataTables/logTable';
import type { Alert, AlertContext } from '../../lib/provisioning/governance/alerts';
import type { Keeping } from '../../lib/provisioning/governance/escrow';
import { Governor, type LogSink } from '../../lib/provisioning/governance/governor';
import {
	DEFAULT_POLICY,
	DEFAULT_SCHEDULE,
	type GovernancePolicy,
	parseSchedule,
	validatePolicy,
} from '../../lib/provisioning/governance/policy';
import type { GovernanceScope } from '../../lib/provisioning/governance/store';
import type { Target } from '../../lib/targets/target';
import { GOVERNED_VERSION, N8N_API_CREDENTIAL } from './governanceDescriptions';
import { locatorText } from './pickers';
import { LDAP_CREDENTIAL, SCIM_CREDENTIAL, SQL_CREDENTIAL, type TargetKind } from './targets';
import { openStateStore } from './stores';

const CREDENTIAL_OF: Record<TargetKind, string> = { scim: SCIM_CREDENTIAL, ldap: LDAP_CREDENTIAL, sql: SQL_CREDENTIAL };

/** Whether this node runs with governance (version 2 and later). */
export const isGoverned = (ctx: IExecuteFunctions) => (ctx.getNode().typeVersion ?? 1) >= GOVERNED_VERSION;

/** The quarantine and retry settings of the node ("Quarantine and Retry"), checked. */
export function readPolicy(ctx: IExecuteFunctions): { policy: GovernancePolicy; reset: boolean } {
	const g = ctx.getNodeParameter('governance', 0, {}) as IDataObject;
	const number = (value: unknown, fallback: number) => (value === undefined || value === '' ? fallback : Number(value));
	const policy = validatePolicy({
		quarantine: {
			enabled: g.quarantine !== false,
			failureShare: number(g.quarantinePercent, DEFAULT_POLICY.quarantine.failureShare * 100) / 100,
			minOperations: number(g.quarantineMinOperations, DEFAULT_POLICY.quarantine.minOperations),
			scheduleMinutes: parseSchedule(String(g.quarantineSchedule ?? DEFAULT_SCHEDULE)),
		},
		retry: { enabled: g.retryFailedItems !== false, maxAttempts: number(g.maxAttempts, DEFAULT_POLICY.retry.maxAttempts) },
	});
	return { policy, reset: g.resetQuarantine === true };
}

/** The run's identity as alerts and log rows show it. */
export function runContext(ctx: IExecuteFunctions, target: Pick<Target, 'system' | 'endpoint'>): AlertContext {
	const workflow = ctx.getWorkflow();
	return {
		workflow: { id: String(workflow.id ?? ''), name: String(workflow.name ?? '') },
		node: ctx.getNode().name,
		runId: String(ctx.getExecutionId() ?? ''),
		target: { system: target.system, endpoint: target.endpoint },
	};
}

/** One node's view of one target: workflow, node (by id, so a rename keeps it), credential, and where it points. */
export function scopeOf(ctx: IExecuteFunctions, kind: TargetKind, target: Pick<Target, 'system' | 'endpoint'>): GovernanceScope {
	const node = ctx.getNode();
	const workflowId = String(ctx.getWorkflow().id ?? '');
	const credentialId = node.credentials?.[CREDENTIAL_OF[kind]]?.id ?? '';
	const where = `${target.system}:${target.endpoint}`;
	return {
		key: [workflowId, node.id ?? node.name, credentialId, where].join('|'),
		workflowId,
		nodeId: node.id ?? node.name,
		nodeName: node.name,
		target: where,
	};
}

/** The Data Table log, when the node keeps one. */
export async function logSinkFor(ctx: IExecuteFunctions): Promise<LogSink | undefined> {
	if (ctx.getNodeParameter('provisioningLog', 0, 'outputs') !== 'dataTable') return undefined;
	return logTableFor(ctx, locatorText(ctx.getNodeParameter('logTable', 0, '')));
}

/** The log table named by a node, through the n8n API credential. */
export async function logTableFor(ctx: IExecuteFunctions, nameOrId: string, create = true): Promise<ProvisioningLogTable> {
	const credentials = await ctx.getCredentials(N8N_API_CREDENTIAL);
	const api = new DataTableApi({ baseUrl: String(credentials.baseUrl ?? ''), apiKey: String(credentials.apiKey ?? '') });
	return new ProvisioningLogTable(api, nameOrId, { create });
}

/** The governor of a run, or undefined for version 1 nodes. */
export async function governorFor<I>(
	ctx: IExecuteFunctions,
	kind: TargetKind,
	target: Pick<Target, 'system' | 'endpoint'>,
	options: { dryRun: boolean; keep: (input: I) => Keeping; retry?: boolean },
): Promise<Governor<I> | undefined> {
	if (!isGoverned(ctx)) return undefined;
	const { policy, reset } = readPolicy(ctx);
	// Even with quarantine and retry off: the run's successes are recorded, so no node replays an older kept item.
	const needsStore = !options.dryRun;
	const store = needsStore ? openStateStore(ctx) : undefined;
	return new Governor<I>({
		policy,
		reset,
		dryRun: options.dryRun,
		retry: options.retry,
		store,
		scope: scopeOf(ctx, kind, target),
		context: runContext(ctx, target),
		log: await logSinkFor(ctx),
		keep: options.keep,
	});
}

/** Alert items for the Alerts output. Paired with the first input item: an alert is about the run, not one item. */
export const alertItems = (alerts: Alert[]): INodeExecutionData[] =>
	alerts.map((alert) => ({ json: alert as unknown as INodeExecutionData['json'], pairedItem: { item: 0 } }));

/** The alerts in words, for an error that stops the node (the Alerts output is lost then). */
export const alertsText = (alerts: Alert[]) => alerts.map((a) => `${a.alert}: ${a.message} ${a.remedy}`).join('\n');
