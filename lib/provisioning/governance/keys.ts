/**
 * How each kind of input is known across runs (the escrow key) and in the log (the source key), and whether it may
 * be kept at all: an item holding a secret value (an initial password) is never written to the state store.
 */
import { createHash } from 'node:crypto';
import { isEmptyValue, type ProvisioningEnvelope } from '../../envelope';
import { isSecretAttribute, REDACTED } from '../../redact';
import type { GroupInput } from '../groupInput';
import type { Keeping } from './escrow';

const SECRET = 'it holds a secret value (a password), which is never stored';

/** An account by its first match key with a value: `userName=ada@example.org`. */
export function envelopeKeeping(envelope: ProvisioningEnvelope): Keeping {
	const first = envelope.matchKeys.find((k) => !isEmptyValue(k.value));
	const extra = new Set(envelope.redact ?? []);
	if (first && isSecretAttribute(first.attribute, extra)) {
		return { label: `${first.attribute}=${REDACTED}`, notKept: 'its match key is a secret value, which is never stored' };
	}
	const key = first ? `${first.attribute}=${first.value}` : undefined;
	// The same account for every node on the target: an account succeeded on by one makes older kept items stale.
	const account = key !== undefined ? { account: `user:${key}` } : {};
	const holdsSecret = [envelope.attributes, envelope.createOnly ?? {}].some((map) =>
		Object.entries(map).some(([name, value]) => isSecretAttribute(name, extra) && !isEmptyValue(value)),
	);
	if (holdsSecret) return { key, notKept: SECRET, ...account };
	return key ? { key, ...account } : { notKept: 'it has no match key with a value' };
}

/**
 * A group by its external id, else its name. A whole membership supersedes an older one of the same group; a
 * delta (members added or removed) is kept beside other deltas of the group, one entry per distinct change.
 * Accounts are `user:`/`group:` apart, so a group and a user with the same external id are never one account.
 */
export function groupKeeping(group: GroupInput): Keeping {
	const label = group.externalId ? `externalId=${group.externalId}` : `displayName=${group.displayName}`;
	const delta = group.remove ? 'delete' : group.mode === 'additive' || group.mode === 'removeListed' ? group.mode : undefined;
	const account = `group:${label}`;
	if (!delta) return { key: label, label, account };
	const digest = createHash('sha256').update(JSON.stringify(group.members)).digest('hex').slice(0, 16);
	// A delete sets the whole group's state; a member delta is one change beside others and supersedes none.
	return { key: `${label}|${delta}|${digest}`, label, account, ...(delta === 'delete' ? {} : { partial: true }) };
}
