/** Ready-made mappings users start from and then edit (rows they add replace preset rows of the same target). */
import { ENTERPRISE_USER_SCHEMA as ENT } from '../scim/schema';
import type { MappingRow } from './mapping';

const ENT_PATH = `["${ENT}"]`;

const direct = (target: string, source: string, extra: Partial<MappingRow> = {}): MappingRow => ({
	target,
	type: 'direct',
	source,
	optional: true,
	...extra,
});
const expression = (target: string, expr: string, extra: Partial<MappingRow> = {}): MappingRow => ({
	target,
	type: 'expression',
	expression: expr,
	...extra,
});

/** The local part of a SCIM userName such as ada.lovelace@example.org. */
const LOCAL_PART = 'Replace(ToLower([userName]), , "@.*$", , "", , )';

export const PRESETS: Record<string, { name: string; description: string; rows: MappingRow[] }> = {
	scimToOpenLdap: {
		name: 'SCIM/Entra User → OpenLDAP inetOrgPerson',
		description: 'uid from the userName, cn/sn/givenName/mail; pair with DN template uid={uid},ou=People,…',
		rows: [
			expression('uid', LOCAL_PART, { matchPrecedence: 1, required: true }),
			direct('employeeNumber', `${ENT_PATH}.employeeNumber`, { matchPrecedence: 2 }),
			expression('cn', 'Coalesce([displayName], Join(" ", [name.givenName], [name.familyName]))', { required: true }),
			direct('sn', 'name.familyName', { required: true }),
			direct('givenName', 'name.givenName'),
			direct('displayName', 'displayName'),
			direct('mail', 'emails[type eq "work"].value'),
			direct('title', 'title'),
			direct('departmentNumber', `${ENT_PATH}.department`),
			direct('manager', `${ENT_PATH}.manager.userName`, { referenceBy: 'mail' }),
			expression('objectClass', 'Split("top,person,organizationalPerson,inetOrgPerson", ",")', { apply: 'create' }),
		],
	},
	scimToActiveDirectory: {
		name: 'SCIM/Entra User → Active Directory User',
		description: 'sAMAccountName, userPrincipalName, userAccountControl from active; pair with DN template CN={cn},OU=Users,…',
		rows: [
			expression('sAMAccountName', `Left(${LOCAL_PART}, 20)`, { matchPrecedence: 1, required: true }),
			direct('userPrincipalName', 'userName', { matchPrecedence: 2, required: true }),
			expression('cn', 'Coalesce([displayName], Join(" ", [name.givenName], [name.familyName]))', { required: true }),
			direct('sn', 'name.familyName', { required: true }),
			direct('givenName', 'name.givenName'),
			direct('displayName', 'displayName'),
			direct('mail', 'emails[type eq "work"].value'),
			direct('title', 'title'),
			direct('employeeNumber', `${ENT_PATH}.employeeNumber`),
			direct('department', `${ENT_PATH}.department`),
			direct('manager', `${ENT_PATH}.manager.userName`, { referenceBy: 'userPrincipalName' }),
			expression('userAccountControl', 'IIF([active]="False", "514", "512")'),
			expression('objectClass', 'Split("top,person,organizationalPerson,user", ",")', { apply: 'create' }),
		],
	},
	hrCsvToScim: {
		name: 'HR CSV Row → SCIM Core and Enterprise User',
		description:
			"Columns EmployeeID, FirstName, LastName, Email, JobTitle, Department, ManagerID (the manager's EmployeeID), Status, HireDate",
		rows: [
			direct('externalId', 'EmployeeID', { matchPrecedence: 1, optional: false, required: true }),
			direct('userName', 'Email', { matchPrecedence: 2, optional: false, required: true }),
			direct('name.givenName', 'FirstName'),
			direct('name.familyName', 'LastName'),
			expression('displayName', 'Join(" ", [FirstName], [LastName])'),
			direct('emails[type eq "work"].value', 'Email'),
			direct('title', 'JobTitle'),
			direct(`${ENT}:department`, 'Department'),
			direct(`${ENT}:employeeNumber`, 'EmployeeID'),
			direct(`${ENT}:manager.value`, 'ManagerID', { referenceBy: 'externalId' }),
			expression('active', 'IIF([Status]="Terminated", False, True)'),
		],
	},
	scimPassthrough: {
		name: 'SCIM → SCIM Pass-Through',
		description: 'Core and enterprise attributes copied as they are',
		rows: [
			direct('userName', 'userName', { matchPrecedence: 1, optional: false, required: true }),
			direct('externalId', 'externalId', { matchPrecedence: 2 }),
			direct('name.givenName', 'name.givenName'),
			direct('name.familyName', 'name.familyName'),
			direct('displayName', 'displayName'),
			direct('emails[type eq "work"].value', 'emails[type eq "work"].value'),
			direct('title', 'title'),
			direct('active', 'active'),
			direct(`${ENT}:department`, `${ENT_PATH}.department`),
			direct(`${ENT}:employeeNumber`, `${ENT_PATH}.employeeNumber`),
			direct(`${ENT}:manager.value`, `${ENT_PATH}.manager.userName`, { referenceBy: 'userName' }),
		],
	},
};

/** Preset rows, with the user's rows replacing same-target rows and listed targets removed. */
export function withPreset(preset: string, rows: MappingRow[], remove: string[] = []): MappingRow[] {
	const base = PRESETS[preset]?.rows ?? [];
	const overridden = new Set(rows.map((r) => r.target));
	const removed = new Set(remove.map((r) => r.trim()).filter(Boolean));
	return [...base.filter((r) => !overridden.has(r.target) && !removed.has(r.target)), ...rows];
}
