import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { toProvisioningError } from '../../lib/errors';
import type { LdapTarget } from '../../lib/targets/ldap/ldapTarget';
import { SqlConnection } from '../../lib/targets/sql/sqlConnection';
import { sqlConnectionFromCredentials } from './sqlSettings';
import { ldapTargetFromCredentials, scimClientFromCredentials } from './targets';

/** GET /ServiceProviderConfig, falling back to /Users?count=1 for servers without discovery. */
export async function scimTargetApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const client = scimClientFromCredentials(credential.data ?? {}, { maxRetries: 0 });
		const discovery = await client.request({ method: 'GET', path: '/ServiceProviderConfig', idempotent: true }).then(
			() => undefined,
			(error: unknown) => toProvisioningError(error),
		);
		// Servers without discovery are tried with a one-user listing; a refused token is final.
		if (discovery?.code === 'AuthenticationFailed') return { status: 'Error', message: discovery.message };
		if (discovery) await client.request({ method: 'GET', path: '/Users', params: { startIndex: 1, count: 1 }, idempotent: true });
		return { status: 'OK', message: 'Connection successful' };
	} catch (error) {
		return { status: 'Error', message: toProvisioningError(error).message };
	}
}

/** A real bind with the credential, then a read of the base DN. */
export async function ldapDirectoryApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	let target: LdapTarget | undefined;
	try {
		target = ldapTargetFromCredentials({ ...data, flavour: 'openldap' });
		const base = await target.users.get(String(data.baseDn ?? ''), []);
		if (!base) return { status: 'Error', message: `Bound, but the base DN "${String(data.baseDn)}" does not exist` };
		return { status: 'OK', message: 'Connection successful' };
	} catch (error) {
		return { status: 'Error', message: toProvisioningError(error).message };
	} finally {
		await target?.close();
	}
}

/** A real login with the credential, then a trivial query. */
export async function sqlDatabaseApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let connection: SqlConnection | undefined;
	try {
		connection = new SqlConnection(sqlConnectionFromCredentials(credential.data ?? {}));
		await connection.run('connection test', (db) => db.raw('select 1'));
		return { status: 'OK', message: 'Connection successful' };
	} catch (error) {
		return { status: 'Error', message: toProvisioningError(error).message };
	} finally {
		await connection?.close();
	}
}

export const credentialTest = { scimTargetApiTest, ldapDirectoryApiTest, sqlDatabaseApiTest };
