/**
 * Where a SCIM Trigger's store lives, as events, envelopes and the nodes name it: declared once, here at the bottom
 * of lib/, so that every layer can carry it without reaching into lib/store (which signs, checks and opens it).
 */
export interface StoreLocation {
	key: string;
	kind: 'file' | 'postgres';
}

/** A store location with its signature (lib/store/storeRef.ts): what items carry. */
export interface StoreRef extends StoreLocation {
	sig: string;
}
