import { homedir } from 'node:os';
import {
	type IDataObject,
	type IHookFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';
import { isAuthenticated } from '../../lib/scim/server/auth';
import { ScimError } from '../../lib/scim/server/scimError';
import { type ScimEvent, ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import { openStore, type StoreChoice } from '../../lib/store/openStore';
import type { IdentityStore } from '../../lib/store/identityStore';
import { scimTriggerProperties } from './ScimTriggerDescription';
import { SCIM_BASE, tenantUrl, tokenProblem } from './tenantUrl';

/**
 * One webhook per SCIM path shape (n8n has no wildcards); dynamic segments carry the webhook id to stay unique. The
 * editor's "Webhook URLs" list shows only the Users and Groups collections, without their method lists: the panel's
 * Tenant URL is what a user needs.
 */
const webhook = (name: string, httpMethod: string, path: string): IWebhookDescription => ({
	name: name as IWebhookDescription['name'],
	httpMethod,
	responseMode: 'onReceived',
	path: path.includes(':') ? `=${path}{{$webhookId}}` : path,
	...(path.includes(':') ? { isFullPath: true } : {}),
	ndvHideMethod: true,
	...(['default', 'groups'].includes(name) ? {} : { ndvHideUrl: true }),
});

function storeFor(ctx: IWebhookFunctions, choice: string): IdentityStore {
	return openStore(
		choice as StoreChoice,
		`${ctx.getWorkflow().id ?? 'workflow'}-${ctx.getNode().id}`,
		process.env.N8N_USER_FOLDER ?? homedir(),
		process.env,
		(error) => ctx.logger.warn(`SCIM Trigger store: ${error.message} (the next request reconnects)`),
	);
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

export class ScimTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SCIM Trigger',
		name: 'scimTrigger',
		icon: { light: 'file:scimTrigger.svg', dark: 'file:scimTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'Entra ID / Okta SCIM endpoint',
		description:
			'Starts the workflow when Entra ID or Okta provisions users and groups into it: a SCIM 2.0 service provider with its own store',
		defaults: { name: 'SCIM Trigger' },
		// A wide panel, so the Tenant URL shows in full.
		parameterPane: 'wide',
		inputs: [],
		// Users: created, updated, reactivated. Leavers: deactivated, deleted. Groups: every group change.
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Users', 'Leavers', 'Groups'],
		// No credential test: the token is what Entra and Okta present to this trigger, there is nothing to connect to.
		// Its strength is checked when the workflow is activated.
		credentials: [{ name: 'scimTriggerAuthApi', required: true }],
		webhooks: [
			webhook('default', 'GET,POST', `${SCIM_BASE}/Users`),
			webhook('user', 'GET,PUT,PATCH,DELETE', `${SCIM_BASE}/Users/:id`),
			webhook('usersSearch', 'POST', `${SCIM_BASE}/Users/.search`),
			webhook('groups', 'GET,POST', `${SCIM_BASE}/Groups`),
			webhook('group', 'GET,PUT,PATCH,DELETE', `${SCIM_BASE}/Groups/:gid`),
			webhook('groupsSearch', 'POST', `${SCIM_BASE}/Groups/.search`),
			webhook('search', 'POST', `${SCIM_BASE}/.search`),
			webhook('serviceProviderConfig', 'GET,POST,PUT,PATCH,DELETE', `${SCIM_BASE}/ServiceProviderConfig`),
			webhook('resourceTypes', 'GET,POST', `${SCIM_BASE}/ResourceTypes`),
			webhook('resourceType', 'GET', `${SCIM_BASE}/ResourceTypes/:rt`),
			webhook('schemas', 'GET,POST', `${SCIM_BASE}/Schemas`),
			webhook('schema', 'GET', `${SCIM_BASE}/Schemas/:sid`),
			webhook('bulk', 'POST', `${SCIM_BASE}/Bulk`),
		],
		properties: scimTriggerProperties(process.env),
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
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const send = (status: number, headers: Record<string, string>, body?: unknown): IWebhookResponseData => {
			res.status(status).set(headers);
			if (body === undefined) res.end();
			else res.send(JSON.stringify(body));
			return { noWebhookResponse: true };
		};
		const fail = (error: ScimError, extra: Record<string, string> = {}) =>
			send(error.status, { 'Content-Type': 'application/scim+json', ...extra }, error.toBody());

		const credentials = await this.getCredentials('scimTriggerAuthApi');
		const auth = {
			token: String(credentials.token ?? ''),
			...(credentials.allowBasic
				? { basicUser: String(credentials.basicUser ?? ''), basicPassword: String(credentials.basicPassword ?? '') }
				: {}),
		};
		if (!isAuthenticated(req.headers.authorization, auth)) {
			return fail(new ScimError(401, 'Authentication failed: send the bearer token from the SCIM Trigger credential'), {
				'WWW-Authenticate': 'Bearer realm="SCIM"',
			});
		}

		// Plain option values are read as they are: resolving parameters costs more than a store lookup.
		const raw = (this.getNode().parameters.options ?? {}) as IDataObject;
		const options = Object.values(raw).some((v) => typeof v === 'string' && v.startsWith('='))
			? (this.getNodeParameter('options', {}) as IDataObject)
			: raw;
		const maxBytes = Math.max(1, Number(options.maxBodyKb ?? 1024)) * 1024;
		const method = req.method.toUpperCase();
		let body: unknown;
		if (['POST', 'PUT', 'PATCH'].includes(method)) {
			const type = String(req.headers['content-type'] ?? '')
				.split(';')[0]
				.trim()
				.toLowerCase();
			if (type && type !== 'application/scim+json' && type !== 'application/json') {
				return fail(new ScimError(415, `Send application/scim+json or application/json, not ${type}`));
			}
			if (Number(req.headers['content-length'] ?? 0) > maxBytes)
				return fail(new ScimError(413, `The body is larger than ${maxBytes} bytes`, 'tooMany'));
			// n8n parses application/json itself; SCIM's own type arrives raw.
			if (type === 'application/json' && req.body !== undefined && !Buffer.isBuffer(req.body)) {
				body = req.body;
			} else {
				if (!req.rawBody) await req.readRawBody();
				const raw = req.rawBody ?? Buffer.alloc(0);
				if (raw.length > maxBytes) return fail(new ScimError(413, `The body is larger than ${maxBytes} bytes`, 'tooMany'));
				try {
					body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
				} catch {
					return fail(new ScimError(400, 'The body is not valid JSON', 'invalidSyntax'));
				}
			}
		}

		const path = req.path;
		const at = path.toLowerCase().indexOf(`/${SCIM_BASE}`);
		const subPath = at === -1 ? '/' : path.slice(at + SCIM_BASE.length + 1) || '/';
		const baseUrl = () => {
			const key = `${this.getNode().webhookId}`;
			let url = baseUrls.get(key);
			if (!url) {
				url = this.getNodeWebhookUrl('default')!.replace(/\/Users$/, '');
				baseUrls.set(key, url);
			}
			return url;
		};
		let store: IdentityStore;
		try {
			store = storeFor(this, String(options.store ?? 'auto'));
		} catch (error) {
			return fail(new ScimError(503, `The SCIM Trigger's store is unavailable: ${(error as Error).message}`));
		}
		const provider = new ScimServiceProvider(store, {
			baseUrl,
			forwardPasswords: options.forwardPasswords === true,
			maxResults: Number(options.maxResults ?? 1000),
			onUnexpectedError: (error, reference) =>
				this.logger.error(`SCIM Trigger failed to handle ${method} ${subPath} (reference ${reference})`, {
					error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
					workflowId: this.getWorkflow().id,
					node: this.getNode().name,
				}),
		});
		const query = Object.fromEntries(
			Object.entries(req.query).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v)]),
		);
		const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v[0] : v]));
		const { response, events } = await provider.handle({ method, path: subPath, query, headers, body });
		send(response.status, response.headers, response.body);
		if (events.length === 0) return { noWebhookResponse: true };
		const outputs: INodeExecutionData[][] = [[], [], []];
		for (const event of events) outputs[OUTPUT_OF[event.event]].push({ json: event as unknown as IDataObject });
		return { noWebhookResponse: true, workflowData: outputs };
	}
}
