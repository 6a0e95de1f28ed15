/**
 * An in-memory target for the property tests and the discovery benchmark: accounts in a list, compared as an LDAP
 * caseIgnore rule compares (case and surrounding spaces do not count). With `exact: false` its match keys only say
 * "maybe" for variants, so the core's lookups (find, findMany) settle them, as on slapd.
 */
import type { MatchKey, ScalarValue } from '../../lib/envelope';
import type { LinkStore } from '../../lib/provisioning/linkStore';
import type { Accounts, ListOptions, MatchKeys, Target, TargetEntry } from '../../lib/targets/target';
import { asList } from '../../lib/util';

export const norm = (v: ScalarValue) => String(v).trim().toLowerCase();

const readOnly = () => {
	throw new Error('the in-memory target is read-only');
};

export class MemoryAccounts implements Accounts {
	readonly identityAttributes = ['uid'];
	/** Requests the core made: listings and lookups (a discovery must list once). */
	readonly calls = { listAll: 0, find: 0, findMany: 0 };
	private readonly index = new Map<string, Map<string, TargetEntry[]>>();

	constructor(
		readonly entries: TargetEntry[],
		private readonly exact = true,
	) {}

	caseInsensitiveValues(): boolean {
		return true;
	}

	async matchKeys(_attribute: string, values: ScalarValue[]): Promise<MatchKeys> {
		return {
			keys: values.map((v) => (String(v).trim() === '' ? undefined : norm(v))),
			sure: values.map((v) => (this.exact ? norm(v) : String(v))),
			exact: this.exact,
		};
	}

	private byValue(attribute: string): Map<string, TargetEntry[]> {
		let map = this.index.get(attribute);
		if (!map) {
			map = new Map();
			for (const entry of this.entries)
				for (const v of attribute === 'id' ? [entry.id] : asList(entry.attributes[attribute] as ScalarValue | ScalarValue[])) {
					const key = norm(v);
					map.set(key, [...(map.get(key) ?? []), entry]);
				}
			this.index.set(attribute, map);
		}
		return map;
	}

	async find(key: MatchKey, _attributes: string[]): Promise<TargetEntry[]> {
		this.calls.find++;
		return key.value === null ? [] : (this.byValue(key.attribute).get(norm(key.value)) ?? []);
	}

	async findMany(attribute: string, values: ScalarValue[], _attributes: string[]): Promise<TargetEntry[]> {
		this.calls.findMany++;
		return [...new Set(values.flatMap((v) => this.byValue(attribute).get(norm(v)) ?? []))];
	}

	async get(id: string): Promise<TargetEntry | null> {
		return this.entries.find((e) => e.id === id) ?? null;
	}

	previewId(): string | null {
		return null;
	}

	async *listAll(_options: ListOptions): AsyncIterable<TargetEntry> {
		this.calls.listAll++;
		for (const entry of this.entries) yield entry;
	}

	create = readOnly;
	update = readOnly;
	setActive = readOnly;
	delete = readOnly;
}

export function memoryTarget(entries: TargetEntry[], exact = true): Target & { users: MemoryAccounts } {
	return {
		system: 'scim',
		endpoint: 'memory://accounts',
		users: new MemoryAccounts(entries, exact),
		groups: undefined as never,
		writes: [],
		close: async () => undefined,
	};
}

/** A link store in a map (one scope and type are enough here). */
export class MemoryLinkStore implements LinkStore {
	readonly links = new Map<string, string>();
	async get(_scope: string, _type: string, sourceIds: string[]): Promise<Map<string, string>> {
		return new Map(sourceIds.filter((id) => this.links.has(id)).map((id) => [id, this.links.get(id)!]));
	}
	async put(_scope: string, _type: string, links: Array<{ sourceId: string; targetId: string }>): Promise<void> {
		for (const l of links) this.links.set(l.sourceId, l.targetId);
	}
	async remove(_scope: string, _type: string, sourceIds: string[]): Promise<void> {
		for (const id of sourceIds) this.links.delete(id);
	}
	async sources(): Promise<string[]> {
		return [...this.links.keys()];
	}
	async close(): Promise<void> {}
}
