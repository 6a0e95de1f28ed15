import {
	encodeUnicodePwd,
	formatObjectGuid,
	formatObjectSid,
	initialUserAccountControl,
	isAccountDisabled,
	UAC,
	withAccountDisabled,
} from '../../lib/ldap/flavours';
import { normaliseBaseUrl, retryAfterSeconds } from '../../lib/scim/client';
import { parseScimError } from '../../lib/scim/errors';
import { isSecretAttribute, scrubSecrets } from '../../lib/redact';

describe('Active Directory userAccountControl', () => {
	test('disabling sets only bit 2 and keeps the others', () => {
		const uac = UAC.NORMAL_ACCOUNT | UAC.DONT_EXPIRE_PASSWORD; // 66048
		expect(withAccountDisabled(uac, true)).toBe(66050);
		expect(withAccountDisabled(66050, false)).toBe(66048);
		expect(withAccountDisabled(514, true)).toBe(514);
		expect(withAccountDisabled(512, false)).toBe(512);
		expect(isAccountDisabled(514)).toBe(true);
		expect(isAccountDisabled(66048)).toBe(false);
	});
	test('new accounts without a password start disabled', () => {
		expect(initialUserAccountControl(true)).toBe(512);
		expect(initialUserAccountControl(false)).toBe(514);
	});
	test('unicodePwd is the quoted password in UTF-16LE', () => {
		expect(encodeUnicodePwd('Pa$$w0rd').toString('hex')).toBe(Buffer.from('"Pa$$w0rd"', 'utf16le').toString('hex'));
		expect(encodeUnicodePwd('ab')).toEqual(Buffer.from([0x22, 0, 0x61, 0, 0x62, 0, 0x22, 0]));
	});
	test('objectGUID and objectSid are shown as AD shows them', () => {
		const guid = Buffer.from('b8e0e0e39b58c5438b7a5cfc5ce4e2a2', 'hex');
		expect(formatObjectGuid(guid)).toBe('e3e0e0b8-589b-43c5-8b7a-5cfc5ce4e2a2');
		const sid = Buffer.from('010500000000000515000000a065cf7e784b9b5fe77c8770091c0100', 'hex');
		expect(formatObjectSid(sid)).toBe('S-1-5-21-2127521184-1604012920-1887927527-72713');
	});
});

describe('SCIM client helpers', () => {
	test('Retry-After as seconds or an HTTP date', () => {
		expect(retryAfterSeconds('3')).toBe(3);
		expect(retryAfterSeconds('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5);
		expect(retryAfterSeconds('soon')).toBeUndefined();
		expect(retryAfterSeconds(undefined)).toBeUndefined();
	});
	test('base URLs are validated without echoing credentials', () => {
		expect(normaliseBaseUrl('https://app.example.com/scim/v2/')).toBe('https://app.example.com/scim/v2');
		expect(() => normaliseBaseUrl('app.example.com/scim')).toThrow(expect.objectContaining({ code: 'Configuration', field: 'baseUrl' }));
		expect(() => normaliseBaseUrl('ftp://x')).toThrow(expect.objectContaining({ field: 'baseUrl' }));
		let message = '';
		try {
			normaliseBaseUrl('https://user:hunter2@app.example.com');
		} catch (e) {
			message = (e as Error).message;
		}
		expect(message).toMatch(/authentication fields/);
		expect(message).not.toContain('hunter2');
	});
	test('SCIM errors with string or numeric status, and non-SCIM bodies', () => {
		expect(parseScimError(409, { schemas: [], status: '409', scimType: 'uniqueness', detail: 'taken' })).toEqual({
			status: 409,
			scimType: 'uniqueness',
			detail: 'taken',
		});
		expect(parseScimError(400, { status: 400, detail: 'bad' })).toEqual({ status: 400, scimType: undefined, detail: 'bad' });
		expect(parseScimError(502, '<html>Bad gateway</html>').detail).toContain('Bad gateway');
		expect(parseScimError(500, undefined).detail).toBe('HTTP 500');
	});
	test('secret attributes and scrubbing', () => {
		expect(isSecretAttribute('password')).toBe(true);
		expect(isSecretAttribute('userPassword')).toBe(true);
		expect(isSecretAttribute('unicodePwd')).toBe(true);
		expect(isSecretAttribute('urn:x:User:password')).toBe(true);
		expect(isSecretAttribute('mail')).toBe(false);
		expect(isSecretAttribute('pin', new Set(['pin']))).toBe(true);
		expect(scrubSecrets('bind failed for s3cret!', ['s3cret!'])).toBe('bind failed for [Redact]');
	});
});
