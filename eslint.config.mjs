// n8n's community-node lint, as @n8n/node-cli's `configWithoutCloudSupport` sets it up (ESLint 9, flat config):
// @eslint/js, typescript-eslint and eslint-plugin-import-x recommended, @n8n/eslint-plugin-community-nodes
// (recommendedWithoutN8nCloudSupport) and eslint-plugin-n8n-nodes-base's community, credentials and nodes rule sets.
// It covers what the package ships: nodes/, credentials/, lib/ and package.json. Rules this design cannot meet are
// switched off below, each with its reason; the README lists them under "n8n's community-node lint".
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';
import { n8nCommunityNodesPlugin } from './tools/lint/index.js';

const community = n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport;

// lib/'s layers, lowest first (README, Architecture): a module imports only from its own layer or the ones below.
// The store implements interfaces declared by the layers that use it (IdentityStore, LinkStore, GovernanceStore).
const BASE = ['util', 'errors', 'times', 'redact', 'envelope', 'storeLocation', 'attributeChanges'].map((m) => `./lib/${m}.ts`);
const LAYERS = [
	['./lib/scim', './lib/ldap'],
	['./lib/targets'],
	['./lib/provisioning'],
	['./lib/mapping', './lib/dataTables'],
	['./lib/store'],
];
const above = (index) => LAYERS.slice(index + 1).flat();
export const layerZones = [
	{ target: BASE, from: LAYERS.flat(), message: 'lib/ base modules import nothing above them (README, Architecture).' },
	...LAYERS.flatMap((layer, index) =>
		layer.map((dir) => ({
			target: dir,
			from: [...above(index), ...layer.filter((other) => other !== dir && !(dir === './lib/mapping' && other === './lib/dataTables'))],
			message: `${dir.slice(2)} sits below ${[...above(index)].map((d) => d.slice(2)).join(', ') || 'nothing'} (README, Architecture): move the shared piece down, or declare an interface here that the upper layer implements.`,
		})),
	).filter((zone) => zone.from.length > 0),
	{
		target: './lib',
		from: ['./nodes', './credentials', './test', './scripts', './dev', './bench'],
		message: 'The core (lib/) is free of n8n and of tooling.',
	},
	{ target: './nodes', from: ['./test', './scripts', './dev', './bench'], message: 'Product code never imports tooling or tests.' },
];
export const toolingZones = [
	{
		target: ['./scripts', './dev'],
		from: ['./test', './bench'],
		message: 'npm start and the dev tools never import tests: shared pieces live in dev/.',
	},
];

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'tools/**', 'test/**', 'bench/**', 'examples/**', '*.js', '*.mjs'] },
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'lib/**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended, community, importX.flatConfigs.recommended],
		rules: {
			'prefer-spread': 'off',
			'no-console': 'error',
			'import-x/no-restricted-paths': ['error', { zones: layerZones }],
		},
	},
	{
		files: ['lib/**/*.ts'],
		// The TypeScript settings let import-x read the modules it follows (it skips .ts files without them).
		extends: [importX.flatConfigs.typescript],
		rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
	},
	{
		// Tooling is not shipped: only the rule that keeps tests out of it.
		files: ['scripts/**/*.ts', 'dev/**/*.ts'],
		languageOptions: { parser: tseslint.parser },
		plugins: { 'import-x': importX },
		rules: { 'import-x/no-restricted-paths': ['error', { zones: toolingZones }] },
	},
	{
		files: ['lib/**/*.ts'],
		rules: {
			// lib/ is the core and imports nothing from n8n: it throws its own errors (ProvisioningError, ScimError,
			// StoreError), which nodes/shared/failures.ts turns into NodeOperationError and NodeApiError at the node.
			'@n8n/community-nodes/require-node-api-error': 'off',
		},
	},
	{
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
	},
	{
		files: ['package.json'],
		extends: [community],
		rules: {
			...n8nNodesBase.configs.community.rules,
			// A self-hosted package by design: ldapts, axios, pg and the SCIM libraries are runtime dependencies.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Meant for n8n's own docs slugs; community packages link a full URL (as n8n-nodes-starter does).
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
);
