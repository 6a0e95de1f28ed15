/**
 * The class of bug: a value from the target or the source (account ids, attribute names and values, reasons,
 * endpoints, log targets) that an attacker controls, turning into markup. Random hostile strings go everywhere the
 * report takes text; the page is parsed back with a real HTML parser (htmlparser2), and it must hold exactly the
 * tags and attribute names we write, no event handler, no URL, and each hostile value back as text where it went.
 * Fixed seed, printed by fast-check on failure.
 */
import fc from 'fast-check';
import { buildAccessReport } from '../../lib/provisioning/governance/accessReport';
import { escapeHtml, MAX_VALUE_CHARS } from '../../lib/provisioning/governance/accessReportHtml';
import { parsePage } from '../harness/html';

const SEED = 22_0322;
const NOW = new Date('2026-03-15T11:30:00Z');

const TAGS = new Set(
	'html head meta title style body header h1 h2 h3 p section ul li span table thead tbody tr th td svg g rect line text'.split(' '),
);
const ATTRIBUTES = new Set(
	'lang charset http-equiv content name class data-system data-endpoint data-situation data-total data-day data-series data-count xmlns role aria-label width height viewBox x y x1 y1 x2 y2'.split(
		' ',
	),
);

const hostile = fc.oneof(
	fc.constantFrom(
		'<script>alert(1)</script>',
		'"><img src=x onerror=alert(1)>',
		"' onmouseover='alert(1)",
		'</svg><script>alert(1)</script>',
		']]><script>alert(1)</script>',
		'<![CDATA[<script>]]>',
		'</title></svg></td></table><iframe src=javascript:alert(1)>',
		'<style>*{}</style>',
		'&lt;script&gt;',
		'<!-- ',
		'javascript:alert(1)',
		'\u2028\u2029\ufeff\u0000',
		'\ud800',
		'🧑‍💻<b>',
	),
	fc.string({ unit: fc.constantFrom('<', '>', '"', "'", '&', '/', '=', ' ', 'a', 's', 'v', 'g', ']', '!', '-', 'é') }),
	fc.string({ unit: 'binary', maxLength: 40 }),
);

const situation = fc.constantFrom('orphan', 'disputed', 'linked', 'matched');

test(`hostile strings in every value never make a tag or attribute of their own (seed ${SEED})`, () => {
	fc.assert(
		fc.property(
			fc.record({ id: hostile, name: hostile, value: hostile, reason: hostile, endpoint: hostile, system: hostile, key: hostile }),
			situation,
			(v, where) => {
				const target = { system: v.system, endpoint: v.endpoint };
				const items = [
					{ target, total: 1, counts: { orphan: 1 }, at: v.value },
					{
						situation: where,
						reason: v.reason,
						target,
						account: { id: v.id, active: true, attributes: { [v.name]: v.value, mail: [v.value, { x: v.key }] } },
						candidates: [{ sourceIndex: v.key, matchedKeys: [{ attribute: v.name, value: v.value }], linkedTo: v.id }],
					},
					{ time: '2026-03-14T10:00:00Z', action: 'Create', status: 'Success', target: v.endpoint, target_system: v.system },
				];
				const { html } = buildAccessReport(items, { now: NOW, title: v.name });
				const page = parsePage(html);
				const strays = page.elements.flatMap((el) => [
					...(TAGS.has(el.name) ? [] : [`<${el.name}>`]),
					...Object.keys(el.attribs).flatMap((a) => (ATTRIBUTES.has(a) ? [] : [`${a} on <${el.name}>`])),
				]);
				expect(strays).toEqual([]);
				// Each value is back as text (or as the attribute value) where it went: nothing was swallowed into markup.
				const short = (s: string) => Array.from(s).length <= MAX_VALUE_CHARS - 40;
				const section = page.all('section', 'target')[0];
				expect(page.attr(section, 'data-endpoint')).toBe(v.endpoint);
				expect(page.text(page.all('title')[0])).toBe(v.name);
				if (where === 'orphan' || where === 'disputed') {
					const cells = page
						.all('table', where === 'orphan' ? 'orphans' : 'disputed')
						.flatMap((t) => page.all('td').filter((td) => td.parent?.parent?.parent === t));
					expect(page.text(cells[0])).toBe(v.id);
					expect(page.text(cells[cells.length - 1])).toBe(v.reason);
					if (short(v.value) && short(v.name)) expect(page.text(cells[where === 'orphan' ? 2 : 1])).toContain(`${v.name}: ${v.value}`);
				}
			},
		),
		{ seed: SEED, numRuns: 300 },
	);
});

test('escapeHtml: the five characters that matter, in text and in quoted attributes', () => {
	expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});
