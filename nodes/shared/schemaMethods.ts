/**
 * The editor's view of the target's schema, shared by Provision User and Map Attributes: the Target Attribute
 * dropdown of a mapping row (the target's attributes, required ones marked) and the Schema Check parameter, whose
 * load method fails with the problems of the rows, so that n8n shows them as the parameter's issue before any run.
 */
import { type ILoadOptionsFunctions, type INodeProperties, type INodePropertyOptions, NodeOperationError } from 'n8n-workflow';
import type { TargetAttributeInfo, TargetAttributeList } from '../../lib/targets/attributeSchema';
import {
	attributeKeyOf,
	checkRows,
	indexAttributes,
	isExpression,
	type RowToCheck,
	type SchemaKind,
} from '../../lib/targets/attributeCheck';
import {
	ldapFlavourOf,
	ldapObjectClasses,
	plainText,
	type SchemaSettings,
	sqlSettingsFrom,
	targetAttributeList,
	targetKindOf,
} from './loadContext';

/** What a node tells the shared methods about its rows. */
export interface SchemaRows {
	/** The row field holding the target attribute, relative to the row ("&name"). */
	currentField: string;
	/** The rows to check, with their list-ness. */
	rows(ctx: ILoadOptionsFunctions): RowToCheck[];
	/** The values of the rows writing objectClass (LDAP: which classes to list). */
	objectClassValues(ctx: ILoadOptionsFunctions): unknown[];
}

/** The parameters the listing depends on: the editor loads the list again when one changes. */
export const SCHEMA_DEPENDS_ON = ['target', 'objectFilter', 'sqlTable', 'sqlTable.value', 'sqlColumns.mapping', 'sqlMultiValued.attribute'];

async function settingsFor(ctx: ILoadOptionsFunctions, kind: SchemaKind, rows: SchemaRows): Promise<SchemaSettings> {
	if (kind === 'sql') return { sql: sqlSettingsFrom(ctx) };
	if (kind !== 'ldap') return {};
	const filter = plainText(ctx.getCurrentNodeParameter('objectFilter'));
	return { objectClasses: ldapObjectClasses(rows.objectClassValues(ctx), filter, await ldapFlavourOf(ctx)) };
}

function describe(a: TargetAttributeInfo, list: TargetAttributeList): string {
	const facts = [
		a.type,
		a.multiValued ? 'multi-valued' : 'single value',
		a.required ? 'required' : '',
		a.readOnly ? 'set by the target' : '',
		a.source,
	].filter(Boolean);
	const fallback = list.origin === 'fallback' ? ' (standard schema: this app publishes none)' : '';
	return `${facts.join(' · ')}${fallback}${a.description ? ` — ${a.description}` : ''}`;
}

/** The dropdown: required attributes marked, read-only ones left out unless the row already names one. */
export function attributeOptions(kind: SchemaKind, list: TargetAttributeList, current: string): INodePropertyOptions[] {
	const options: INodePropertyOptions[] = list.attributes
		.filter((a) => !a.readOnly)
		.map((a) => ({ name: a.required ? `${a.name} (required)` : a.name, value: a.name, description: describe(a, list) }));
	if (kind === 'ldap') {
		options.push({ name: 'dn', value: 'dn', description: "The entry's DN: overrides the DN template" });
	}
	const value = current.trim();
	if (value && !isExpression(value) && !options.some((o) => o.value === value)) {
		// Known by another spelling (an alias, another element type, other case), or allowed by a fallback schema.
		const key = attributeKeyOf(kind, value);
		const known = key === undefined ? undefined : indexAttributes(kind, list).get(key);
		if (known) options.unshift({ name: `${value} (${known.name})`, value, description: describe(known, list) });
		else if (list.origin === 'fallback') {
			options.unshift({ name: `${value} (not in the standard schema: allowed)`, value, description: list.note });
		}
	}
	return options;
}

/** Map Attributes without a target: the row's own value, so nothing is marked. */
const onlyCurrent = (current: string): INodePropertyOptions[] => (current ? [{ name: current, value: current }] : []);

/** The load methods of a node whose rows name target attributes. */
export function schemaLoadMethods(rows: SchemaRows) {
	return {
		async targetAttributes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
			const current = plainText(this.getCurrentNodeParameter(rows.currentField));
			const kind = targetKindOf(this);
			if (!kind) return onlyCurrent(current);
			const list = await targetAttributeList(this, kind, await settingsFor(this, kind, rows));
			return attributeOptions(kind, list, current);
		},

		async checkTargetSchema(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
			const kind = targetKindOf(this);
			if (!kind) return [{ name: 'No Target to Check Against', value: 'checked' }];
			const list = await targetAttributeList(this, kind, await settingsFor(this, kind, rows));
			const findings = checkRows(kind, list, rows.rows(this));
			const errors = findings.filter((f) => f.level === 'error');
			if (errors.length) {
				const count = `${errors.length} problem${errors.length === 1 ? '' : 's'}`;
				throw new NodeOperationError(this.getNode(), `${count}: ${errors.map((f) => f.message).join('; ')}`);
			}
			const warnings = findings.map((f) => f.message);
			return [
				{
					name: warnings.length
						? `${warnings.length} warning${warnings.length === 1 ? '' : 's'}: ${warnings.join('; ')}`
						: `No problems found (${list.attributes.length} attributes in the target's schema)`,
					value: 'checked',
					description: list.note,
				},
			];
		},
	};
}

/** The row's Target Attribute as a dropdown of the target's attributes (an expression still names any other). */
export function targetAttributeDropdown(base: INodeProperties): INodeProperties {
	return {
		...base,
		type: 'options',
		typeOptions: { loadOptionsMethod: 'targetAttributes', loadOptionsDependsOn: SCHEMA_DEPENDS_ON },
		description: `${base.description}. Choose from the target's schema, or use an expression for any other name.`,
	};
}

/** The Schema Check parameter: its issue marker lists the rows' problems. */
export function schemaCheckProperty(displayOptions: INodeProperties['displayOptions'], rowsPath: string): INodeProperties {
	// Not a picker of names or IDs: its load method reports the rows' problems, so n8n's wording for pickers does not fit.
	return {
		// eslint-disable-next-line n8n-nodes-base/node-param-display-name-wrong-for-dynamic-options
		displayName: 'Schema Check',
		name: 'schemaCheck',
		type: 'options',
		noDataExpression: true,
		typeOptions: { loadOptionsMethod: 'checkTargetSchema', loadOptionsDependsOn: [...SCHEMA_DEPENDS_ON, rowsPath] },
		default: 'checked',
		// eslint-disable-next-line n8n-nodes-base/node-param-description-wrong-for-dynamic-options
		description:
			"The rows checked against the target's schema when the panel opens or a row is added: unknown attributes, required attributes without a row, lists into single-valued attributes. Problems show as this parameter's issue; nothing is stored.",
		displayOptions,
	};
}
