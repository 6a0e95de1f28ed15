/**
 * Moves and renames of account entries: a change of "dn" is one modify DN with the new parent and RDN, a change of the
 * RDN attribute alone is a rename; both leave the changes the modify DN did not already make.
 */
import { NoSuchObjectError } from 'ldapts';
import type { AttributeChange } from '../../attributeChanges';
import { ProvisioningError } from '../../errors';
import { assertValidDn, rdnAttribute } from '../../ldap/dnTemplate';
import { escapeDnValue, normaliseDn, rdnParts, splitDn } from '../../ldap/escape';
import type { WriteLog } from '../target';
import { failedWith, type LdapConnection } from './connection';

export class EntryMoves {
	constructor(
		private readonly connection: LdapConnection,
		private readonly writes: WriteLog,
		/** Whether an entry exists at this DN: asked only to explain a failed move. */
		private readonly exists: (dn: string) => Promise<boolean>,
	) {}

	/** Moves or renames the entry as the changes say; returns its DN afterwards and the changes still to make. */
	async apply(dn: string, changes: AttributeChange[]): Promise<[string, AttributeChange[]]> {
		const dnChange = changes.find((c) => c.attribute.toLowerCase() === 'dn');
		const rest = changes.filter((c) => c !== dnChange);
		if (dnChange) {
			if (typeof dnChange.newValue !== 'string') throw new ProvisioningError('InvalidDn', 'The new DN must be text', { field: 'dn' });
			return this.moveTo(dn, dnChange.newValue, rest);
		}
		const rdnName = rdnAttribute(dn);
		const rename = changes.find(
			(c) =>
				c.attribute.toLowerCase() === rdnName.toLowerCase() &&
				!c.added &&
				!c.removed &&
				(typeof c.newValue === 'string' || typeof c.newValue === 'number'),
		);
		if (!rename) return [dn, rest];
		const newRdn = `${rdnName}=${escapeDnValue(rename.newValue as string | number)}`;
		const renamed = await this.connection.modifyDN(dn, newRdn);
		this.writes.add('rename', renamed, { from: dn, oldRdn: splitDn(dn)[0], newRdn });
		return [renamed, rest.filter((c) => c !== rename)];
	}

	/**
	 * One modify DN with the new parent (when it moves) and the new RDN (when it changes). The new RDN's values are
	 * set by the server, so changes that only say that are dropped; an old RDN value of another attribute is kept.
	 */
	async moveTo(dn: string, newDn: string, changes: AttributeChange[]): Promise<[string, AttributeChange[]]> {
		assertValidDn(newDn);
		const [oldRdn, ...oldParent] = splitDn(dn);
		const [newRdn, ...newParent] = splitDn(newDn);
		const moves = normaliseDn(oldParent.join(',')) !== normaliseDn(newParent.join(','));
		const renames = normaliseDn(oldRdn) !== normaliseDn(newRdn);
		if (!moves && !renames) return [dn, changes];
		let moved: string;
		try {
			moved = await this.connection.modifyDN(dn, renames ? newRdn : oldRdn, moves ? newParent.join(',') : undefined);
		} catch (error) {
			if (moves && failedWith(error, NoSuchObjectError) && !(await this.exists(newParent.join(',')))) {
				throw new ProvisioningError(
					'TargetRejected',
					`Cannot move ${dn}: the new parent ${newParent.join(',')} does not exist. Create it, or change the DN template.`,
					{ field: 'dn', targetStatus: (error as ProvisioningError).targetStatus, cause: error },
				);
			}
			throw error;
		}
		this.writes.add(moves ? 'move' : 'rename', moved, { from: dn, to: moved });
		if (!renames) return [moved, changes];
		const set = rdnParts(newRdn);
		const isSet = (type: string, value: unknown) =>
			set.some((p) => p.type.toLowerCase() === type.toLowerCase() && p.value.toLowerCase() === String(value).toLowerCase());
		const rest = changes.filter((c) => !(!c.added && !c.removed && isSet(c.attribute, c.newValue)));
		for (const old of rdnParts(oldRdn)) {
			const sameType = set.some((p) => p.type.toLowerCase() === old.type.toLowerCase());
			const handled = rest.some((c) => c.attribute.toLowerCase() === old.type.toLowerCase());
			if (!sameType && !handled)
				rest.push({ attribute: old.type, oldValue: undefined, newValue: old.value, added: [old.value], removed: [] });
		}
		return [moved, rest];
	}
}
