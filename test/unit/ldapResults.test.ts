/** The one way the LDAP target decides on a result code: ldapts's typed errors, raw or as LdapConnection maps them. */
import { NoSuchAttributeError, NoSuchObjectError, TypeOrValueExistsError, UnknownStatusCodeError } from 'ldapts';
import { ProvisioningError } from '../../lib/errors';
import { failedWith, noSuchEntry } from '../../lib/targets/ldap/connection';

const mapped = (cause: unknown) => new ProvisioningError('TargetRejected', 'LDAP modify failed', { targetStatus: 32, cause });

test('the ldapts error, the ProvisioningError it was mapped to, and that error wrapped again', () => {
	const gone = new NoSuchObjectError();
	expect(failedWith(gone, NoSuchObjectError)).toBe(true);
	expect(failedWith(mapped(gone), NoSuchObjectError)).toBe(true);
	expect(failedWith(new ProvisioningError('TargetRejected', 'moving failed', { cause: mapped(gone) }), NoSuchObjectError)).toBe(true);
	expect(failedWith(mapped(new NoSuchAttributeError()), TypeOrValueExistsError, NoSuchAttributeError)).toBe(true);
});

test('a number alone decides nothing: another result, an unknown one, or none', () => {
	expect(failedWith(mapped(new NoSuchAttributeError()), NoSuchObjectError)).toBe(false);
	expect(failedWith(mapped(new UnknownStatusCodeError(32)), NoSuchObjectError)).toBe(false);
	expect(failedWith(new ProvisioningError('NotFound', 'gone', { targetStatus: 32 }), NoSuchObjectError)).toBe(false);
	expect(failedWith(new Error('socket hang up'), NoSuchObjectError)).toBe(false);
	expect(failedWith(undefined, NoSuchObjectError)).toBe(false);
});

test('an entry a read did not find fails as the server’s noSuchObject would', () => {
	const error = noSuchEntry('uid=a,dc=example,dc=org');
	expect(error).toMatchObject({ code: 'NotFound', targetStatus: 32 });
	expect(error.message).toBe('uid=a,dc=example,dc=org does not exist');
	expect(failedWith(error, NoSuchObjectError)).toBe(true);
});
