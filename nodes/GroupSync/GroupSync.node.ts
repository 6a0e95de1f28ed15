import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
} from 'n8n-workflow';
import { groupKeeping } from '../../lib/provisioning/governance/keys';
import { groupInputNow, parseGroupInput } from '../../lib/provisioning/groupInput';
import { type GroupSyncOptions, type MembershipMode, syncGroups } from '../../lib/provisioning/groups';
import type { LdapGroupSchema } from '../../lib/targets/ldap/ldapTarget';
import { credentialTest } from '../shared/credentialTests';
import { onlyForTarget, optionName, targetName } from '../shared/descriptions';
import { governanceProperties, logCredentialDisplay, versionedOutputs } from '../shared/governanceDescriptions';
import { listSearch } from '../shared/listSearch';
import { ACTION_PICKERS, locatorText, PICKER_VERSION, withPickers } from '../shared/pickers';
import { commonOptions, runPerItem } from '../shared/pipeline';
import { asTriggerItem, currentStates, linkBookFor, storeTrust } from '../shared/triggerStore';
import { type TargetKind, targetSettings } from '../shared/targets';
import { groupSyncProperties, membershipModeProperty } from './GroupSyncDescription';

/** Members from the "Members" parameter: a list, or a comma-separated string. */
function memberList(value: unknown): unknown[] {
	if (value === undefined || value === null || value === '') return [];
	if (Array.isArray(value)) return value;
	if (typeof value === 'string')
		return value
			.split(',')
			.map((v) => v.trim())
			.filter(Boolean);
	return [value];
}

export class GroupSync implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Group Sync',
		name: 'groupSync',
		icon: { light: 'file:groupSync.svg', dark: 'file:groupSync.dark.svg' },
		group: ['output'],
		// Version 2: the provisioning log in a Data Table, quarantine, retry of failed items, and the Alerts output.
		// Version 3: tables, columns, OUs, groups and the log's Data Table are pickers (nodes/shared/pickers.ts).
		version: [1, 2, PICKER_VERSION],
		defaultVersion: PICKER_VERSION,
		// "SCIM 2.0 App · Authoritative", "LDAP Directory · From IdP" (groups from SCIM Trigger events; short enough for the canvas)
		subtitle: `={{ ${targetName} + " · " + ($parameter["groupsFrom"] === "events" ? "From IdP" : ${optionName(membershipModeProperty)}) }}`,
		description:
			'Create groups and sync their memberships in a SCIM app, LDAP directory or SQL database: diff-based, chunked and idempotent',
		defaults: { name: 'Group Sync' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: versionedOutputs([''], ['Done', 'Alerts']),
		// The target's credential (testedBy: a real connection), and for version 2 the n8n API key of the Data Table log.
		credentials: [
			{ name: 'scimTargetApi', required: true, displayOptions: onlyForTarget('scim'), testedBy: 'scimTargetApiTest' },
			{ name: 'ldapDirectoryApi', required: true, displayOptions: onlyForTarget('ldap'), testedBy: 'ldapDirectoryApiTest' },
			{ name: 'sqlDatabaseApi', required: true, displayOptions: onlyForTarget('sql'), testedBy: 'sqlDatabaseApiTest' },
			{ name: 'provisioningLogApi', required: true, displayOptions: logCredentialDisplay },
		],
		properties: withPickers([...groupSyncProperties, ...governanceProperties], ACTION_PICKERS),
	};

	methods = { credentialTest, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const kind = this.getNodeParameter('target', 0) as TargetKind;
		const schema = (kind === 'ldap' ? this.getNodeParameter('groupSchema', 0) : undefined) as LdapGroupSchema | undefined;
		const text = (name: string, i = 0) => locatorText(this.getNodeParameter(name, i, ''));
		const { dryRun, concurrency } = commonOptions(this);
		const settings: GroupSyncOptions = {
			mode: this.getNodeParameter('mode', 0, 'authoritative') as MembershipMode,
			memberAttribute: text('memberAttribute') || (kind === 'ldap' ? 'uid' : kind === 'sql' ? text('sqlKeyColumn') || 'id' : 'userName'),
			chunkSize: this.getNodeParameter('chunkSize', 0, 100) as number,
			nested: this.getNodeParameter('nestedGroups', 0, 'flatten') as 'flatten' | 'nest',
			dryRun,
			concurrency,
		};
		const fromEvents = this.getNodeParameter('groupsFrom', 0, 'define') === 'events';
		const trust = storeTrust(this);
		const events = fromEvents ? this.getInputData().map((item) => asTriggerItem(item.json, trust)) : [];
		// Groups as the trigger's store holds them now, so executions that run out of order still converge.
		const current = fromEvents ? await currentStates(this, events) : [];
		settings.memberKey = (this.getNodeParameter('memberKey', 0, 'userName') as 'userName' | 'externalId') ?? 'userName';
		const target = targetSettings(this, kind, ['searchBase', 'objectFilter']);
		if (schema) {
			target.groups = {
				schema,
				searchBase: text('groupSearchBase') || undefined,
				dnTemplate: text('groupDnTemplate') || undefined,
				externalIdAttribute: text('externalIdAttribute') || undefined,
				placeholderMember: text('placeholderMember') || undefined,
			};
		}
		return runPerItem(this, {
			kind,
			settings: target,
			dryRun,
			read: (item, i) =>
				fromEvents
					? groupInputNow(item.json, current[i], events[i]?.store)
					: parseGroupInput({
							displayName: text('displayName', i),
							externalId: text('externalId', i) || undefined,
							members: memberList(this.getNodeParameter('members', i, [])),
							extra: schema === 'posixGroup' && text('gidNumber', i) ? { gidNumber: text('gidNumber', i) } : {},
						}),
			run: (t, inputs) =>
				syncGroups(t, inputs, {
					...settings,
					links: linkBookFor(
						this,
						t,
						events.map((e) => e?.store),
					),
				}),
			keep: groupKeeping,
		});
	}
}
