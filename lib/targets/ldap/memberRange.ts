/** Active Directory's ranged retrieval: large member lists come back as `member;range=0-1499`, then the next range. */

/** The range just received and the next one to ask for, or undefined when the entry holds no ranged attribute. */
export function nextMemberRange(attributeNames: string[], attribute = 'member'): { received: string; next?: string } | undefined {
	const pattern = new RegExp(`^${attribute};range=(\\d+)-(\\d+|\\*)$`, 'i');
	for (const name of attributeNames) {
		const m = pattern.exec(name);
		if (!m) continue;
		if (m[2] === '*') return { received: name };
		return { received: name, next: `${attribute};range=${Number(m[2]) + 1}-*` };
	}
	return undefined;
}
