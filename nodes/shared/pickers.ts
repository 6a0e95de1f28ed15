/**
 * Version 3 of Provision User, Deprovision User, Group Sync and Provisioning Log: tables, columns, OUs, groups and
 * the log's Data Table are pickers (n8n's resourceLocator: From List with search, By Name / By DN, or an
 * expression). A picker saves `{ mode, value }` where version 1 and 2 saved a string, so each picked parameter is
 * declared twice: the string for the older versions, the picker for 3. Both are read by `locatorText`.
 */
import type { IDisplayOptions, INodeProperties, INodePropertyMode } from 'n8n-workflow';

export const PICKER_VERSION = 3;
/** Every version of the four nodes. */
export const NODE_VERSIONS = [1, 2, PICKER_VERSION];
export const versionsFrom = (first: number) => NODE_VERSIONS.filter((v) => v >= first);

export type PickerKind = 'sqlTable' | 'sqlColumn' | 'dn' | 'group' | 'dataTable';

/**
 * The text of a parameter saved either way: a string (versions 1 and 2) or a picker's `{ mode, value }`. Its value
 * is what n8n's `extractValue` returns for modes without an extraction pattern, as all of ours are.
 */
export function locatorText(saved: unknown): string {
	const value = saved !== null && typeof saved === 'object' && 'value' in saved ? (saved as { value: unknown }).value : saved;
	return value === undefined || value === null ? '' : String(value).trim();
}

/** The same for a node's subtitle, as an n8n expression over `$parameter`. */
export const locatorExpression = (name: string) =>
	`((typeof $parameter["${name}"] === "object" && $parameter["${name}"]) ? $parameter["${name}"].value : $parameter["${name}"])`;

/** One mode of a picker (built here, so that the lint does not take it for a parameter without a default). */
const mode = (displayName: string, name: string, type: INodePropertyMode['type'], rest: Partial<INodePropertyMode>): INodePropertyMode => ({
	displayName,
	name,
	type,
	...rest,
});

const byName = (placeholder: string) => mode('By Name', 'name', 'string', { placeholder });

function modes(kind: PickerKind, method: string): INodePropertyMode[] {
	const list = mode('From List', 'list', 'list', { typeOptions: { searchListMethod: method, searchable: true } });
	switch (kind) {
		case 'sqlTable':
			return [list, byName('e.g. users or app.users')];
		case 'sqlColumn':
			return [list, byName('e.g. id')];
		case 'dn':
			return [list, mode('By DN', 'dn', 'string', { placeholder: 'e.g. ou=People,dc=example,dc=org' })];
		case 'group':
			return [list, byName('e.g. Engineering')];
		case 'dataTable':
			return [list, byName('e.g. provisioning_log'), mode('By ID', 'id', 'string', { placeholder: 'e.g. 7hNqf2bK9cX3vLmA' })];
	}
}

export interface Picker {
	kind: PickerKind;
	/** The node's `methods.listSearch` entry that lists it. */
	method: string;
	/** The mode new nodes start in (default: From List, holding the string parameter's default). */
	mode?: 'list' | 'name';
}

/** The picker for a string parameter: same name, label and default value, now with modes. */
export function pickerOf(property: INodeProperties, picker: Picker): INodeProperties {
	// The placeholder moves to the modes; a string's type options mean nothing to a picker.
	const rest = { ...property };
	delete rest.placeholder;
	delete rest.typeOptions;
	return {
		...rest,
		type: 'resourceLocator',
		default: { mode: picker.mode ?? 'list', value: String(property.default ?? '') },
		modes: modes(picker.kind, picker.method),
	};
}

function forVersions(property: INodeProperties, versions: number[]): INodeProperties {
	const show: IDisplayOptions['show'] = { ...(property.displayOptions?.show ?? {}), '@version': versions };
	return { ...property, displayOptions: { ...property.displayOptions, show } };
}

/**
 * The properties with each named one declared twice: as it was for the versions before 3 (or the ones it already
 * showed for), and as a picker from version 3 on.
 */
export function withPickers(properties: INodeProperties[], pickers: Record<string, Picker>): INodeProperties[] {
	return properties.flatMap((property) => {
		const picker = Object.prototype.hasOwnProperty.call(pickers, property.name) ? pickers[property.name] : undefined;
		if (!picker) return [property];
		const shownFor = (property.displayOptions?.show?.['@version'] as number[] | undefined) ?? NODE_VERSIONS;
		const older = shownFor.filter((v) => v < PICKER_VERSION);
		const picked = forVersions(pickerOf(property, picker), [PICKER_VERSION]);
		// A parameter new in version 3 is only a picker.
		return older.length ? [forVersions(property, older), picked] : [picked];
	});
}

/** The SQL pickers: the users table and its key column, the group and membership tables and their columns. */
export const SQL_PICKERS: Record<string, Picker> = {
	sqlTable: { kind: 'sqlTable', method: 'sqlTableSearch' },
	sqlKeyColumn: { kind: 'sqlColumn', method: 'sqlUserColumnSearch' },
	sqlGroupsTable: { kind: 'sqlTable', method: 'sqlTableSearch' },
	sqlGroupKeyColumn: { kind: 'sqlColumn', method: 'sqlGroupColumnSearch' },
	sqlGroupNameColumn: { kind: 'sqlColumn', method: 'sqlGroupColumnSearch' },
	sqlGroupExternalIdColumn: { kind: 'sqlColumn', method: 'sqlGroupColumnSearch' },
	sqlMembershipTable: { kind: 'sqlTable', method: 'sqlTableSearch' },
	sqlMembershipGroupColumn: { kind: 'sqlColumn', method: 'sqlMembershipColumnSearch' },
	sqlMembershipUserColumn: { kind: 'sqlColumn', method: 'sqlMembershipColumnSearch' },
};

const container: Picker = { kind: 'dn', method: 'ldapContainerSearch' };

/** The LDAP pickers: search bases, the OU new entries are created in, and the OUs entries are moved to. */
export const LDAP_PICKERS: Record<string, Picker> = {
	searchBase: container,
	newEntryContainer: container,
	groupSearchBase: container,
	disabledContainer: container,
	enabledContainer: container,
};

/** Group Sync's group, by name from the target's groups (an expression per item by default). */
export const GROUP_PICKER: Record<string, Picker> = { displayName: { kind: 'group', method: 'groupSearch', mode: 'name' } };

/** The provisioning log's Data Table. */
export const DATA_TABLE_PICKER: Record<string, Picker> = { logTable: { kind: 'dataTable', method: 'dataTableSearch', mode: 'name' } };

/** Every picker of the action nodes. */
export const ACTION_PICKERS: Record<string, Picker> = { ...SQL_PICKERS, ...LDAP_PICKERS, ...GROUP_PICKER, ...DATA_TABLE_PICKER };
