/**
 * Resolving a discovery by hand: Link Account records that a source item owns an account (so Provision User and
 * discovery match by it from then on), Unlink Account forgets it. Only the link store is written; the account is
 * read to check that it exists, never changed.
 */
import type { EnvelopeSource } from '../envelope';
import { ProvisioningError } from '../errors';
import type { Target } from '../targets/target';
import type { LinkStore } from './linkStore';
import { linkScope } from './links';

/** The source's trigger-store id, or why a link cannot be kept for it. */
export function linkableSource(source: EnvelopeSource | undefined): { store: NonNullable<EnvelopeSource['store']>; id: string } {
	if (!source?.store || !source.id) {
		throw new ProvisioningError(
			'InvalidInput',
			'The source item is not from a SCIM Trigger’s store of this workflow: links are kept beside that store. For other sources use the Anchor Attribute, which Provision User writes on the account.',
			{ field: 'sourceItem' },
		);
	}
	return { store: source.store, id: source.id };
}

export async function linkAccount(target: Target, links: LinkStore, sourceId: string, accountId: string): Promise<string> {
	const account = accountId.trim() ? await target.users.get(accountId.trim(), []) : null;
	if (!account) {
		throw new ProvisioningError('NotFound', `No account ${JSON.stringify(accountId)} in the target: nothing was linked`, {
			field: 'accountId',
		});
	}
	await links.put(linkScope(target), 'User', [{ sourceId, targetId: account.id }]);
	return account.id;
}

export async function unlinkAccount(target: Target, links: LinkStore, sourceId: string): Promise<void> {
	await links.remove(linkScope(target), 'User', [sourceId]);
}
