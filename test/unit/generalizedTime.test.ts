import { parseGeneralizedTime, toGeneralizedTime } from '../../lib/ldap/generalizedTime';

describe('GeneralizedTime for disabled-time stamps', () => {
	test('written in whole UTC seconds', () => {
		expect(toGeneralizedTime(new Date('2026-01-02T03:04:05.678Z'))).toBe('20260102030405Z');
	});

	test.each([
		['20260102030405Z', '2026-01-02T03:04:05.000Z'],
		['20260102030405.0Z', '2026-01-02T03:04:05.000Z'], // Active Directory's whenChanged form
		['202601020304Z', '2026-01-02T03:04:00.000Z'],
		['20260102030405.25Z', '2026-01-02T03:04:05.250Z'],
		['20260102030405+0200', '2026-01-02T01:04:05.000Z'],
		['20260102030405-0130', '2026-01-02T04:34:05.000Z'],
		['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.000Z'],
	])('reads %s', (text, iso) => {
		expect(parseGeneralizedTime(text)?.toISOString()).toBe(iso);
	});

	test.each(['', 'yesterday', '000001010000', '2026'])('"%s" is no time', (text) => {
		expect(parseGeneralizedTime(text)).toBeUndefined();
	});
});
