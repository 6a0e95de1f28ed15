/**
 * The HR (Entra API-driven inbound) presets, run through the real mapping compiler on records shaped as Entra's
 * /bulkUpload carries them: core User, enterprise extension (manager.value is the manager's employee id) and the
 * CSV2SCIM custom extension with the raw HR columns (HireDate, LastDayOfWork).
 */
import { compileMapping } from '../../lib/mapping/mapping';
import { PRESETS, withPreset } from '../../lib/mapping/presets';
import { PRESET_SUBTITLES, presetProperty } from '../../nodes/MapAttributes/MapAttributesDescription';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CSV = 'urn:ietf:params:scim:schemas:extension:csv:1.0:User';
const HR_PRESETS = ['hrInboundToOpenLdap', 'hrInboundToActiveDirectory', 'hrInboundToScim'];

/** One worker as the converter and Entra clients send it. */
const worker = (overrides: { active?: boolean; lastDay?: string; manager?: string | null } = {}): Record<string, unknown> => ({
	schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT, CSV],
	externalId: '1002',
	userName: 'zoe.saldana@example.org',
	name: { givenName: 'Zoë', familyName: 'Saldaña' },
	displayName: 'Zoë Saldaña',
	emails: [{ type: 'work', value: 'zoe.saldana@example.org', primary: true }],
	title: 'Data Analyst',
	userType: 'Employee',
	active: overrides.active ?? true,
	[ENT]: {
		employeeNumber: '1002',
		department: 'Research',
		organization: 'Example Org',
		...(overrides.manager === null ? {} : { manager: { value: overrides.manager ?? '1001' } }),
	},
	[CSV]: { HireDate: '2021-09-01', LastDayOfWork: overrides.lastDay ?? '' },
});
const map = (preset: string, item: Record<string, unknown>) => compileMapping(withPreset(preset, []))(item).envelope;

test('the HR presets are in the node’s preset list, with a subtitle each', () => {
	const values = (presetProperty.options as Array<{ value: string; name: string }>).map((o) => o.value);
	for (const preset of HR_PRESETS) {
		expect(values).toContain(preset);
		expect(PRESET_SUBTITLES[preset]).toMatch(/^HR inbound → /);
		expect(PRESETS[preset].name).toMatch(/^HR \(Entra Inbound\) → /);
	}
});

describe('HR (Entra inbound) → OpenLDAP', () => {
	test('matched by employee number, then uid; the manager named by employee number; shadowAccount on create', () => {
		const envelope = map('hrInboundToOpenLdap', worker());
		expect(envelope.matchKeys).toEqual([
			{ attribute: 'employeeNumber', value: '1002' },
			{ attribute: 'uid', value: 'zoe.saldana' },
		]);
		expect(envelope.attributes).toMatchObject({
			employeeNumber: '1002',
			uid: 'zoe.saldana',
			cn: 'Zoë Saldaña',
			sn: 'Saldaña',
			givenName: 'Zoë',
			mail: 'zoe.saldana@example.org',
			title: 'Data Analyst',
			departmentNumber: 'Research',
			employeeType: 'Employee',
			o: 'Example Org',
		});
		// No trigger id: the manager's employee id must not be taken for one (it is looked up by employeeNumber).
		expect(envelope.references).toEqual({ manager: { by: 'employeeNumber', value: '1001' } });
		expect(envelope.createOnly?.objectClass).toEqual(['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'shadowAccount']);
	});

	test('the last day of work becomes shadowExpire, the first day (since 1970) the account is expired', () => {
		// 2026-04-01 is day 20544 since 1970-01-01: the account works through 2026-03-31.
		expect(map('hrInboundToOpenLdap', worker({ lastDay: '2026-03-31' })).attributes.shadowExpire).toBe(20544);
	});

	test('no last day: shadowExpire is cleared (a leave date withdrawn by HR is withdrawn in the directory)', () => {
		const envelope = map('hrInboundToOpenLdap', worker());
		expect(envelope.attributes).not.toHaveProperty('shadowExpire');
		expect(envelope.clearAttributes).toEqual(['shadowExpire']);
	});

	test('a worker without a manager has no reference', () => {
		expect(map('hrInboundToOpenLdap', worker({ manager: null })).references).toBeUndefined();
	});
});

describe('HR (Entra inbound) → Active Directory', () => {
	test('matched by employeeID, then sAMAccountName; the manager named by employeeID; enabled', () => {
		const envelope = map('hrInboundToActiveDirectory', worker());
		expect(envelope.matchKeys.map((k) => k.attribute)).toEqual(['employeeID', 'sAMAccountName']);
		expect(envelope.attributes).toMatchObject({
			employeeID: '1002',
			sAMAccountName: 'zoe.saldana',
			userPrincipalName: 'zoe.saldana@example.org',
			cn: 'Zoë Saldaña',
			department: 'Research',
			company: 'Example Org',
			userAccountControl: '512',
			// No last day: never expires (what AD holds for "never"; a withdrawn leave date is withdrawn).
			accountExpires: '9223372036854775807',
		});
		expect(envelope.references).toEqual({ manager: { by: 'employeeID', value: '1001' } });
	});

	test('the last day of work becomes accountExpires at its end (23:59:59 UTC), as Entra’s HR → AD mappings do', () => {
		// 2026-03-31T23:59:59Z in 100 ns ticks since 1601-01-01.
		expect(map('hrInboundToActiveDirectory', worker({ lastDay: '2026-03-31' })).attributes.accountExpires).toBe('134194751990000000');
	});

	test('a leaver (active false) is disabled: userAccountControl 514', () => {
		expect(map('hrInboundToActiveDirectory', worker({ active: false })).attributes.userAccountControl).toBe('514');
	});

	test('a last day that is not a yyyy-MM-dd date fails the item, naming the row, rather than set a wrong expiry', () => {
		expect(() => map('hrInboundToActiveDirectory', worker({ lastDay: '31/03/2026' }))).toThrow(/accountExpires/);
	});
});

describe('HR (Entra inbound) → SCIM app', () => {
	test('externalId is the employee id; active is carried; the manager is named by externalId', () => {
		const envelope = map('hrInboundToScim', worker({ active: false }));
		expect(envelope.matchKeys).toEqual([
			{ attribute: 'externalId', value: '1002' },
			{ attribute: 'userName', value: 'zoe.saldana@example.org' },
		]);
		expect(envelope.attributes).toMatchObject({
			externalId: '1002',
			userName: 'zoe.saldana@example.org',
			'name.givenName': 'Zoë',
			'name.familyName': 'Saldaña',
			displayName: 'Zoë Saldaña',
			'emails[type eq "work"].value': 'zoe.saldana@example.org',
			title: 'Data Analyst',
			active: false,
			[`${ENT}:employeeNumber`]: '1002',
			[`${ENT}:department`]: 'Research',
			[`${ENT}:organization`]: 'Example Org',
		});
		expect(envelope.references).toEqual({ [`${ENT}:manager.value`]: { by: 'externalId', value: '1001' } });
	});

	test('an Entra record with no externalId falls back to the enterprise employeeNumber', () => {
		const item = worker();
		delete item.externalId;
		expect(map('hrInboundToScim', item).matchKeys[0]).toEqual({ attribute: 'externalId', value: '1002' });
	});
});
