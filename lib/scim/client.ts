import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { ProvisioningError } from '../errors';
import { scrubSecrets } from '../redact';
import { parseScimError } from './errors';

export type ScimAuth =
	| { type: 'none' }
	| { type: 'bearer'; token: string }
	| { type: 'basic'; username: string; password: string }
	| { type: 'header'; name: string; value: string }
	| { type: 'oauth2ClientCredentials'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string };

export interface ScimClientOptions {
	baseUrl: string;
	auth: ScimAuth;
	headers?: Record<string, string>;
	timeoutMs?: number;
	/** Retries after the first attempt, for 429 (any method) and 5xx/network errors (idempotent calls). */
	maxRetries?: number;
	/** Longest Retry-After we honour before giving up on the call, in seconds. */
	maxRetryAfterSeconds?: number;
	/** First backoff step for 5xx and network errors, in milliseconds; doubled per retry, capped at 30 s. */
	backoffBaseMs?: number;
}

export interface ScimRequest {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	path: string;
	params?: Record<string, string | number>;
	body?: unknown;
	/** Whether repeating the call cannot apply it twice; governs 5xx and network retries. */
	idempotent?: boolean;
	/** Statuses the caller handles itself (e.g. 404 on DELETE) instead of an error. */
	acceptStatus?: number[];
	/** Largest response body read, in bytes (discovery documents from an app we do not control). */
	maxResponseBytes?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds from a Retry-After header (delta-seconds or HTTP-date). */
export function retryAfterSeconds(header: unknown, now = Date.now()): number | undefined {
	if (typeof header !== 'string' && typeof header !== 'number') return undefined;
	const text = String(header).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** Validates a base URL and returns it without a trailing slash; the error never echoes credentials. */
export function normaliseBaseUrl(raw: string): string {
	let url: URL;
	try {
		url = new URL(String(raw ?? '').trim());
	} catch {
		throw new ProvisioningError(
			'Configuration',
			'The SCIM base URL is not a valid URL; expected something like https://app.example.com/scim/v2',
			{ field: 'baseUrl' },
		);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new ProvisioningError('Configuration', `The SCIM base URL must use http or https, not ${url.protocol}`, { field: 'baseUrl' });
	}
	if (url.username || url.password) {
		throw new ProvisioningError('Configuration', 'Put SCIM credentials in the authentication fields, not in the base URL', {
			field: 'baseUrl',
		});
	}
	return url.toString().replace(/\/+$/, '');
}

/** A SCIM 2.0 HTTP client: authentication, SCIM content types, throttling and retry, typed errors. */
export class ScimClient {
	readonly baseUrl: string;
	private readonly http: AxiosInstance;
	private readonly options: Required<Pick<ScimClientOptions, 'maxRetries' | 'maxRetryAfterSeconds' | 'backoffBaseMs'>> & ScimClientOptions;
	private oauthToken?: { value: string; expiresAt: number };
	/** The token request in flight, shared so concurrent calls fetch one token. */
	private oauthPending?: Promise<string>;
	private readonly secrets: string[];
	/** Set after the target refused our credentials: later calls fail at once instead of repeating the 401. */
	private authFailure?: ProvisioningError;

	constructor(options: ScimClientOptions) {
		this.baseUrl = normaliseBaseUrl(options.baseUrl);
		this.options = { maxRetries: 4, maxRetryAfterSeconds: 120, backoffBaseMs: 500, ...options };
		this.http = axios.create({
			baseURL: this.baseUrl,
			timeout: options.timeoutMs ?? 30000,
			// Status handling is ours: every status resolves, so no axios error (with its headers) escapes.
			validateStatus: () => true,
			maxRedirects: 0,
			headers: {
				Accept: 'application/scim+json, application/json',
				...(options.headers ?? {}),
			},
			transitional: { clarifyTimeoutError: true },
		});
		const auth = options.auth;
		this.secrets = [
			auth.type === 'bearer' ? auth.token : undefined,
			auth.type === 'basic' ? auth.password : undefined,
			auth.type === 'header' ? auth.value : undefined,
			auth.type === 'oauth2ClientCredentials' ? auth.clientSecret : undefined,
		].filter((s): s is string => !!s);
	}

	private async authHeaders(forceRefresh = false): Promise<Record<string, string>> {
		const auth = this.options.auth;
		switch (auth.type) {
			case 'bearer':
				return { Authorization: `Bearer ${auth.token}` };
			case 'basic':
				return { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
			case 'header':
				return { [auth.name]: auth.value };
			case 'oauth2ClientCredentials': {
				const fresh = this.oauthToken && this.oauthToken.expiresAt > Date.now() + 30000;
				if (forceRefresh || (!fresh && !this.oauthPending)) {
					this.oauthPending = this.clientCredentialsToken(auth).finally(() => (this.oauthPending = undefined));
				}
				const token = this.oauthPending ? await this.oauthPending : this.oauthToken!.value;
				return { Authorization: `Bearer ${token}` };
			}
			default:
				return {};
		}
	}

	/** Fetches an OAuth2 client-credentials token, reused until shortly before it expires. */
	private async clientCredentialsToken(auth: Extract<ScimAuth, { type: 'oauth2ClientCredentials' }>): Promise<string> {
		const form = new URLSearchParams({ grant_type: 'client_credentials' });
		if (auth.scope) form.set('scope', auth.scope);
		let response: AxiosResponse;
		try {
			response = await axios.post(auth.tokenUrl, form.toString(), {
				headers: {
					'Content-Type': 'application/x-www-form-urlencoded',
					Authorization: `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64')}`,
				},
				timeout: this.options.timeoutMs ?? 30000,
				validateStatus: () => true,
			});
		} catch (error) {
			throw new ProvisioningError('AuthenticationFailed', `Could not reach the OAuth2 token URL: ${this.scrub((error as Error).message)}`, {
				transient: true,
			});
		}
		const token = response.data?.access_token;
		if (response.status >= 400 || typeof token !== 'string') {
			throw new ProvisioningError('AuthenticationFailed', `The OAuth2 token URL refused the client credentials (HTTP ${response.status})`, {
				targetStatus: response.status,
			});
		}
		const expiresIn = Number(response.data?.expires_in) || 3600;
		this.oauthToken = { value: token, expiresAt: Date.now() + expiresIn * 1000 };
		return token;
	}

	private scrub(text: string): string {
		return scrubSecrets(text, [...this.secrets, this.oauthToken?.value]);
	}

	/** Sends a request with retries; resolves with the response for 2xx and accepted statuses. */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- SCIM bodies are whatever JSON the app sends
	async request<T = any>(req: ScimRequest): Promise<{ status: number; data: T; headers: Record<string, unknown> }> {
		if (this.authFailure) throw this.authFailure;
		const { maxRetries, maxRetryAfterSeconds, backoffBaseMs } = this.options;
		let refreshedAuth = false;
		for (let attempt = 0; ; attempt++) {
			const config: AxiosRequestConfig = {
				method: req.method,
				url: req.path,
				params: req.params,
				headers: { ...(await this.authHeaders()) },
				...(req.maxResponseBytes ? { maxContentLength: req.maxResponseBytes } : {}),
			};
			if (req.body !== undefined) {
				config.data = JSON.stringify(req.body);
				config.headers!['Content-Type'] = 'application/scim+json';
			}
			let response: AxiosResponse | undefined;
			let networkError: Error | undefined;
			try {
				response = await this.http.request(config);
			} catch (error) {
				networkError = error as Error;
			}
			const canRetry = attempt < maxRetries;
			if (networkError) {
				const timedOut =
					(networkError as { code?: string }).code === 'ETIMEDOUT' || (networkError as { code?: string }).code === 'ECONNABORTED';
				if (req.idempotent && canRetry) {
					await sleep(this.backoff(attempt, backoffBaseMs));
					continue;
				}
				throw new ProvisioningError(
					timedOut ? 'Timeout' : 'TargetUnavailable',
					`${req.method} ${req.path} ${timedOut ? 'timed out' : `failed: ${this.scrub(networkError.message)}`}`,
					{ transient: true },
				);
			}
			const status = response!.status;
			if ((status >= 200 && status < 300) || req.acceptStatus?.includes(status)) {
				return { status, data: parseBody(response!.data), headers: response!.headers as Record<string, unknown> };
			}
			if (status === 401 && this.options.auth.type === 'oauth2ClientCredentials' && !refreshedAuth) {
				refreshedAuth = true;
				await this.authHeaders(true);
				continue;
			}
			if (status === 429 && canRetry) {
				const wait = retryAfterSeconds(response!.headers['retry-after']) ?? this.backoff(attempt, backoffBaseMs) / 1000;
				if (wait <= maxRetryAfterSeconds) {
					await sleep(wait * 1000);
					continue;
				}
			}
			// 501 says the server does not implement the method: asking again cannot help.
			if (status >= 500 && status !== 501 && req.idempotent && canRetry) {
				await sleep(this.backoff(attempt, backoffBaseMs));
				continue;
			}
			const error = this.errorFor(req, status, response!.data);
			if (status === 401) this.authFailure = error;
			throw error;
		}
	}

	/** Capped exponential backoff with full jitter. */
	private backoff(attempt: number, baseMs: number): number {
		const cap = Math.min(30000, baseMs * 2 ** attempt);
		return Math.round(cap / 2 + Math.random() * (cap / 2));
	}

	private errorFor(req: ScimRequest, httpStatus: number, body: unknown): ProvisioningError {
		const { status, scimType, detail } = parseScimError(httpStatus, body);
		const where = `${req.method} ${req.path}`;
		const message = this.scrub(`${where} answered ${status}${scimType ? ` (${scimType})` : ''}: ${detail}`);
		if (status === 401 || status === 403) return new ProvisioningError('AuthenticationFailed', message, { targetStatus: status });
		if (status === 404) return new ProvisioningError('NotFound', message, { targetStatus: status });
		if (status === 409) return new ProvisioningError('Uniqueness', message, { targetStatus: status });
		if (status === 429) return new ProvisioningError('TooManyRequests', message, { targetStatus: status, transient: true });
		if (status >= 500) return new ProvisioningError('TargetUnavailable', message, { targetStatus: status, transient: true });
		return new ProvisioningError('TargetRejected', message, { targetStatus: status });
	}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- SCIM bodies are whatever JSON the app sends
function parseBody(data: unknown): any {
	if (typeof data === 'string' && data.length > 0) {
		try {
			return JSON.parse(data);
		} catch {
			return data;
		}
	}
	return data === '' ? undefined : data;
}
