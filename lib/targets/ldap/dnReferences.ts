/**
 * After an entry moves or is renamed, the attributes of other entries that hold its DN (group members, a manager)
 * must follow. Active Directory maintains them itself, and so do OpenLDAP's refint overlay and 389-DS's referential
 * integrity plugin; otherwise this rewrites them: one search under the base DN, one modify per referring entry.
 */
import { NoSuchAttributeError, NoSuchObjectError, TypeOrValueExistsError } from 'ldapts';
import { escapeFilterValue, normaliseDn } from '../../ldap/escape';
import { addValues, allValues, deleteValues, redactedChanges } from '../../ldap/values';
import type { WriteLog } from '../target';
import { failedWith, type LdapConnection, type LdapEntry, type LdapResult } from './connection';

/** Who keeps DN references right after a move: this package (`rewrite`) or the directory itself (`server`). */
export type DnReferenceMode = 'rewrite' | 'server';

/** Attributes that hold DNs of accounts: group members and the people attributes of inetOrgPerson. */
export const DN_REFERENCE_ATTRIBUTES = ['member', 'uniqueMember', 'manager', 'secretary'];

/** Another writer got there first: the entry is gone, the value to delete is absent, the value to add is present. */
const RACED: LdapResult[] = [NoSuchObjectError, NoSuchAttributeError, TypeOrValueExistsError];

export class DnReferences {
	constructor(
		private readonly connection: LdapConnection,
		private readonly writes: WriteLog,
		private readonly baseDn: string,
		readonly mode: DnReferenceMode,
	) {}

	private async referring(oldDn: string): Promise<LdapEntry[]> {
		const value = escapeFilterValue(oldDn);
		const filter = `(|${DN_REFERENCE_ATTRIBUTES.map((a) => `(${a}=${value})`).join('')})`;
		const found: LdapEntry[] = [];
		// Collected first, then changed: the listing is not disturbed by the writes.
		for await (const entry of this.connection.searchPaged(
			'reference search',
			this.baseDn,
			{ scope: 'sub', filter, attributes: DN_REFERENCE_ATTRIBUTES },
			500,
		)) {
			found.push(entry);
		}
		return found;
	}

	/**
	 * Replaces `oldDn` by `newDn` wherever another entry holds it; returns the entries changed. An entry that moved
	 * or changed meanwhile (another item of the batch, or refint racing us) is looked up again, up to three rounds.
	 */
	async follow(oldDn: string, newDn: string): Promise<string[]> {
		if (this.mode === 'server') return [];
		const old = normaliseDn(oldDn);
		const moved = normaliseDn(newDn);
		const changed: string[] = [];
		for (let round = 0; round < 3; round++) {
			let raced = false;
			for (const entry of await this.referring(oldDn)) {
				const changes = DN_REFERENCE_ATTRIBUTES.flatMap((type) => {
					const values = allValues(entry, type);
					const stale = values.filter((v) => normaliseDn(v) === old);
					if (!stale.length) return [];
					const present = values.some((v) => normaliseDn(v) === moved);
					return [deleteValues(type, stale), ...(present ? [] : [addValues(type, [newDn])])];
				});
				if (!changes.length) continue;
				try {
					await this.connection.modify(entry.dn, changes);
				} catch (error) {
					if (failedWith(error, ...RACED)) {
						raced = true;
						continue;
					}
					throw error;
				}
				this.writes.add('update', entry.dn, redactedChanges(changes));
				changed.push(entry.dn);
			}
			if (!raced) break;
		}
		return changed;
	}
}
