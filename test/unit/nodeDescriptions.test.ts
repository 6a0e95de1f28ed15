/**
 * What the editor shows of each node and credential (issue 15): subtitles from option names, short output names,
 * help text on every option, visible targets, codex files, documentation links that lead somewhere.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	type ICredentialType,
	type INode,
	type INodeProperties,
	type INodePropertyCollection,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypes,
	NodeConnectionTypes,
	NodeHelpers,
	VersionedNodeType,
	Workflow,
} from 'n8n-workflow';
import { LdapDirectoryApi } from '../../credentials/LdapDirectoryApi.credentials';
import { ProvisioningLogApi } from '../../credentials/ProvisioningLogApi.credentials';
import { ScimTargetApi } from '../../credentials/ScimTargetApi.credentials';
import { ScimTriggerAuthApi } from '../../credentials/ScimTriggerAuthApi.credentials';
import { SqlDatabaseApi } from '../../credentials/SqlDatabaseApi.credentials';
import { DeprovisionUser } from '../../nodes/DeprovisionUser/DeprovisionUser.node';
import { DiscoverAccounts } from '../../nodes/DiscoverAccounts/DiscoverAccounts.node';
import { GroupSync } from '../../nodes/GroupSync/GroupSync.node';
import { MapAttributes } from '../../nodes/MapAttributes/MapAttributes.node';
import { ProvisionUser } from '../../nodes/ProvisionUser/ProvisionUser.node';
import { ProvisioningLog } from '../../nodes/ProvisioningLog/ProvisioningLog.node';
import { ScimStore } from '../../nodes/ScimStore/ScimStore.node';
import { ScimTrigger } from '../../nodes/ScimTrigger/ScimTrigger.node';
import { tenantUrl, tenantUrlExpression, webhookBaseUrl, webhookIdOf } from '../../nodes/shared/tenantUrl';
import { tokenProblem } from '../../nodes/ScimTrigger/tokenProblem';

const ROOT = join(__dirname, '..', '..');
/** The version new workflows get, for a node with several. */
const newest = (node: INodeType | VersionedNodeType): INodeType => (node instanceof VersionedNodeType ? node.getNodeType() : node);
const NODES: Record<string, INodeType> = {
	ProvisionUser: newest(new ProvisionUser()),
	DeprovisionUser: newest(new DeprovisionUser()),
	DiscoverAccounts: newest(new DiscoverAccounts()),
	GroupSync: newest(new GroupSync()),
	MapAttributes: newest(new MapAttributes()),
	ScimTrigger: newest(new ScimTrigger()),
	ScimStore: newest(new ScimStore()),
	ProvisioningLog: newest(new ProvisioningLog()),
};
const CREDENTIALS: ICredentialType[] = [
	new ScimTargetApi(),
	new LdapDirectoryApi(),
	new SqlDatabaseApi(),
	new ScimTriggerAuthApi(),
	new ProvisioningLogApi(),
];
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** GitHub's anchors for the README's headings. */
const anchors = new Set(
	README.split('\n')
		.filter((line) => /^#{1,6} /.test(line))
		.map((line) =>
			line
				.replace(/^#+ /, '')
				.trim()
				.toLowerCase()
				.replace(/[^\p{L}\p{N} _-]/gu, '')
				.replace(/ /g, '-'),
		),
);

/** The subtitle n8n's editor shows for a node with these parameters (it evaluates the same expression). */
function subtitle(type: INodeType, parameters: Record<string, unknown>, typeVersion = 1): string {
	const node: INode = {
		id: '1',
		name: 'Node',
		type: `n8n-nodes-provisioning.${type.description.name}`,
		typeVersion,
		position: [0, 0],
		parameters: {},
	};
	node.parameters =
		NodeHelpers.getNodeParameters(type.description.properties, parameters as never, true, false, node, type.description) ?? {};
	const nodeTypes = { getByName: () => type, getByNameAndVersion: () => type, getKnownTypes: () => ({}) } as unknown as INodeTypes;
	const workflow = new Workflow({ id: 'w', nodes: [node], connections: {}, active: false, nodeTypes });
	return String(workflow.expression.getSimpleParameterValue(node, type.description.subtitle!, 'internal', {}));
}

/** A node's outputs for a version, as n8n's editor evaluates them (version 2 of the action nodes uses an expression). */
function outputsOf(node: INodeType, version: number): Array<string | { type: string; displayName?: string }> {
	const outputs = node.description.outputs;
	if (typeof outputs !== 'string') return outputs as string[];
	const expression = outputs.replace(/^=\{\{(.*)\}\}$/s, '$1');
	return new Function('$nodeVersion', `return (${expression});`)(version);
}
const outputTypes = (node: INodeType, version: number) => outputsOf(node, version).map((o) => (typeof o === 'string' ? o : o.type));
const outputNames = (node: INodeType, version: number) =>
	typeof node.description.outputs === 'string'
		? outputsOf(node, version).map((o) => (typeof o === 'string' ? '' : (o.displayName ?? '')))
		: (node.description.outputNames ?? outputsOf(node, version).map(() => ''));

/** Every property, nested ones included. */
function allProperties(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((p) => [
		p,
		...allProperties(
			((p.options ?? []) as Array<INodeProperties | INodePropertyCollection | INodePropertyOptions>).flatMap((o) =>
				'values' in o ? o.values : 'displayName' in o && 'type' in o ? [o as INodeProperties] : [],
			),
		),
	]);
}

describe('subtitles show option names, not stored values', () => {
	test.each([
		['ProvisionUser', { target: 'scim' }, 'SCIM 2.0 App'],
		['ProvisionUser', { target: 'ldap', searchBase: 'ou=People,dc=example,dc=org' }, 'LDAP Directory · ou=People,dc=example,dc=org'],
		[
			'ProvisionUser',
			{ target: 'ldap', dnTemplate: 'uid={uid},ou=Staff,dc=example,dc=org' },
			'LDAP Directory · ou=Staff,dc=example,dc=org',
		],
		['ProvisionUser', { target: 'scim', options: { dryRun: true } }, 'SCIM 2.0 App · dry run'],
		['DeprovisionUser', { target: 'scim', operation: 'disable' }, 'SCIM 2.0 App · Disable'],
		['DeprovisionUser', { target: 'ldap', mode: 'reconcile', operation: 'delete' }, 'LDAP Directory · Reconcile: Delete'],
		['DiscoverAccounts', { target: 'ldap' }, 'LDAP Directory · Discover Accounts'],
		['DiscoverAccounts', { target: 'sql', operation: 'link' }, 'SQL Database · Link Account'],
		['GroupSync', { target: 'scim', mode: 'authoritative' }, 'SCIM 2.0 App · Authoritative'],
		['GroupSync', { target: 'ldap', mode: 'removeListed' }, 'LDAP Directory · Remove Listed'],
		['GroupSync', { target: 'scim', groupsFrom: 'events' }, 'SCIM 2.0 App · From IdP'],
		['ProvisionUser', { target: 'sql', sqlTable: 'app.users' }, 'SQL Database · app.users'],
		['ScimStore', { operation: 'deletedUsers' }, 'Deleted users'],
		['MapAttributes', { preset: 'scimPassthrough' }, 'SCIM → SCIM'],
		[
			'MapAttributes',
			{
				preset: 'none',
				mappings: {
					mapping: [
						{ target: 'a', type: 'direct', source: 'a' },
						{ target: 'b', type: 'constant', constant: 'x' },
					],
				},
			},
			'Custom mapping · 2 rows',
		],
	])('%s with %j: "%s"', (name, parameters, expected) => {
		expect(subtitle(NODES[name], parameters)).toBe(expected);
	});

	// Version 3 saves pickers ({ mode, value }) where versions 1 and 2 saved strings.
	test.each([
		[
			{ target: 'ldap', searchBase: { __rl: true, mode: 'list', value: 'ou=People,dc=example,dc=org' } },
			'LDAP Directory · ou=People,dc=example,dc=org',
		],
		[{ target: 'sql', sqlTable: { __rl: true, mode: 'name', value: 'app.users' } }, 'SQL Database · app.users'],
		[{ target: 'ldap', dnTemplate: 'uid={uid},ou=Staff,dc=example,dc=org' }, 'LDAP Directory · ou=Staff,dc=example,dc=org'],
	])('ProvisionUser version 3 with %j: "%s"', (parameters, expected) => {
		expect(subtitle(NODES.ProvisionUser, parameters, 3)).toBe(expected);
	});

	test('the SCIM Trigger has a subtitle too', () => {
		expect(NODES.ScimTrigger.description.subtitle).toBe('Entra ID / Okta SCIM endpoint');
	});
});

describe('the canvas', () => {
	test('output names are short enough not to be cut off (Out of Scope is the longest that fits), in every version', () => {
		for (const [name, node] of Object.entries(NODES)) {
			for (const version of [node.description.version].flat()) {
				for (const output of outputNames(node, version))
					expect({ name, output, fits: output.length <= 'Out of Scope'.length }).toMatchObject({ fits: true });
			}
		}
		expect(outputNames(NODES.ScimTrigger, 2)).toEqual(['Users', 'Leavers', 'Groups']);
		expect(outputNames(NODES.DeprovisionUser, 1)).toEqual(['Done', 'To Approve']);
		expect(outputNames(NODES.DeprovisionUser, 2)).toEqual(['Done', 'To Approve', 'Alerts']);
		expect(outputNames(NODES.ProvisionUser, 1)).toEqual(['']);
		expect(outputNames(NODES.ProvisionUser, 2)).toEqual(['Done', 'Alerts']);
	});

	test('connections are NodeConnectionTypes, not string literals typed by hand', () => {
		for (const node of Object.values(NODES)) {
			for (const version of [node.description.version].flat()) {
				for (const c of [...(node.description.inputs as string[]), ...outputTypes(node, version)]) expect(c).toBe(NodeConnectionTypes.Main);
			}
		}
	});

	test('the action nodes and SCIM Store are usable as AI tools; Map Attributes and the trigger are not', () => {
		expect(
			['ProvisionUser', 'DeprovisionUser', 'GroupSync', 'ScimStore', 'ProvisioningLog'].map((n) => NODES[n].description.usableAsTool),
		).toEqual([true, true, true, true, true]);
		expect(NODES.MapAttributes.description.usableAsTool).toBeUndefined();
		expect(NODES.ScimTrigger.description.usableAsTool).toBeUndefined();
	});

	test('icons come in light and dark variants', () => {
		for (const node of Object.values(NODES))
			expect(node.description.icon).toEqual({
				light: expect.stringMatching(/^file:.*\.svg$/),
				dark: expect.stringMatching(/\.dark\.svg$/),
			});
		for (const credential of CREDENTIALS)
			expect(credential.icon).toEqual({ light: expect.any(String), dark: expect.stringMatching(/\.dark\.svg$/) });
	});
});

describe('help text', () => {
	test('every option of every node says what it does', () => {
		const missing = Object.entries(NODES).flatMap(([name, node]) =>
			allProperties(node.description.properties).flatMap((p) =>
				p.type === 'options'
					? ((p.options ?? []) as INodePropertyOptions[]).filter((o) => !o.description).map((o) => `${name}: ${p.displayName} → ${o.name}`)
					: [],
			),
		);
		expect(missing).toEqual([]);
	});

	test('every field of every node and credential has a description (notices and placeholders aside)', () => {
		const properties = [
			...Object.entries(NODES).flatMap(([name, node]) => allProperties(node.description.properties).map((p) => ({ where: name, p }))),
			...CREDENTIALS.flatMap((c) => c.properties.map((p) => ({ where: c.name, p }))),
		];
		const missing = properties
			.filter(({ p }) => !['notice', 'credentials', 'collection', 'hidden'].includes(p.type) && !p.description)
			.map(({ where, p }) => `${where}: ${p.displayName}`);
		expect(missing).toEqual([]);
	});

	test('every credential field has a hint with an example, and units read (ms)', () => {
		for (const credential of CREDENTIALS) {
			for (const p of credential.properties.filter((p) => p.type !== 'notice')) {
				expect({ field: `${credential.name}.${p.name}`, hint: Boolean(p.hint) }).toEqual({
					field: `${credential.name}.${p.name}`,
					hint: true,
				});
				expect(p.displayName).not.toMatch(/\(Ms\)/);
			}
		}
		const extraHeaders = new ScimTargetApi().properties.find((p) => p.name === 'extraHeaders')!;
		expect(extraHeaders).toMatchObject({ default: '{}', type: 'string' });
	});
});

describe('the target a node writes to', () => {
	const actionNodes = ['ProvisionUser', 'DeprovisionUser', 'GroupSync', 'MapAttributes'];

	test('each target credential shows for its own target only, for every node version', () => {
		for (const name of actionNodes) {
			const node = NODES[name];
			const versions = [node.description.version].flat();
			// The target credentials (version 2 adds the n8n API key of the Data Table log).
			for (const credential of node.description.credentials!.filter((c) => c.name !== 'provisioningLogApi')) {
				const kind = { scimTargetApi: 'scim', ldapDirectoryApi: 'ldap', sqlDatabaseApi: 'sql' }[credential.name];
				expect(credential.displayOptions?.show?.['@version']).toEqual(expect.arrayContaining(versions));
				for (const target of ['scim', 'ldap', 'sql', 'none']) {
					const shown = NodeHelpers.displayParameter({ target }, credential, { typeVersion: versions[0] } as INode, null);
					expect({ name, credential: credential.name, target, shown }).toEqual({
						name,
						credential: credential.name,
						target,
						shown: target === kind,
					});
				}
			}
		}
	});

	test('no credential is shown through a parameter value: n8n would take Target for an authentication field and hide it', () => {
		for (const name of actionNodes) {
			for (const credential of NODES[name].description.credentials!)
				expect(Object.keys(credential.displayOptions?.show ?? {})).toEqual(['@version']);
		}
	});

	test('the credential select sits right under Target', () => {
		for (const name of ['ProvisionUser', 'DeprovisionUser', 'GroupSync']) {
			const names = NODES[name].description.properties.map((p) => p.name);
			expect(names.slice(0, 2)).toEqual(['target', 'targetCredential']);
		}
	});
});

describe('Map Attributes rows', () => {
	const mapping = (NODES.MapAttributes.description.properties.find((p) => p.name === 'mappings')!.options as INodePropertyCollection[])[0]
		.values;
	const shownFor = (type: string) =>
		mapping.filter((p) => NodeHelpers.displayParameter({ type }, p, { typeVersion: 1 } as INode, null)).map((p) => p.displayName);

	test('a row reads Target Attribute, Mapping Type, then the one field its type uses', () => {
		expect(shownFor('direct')).toEqual([
			'Target Attribute',
			'Mapping Type',
			'Source Attribute',
			'Default Value If Null',
			'Apply',
			'Match Precedence',
			'Reference to Account By',
			'Required',
			'Clear When Empty',
		]);
		expect(shownFor('constant').slice(0, 3)).toEqual(['Target Attribute', 'Mapping Type', 'Constant Value']);
		expect(shownFor('expression').slice(0, 3)).toEqual(['Target Attribute', 'Mapping Type', 'Entra Expression']);
		expect(shownFor('none')).toEqual(['Target Attribute', 'Mapping Type', 'Default Value If Null', 'Match Precedence', 'Required']);
	});

	test('the parameter names are those saved workflows use', () => {
		// Target Attribute is declared twice (free text without a target, the schema's list with one): one saved name.
		expect([...new Set(mapping.map((p) => p.name))].sort()).toEqual([
			'apply',
			'clearWhenEmpty',
			'constant',
			'defaultValue',
			'expression',
			'matchPrecedence',
			'referenceBy',
			'required',
			'source',
			'target',
			'type',
		]);
	});

	test('a new scoping clause has a valid operator from the start', () => {
		const clause = (NODES.MapAttributes.description.properties.find((p) => p.name === 'scoping')!.options as INodePropertyCollection[])[0]
			.values;
		const operator = clause.find((p) => p.name === 'operator')!;
		expect((operator.options as INodePropertyOptions[]).map((o) => o.value)).toContain(operator.default);
	});
});

describe('SCIM Trigger: the tenant URL', () => {
	test('computed as n8n computes its webhook URL', () => {
		expect(webhookBaseUrl({})).toBe('http://localhost:5678/');
		expect(webhookBaseUrl({ N8N_PROTOCOL: 'https', N8N_HOST: 'n8n.example.org', N8N_PORT: '443' })).toBe('https://n8n.example.org/');
		expect(webhookBaseUrl({ N8N_HOST: 'n8n.local', N8N_PORT: '80', N8N_PATH: '/n8n/' })).toBe('http://n8n.local/n8n/');
		expect(webhookBaseUrl({ WEBHOOK_URL: '"https://hooks.example.org"', N8N_HOST: 'ignored' })).toBe('https://hooks.example.org/');
		expect(tenantUrl({ WEBHOOK_URL: 'https://hooks.example.org/' }, 'abc', 'production')).toBe(
			'https://hooks.example.org/webhook/abc/scim/v2',
		);
		expect(tenantUrl({ WEBHOOK_URL: 'https://hooks.example.org/', N8N_ENDPOINT_WEBHOOK_TEST: 'try' }, 'abc', 'test')).toBe(
			'https://hooks.example.org/try/abc/scim/v2',
		);
		expect(tenantUrl({ N8N_EDITOR_BASE_URL: 'https://editor.example.org' }, 'abc', 'test')).toBe(
			'https://editor.example.org/webhook-test/abc/scim/v2',
		);
	});

	test('the SCIM Store node reads the webhook id back from any URL the trigger shows (built and parsed in one module)', () => {
		const id = '5f0c1e2a-93b4-4c1d-8e7f-0a1b2c3d4e5f';
		const envs = [
			{},
			{ WEBHOOK_URL: 'https://hooks.example.org/base/' },
			{ N8N_ENDPOINT_WEBHOOK: 'hooks', N8N_ENDPOINT_WEBHOOK_TEST: 'try-hooks' },
			{ N8N_PROTOCOL: 'https', N8N_HOST: 'n8n.example.org', N8N_PORT: '8443', N8N_PATH: '/scim/v2/' },
			{ N8N_EDITOR_BASE_URL: 'https://editor.example.org/n8n' },
		];
		for (const env of envs)
			for (const mode of ['production', 'test'] as const) {
				const url = tenantUrl(env, id, mode);
				expect({ url, id: webhookIdOf(url) }).toEqual({ url, id });
				expect(webhookIdOf(`  ${url}/  `)).toBe(id);
			}
		expect(webhookIdOf(id)).toBe(id);
		for (const notOne of [
			'',
			'https://n8n.example.org/webhook/abc',
			'https://n8n.example.org/scim/v2',
			'https://x.org/webhook/abc/scim/v2/Users',
			'a b',
		])
			expect(webhookIdOf(notOne)).toBeUndefined();
	});

	test('the panel shows it first, as an expression the editor fills with the node’s webhook id', () => {
		const [url, testUrl] = NODES.ScimTrigger.description.properties;
		expect(url).toMatchObject({ name: 'tenantUrl', displayName: 'Tenant URL', default: tenantUrlExpression(process.env, 'production') });
		expect(url.default).toMatch(/^=.*\/webhook\/\{\{ \$webhookId \}\}\/scim\/v2$/);
		expect(testUrl).toMatchObject({ name: 'testTenantUrl' });
		expect(NODES.ScimTrigger.description.parameterPane).toBe('wide');
	});

	test('it says where the token goes in Entra ID and in Okta', () => {
		const notices = NODES.ScimTrigger.description.properties
			.filter((p) => p.type === 'notice')
			.map((p) => p.displayName)
			.join(' ');
		for (const words of ['Entra ID', 'Tenant URL', 'Secret Token', 'Okta', 'SCIM connector base URL', 'HTTP Header'])
			expect(notices).toContain(words);
	});

	test('the trigger credential is tested for strength, not for a connection; weak tokens are refused at activation too', () => {
		expect(NODES.ScimTrigger.description.credentials).toEqual([
			{ name: 'scimTriggerAuthApi', required: true, testedBy: 'scimTriggerAuthTest' },
		]);
		expect((new ScimTriggerAuthApi() as ICredentialType).test).toBeUndefined();
		expect(NODES.ScimTrigger.methods?.credentialTest?.scimTriggerAuthTest).toEqual(expect.any(Function));
		expect(tokenProblem('')).toMatch(/no bearer token/);
		expect(tokenProblem('short-token')).toMatch(/11 characters: use at least 16/);
		expect(tokenProblem('a-long-enough-token-0123')).toBeUndefined();
	});

	test.each([1, 2])('the Webhook URLs list shows only the collections, without method badges (version %d)', (version) => {
		const webhooks = new ScimTrigger().getNodeType(version).description.webhooks!;
		expect(webhooks.filter((w) => !w.ndvHideUrl).map((w) => w.path)).toEqual(['scim/v2/Users', 'scim/v2/Groups']);
		expect(webhooks.every((w) => w.ndvHideMethod === true)).toBe(true);
	});
});

describe('findability and documentation', () => {
	test.each(Object.keys(NODES))('%s has a codex file with search aliases and documentation links that exist', (name) => {
		const codex = JSON.parse(readFileSync(join(ROOT, 'nodes', name, `${name}.node.json`), 'utf8'));
		expect(codex.node).toBe(`n8n-nodes-provisioning.${NODES[name].description.name}`);
		for (const alias of ['LDAP', 'Active Directory', 'OpenLDAP', 'Entra', 'Azure AD', 'Okta', 'SCIM', 'HR'])
			expect(codex.alias).toContain(alias);
		expect(codex.alias.some((a: string) => /joiner|leaver/.test(a))).toBe(true);
		// n8n 1.x shows a node's description in the nodes panel only with a Core Nodes subcategory.
		expect(codex.subcategories['Core Nodes']).toHaveLength(1);
		const links = [...codex.resources.primaryDocumentation, ...codex.resources.credentialDocumentation].map((r: { url: string }) => r.url);
		for (const link of links) expect(anchors).toContain(link.split('#')[1]);
	});

	test('every credential links to its own section of the README', () => {
		for (const credential of CREDENTIALS) expect(anchors).toContain(String(credential.documentationUrl).split('#')[1]);
	});

	test('the build copies the codex files into dist', () => {
		expect(readFileSync(join(ROOT, 'gulpfile.js'), 'utf8')).toContain("'nodes/**/*.node.json'");
	});
});

describe('SCIM Trigger activation', () => {
	const hooks = (NODES.ScimTrigger as unknown as { webhookMethods: { default: Record<string, (this: unknown) => Promise<boolean>> } })
		.webhookMethods.default;
	const context = (token: string, served: string) => {
		const warn = jest.fn();
		return {
			warn,
			ctx: {
				getCredentials: async () => ({ token }),
				getNode: () => ({ name: 'SCIM Trigger', webhookId: 'abc' }),
				getNodeWebhookUrl: () => `${served}/Users`,
				logger: { warn },
			},
		};
	};
	const shown = tenantUrl(process.env, 'abc', 'production');

	test('n8n calls create() on every activation, which checks the set-up', async () => {
		expect(await hooks.checkExists.call({})).toBe(false);
	});

	test('a weak or missing token stops the activation, saying how to make one', async () => {
		await expect(hooks.create.call(context('short', shown).ctx)).rejects.toThrow(/5 characters: use at least 16/);
		await expect(hooks.create.call(context('', shown).ctx)).rejects.toThrow(/no bearer token/);
	});

	test('a good token activates; the panel’s URL matching the served one logs nothing', async () => {
		const { ctx, warn } = context('a-long-enough-token-0123', shown);
		expect(await hooks.create.call(ctx)).toBe(true);
		expect(warn).not.toHaveBeenCalled();
	});

	test('when n8n serves another URL than the panel shows, activation says so', async () => {
		const { ctx, warn } = context('a-long-enough-token-0123', 'https://behind.a.proxy/webhook/abc/scim/v2');
		expect(await hooks.create.call(ctx)).toBe(true);
		expect(warn).toHaveBeenCalledWith(expect.stringContaining('n8n serves https://behind.a.proxy/webhook/abc/scim/v2'));
	});
});
