/**
 * A minimal LDAP server that answers the way Active Directory does for large groups: more than
 * `rangeSize` values of `member` come back as `member;range=0-1499`, and the client asks for the next
 * range. Active Directory cannot run here and slapd cannot produce ranged attributes, so this stands in
 * for it. It speaks real LDAP (BER over TCP): simple bind, base-scope search, unbind.
 */
import { createServer, type Server, type Socket } from 'node:net';

interface Tlv {
	tag: number;
	value: Buffer;
	children: Tlv[];
}

/** Parses one BER TLV (and its children when constructed) at `offset`. */
function parseTlv(buf: Buffer, offset: number): { tlv: Tlv; next: number } | undefined {
	if (offset + 2 > buf.length) return undefined;
	const tag = buf[offset];
	let length = buf[offset + 1];
	let start = offset + 2;
	if (length & 0x80) {
		const bytes = length & 0x7f;
		if (start + bytes > buf.length) return undefined;
		length = 0;
		for (let i = 0; i < bytes; i++) length = length * 256 + buf[start + i];
		start += bytes;
	}
	if (start + length > buf.length) return undefined;
	const value = buf.subarray(start, start + length);
	const children: Tlv[] = [];
	if (tag & 0x20) {
		for (let at = 0; at < value.length;) {
			const child = parseTlv(value, at);
			if (!child) break;
			children.push(child.tlv);
			at = child.next;
		}
	}
	return { tlv: { tag, value, children }, next: start + length };
}

function encodeLength(length: number): Buffer {
	if (length < 0x80) return Buffer.from([length]);
	const bytes: number[] = [];
	for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
	return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Buffer[]) => {
	const body = Buffer.concat(content);
	return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
};
const octets = (text: string) => tlv(0x04, Buffer.from(text, 'utf8'));
const integer = (n: number) => tlv(0x02, Buffer.from(n < 0x80 ? [n] : [n >> 8, n & 0xff]));
const enumerated = (n: number) => tlv(0x0a, Buffer.from([n]));
const ldapResult = (tag: number, code: number) => tlv(tag, enumerated(code), octets(''), octets(''));
const message = (id: number, op: Buffer) => tlv(0x30, integer(id), op);
const readInt = (b: Buffer) => b.reduce((n, byte) => n * 256 + byte, 0);

export class LdapRangeStub {
	/** Entries by lower-cased DN: attribute name → values. */
	readonly entries = new Map<string, Record<string, string[]>>();
	/** The attribute lists of the searches received, in order. */
	readonly searches: Array<{ base: string; attributes: string[] }> = [];
	url = '';
	private server?: Server;

	constructor(private readonly rangeSize = 1500) {}

	static async start(rangeSize?: number): Promise<LdapRangeStub> {
		const stub = new LdapRangeStub(rangeSize);
		stub.server = createServer((socket) => stub.serve(socket));
		await new Promise<void>((resolve) => stub.server!.listen(0, '127.0.0.1', resolve));
		stub.url = `ldap://127.0.0.1:${(stub.server!.address() as { port: number }).port}`;
		return stub;
	}

	add(dn: string, attributes: Record<string, string[]>): void {
		this.entries.set(dn.toLowerCase(), attributes);
	}

	private serve(socket: Socket): void {
		let pending = Buffer.alloc(0);
		socket.on('data', (chunk) => {
			pending = Buffer.concat([pending, chunk]);
			for (let parsed = parseTlv(pending, 0); parsed; parsed = parseTlv(pending, 0)) {
				pending = pending.subarray(parsed.next);
				const [id, op] = parsed.tlv.children;
				const messageId = readInt(id.value);
				if (op.tag === 0x60) socket.write(message(messageId, ldapResult(0x61, 0)));
				else if (op.tag === 0x42) socket.end();
				else if (op.tag === 0x63) this.search(socket, messageId, op);
				else socket.write(message(messageId, ldapResult(0x65, 53))); // unwillingToPerform
			}
		});
		socket.on('error', () => undefined);
	}

	/** Base-scope reads only: what the ranged-retrieval loop sends. */
	private search(socket: Socket, messageId: number, op: Tlv): void {
		const base = op.children[0].value.toString('utf8');
		const requested = op.children[7].children.map((c) => c.value.toString('utf8'));
		this.searches.push({ base, attributes: requested });
		const entry = this.entries.get(base.toLowerCase());
		if (!entry) {
			socket.write(message(messageId, ldapResult(0x65, 32))); // noSuchObject
			return;
		}
		const attributes: Buffer[] = [];
		for (const name of requested) {
			const ranged = /^(\w+);range=(\d+)-(\d+|\*)$/i.exec(name);
			const attribute = ranged ? ranged[1] : name;
			const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
			if (!key) continue;
			const values = entry[key];
			const from = ranged ? Number(ranged[2]) : 0;
			if (!ranged && values.length <= this.rangeSize) {
				attributes.push(tlv(0x30, octets(key), tlv(0x31, ...values.map(octets))));
				continue;
			}
			const to = Math.min(values.length, from + this.rangeSize) - 1;
			const label = `${key};range=${from}-${to === values.length - 1 ? '*' : to}`;
			attributes.push(tlv(0x30, octets(label), tlv(0x31, ...values.slice(from, to + 1).map(octets))));
		}
		socket.write(message(messageId, tlv(0x64, octets(base), tlv(0x30, ...attributes))));
		socket.write(message(messageId, ldapResult(0x65, 0)));
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
	}
}
