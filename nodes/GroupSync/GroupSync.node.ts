import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { ProvisioningError, toProvisioningError } from '../../lib/errors';
import { type GroupInput, type GroupSyncOptions, type MembershipMode, parseGroupInput, syncGroups } from '../../lib/provisioning/groups';
import { failedOutcome } from '../../lib/provisioning/provisionUser';
import type { LdapGroupSchema } from '../../lib/targets/ldapTarget';
import { credentialTest } from '../shared/credentialTests';
import { concurrencyOption, dryRunOption, ldapSearchProperties, optionsCollection, targetCredentials, targetProperty } from '../shared/descriptions';
import { shapeOutcomes } from '../shared/output';
import { type TargetKind, targetFromCredentials } from '../shared/targets';

/** Members from the "Members" parameter: a list, or a comma-separated string. */
function memberList(value: unknown): unknown[] {
	if (value === undefined || value === null || value === '') return [];
	if (Array.isArray(value)) return value;
	if (typeof value === 'string') return value.split(',').map((v) => v.trim()).filter(Boolean);
	return [value];
}

export class GroupSync implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Group Sync',
		name: 'groupSync',
		icon: 'file:groupSync.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["mode"] }}',
		description: 'Create groups and sync their memberships in a SCIM app or LDAP directory: diff-based, chunked and idempotent',
		defaults: { name: 'Group Sync' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: targetCredentials,
		properties: [
			targetProperty,
			{
				displayName: 'Group Name',
				name: 'displayName',
				type: 'string',
				default: '={{ $json.displayName }}',
				required: true,
			},
			{
				displayName: 'External ID',
				name: 'externalId',
				type: 'string',
				default: '={{ $json.externalId }}',
				description: 'The source\'s stable group ID; groups are matched by it first, then by name (so renames are followed)',
			},
			{
				displayName: 'Members',
				name: 'members',
				type: 'string',
				default: '={{ $json.members }}',
				description:
					'A list (or comma-separated text) of user identifiers, or objects: {"user": …}, {"ID": …} or {"dn": …} for a target reference, {"group": "Name"} for a nested group of this batch',
			},
			{
				displayName: 'Member Identifier Attribute',
				name: 'memberAttribute',
				type: 'string',
				default: '',
				placeholder: 'userName (SCIM) or uid (LDAP)',
				description: 'Target user attribute that member identifiers are looked up by. Empty means userName for SCIM and uid for LDAP.',
			},
			{
				displayName: 'Membership Mode',
				name: 'mode',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Authoritative', value: 'authoritative', description: 'The group ends up with exactly these members' },
					{ name: 'Additive', value: 'additive', description: 'Only add members; never remove' },
					{ name: 'Remove Listed', value: 'removeListed', description: 'Remove only the members listed' },
				],
				default: 'authoritative',
			},
			{
				displayName: 'Nested Groups',
				name: 'nestedGroups',
				type: 'options',
				options: [
					{ name: 'Flatten Into Users', value: 'flatten', description: 'Members of nested groups become direct members; cycles are reported' },
					{ name: 'Sync as Nested Groups', value: 'nest', description: 'Groups become members of groups (not for posixGroup)' },
				],
				default: 'flatten',
			},
			{
				displayName: 'Chunk Size',
				name: 'chunkSize',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 100,
				description: 'Most members added or removed per request (AWS IAM Identity Center allows 100)',
			},
			{
				displayName: 'Group Schema',
				name: 'groupSchema',
				type: 'options',
				options: [
					{ name: 'groupOfNames (Member DN)', value: 'groupOfNames' },
					{ name: 'groupOfUniqueNames (uniqueMember DN)', value: 'groupOfUniqueNames' },
					{ name: 'posixGroup (memberUid)', value: 'posixGroup' },
					{ name: 'Active Directory Group (Member DN, Ranged Reads)', value: 'activeDirectory' },
				],
				default: 'groupOfNames',
				displayOptions: { show: { target: ['ldap'] } },
			},
			{
				displayName: 'Group Search Base',
				name: 'groupSearchBase',
				type: 'string',
				default: '',
				placeholder: 'ou=Groups,dc=example,dc=org',
				displayOptions: { show: { target: ['ldap'] } },
			},
			{
				displayName: 'Group DN Template',
				name: 'groupDnTemplate',
				type: 'string',
				default: '',
				placeholder: 'cn={displayName},ou=Groups,dc=example,dc=org',
				displayOptions: { show: { target: ['ldap'] } },
			},
			{
				displayName: 'External ID Attribute',
				name: 'externalIdAttribute',
				type: 'string',
				default: '',
				placeholder: 'description',
				description: 'LDAP attribute holding the source\'s group ID; empty matches by name only',
				displayOptions: { show: { target: ['ldap'] } },
			},
			{
				displayName: 'GID Number',
				name: 'gidNumber',
				type: 'string',
				default: '={{ $json.gidNumber }}',
				description: 'Required to create a posixGroup',
				displayOptions: { show: { target: ['ldap'], groupSchema: ['posixGroup'] } },
			},
			{
				displayName: 'Empty Group Member',
				name: 'placeholderMember',
				type: 'string',
				default: '',
				description: 'Member DN used when a group has none: groupOfNames and groupOfUniqueNames must have one. Empty means the group\'s own DN.',
				displayOptions: { show: { target: ['ldap'], groupSchema: ['groupOfNames', 'groupOfUniqueNames'] } },
			},
			...ldapSearchProperties,
			optionsCollection([concurrencyOption, dryRunOption('Whether to only report the membership diff')]),
		],
	};

	methods = { credentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const kind = this.getNodeParameter('target', 0) as TargetKind;
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const schema = (kind === 'ldap' ? this.getNodeParameter('groupSchema', 0) : undefined) as LdapGroupSchema | undefined;
		const text = (name: string, i = 0) => String(this.getNodeParameter(name, i, '') ?? '').trim();

		const inputs: Array<GroupInput | ProvisioningError> = items.map((_, i) => {
			try {
				const extra: Record<string, string> = {};
				if (schema === 'posixGroup' && text('gidNumber', i)) extra.gidNumber = text('gidNumber', i);
				return parseGroupInput({
					displayName: text('displayName', i),
					externalId: text('externalId', i) || undefined,
					members: memberList(this.getNodeParameter('members', i, [])),
					extra,
				});
			} catch (error) {
				return toProvisioningError(error);
			}
		});
		const settings: GroupSyncOptions = {
			mode: this.getNodeParameter('mode', 0) as MembershipMode,
			memberAttribute: text('memberAttribute') || (kind === 'ldap' ? 'uid' : 'userName'),
			chunkSize: this.getNodeParameter('chunkSize', 0, 100) as number,
			nested: this.getNodeParameter('nestedGroups', 0, 'flatten') as 'flatten' | 'nest',
			dryRun: options.dryRun === true,
			concurrency: (options.concurrency as number) || 4,
		};

		let outcomes;
		try {
			const target = await targetFromCredentials(this, kind, {
				searchBase: kind === 'ldap' ? text('searchBase') : undefined,
				objectFilter: kind === 'ldap' ? text('objectFilter') : undefined,
				groups:
					kind === 'ldap'
						? {
								schema: schema!,
								searchBase: text('groupSearchBase') || undefined,
								dnTemplate: text('groupDnTemplate') || undefined,
								externalIdAttribute: text('externalIdAttribute') || undefined,
								placeholderMember: text('placeholderMember') || undefined,
							}
						: undefined,
			});
			try {
				outcomes = await syncGroups(target, inputs, settings);
			} finally {
				await target.close();
			}
		} catch (error) {
			const failure = toProvisioningError(error);
			outcomes = inputs.map((input) => failedOutcome(input instanceof ProvisioningError ? input : failure, { system: kind, endpoint: '', dryRun: settings.dryRun }));
		}
		return [shapeOutcomes(this, outcomes)];
	}
}
