/**
 * fast-check generators of what a SCIM client can send the service provider: Users and Groups built from the
 * published schema (plus noise), PATCH operations in RFC 7644, Entra and Okta forms, filters, and names a JavaScript
 * object inherits placed at every depth of paths, value keys and bodies. Ids are placeholders (`$USER`, `$GROUP`,
 * `$USERNAME`) the runner replaces with the case's real ones.
 */
import fc from 'fast-check';
import { type AttributeDefinition, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../../lib/scim/server/schemas';

export const ENT = ENTERPRISE_USER_SCHEMA.id;
export const ACME = 'urn:acme:ext:2.0:User';
export const CUSTOM = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
export const ACME_GROUP = 'urn:acme:ext:2.0:Group';
export const CORE_USER = USER_SCHEMA.id;

const namesOf = (attributes: AttributeDefinition[]): string[] =>
	attributes.flatMap((a) => [a.name, ...(a.subAttributes ?? []).map((s) => s.name)]);

/** Every name the three built-in prototypes have, and the forms the brief lists, case variants included. */
export const INHERITED_NAMES = [
	...new Set([
		...Object.getOwnPropertyNames(Object.prototype),
		...Object.getOwnPropertyNames(Array.prototype),
		...Object.getOwnPropertyNames(Function.prototype),
		'prototype',
		'constructor.prototype',
		'__PROTO__',
		'HasOwnProperty',
		'TOSTRING',
		'Constructor',
	]),
];
const SCHEMA_NAMES = [
	...new Set([...namesOf(USER_SCHEMA.attributes), ...namesOf(GROUP_SCHEMA.attributes), ...namesOf(ENTERPRISE_USER_SCHEMA.attributes)]),
];

const inherited = fc.constantFrom(...INHERITED_NAMES);
const schemaName = fc.constantFrom(...SCHEMA_NAMES).chain((n) => fc.constantFrom(n, n.toLowerCase(), n.toUpperCase()));
const identifier = fc.stringMatching(/^[a-z][A-Za-z0-9]{0,6}$/);

/** A name: from the schema, inherited, made up or odd; sometimes a dotted or URN composition of two. */
export const name: fc.Arbitrary<string> = fc.oneof(
	{ weight: 4, arbitrary: schemaName },
	{ weight: 3, arbitrary: inherited },
	{ weight: 2, arbitrary: identifier },
	{ weight: 1, arbitrary: fc.string({ maxLength: 5 }) },
	{ weight: 1, arbitrary: fc.tuple(inherited, fc.constantFrom('.', ':'), fc.oneof(inherited, identifier)).map((p) => p.join('')) },
	{ weight: 1, arbitrary: fc.tuple(fc.constantFrom(ACME, ENT, CUSTOM), fc.oneof(inherited, identifier)).map(([u, n]) => `${u}:${n}`) },
);

const text = fc.oneof(
	fc.constantFrom('Ada', 'False', 'true', 'x@example.com', 'work', '', 'hasOwnProperty', '$USER', '2024-01-31T09:00:00Z'),
	fc.string({ maxLength: 8 }),
);
const scalar = fc.oneof(
	text,
	fc.boolean(),
	fc.integer({ min: -5, max: 5 }),
	fc.double({ noNaN: true, noDefaultInfinity: true }),
	fc.constant(null),
);

/** Any JSON, with keys drawn from `name` (so inherited names appear at every depth), up to four levels. */
export const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
	value: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		scalar,
		fc.array(tie('value'), { maxLength: 3 }),
		fc.array(fc.tuple(name, tie('value')), { maxLength: 3 }).map((entries) => Object.fromEntries(entries)),
	),
})).value;

