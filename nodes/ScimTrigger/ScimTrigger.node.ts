import { homedir } from 'node:os';
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { isAuthenticated } from '../../lib/scim/server/auth';
import { ScimError } from '../../lib/scim/server/scimError';
import { type ScimEvent, ScimServiceProvider } from '../../lib/scim/server/serviceProvider';
import type { IdentityStore } from '../../lib/store/identityStore';
import { openStoreAt, registerWebhook, type StoreChoice, type StoreLocation, storeLocation } from '../../lib/store/openStore';
import { scimTriggerProperties } from './ScimTriggerDescription';

const SCIM_BASE = 'scim/v2';

/** One webhook per SCIM path shape (n8n has no wildcards); dynamic segments carry the webhook id to stay unique. */
const webhook = (name: string, httpMethod: string, path: string): IWebhookDescription => ({
	name: name as IWebhookDescription['name'],
	httpMethod,
	responseMode: 'onReceived',
	path: path.includes(':') ? `=${path}{{$webhookId}}` : path,
	...(path.includes(':') ? { isFullPath: true } : {}),
});

/** The trigger's store, and where it lives; the webhook id is registered so a SCIM Store node can find it by the tenant URL. */
async function storeFor(ctx: IWebhookFunctions, choice: string): Promise<{ store: IdentityStore; location: StoreLocation }> {
	const userFolder = process.env.N8N_USER_FOLDER ?? homedir();
	const location = storeLocation(choice as StoreChoice, `${ctx.getWorkflow().id ?? 'workflow'}-${ctx.getNode().id}`, process.env);
	const report = (error: Error) => ctx.logger.warn(`SCIM Trigger store: ${error.message} (the next request reconnects)`);
	const store = openStoreAt(location, userFolder, process.env, report);
	const webhookId = ctx.getNode().webhookId;
	if (webhookId) await registerWebhook(webhookId, location, userFolder, process.env, report);
	return { store, location };
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
		icon: 'file:scimTrigger.svg',
		group: ['trigger'],
		version: 1,
		description: 'A SCIM 2.0 service provider that Entra ID and Okta provision into; every accepted change starts the workflow',
		defaults: { name: 'SCIM Trigger' },
		inputs: [],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- three outputs, for wiring by event kind
		outputs: ['main', 'main', 'main'],
		outputNames: ['User Upserts', 'User Deactivations & Deletions', 'Group Changes'],
		credentials: [{ name: 'scimTriggerAuthApi', required: true, testedBy: 'scimTriggerAuthTest' }],
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
		properties: scimTriggerProperties,
	};

	methods = {
		credentialTest: {
			async scimTriggerAuthTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				const token = String(credential.data?.token ?? '');
				if (token.length < 16) return { status: 'Error', message: 'Use a bearer token of at least 16 characters' };
				return { status: 'OK', message: 'The token is long enough' };
			},
		},
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
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
		let location: StoreLocation;
		try {
			({ store, location } = await storeFor(this, String(options.store ?? 'auto')));
		} catch (error) {
			return fail(new ScimError(503, `The SCIM Trigger's store is unavailable: ${(error as Error).message}`));
		}
		const provider = new ScimServiceProvider(store, {
			baseUrl,
			forwardPasswords: options.forwardPasswords === true,
			maxResults: Number(options.maxResults ?? 1000),
			storeLocation: location,
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
