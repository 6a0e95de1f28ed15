/**
 * A snapshot of the built-in prototypes a JSON walker can reach (Object, Function and Array prototypes, and the own
 * properties of every function they hold, e.g. `Object.prototype.hasOwnProperty.call`), to tell whether a request
 * polluted them, and to repair them so one polluting case does not break the rest of the test run.
 */
type Holder = object;

interface Entry {
	holder: Holder;
	label: string;
	descriptors: Map<string | symbol, PropertyDescriptor>;
}

export interface PrototypeSnapshot {
	entries: Entry[];
}

const ROOTS: Array<[string, Holder]> = [
	['Object.prototype', Object.prototype],
	['Function.prototype', Function.prototype],
	['Array.prototype', Array.prototype],
];

const descriptorsOf = (holder: Holder) =>
	new Map(Reflect.ownKeys(holder).map((key) => [key, Object.getOwnPropertyDescriptor(holder, key)!] as const));

/** The roots and, one level down, every function or object they hold. */
function holders(): Array<[string, Holder]> {
	const out: Array<[string, Holder]> = [...ROOTS];
	for (const [label, root] of ROOTS)
		for (const key of Reflect.ownKeys(root)) {
			const value = Object.getOwnPropertyDescriptor(root, key)!.value as unknown;
			if ((typeof value === 'function' || (typeof value === 'object' && value !== null)) && !ROOTS.some(([, r]) => r === value))
				out.push([`${label}.${String(key)}`, value as Holder]);
		}
	return out;
}

export function snapshotPrototypes(): PrototypeSnapshot {
	return { entries: holders().map(([label, holder]) => ({ label, holder, descriptors: descriptorsOf(holder) })) };
}

const same = (a: PropertyDescriptor | undefined, b: PropertyDescriptor | undefined) =>
	!!a &&
	!!b &&
	Object.is(a.value, b.value) &&
	a.get === b.get &&
	a.set === b.set &&
	a.writable === b.writable &&
	a.enumerable === b.enumerable &&
	a.configurable === b.configurable;

/** Whether a holder still has exactly the snapshot's properties (the quick check, without building a map). */
function unchanged({ holder, descriptors }: Entry): boolean {
	const keys = Reflect.ownKeys(holder);
	return keys.length === descriptors.size && keys.every((key) => same(descriptors.get(key), Object.getOwnPropertyDescriptor(holder, key)));
}

/** What differs from the snapshot ("Object.prototype.hasOwnProperty.call added", …); empty when nothing does. */
export function prototypeChanges(snapshot: PrototypeSnapshot): string[] {
	const changes: string[] = [];
	for (const entry of snapshot.entries) {
		if (unchanged(entry)) continue;
		const { label, holder, descriptors } = entry;
		const now = descriptorsOf(holder);
		for (const [key, descriptor] of descriptors)
			if (!same(descriptor, now.get(key))) changes.push(`${label}.${String(key)} ${now.has(key) ? 'changed' : 'deleted'}`);
		for (const key of now.keys()) if (!descriptors.has(key)) changes.push(`${label}.${String(key)} added`);
	}
	if (Object.getPrototypeOf(Object.prototype) !== null) changes.push('Object.prototype has a prototype');
	return changes;
}

/** Puts every property back as the snapshot has it (for after a failing case). */
export function restorePrototypes(snapshot: PrototypeSnapshot): void {
	for (const { holder, descriptors } of snapshot.entries) {
		for (const key of Reflect.ownKeys(holder)) if (!descriptors.has(key)) Reflect.deleteProperty(holder, key);
		for (const [key, descriptor] of descriptors) Object.defineProperty(holder, key, descriptor);
	}
}
