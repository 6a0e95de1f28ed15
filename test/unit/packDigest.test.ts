/** The packed tarball is reused only while the files it is built from are unchanged (dev/n8n/instance.ts). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packInputsDigest } from '../../dev/n8n/instance';

describe('the digest that names a packed tarball', () => {
	let root: string;
	const write = (path: string, text: string) => {
		mkdirSync(join(root, path, '..'), { recursive: true });
		writeFileSync(join(root, path), text);
	};

	beforeEach(() => {
		root = mkdtempSync(join(tmpdir(), 'pack-digest-'));
		write('lib/a.ts', 'export const a = 1;');
		write('nodes/X/X.node.ts', 'export class X {}');
		write('nodes/X/x.svg', '<svg/>');
		write('package.json', '{"name":"p"}');
		write('README.md', '# p');
	});
	afterEach(() => rmSync(root, { recursive: true, force: true }));

	test('is stable, and ignores files the package is not built from', () => {
		const before = packInputsDigest(root);
		write('test/unit/t.test.ts', 'test');
		write('bench/b.ts', 'bench');
		write('.tmp/packs/old.tgz', 'x');
		expect(packInputsDigest(root)).toBe(before);
	});

	test.each([
		['a source file changes', () => write('lib/a.ts', 'export const a = 2;')],
		['a file is added', () => write('lib/b.ts', '')],
		['an icon changes', () => write('nodes/X/x.svg', '<svg></svg>')],
		['the manifest changes', () => write('package.json', '{"name":"p","version":"2"}')],
		['the README changes', () => write('README.md', '# p2')],
		['a file moves', () => (rmSync(join(root, 'lib/a.ts')), write('lib/c.ts', 'export const a = 1;'))],
	])('changes when %s', (_, change) => {
		const before = packInputsDigest(root);
		change();
		expect(packInputsDigest(root)).not.toBe(before);
	});
});
