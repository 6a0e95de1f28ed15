import {
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type IHookFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
	type IWebhookDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';
import type { InboundAuth } from '../../lib/scim/server/auth';
import { AuthCache } from '../../lib/scim/server/authCache';
import { answerScimHttp, errorAnswer, plainRequestOf, writeScimResponse } from '../../lib/scim/server/http';
import { ScimError } from '../../lib/scim/server/scimError';
import { type ScimEvent, type ScimHttpRequest, ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import type { IdentityStore } from '../../lib/scim/server/identityStore';
import { type StoreChoice, type StoreLocation, storeLocation } from '../../lib/store/openStore';
import { openTriggerStore, registerTriggerStore } from '../shared/stores';
import { signedStoreRef } from '../shared/triggerStore';
import { scimTriggerProperties } from './ScimTriggerDescription';
import { SCIM_BASE, tenantUrl } from '../shared/tenantUrl';
import { tokenProblem } from './tokenProblem';

/**
 * The editor's "Webhook URLs" list shows only the Users and Groups collections, without their method lists: the
 * panel's Tenant URL is what a user needs.
 */
const hook = (name: string, httpMethod: string, path: string, extra: Partial<IWebhookDescription> = {}): IWebhookDescription => ({
	name: name as IWebhookDescription['name'],
	httpMethod,
	responseMode: 'onReceived',
	path,
	ndvHideMethod: true,
	...(['default', 'groups'].includes(name) ? {} : { ndvHideUrl: true }),
	...extra,
});

/**
 * Version 1: one webhook per SCIM path shape; the four with an id carry the webhook id in their parameter name (n8n
 * wants dynamic paths unique across the instance), so n8n evaluates four expressions for every request, whichever
 * entry it matched. Kept unchanged: n8n keeps webhook rows in its database across restarts, so a version that dropped
 * an entry would leave rows behind that answer 500 until the workflow is deactivated and activated again.
 */
const dynamicV1 = (name: string, httpMethod: string, path: string) =>
	hook(name, httpMethod, `=${path}{{$webhookId}}`, { isFullPath: true });
const WEBHOOKS_V1: IWebhookDescription[] = [
	hook('default', 'GET,POST', `${SCIM_BASE}/Users`),
	dynamicV1('user', 'GET,PUT,PATCH,DELETE', `${SCIM_BASE}/Users/:id`),
	hook('usersSearch', 'POST', `${SCIM_BASE}/Users/.search`),
	hook('groups', 'GET,POST', `${SCIM_BASE}/Groups`),
	dynamicV1('group', 'GET,PUT,PATCH,DELETE', `${SCIM_BASE}/Groups/:gid`),
	hook('groupsSearch', 'POST', `${SCIM_BASE}/Groups/.search`),
	hook('search', 'POST', `${SCIM_BASE}/.search`),
	hook('serviceProviderConfig', 'GET,POST,PUT,PATCH,DELETE', `${SCIM_BASE}/ServiceProviderConfig`),
	hook('resourceTypes', 'GET,POST', `${SCIM_BASE}/ResourceTypes`),
	dynamicV1('resourceType', 'GET', `${SCIM_BASE}/ResourceTypes/:rt`),
	hook('schemas', 'GET,POST', `${SCIM_BASE}/Schemas`),
	dynamicV1('schema', 'GET', `${SCIM_BASE}/Schemas/:sid`),
	hook('bulk', 'POST', `${SCIM_BASE}/Bulk`),
];

/**
 * Version 2: the same URLs with eight entries and one expression. Every path below a collection (/Users/{id},
 * /Groups/{id}, /Users/.search, /Groups/.search, /ResourceTypes/{id}, /Schemas/{id}) is one dynamic entry; the
 * collections stay static, so the busiest requests (lookups and creates on /Users) are found in n8n's webhook cache.
 * n8n resolves every entry of the node on every request: 13 entries with 4 expressions cost about 0.7 ms of CPU a
 * request in n8n 1.123, this about a quarter of it.
 */
const WEBHOOKS_V2: IWebhookDescription[] = [
	hook('default', 'GET,POST', `${SCIM_BASE}/Users`),
	hook('groups', 'GET,POST', `${SCIM_BASE}/Groups`),
	hook('search', 'POST', `${SCIM_BASE}/.search`),
	hook('serviceProviderConfig', 'GET,POST,PUT,PATCH,DELETE', `${SCIM_BASE}/ServiceProviderConfig`),
	hook('resourceTypes', 'GET,POST', `${SCIM_BASE}/ResourceTypes`),
	hook('schemas', 'GET,POST', `${SCIM_BASE}/Schemas`),
	hook('bulk', 'POST', `${SCIM_BASE}/Bulk`),
	// Entra's API-driven inbound provisioning posts here; its status (bulkUpload/<id>) is read through `member`. Added
	// later: n8n registers a new entry when the workflow is activated or n8n restarts.
	hook('bulkUpload', 'POST', `${SCIM_BASE}/bulkUpload`),
	hook('member', 'GET,POST,PUT,PATCH,DELETE', `=${SCIM_BASE}/:collection{{$webhookId}}/:id`, { isFullPath: true }),
];

/** The trigger's store, and where it lives; the webhook id is registered so a SCIM Store node can find it by the tenant URL. */
async function storeFor(ctx: IWebhookFunctions, choice: string): Promise<{ store: IdentityStore; location: StoreLocation }> {
	const location = storeLocation(choice as StoreChoice, `${ctx.getWorkflow().id ?? 'workflow'}-${ctx.getNode().id}`, process.env);
	const store = openTriggerStore(ctx, location);
	const webhookId = ctx.getNode().webhookId;
	if (webhookId) await registerTriggerStore(ctx, webhookId, location);
	// Events carry the location signed for this workflow: the only reference later nodes accept.
	return { store, location: signedStoreRef(ctx, location) };
}

/** Public base URLs by webhook id: derived from n8n's configuration, which only changes with a restart. */
const baseUrls = new Map<string, string>();

const OUTPUT_OF: Record<ScimEvent['event'], number> = {
	'user.created': 0,
	'user.updated': 0,
	'user.reactivated': 0,
	'user.deactivated': 1,
	'user.deleted': 1,
	'group.created': 2,
	'group.updated': 2,
	'group.deleted': 2,
	'group.membersAdded': 2,
	'group.membersRemoved': 2,
};

/** The node's credential, kept 5 s (lib/scim/server/authCache.ts: on n8n 2.x each read costs a V8 isolate). */
const authCache = new AuthCache(5000);
async function readAuth(ctx: IWebhookFunctions): Promise<InboundAuth> {
	const credentials = await ctx.getCredentials('scimTriggerAuthApi');
	return {
		token: String(credentials.token ?? ''),
		...(credentials.allowBasic
			? { basicUser: String(credentials.basicUser ?? ''), basicPassword: String(credentials.basicPassword ?? '') }
			: {}),
	};
}

/** Answers one SCIM request from the store, then hands the accepted changes to the workflow (both versions). */
async function answer(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const node = this.getNode();
	const authKey = JSON.stringify([this.getWorkflow().id, node.id, node.credentials?.scimTriggerAuthApi?.id]);
	const { auth, kept } = await authCache.get(authKey, () => readAuth(this));
	const reauth = kept ? () => authCache.refresh(authKey, () => readAuth(this)) : undefined;
	// Plain option values are read as they are: resolving parameters costs more than a store lookup.
	const raw = (this.getNode().parameters.options ?? {}) as IDataObject;
	const options = Object.values(raw).some((v) => typeof v === 'string' && v.startsWith('='))
		? (this.getNodeParameter('options', {}) as IDataObject)
		: raw;
	const baseUrl = () => {
		const key = `${this.getNode().webhookId}`;
		let url = baseUrls.get(key);
		if (!url) {
			url = this.getNodeWebhookUrl('default')!.replace(/\/Users$/, '');
			baseUrls.set(key, url);
		}
		return url;
	};
	const maxBodyBytes = Math.max(1, Number(options.maxBodyKb ?? 1024)) * 1024;
	const serve = async (request: ScimHttpRequest) => {
		let store: IdentityStore;
		let location: StoreLocation;
		try {
			({ store, location } = await storeFor(this, String(options.store ?? 'auto')));
		} catch (error) {
			return errorAnswer(new ScimError(503, `The SCIM Trigger's store is unavailable: ${(error as Error).message}`));
		}
		const provider = new ScimServiceProvider(store, {
			baseUrl,
			forwardPasswords: options.forwardPasswords === true,
			maxResults: Number(options.maxResults ?? 1000),
			bulk: { maxOperations: Number(options.bulkMaxOperations ?? 1000), maxPayloadSize: maxBodyBytes },
			upload: { maxOperations: Number(options.uploadMaxRecords ?? 50), anchor: String(options.uploadMatchingAttribute ?? 'externalId') },
			storeLocation: location,
			onUnexpectedError: (error, reference) =>
				this.logger.error(`SCIM Trigger failed to handle ${request.method} ${request.path} (reference ${reference})`, {
					error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
					workflowId: this.getWorkflow().id,
					node: this.getNode().name,
				}),
		});
		return await provider.handle(request);
	};
	const { response, events } = await answerScimHttp(plainRequestOf(this.getRequestObject()), {
		auth,
		reauth,
		maxBodyBytes,
		base: SCIM_BASE,
		serve,
	});
	writeScimResponse(this.getResponseObject(), response);
	if (events.length === 0) return { noWebhookResponse: true };
	const outputs: INodeExecutionData[][] = [[], [], []];
	for (const event of events) outputs[OUTPUT_OF[event.event]].push({ json: event as unknown as IDataObject });
	return { noWebhookResponse: true, workflowData: outputs };
}

const BASE_DESCRIPTION: INodeTypeBaseDescription = {
	displayName: 'SCIM Trigger',
	name: 'scimTrigger',
	icon: { light: 'file:scimTrigger.svg', dark: 'file:scimTrigger.dark.svg' },
	group: ['trigger'],
	description:
		'Starts the workflow when Entra ID or Okta provisions users and groups into it: a SCIM 2.0 service provider with its own store',
	defaultVersion: 2,
};

/** One version of the node: the versions differ only in their webhook entries (the URLs are the same). */
// Its description (icon included) is built in the constructor from BASE_DESCRIPTION, which the rule cannot follow.
// eslint-disable-next-line @n8n/community-nodes/icon-validation
class ScimTriggerVersion implements INodeType {
	description: INodeTypeDescription;

	constructor(version: number, webhooks: IWebhookDescription[]) {
		this.description = {
			...BASE_DESCRIPTION,
			version,
			subtitle: 'Entra ID / Okta SCIM endpoint',
			defaults: { name: 'SCIM Trigger' },
			// A wide panel, so the Tenant URL shows in full.
			parameterPane: 'wide',
			inputs: [],
			// Users: created, updated, reactivated. Leavers: deactivated, deleted. Groups: every group change.
			outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
			outputNames: ['Users', 'Leavers', 'Groups'],
			// The test checks the token's strength (there is nothing to connect to); activation refuses a weak one too.
			credentials: [{ name: 'scimTriggerAuthApi', required: true, testedBy: 'scimTriggerAuthTest' }],
			webhooks,
			properties: scimTriggerProperties(process.env),
		};
	}

	methods = {
		credentialTest: {
			async scimTriggerAuthTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				const problem = tokenProblem(String(credential.data?.token ?? ''));
				return problem ? { status: 'Error', message: problem } : { status: 'OK', message: 'The token is long and random enough' };
			},
		},
	};

	webhookMethods = {
		default: {
			// Nothing to look up outside n8n: "false" makes n8n call create() on every activation, which checks the set-up.
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const credentials = await this.getCredentials('scimTriggerAuthApi');
				const problem = tokenProblem(String(credentials.token ?? ''));
				if (problem) {
					throw new NodeOperationError(this.getNode(), problem, {
						description: 'Edit the SCIM Trigger Auth credential: a long random token, e.g. from "openssl rand -base64 32".',
					});
				}
				const served = this.getNodeWebhookUrl('default')?.replace(/\/Users$/, '');
				const webhookId = String(this.getNode().webhookId ?? '');
				const shown = [tenantUrl(process.env, webhookId, 'production'), tenantUrl(process.env, webhookId, 'test')];
				if (served && !shown.includes(served)) {
					this.logger.warn(
						`SCIM Trigger "${this.getNode().name}": the panel shows ${shown[0]} as its tenant URL, but n8n serves ${served}. Set WEBHOOK_URL to n8n's public URL.`,
					);
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await answer.call(this);
	}
}

/** Version 2 for new workflows; version 1 stays for workflows that have it (see WEBHOOKS_V1). */
export class ScimTrigger extends VersionedNodeType {
	constructor() {
		super({ 1: new ScimTriggerVersion(1, WEBHOOKS_V1), 2: new ScimTriggerVersion(2, WEBHOOKS_V2) }, BASE_DESCRIPTION);
	}
}
