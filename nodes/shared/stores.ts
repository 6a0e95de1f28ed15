/**
 * The node side of every store: where n8n keeps its files, its environment, and where store trouble is reported.
 * Nodes open the SCIM Trigger's store, its links and the provisioning state store only through these.
 */
import { homedir } from 'node:os';
import type { Logger } from 'n8n-workflow';
import { openGovernanceStore } from '../../lib/store/governance/openGovernanceStore';
import { locateByWebhook, openLinksAt, openStoreAt, registerWebhook } from '../../lib/store/openStore';
import type { StoreLocation } from '../../lib/storeLocation';

/** Anything that runs in n8n and can log: execute, webhook and load-options contexts alike. */
export interface Logs {
	logger: Logger;
}

export const userFolder = () => process.env.N8N_USER_FOLDER ?? homedir();

const warnings = (ctx: Logs, what: string) => (error: Error) => ctx.logger.warn(`${what}: ${error.message}`);

/** The SCIM Trigger store at `location` (its users and groups). */
export const openTriggerStore = (ctx: Logs, location: StoreLocation) =>
	openStoreAt(location, userFolder(), process.env, warnings(ctx, 'SCIM Trigger store'));

/** The links kept beside the SCIM Trigger store at `location`: where each user and group landed in each target. */
export const openTriggerLinks = (ctx: Logs, location: StoreLocation) =>
	openLinksAt(location, userFolder(), process.env, warnings(ctx, 'SCIM Trigger store'));

/** Finds a SCIM Trigger's store by its webhook id (what its tenant URL names). */
export const locateTriggerStore = (ctx: Logs, webhookId: string) =>
	locateByWebhook(webhookId, userFolder(), process.env, warnings(ctx, 'SCIM Trigger store'));

/** Records which store a trigger's webhook id answers from, so a SCIM Store node can find it. */
export const registerTriggerStore = (ctx: Logs, webhookId: string, location: StoreLocation) =>
	registerWebhook(webhookId, location, userFolder(), process.env, warnings(ctx, 'SCIM Trigger store'));

/** The provisioning state store: the log, quarantine, escrow and the kill switch. */
export const openStateStore = (ctx: Logs) => openGovernanceStore(userFolder(), process.env, warnings(ctx, 'Provisioning state store'));
