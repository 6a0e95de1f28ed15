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

/**
 * Entra's API-driven inbound records (/bulkUpload): the anchor is externalId (the employee id), the enterprise
 * extension's manager names the manager by employee id, and raw HR columns sit in a custom extension (CSV2SCIM's).
 * The trigger stores a manager it knows by its id and tells the manager's externalId beside it; one it does not know
 * yet keeps the employee id as its value.
 * Extension attributes are named as Entra names them: the schema URN, a colon, the attribute.
 */
const HR_CSV = 'urn:ietf:params:scim:schemas:extension:csv:1.0:User';
const EMPLOYEE_ID = `Coalesce([externalId], [${ENT}:employeeNumber])`;
const MANAGER_ID = `Coalesce([${ENT}:manager.externalId], [${ENT}:manager.value])`;
const LAST_DAY = `[${HR_CSV}:LastDayOfWork]`;
const FULL_NAME = 'Coalesce([displayName], Join(" ", [name.givenName], [name.familyName]))';

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
	hrInboundToOpenLdap: {
		name: 'HR (Entra Inbound) → OpenLDAP inetOrgPerson',
		description:
			'employeeNumber from externalId (matched first), manager by employeeNumber, last day of work as shadowExpire (shadowAccount); pair with DN template uid={uid},ou=People,…',
		rows: [
			expression('employeeNumber', EMPLOYEE_ID, { matchPrecedence: 1, required: true }),
			expression('uid', LOCAL_PART, { matchPrecedence: 2, required: true }),
			expression('cn', FULL_NAME, { required: true }),
			direct('sn', 'name.familyName', { required: true }),
			direct('givenName', 'name.givenName'),
			direct('displayName', 'displayName'),
			direct('mail', 'emails[type eq "work"].value'),
			direct('title', 'title'),
			direct('employeeType', 'userType'),
			direct('departmentNumber', `${ENT_PATH}.department`),
			direct('o', `${ENT_PATH}.organization`),
			// An expression, not a Direct path: the manager is named by employee id (MANAGER_ID), never by a trigger id.
			expression('manager', MANAGER_ID, { referenceBy: 'employeeNumber' }),
			// shadowExpire counts days since 1970 and expires the account on that day: the day after the last one.
			// (pwdEndTime is not used: it holds the time an account was disabled, for delayed deletion.)
			expression('shadowExpire', `IIF(IsPresent(${LAST_DAY}), DateDiff("d", "1970-01-01", DateAdd("d", 1, ${LAST_DAY})), "")`, {
				clearWhenEmpty: true,
			}),
			expression('objectClass', 'Split("top,person,organizationalPerson,inetOrgPerson,shadowAccount", ",")', { apply: 'create' }),
		],
	},
	hrInboundToActiveDirectory: {
		name: 'HR (Entra Inbound) → Active Directory User',
		description:
			'employeeID from externalId (matched first), manager by employeeID, last day of work as accountExpires (end of day, UTC), userAccountControl from active',
		rows: [
			expression('employeeID', EMPLOYEE_ID, { matchPrecedence: 1, required: true }),
			expression('sAMAccountName', `Left(${LOCAL_PART}, 20)`, { matchPrecedence: 2, required: true }),
			direct('userPrincipalName', 'userName', { required: true }),
			expression('cn', FULL_NAME, { required: true }),
			direct('sn', 'name.familyName', { required: true }),
			direct('givenName', 'name.givenName'),
			direct('displayName', 'displayName'),
			direct('mail', 'emails[type eq "work"].value'),
			direct('title', 'title'),
			direct('employeeType', 'userType'),
			direct('department', `${ENT_PATH}.department`),
			direct('company', `${ENT_PATH}.organization`),
			direct('division', `${ENT_PATH}.division`),
			expression('manager', MANAGER_ID, { referenceBy: 'employeeID' }),
			// Entra's HR → AD pattern; change Z to the HR system's offset. No last day: never expires (AD's own default).
			expression(
				'accountExpires',
				`IIF(IsPresent(${LAST_DAY}), NumFromDate(Join("", FormatDateTime(${LAST_DAY}, , "yyyy-MM-dd", "yyyy-MM-dd"), "T23:59:59Z")), "9223372036854775807")`,
			),
			expression('userAccountControl', 'IIF([active]="False", "514", "512")'),
			expression('objectClass', 'Split("top,person,organizationalPerson,user", ",")', { apply: 'create' }),
		],
	},
	hrInboundToScim: {
		name: 'HR (Entra Inbound) → SCIM App',
		description:
			'externalId is the employee id (matched first), manager by externalId, active as sent; SCIM has no hire or leave date attributes',
		rows: [
			expression('externalId', EMPLOYEE_ID, { matchPrecedence: 1, required: true }),
			direct('userName', 'userName', { matchPrecedence: 2, optional: false, required: true }),
			direct('name.givenName', 'name.givenName'),
			direct('name.familyName', 'name.familyName'),
			expression('displayName', FULL_NAME),
			direct('emails[type eq "work"].value', 'emails[type eq "work"].value'),
			direct('title', 'title'),
			direct('userType', 'userType'),
			direct('active', 'active'),
			expression(`${ENT}:employeeNumber`, EMPLOYEE_ID),
			direct(`${ENT}:department`, `${ENT_PATH}.department`),
			direct(`${ENT}:division`, `${ENT_PATH}.division`),
			direct(`${ENT}:costCenter`, `${ENT_PATH}.costCenter`),
			direct(`${ENT}:organization`, `${ENT_PATH}.organization`),
			expression(`${ENT}:manager.value`, MANAGER_ID, { referenceBy: 'externalId' }),
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
