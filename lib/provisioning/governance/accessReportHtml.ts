/**
 * The access report as one self-contained HTML page: no script, no external resource, the chart as inline SVG.
 * Account names and attributes come from the target and the source, which an attacker may control: every value
 * goes through `escapeHtml` (text and quoted attributes alike), nothing from the data becomes a tag, an attribute
 * name, a URL or a style, and the page carries its own Content-Security-Policy (a meta element: n8n replaces the
 * header a workflow sets with its own sandbox policy).
 */
import { isSecretAttribute, REDACTED } from '../../redact';
import { ACTIVITY_SERIES, type ActivityDay, type ActivitySeries, DAY_MS } from './accessActivity';
import type { AccessReport, ReportAccount, Situation, TargetReport } from './accessReportModel';

/** No script, no fetch, no frame, no form target: styles inline and images as data: URLs only. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** Rows per table: the page stays small whatever the target holds (the node's output has them all). */
export const MAX_TABLE_ROWS = 500;
/** Characters kept of one value. */
export const MAX_VALUE_CHARS = 200;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML text and quoted attribute values, in HTML and in inline SVG. */
export const escapeHtml = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** A value for people: strings as they are, others as JSON; cut by code points (never inside a surrogate pair). */
export function displayValue(value: unknown): string {
	const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
	const points = Array.from(text ?? '');
	return points.length > MAX_VALUE_CHARS ? `${points.slice(0, MAX_VALUE_CHARS - 1).join('')}…` : text;
}

const e = (value: unknown) => escapeHtml(displayValue(value));

export const SITUATION_LABELS: Record<Situation, string> = {
	linked: 'Linked',
	matched: 'Matched, not linked',
	disputed: 'Disputed',
	orphan: 'Orphan',
	protected: 'Protected orphan',
	pendingDeletion: 'Disabled, pending deletion',
	missing: 'Missing (source without account)',
};

