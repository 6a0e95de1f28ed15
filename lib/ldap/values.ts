/** Attribute values between the envelope's JSON and LDAP's strings and bytes. */
import { Attribute, Change } from 'ldapts';
import type { AttributeMap, ScalarValue } from '../envelope';
import { ProvisioningError } from '../errors';
import { isSecretAttribute, REDACTED } from '../redact';
import type { AttributeChange } from '../attributeChanges';
import { asList } from '../util';
import { BINARY_ATTRIBUTES, encodeUnicodePwd } from './flavours';

export type LdapValue = string | Buffer;

/**
 * Values as LDAP wants them: strings, booleans as TRUE/FALSE, AD passwords encoded. `secure` says whether the
 * connection is encrypted, which Active Directory requires for unicodePwd.
 */
export function ldapValues(name: string, value: unknown, secure: boolean): LdapValue[] {
	return asList(value)
		.filter((v) => v !== null && v !== undefined && v !== '')
		.map((v) => {
			if (typeof v === 'object') {
				throw new ProvisioningError('InvalidInput', `LDAP attribute "${name}" got an object; map it to a string value`, { field: name });
			}
			if (name.toLowerCase() === 'unicodepwd') {
				if (!secure) {
					throw new ProvisioningError(
						'Configuration',
						'Active Directory accepts unicodePwd only over LDAPS or StartTLS; use an ldaps:// URL or turn on StartTLS',
						{
							field: 'unicodePwd',
						},
					);
				}
				return encodeUnicodePwd(String(v));
			}
			if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
			return String(v);
		});
}

const change = (operation: 'add' | 'delete' | 'replace', type: string, values: LdapValue[]) =>
	new Change({ operation, modification: new Attribute({ type, values: values as string[] }) });

export const replaceValues = (type: string, values: LdapValue[]) => change('replace', type, values);
export const addValues = (type: string, values: LdapValue[]) => change('add', type, values);
export const deleteValues = (type: string, values: LdapValue[]) => change('delete', type, values);

/** A minimal modify: replace single values, add and delete only the multi-values that changed. */
export function modifyChanges(changes: AttributeChange[], secure: boolean): Change[] {
	const out: Change[] = [];
	for (const c of changes) {
		const name = c.attribute;
		if (c.added || c.removed) {
			if (ldapValues(name, c.newValue, secure).length === 0) {
				out.push(deleteValues(name, []));
				continue;
			}
			if (c.removed?.length) out.push(deleteValues(name, ldapValues(name, c.removed, secure)));
			if (c.added?.length) out.push(addValues(name, ldapValues(name, c.added, secure)));
		} else if (c.newValue === undefined || c.newValue === null) {
			out.push(deleteValues(name, []));
		} else {
			out.push(replaceValues(name, ldapValues(name, c.newValue, secure)));
		}
	}
	return out;
}

/**
 * An administrator's password reset on Active Directory: unicodePwd replaced, and pwdLastSet 0 when the user must
 * change it at next logon. Refused, before anything is sent, on a connection that is not encrypted.
 */
export function passwordResetChanges(password: string, mustChange: boolean, secure: boolean): Change[] {
	if (!secure) {
		throw new ProvisioningError(
			'Configuration',
			'Reset Password writes unicodePwd, which Active Directory accepts only over an encrypted connection: use an ldaps:// URL or turn on StartTLS in the credential. Nothing was sent.',
			{ field: 'newPassword' },
		);
	}
	if (password === '') throw new ProvisioningError('MissingRequiredValue', 'The new password is empty', { field: 'newPassword' });
	return [replaceValues('unicodePwd', [encodeUnicodePwd(password)]), ...(mustChange ? [replaceValues('pwdLastSet', ['0'])] : [])];
}

/** Changes as the provisioning log and tests see them, secrets redacted. */
export const redactedChanges = (changes: Change[]) =>
	changes.map((c) => ({
		operation: c.operation,
		type: c.modification.type,
		values: isSecretAttribute(c.modification.type) ? [REDACTED] : c.modification.values.map(String),
	}));

/** An entry for an add request: every attribute's values, with the redacted copy for the log. */
export const redactedRecord = (record: Record<string, LdapValue[]>) =>
	Object.fromEntries(Object.entries(record).map(([k, v]) => [k, isSecretAttribute(k) ? [REDACTED] : v.map(String)]));

/** A value read from LDAP as the envelope holds it: one string, or a list; AD's binary ids as text. */
export function readableValue(lowerName: string, raw: unknown): AttributeMap[string] {
	const convert = (v: unknown): ScalarValue => {
		if (Buffer.isBuffer(v)) return (BINARY_ATTRIBUTES[lowerName] ?? ((b: Buffer) => b.toString('base64')))(v);
		return String(v);
	};
	if (Array.isArray(raw)) return raw.length === 1 ? convert(raw[0]) : raw.map(convert);
	return convert(raw);
}

/** The first value of an attribute of a raw ldapts entry, as text. */
export const firstValue = (entry: Record<string, unknown>, name: string): string | undefined => {
	const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
	const value = key === undefined ? undefined : asList(entry[key] as unknown)[0];
	return value === undefined ? undefined : String(value);
};

/** Every value of an attribute of a raw ldapts entry, as text. */
export const allValues = (entry: Record<string, unknown>, name: string): string[] => {
	const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
	return key === undefined ? [] : asList(entry[key] as unknown).map(String);
};