/** Mostly nothing: `arb` one time in `1 + none`. */
const rarely = <T>(arb: fc.Arbitrary<T>, none = 4) =>
	fc.oneof({ weight: none, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

/** A value of an attribute's type (Entra's "True"/"False" strings included). */
function fitting(definition: AttributeDefinition): fc.Arbitrary<unknown> {
	const one: fc.Arbitrary<unknown> =
		definition.type === 'complex'
			? fc
					.uniqueArray(fc.constantFrom(...(definition.subAttributes ?? []).filter((s) => s.mutability !== 'readOnly')), {
						maxLength: 3,
						selector: (sub) => sub.name,
					})
					.chain((subs) => fc.tuple(...subs.map((sub) => fitting(sub).map((v) => [sub.name, v] as const))))
					.map((entries) => Object.fromEntries(entries))
			: definition.type === 'boolean'
				? fc.oneof(fc.boolean(), fc.constantFrom('True', 'False'))
				: definition.type === 'dateTime'
					? fc.constantFrom('2024-01-31T09:00:00Z', '2024-01-31T09:00:00.5+02:00')
					: definition.type === 'binary'
						? fc.constantFrom('QUJD', '')
						: definition.type === 'integer' || definition.type === 'decimal'
							? fc.integer({ min: -3, max: 3 })
							: text;
	return definition.multiValued ? fc.array(one, { maxLength: 2 }) : one;
}

/** A value that fits one attribute of the schema, or (one time in eight) one that may not. */
const valueFor = (definition: AttributeDefinition) =>
	fc.oneof({ weight: 7, arbitrary: fitting(definition) }, { weight: 1, arbitrary: fc.oneof(json, text) });

/** Some attributes of a schema with values, as an object. */
function attributesOf(attributes: AttributeDefinition[], max: number) {
	return fc
		.uniqueArray(fc.constantFrom(...attributes.filter((a) => a.mutability !== 'readOnly')), { maxLength: max, selector: (a) => a.name })
		.chain((chosen) => fc.tuple(...chosen.map((a) => valueFor(a).map((v) => [a.name, v] as const))))
		.map((entries) => Object.fromEntries(entries) as Record<string, unknown>);
}

/** Noise, now and then: a made-up or inherited attribute, an extension with any JSON, a core URN key, the enterprise one. */
const extra = rarely(
	fc.oneof(
		fc.tuple(name, json),
		fc.tuple(fc.constantFrom(ACME, CUSTOM, ACME_GROUP), json),
		fc.tuple(fc.constant(CORE_USER.toUpperCase()), json),
		fc.tuple(fc.constant(ENT), attributesOf(ENTERPRISE_USER_SCHEMA.attributes, 3)),
	),
	2,
);

export const userBody = fc
	.tuple(
		attributesOf(
			USER_SCHEMA.attributes.filter((a) => a.name !== 'userName' && a.name !== 'groups'),
			4,
		),
		extra,
		fc.boolean(),
	)
	.map(([attributes, noise, withEnterprise]) => ({
		...attributes,
		userName: '$USERNAME',
		...(withEnterprise ? { [ENT]: { department: 'R&D', manager: '$USER' } } : {}),
		...(noise ? { [noise[0]]: noise[1] } : {}),
	}));

export const groupBody = fc
	.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.array(fc.constantFrom('$USER', 'unknown-id', 'toString'), { maxLength: 2 }), extra)
	.map(([displayName, members, noise]) => ({
		displayName,
		members: members.map((value) => ({ value })),
		...(noise ? { [noise[0]]: noise[1] } : {}),
	}));

const quoted = fc.oneof(
	fc.constantFrom('"$USERNAME"', '"work"', '"toString"', '"a:b"', '"x]y"'),
	text.map((t) => JSON.stringify(t)),
);
const compare = fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ');
const compValue = fc.oneof(quoted, fc.constantFrom('true', 'false', 'null', '1', '-2.5', 'unquoted'));
const attrPath = fc.oneof(
	fc.constantFrom('userName', 'displayName', 'emails.value', 'name.givenName', 'active', 'meta.lastModified', 'id', 'externalId'),
	fc.constantFrom('members.value', `${ENT}:department`, `${CORE_USER}:userName`, `${ACME}:foo`, 'title'),
	name,
);

/** A filter of the RFC grammar, with value paths and inherited names; or text that is not one. */
export const filter: fc.Arbitrary<string> = fc.oneof(
	{
		weight: 8,
		arbitrary: fc.letrec<{ expr: string }>((tie) => ({
			expr: fc.oneof(
				{ depthSize: 'small', withCrossShrink: true },
				fc.tuple(attrPath, compare, compValue).map((p) => p.join(' ')),
				attrPath.map((a) => `${a} pr`),
				fc.tuple(attrPath, tie('expr')).map(([a, e]) => `${a}[${e}]`),
				fc.tuple(tie('expr'), fc.constantFrom('and', 'or', 'AND'), tie('expr')).map((p) => p.join(' ')),
				tie('expr').map((e) => `not (${e})`),
				tie('expr').map((e) => `(${e})`),
			),
		})).expr,
	},
	{ weight: 1, arbitrary: fc.constantFrom('emails[type eq "work"].value eq "$USERNAME"', 'userName eq "$USERNAME"', 'externalId eq 42') },
	{ weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

/** A PATCH path: RFC shapes over `name`, with URN prefixes, value filters and sub-attributes; whole extensions; odd text. */
export const patchPath: fc.Arbitrary<string> = fc.oneof(
	{
		weight: 6,
		arbitrary: fc
			.tuple(
				fc.constantFrom(
					'',
					`${CORE_USER}:`,
					`${CORE_USER.toLowerCase()}:`,
					`${ENT}:`,
					`${ACME}:`,
					`${CUSTOM}:`,
					'urn:x:toString:2.0:User:',
				),
				name,
				rarely(filter, 2),
				rarely(name, 2),
			)
			.map(
				([prefix, attribute, valueFilter, sub]) =>
					`${prefix}${attribute}${valueFilter === null ? '' : `[${valueFilter}]`}${sub === null ? '' : `.${sub}`}`,
			),
	},
	{
		weight: 1,
		arbitrary: fc.constantFrom(
			ENT,
			ACME,
			CUSTOM,
			CORE_USER,
			'members',
			'emails[type eq "work"].value',
			'addresses[type eq "work"].locality',
		),
	},
	{ weight: 1, arbitrary: fc.array(name, { minLength: 3, maxLength: 5 }).map((names) => names.join('.')) },
	{ weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

const op = fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove');
const id = fc.constantFrom('$USER', '$GROUP', 'unknown-id', 'toString');

/** Every path the published schemas describe (`emails[type eq "work"].value` for lists), with its definition. */
const SCHEMA_PATHS: Array<[string, AttributeDefinition]> = [];
for (const [prefix, attributes] of [
	['', [...USER_SCHEMA.attributes, ...GROUP_SCHEMA.attributes]],
	[`${ENT}:`, ENTERPRISE_USER_SCHEMA.attributes],
] as const)
	for (const a of attributes.filter((d) => d.mutability !== 'readOnly')) {
		SCHEMA_PATHS.push([`${prefix}${a.name}`, a]);
		for (const sub of (a.subAttributes ?? []).filter((d) => d.mutability !== 'readOnly'))
			SCHEMA_PATHS.push([`${prefix}${a.name}${a.multiValued ? '[type eq "work"]' : ''}.${sub.name}`, sub]);
	}

/** One PATCH operation: RFC 7644 on the schema's paths and on made-up ones, Entra's forms or Okta's. */
export const operation: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
	{
		weight: 6,
		arbitrary: fc
			.constantFrom(...SCHEMA_PATHS)
			.chain(([path, definition]) => fc.record({ op, path: fc.constant(path), value: valueFor(definition) })),
	},
	{ weight: 4, arbitrary: fc.record({ op, path: patchPath, value: fc.oneof(json, text) }, { requiredKeys: ['op'] }) },
	{
		weight: 2,
		arbitrary: fc.record({ op, value: fc.array(fc.tuple(name, fc.oneof(text, json)), { maxLength: 3 }).map((e) => Object.fromEntries(e)) }),
	},
	{
		weight: 2,
		arbitrary: fc.oneof(
			fc.record({ op: fc.constant('Replace'), path: fc.constant('active'), value: fc.constantFrom('False', 'True', 'false') }),
			fc.record({ op: fc.constantFrom('Add', 'Replace'), path: fc.constant(`${ENT}:manager`), value: fc.oneof(id, fc.constant('')) }),
			fc.record({
				op: fc.constant('Add'),
				path: fc.constantFrom('emails[type eq "work"].value', 'addresses[type eq "work"].streetAddress'),
				value: text,
			}),
			fc.record({
				op: fc.constant('Remove'),
				path: fc.constant('members'),
				value: fc.array(
					id.map((value) => ({ $ref: null, value })),
					{ maxLength: 2 },
				),
			}),
			fc.record({
				op: fc.constant('Add'),
				path: fc.constant('roles'),
				value: fc.array(
					fc.oneof(
						text,
						json.map((j) => JSON.stringify({ value: 'r', extra: j })),
					),
					{ maxLength: 2 },
				),
			}),
			fc.record({
				op: fc.constant('replace'),
				value: fc.record({ 'name.givenName': text, [`${ENT}:department`]: text, displayName: text }, { requiredKeys: [] }),
			}),
		),
	},
	{
		weight: 2,
		arbitrary: fc.oneof(
			fc.record({
				op: fc.constant('replace'),
				value: fc.record({ id, active: fc.boolean(), displayName: text, password: text }, { requiredKeys: ['id'] }),
			}),
			fc.record({
				op: fc.constantFrom('add', 'replace'),
				path: fc.constant('members'),
				value: fc.array(
					id.map((value) => ({ value, display: 'D' })),
					{ maxLength: 2 },
				),
			}),
			fc.record({ op: fc.constant('remove'), path: id.map((v) => `members[value eq "${v}"]`) }),
		),
	},
);

export const patchBody = fc
	.array(operation, { minLength: 1, maxLength: 3 })
	.map((Operations) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations }));

/** One request of a case, against the case's user or group. */
export type Step =
	| { kind: 'patch' | 'put'; target: 'User' | 'Group'; body: unknown }
	| { kind: 'list'; target: 'Users' | 'Groups' | '.search' | 'Users/.search'; filter: string; attributes?: string }
	| { kind: 'read'; target: 'User' | 'Group'; attributes?: string }
	| { kind: 'delete'; target: 'User' | 'Group' };

const target = fc.constantFrom<'User' | 'Group'>('User', 'Group');
const attributes = fc.oneof(
	{ weight: 3, arbitrary: fc.constant(undefined) },
	{ weight: 1, arbitrary: fc.array(fc.oneof(name, schemaName), { minLength: 1, maxLength: 3 }).map((a) => a.join(',')) },
);

export const step: fc.Arbitrary<Step> = fc.oneof(
	{ weight: 6, arbitrary: fc.record({ kind: fc.constant('patch' as const), target, body: patchBody }) },
	{
		weight: 2,
		arbitrary: fc.oneof(
			fc.record({ kind: fc.constant('put' as const), target: fc.constant('User' as const), body: userBody }),
			fc.record({ kind: fc.constant('put' as const), target: fc.constant('Group' as const), body: groupBody }),
		),
	},
	{
		weight: 3,
		arbitrary: fc.record(
			{ kind: fc.constant('list' as const), target: fc.constantFrom('Users', 'Groups', '.search', 'Users/.search'), filter, attributes },
			{ requiredKeys: ['kind', 'target', 'filter'] },
		),
	},
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('read' as const), target, attributes }, { requiredKeys: ['kind', 'target'] }) },
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), target }) },
);

export const scimCase = fc.record({ user: userBody, group: groupBody, steps: fc.array(step, { minLength: 1, maxLength: 4 }) });