export const SERIES_LABELS: Record<ActivitySeries, string> = {
	creates: 'Creates',
	updates: 'Updates',
	disables: 'Disables and deletes',
	failures: 'Failures',
};

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #d0d7de}h3{font-size:15px}
.meta{color:#59636e}.counts{display:flex;flex-wrap:wrap;gap:8px;padding:0;list-style:none}
.counts li{border:1px solid #d0d7de;border-radius:6px;padding:6px 10px}.counts .n{font-size:20px;font-weight:600;margin-right:6px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top;max-width:480px;overflow-wrap:anywhere}
th{background:#f6f8fa;white-space:nowrap}.none{color:#59636e;font-style:italic}
.bar.creates{fill:#1a7f37}.bar.updates{fill:#0969da}.bar.disables{fill:#9a6700}.bar.failures{fill:#cf222e}
.axis{stroke:#8c959f}.label{font-size:10px;fill:#59636e}
.legend{display:flex;gap:12px;padding:0;list-style:none}.legend .swatch{display:inline-block;width:10px;height:10px;margin-right:4px}
.swatch.creates{background:#1a7f37}.swatch.updates{background:#0969da}.swatch.disables{background:#9a6700}.swatch.failures{background:#cf222e}`;

/** `uid: ada; mail: ada@example.org` — the first attributes, secrets (by name) redacted. */
function attributesText(attributes: Record<string, unknown>): string {
	return Object.keys(attributes)
		.slice(0, 6)
		.map((name) => `${name}: ${isSecretAttribute(name) ? REDACTED : displayValue(attributes[name])}`)
		.join('; ');
}

function accountTable(kind: 'orphans' | 'disputed', accounts: ReportAccount[]): string {
	if (!accounts.length) return `<p class="none">None.</p>`;
	const head =
		kind === 'disputed'
			? '<th>Account</th><th>Attributes</th><th>Source items</th><th>Why</th>'
			: '<th>Account</th><th>Active</th><th>Attributes</th><th>Why</th>';
	const rows = accounts.slice(0, MAX_TABLE_ROWS).map((a) => {
		const middle =
			kind === 'disputed'
				? `<td>${e(attributesText(a.attributes))}</td><td>${e(a.candidates.join('; '))}</td>`
				: `<td>${a.active === null ? '' : a.active ? 'yes' : 'no'}</td><td>${e(attributesText(a.attributes))}</td>`;
		return `<tr><td>${e(a.id)}</td>${middle}<td>${e(a.reason)}</td></tr>`;
	});
	const more =
		accounts.length > MAX_TABLE_ROWS ? `<p class="meta">… and ${accounts.length - MAX_TABLE_ROWS} more (see the node’s output).</p>` : '';
	return `<table class="${kind}"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

const CHART = { slot: 24, bar: 5, height: 160, left: 36, top: 12, bottom: 28 };

/** Bars per day, one per series side by side (a zero is a bar of height 0): every day of the window is there. */
export function activityChart(days: ActivityDay[], label: string): string {
	const max = Math.max(1, ...days.flatMap((d) => ACTIVITY_SERIES.map((s) => d[s])));
	const width = CHART.left + days.length * CHART.slot + 8;
	const base = CHART.top + CHART.height;
	const groups = days.map((d, i) => {
		const x0 = CHART.left + i * CHART.slot + 2;
		const title = `${d.day}: ${ACTIVITY_SERIES.map((s) => `${d[s]} ${SERIES_LABELS[s].toLowerCase()}`).join(', ')}`;
		const bars = ACTIVITY_SERIES.map((s, j) => {
			const h = Math.round((d[s] / max) * CHART.height * 10) / 10;
			return `<rect class="bar ${s}" data-series="${s}" data-count="${d[s]}" x="${x0 + j * CHART.bar}" y="${base - h}" width="${CHART.bar}" height="${h}"></rect>`;
		}).join('');
		const tick = i % 5 === 0 || i === days.length - 1 ? `<text class="label" x="${x0}" y="${base + 14}">${e(d.day.slice(5))}</text>` : '';
		return `<g class="day" data-day="${e(d.day)}"><title>${e(title)}</title>${bars}${tick}</g>`;
	});
	const axes =
		`<line class="axis" x1="${CHART.left}" y1="${base}" x2="${width - 4}" y2="${base}"></line>` +
		`<text class="label" x="4" y="${CHART.top + 8}">${max}</text><text class="label" x="4" y="${base}">0</text>`;
	return (
		`<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${e(label)}" width="${width}" height="${base + CHART.bottom}" viewBox="0 0 ${width} ${base + CHART.bottom}">` +
		`${axes}${groups.join('')}</svg>`
	);
}

const legend = () =>
	`<ul class="legend">${ACTIVITY_SERIES.map((s) => `<li><span class="swatch ${s}"></span>${e(SERIES_LABELS[s])}</li>`).join('')}</ul>`;

function targetSection(t: TargetReport, windowDays: number): string {
	const name = `${t.target.system.toUpperCase()} · ${t.target.endpoint}`;
	const counts = t.counts
		? `<ul class="counts">${(Object.keys(SITUATION_LABELS) as Situation[])
				.map((s) => `<li data-situation="${s}"><span class="n">${t.counts![s]}</span>${e(SITUATION_LABELS[s])}</li>`)
				.join('')}<li data-situation="total"><span class="n">${t.total ?? 0}</span>Total</li></ul>`
		: `<p class="none">Not discovered in this run: only the provisioning log names this target.</p>`;
	const when = t.discoveredAt ? `<p class="meta">Discovered at ${e(t.discoveredAt)}.</p>` : '';
	const totals = ACTIVITY_SERIES.map((s) => `<span data-total="${s}">${t.activity[s]}</span> ${e(SERIES_LABELS[s].toLowerCase())}`).join(
		', ',
	);
	return (
		`<section class="target" data-system="${e(t.target.system)}" data-endpoint="${e(t.target.endpoint)}"><h2>${e(name)}</h2>${when}${counts}` +
		`<h3>Orphans (${t.orphans.length})</h3>${accountTable('orphans', t.orphans)}` +
		`<h3>Disputed (${t.disputed.length})</h3>${accountTable('disputed', t.disputed)}` +
		`<h3>Provisioning activity, last ${windowDays} days</h3>${legend()}${activityChart(t.days, `Provisioning activity per day for ${name}`)}` +
		`<p class="meta">In these days: ${totals}.</p></section>`
	);
}

export function renderAccessReport(report: Omit<AccessReport, 'html'>, title: string): string {
	const w = report.window;
	const lastDay = new Date(Date.parse(w.to) - DAY_MS).toISOString().slice(0, 10);
	const sections = report.targets.length
		? report.targets.map((t) => targetSection(t, w.days)).join('')
		: '<p class="none">No target in the input.</p>';
	return (
		`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
		`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}"><meta name="referrer" content="no-referrer">` +
		`<meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(title)}</title><style>${STYLE}</style></head>` +
		`<body><header><h1>${e(title)}</h1><p class="meta">Generated at ${e(report.generatedAt)}. Activity: the ${w.days} days from ${e(w.from.slice(0, 10))} to ${e(lastDay)}, ` +
		`each from 00:00 to 24:00 UTC.</p></header>${sections}</body></html>`
	);
}
