/**
 * Self-contained HTML rendering: one file, inline CSS and SVG, no script and no remote content
 * (CSP default-src 'none'). Inside a VS Code webview the same page gets a toolbar with export
 * buttons, item keys that link back to the review editor, and the host's script (with a nonce).
 * Colours follow the VS Code theme variables when present, else the system light/dark preference.
 */
import { escapeHtml as esc } from '../htmlEscape';
import { forestPlot, rateChart, type RateRow } from './charts';
import { ciPct, ciPp, confidenceLabel, decisionText, pct, pp, pValue, stat3 } from './format';
import { INDICATIVE_BELOW, type Report, type SpotcheckReport } from './model';

export interface WebviewHtmlOptions {
  cspSource: string;
  nonce: string;
  scriptUri: string;
}

const STYLE = `
:root {
  color-scheme: light dark;
  --fg: var(--vscode-editor-foreground, #1f2328);
  --bg: var(--vscode-editor-background, #ffffff);
  --muted: var(--vscode-descriptionForeground, #59636e);
  --border: var(--vscode-editorWidget-border, #d0d7de);
  --card: var(--vscode-editorWidget-background, #f6f8fa);
  --accent: var(--vscode-charts-blue, #0969da);
  --good: var(--vscode-charts-green, #1a7f37);
  --bad: var(--vscode-charts-red, #cf222e);
  --warn: var(--vscode-editorWarning-foreground, #9a6700);
  --link: var(--vscode-textLink-foreground, #0969da);
  --grid: color-mix(in srgb, var(--fg) 12%, transparent);
  --font: var(--vscode-font-family, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: var(--vscode-editor-foreground, #e6edf3);
    --bg: var(--vscode-editor-background, #0d1117);
    --muted: var(--vscode-descriptionForeground, #9198a1);
    --border: var(--vscode-editorWidget-border, #3d444d);
    --card: var(--vscode-editorWidget-background, #151b23);
    --accent: var(--vscode-charts-blue, #4493f8);
    --good: var(--vscode-charts-green, #3fb950);
    --bad: var(--vscode-charts-red, #f85149);
    --warn: var(--vscode-editorWarning-foreground, #d29922);
    --link: var(--vscode-textLink-foreground, #4493f8);
  }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 20px 28px 40px; background: var(--bg); color: var(--fg); font: 14px/1.5 var(--font); }
h1 { font-size: 22px; margin: 0 0 4px; font-weight: 600; }
h2 { font-size: 18px; margin: 0 0 8px; font-weight: 600; }
h3 { font-size: 14px; margin: 18px 0 6px; font-weight: 600; }
.sub, .muted { color: var(--muted); }
header { display: flex; align-items: flex-start; justify-content: space-between; gap: 16px; margin-bottom: 18px; flex-wrap: wrap; }
.toolbar { display: flex; gap: 6px; flex-wrap: wrap; }
.toolbar button { font: inherit; font-size: 13px; padding: 4px 12px; border-radius: 2px; cursor: pointer;
  color: var(--vscode-button-secondaryForeground, var(--fg)); background: var(--vscode-button-secondaryBackground, var(--card));
  border: 1px solid var(--vscode-button-border, var(--border)); }
.toolbar button:hover { background: var(--vscode-button-secondaryHoverBackground, var(--border)); }
.toolbar button.primary { color: var(--vscode-button-foreground, #fff); background: var(--vscode-button-background, var(--accent)); border-color: transparent; }
section.card { background: var(--card); border: 1px solid var(--border); border-radius: 6px; padding: 16px 20px; margin: 0 0 18px; overflow-x: auto; }
.headline { display: flex; align-items: baseline; gap: 14px; flex-wrap: wrap; margin: 4px 0 6px; }
.big { font-size: 34px; font-weight: 650; letter-spacing: -0.5px; }
.ci { font-size: 18px; color: var(--muted); }
.chips { display: flex; gap: 6px; flex-wrap: wrap; margin: 6px 0 10px; }
.chip { border: 1px solid var(--border); border-radius: 10px; padding: 0 9px; font-size: 12px; color: var(--muted); }
.chip.warn { color: var(--warn); border-color: var(--warn); }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 4px 0 8px; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
td.num, th.num { text-align: right; }
tr.indicative td { color: var(--muted); }
.tag { font-size: 11px; border: 1px solid var(--border); border-radius: 3px; padding: 0 5px; color: var(--muted); white-space: nowrap; }
.tag.warn { color: var(--warn); border-color: var(--warn); }
.v-correct { color: var(--good); font-weight: 600; }
.v-incorrect { color: var(--bad); font-weight: 600; }
.v-skip, .v-pending { color: var(--muted); }
.warnings { border-left: 3px solid var(--warn); padding: 6px 12px; margin: 10px 0; background: color-mix(in srgb, var(--warn) 8%, transparent); }
.warnings p { margin: 2px 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 10px 0 0; font-size: 13px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
code { font-family: var(--vscode-editor-font-family, ui-monospace, SFMono-Regular, Menlo, monospace); font-size: 12px; }
a.item { color: var(--link); text-decoration: none; cursor: pointer; }
a.item:hover { text-decoration: underline; }
details > summary { cursor: pointer; font-weight: 600; margin: 8px 0; }
.chart-wrap { overflow-x: auto; margin: 6px 0 4px; }
/* Charts shrink with the pane down to a legible size, then scroll sideways. */
.chart { display: block; width: 100%; min-width: 600px; max-width: 760px; height: auto; }
.chart text { fill: var(--fg); font: 12px var(--font); }
.chart text.tick, .chart text.muted { fill: var(--muted); font-size: 11px; }
.chart text.strong { font-weight: 650; }
.chart .grid { stroke: var(--grid); stroke-width: 1; }
.chart .axis { stroke: var(--muted); stroke-width: 1; }
.chart .sep { stroke: var(--border); stroke-width: 1; }
.chart .ref { stroke: var(--accent); stroke-width: 1; stroke-dasharray: 3 3; opacity: 0.7; }
.chart .zero { stroke: var(--fg); stroke-width: 1.2; }
.chart .whisker { stroke: var(--fg); stroke-width: 1.6; }
.chart .whisker.indicative { stroke-dasharray: 4 3; }
.chart .mark { fill: var(--accent); stroke: var(--accent); stroke-width: 1.5; }
.chart .mark.indicative { fill: var(--bg); }
.chart .mark.overall { fill: var(--accent); }
.chart .mark.weighted { fill: var(--good); stroke: var(--good); }
.legend { font-size: 12px; color: var(--muted); margin: 0 0 6px; }
footer { font-size: 12px; color: var(--muted); margin-top: 24px; }
`;

function verdictSpan(v: string | null | undefined): string {
  const t = v ?? 'pending';
  return `<span class="v-${esc(t)}">${esc(t)}</span>`;
}

/** Group-size strata read better as "2 images" than as "2". */
function stratumLabel(s: SpotcheckReport, name: string): string {
  return s.strataBy === 'groupSize' && /^\d+$/.test(name) ? `${name} image${name === '1' ? '' : 's'}` : name;
}

function spotcheckCard(s: SpotcheckReport, link: boolean, index: number): string {
  const conf = confidenceLabel(s.confidence);
  const N = Object.values(s.population).reduce((a, b) => a + b, 0);
  const multi = s.strata.length > 1;
  const rows: RateRow[] = [];
  if (multi)
    for (const h of s.strata) rows.push({ label: stratumLabel(s, h.name), rate: h.rate, ci: h.ci, n: h.n, k: h.k, kind: 'stratum', indicative: h.indicative });
  rows.push({ label: 'Overall (pooled)', rate: s.rate, ci: s.ci, n: s.n, k: s.k, kind: 'overall', indicative: s.n < INDICATIVE_BELOW });
  if (multi) rows.push({ label: 'Weighted by N_h/N', rate: s.weighted.rate, ci: s.weighted.ci, n: s.n, k: s.k, kind: 'weighted' });
  const notes = [...s.warnings, ...s.weighted.notes];
  const out: string[] = [];
  out.push(`<section class="card spotcheck" id="spotcheck-${index}" data-spotcheck="${esc(s.name)}">`);
  out.push(`<h2>${esc(s.name)}${s.kind === 'hunt' ? ' (hunt)' : ''}</h2>`);
  if (s.hunt)
    out.push(
      `<div class="headline"><span class="big">${pct(s.hunt.precision)}</span><span class="ci">${s.hunt.judged ? `${ciPct(s.hunt.ci)} ${conf} CI` : 'no judged item yet'}</span></div><div class="sub">hunt precision: ${s.hunt.incorrect} wrong label(s) found in ${s.hunt.judged} judged · most suspicious first, not an estimate of the dataset</div>`,
    );
  else
    out.push(
      `<div class="headline"><span class="big">${pct(s.rate)}</span><span class="ci">${s.n ? `${ciPct(s.ci)} ${conf} CI` : 'no judged item yet'}</span></div>`,
    );
  out.push(
    `<div class="sub">${s.k} correct of ${s.n} judged · Wilson score interval${multi && s.weighted.rate !== null ? ` · weighted by population: <strong>${pct(s.weighted.rate)}</strong> ${ciPct(s.weighted.ci)}` : ''}</div>`,
  );
  out.push('<div class="chips">');
  out.push(`<span class="chip">${s.skipped} skipped (excluded)</span><span class="chip">${s.pending} pending</span>`);
  if (s.disputed) out.push(`<span class="chip warn">${s.disputed} disputed</span>`);
  if (s.drift.changed.length || s.drift.missing.length) out.push(`<span class="chip warn">${s.drift.changed.length + s.drift.missing.length} drifted</span>`);
  out.push('</div>');
  if (s.n > 0)
    out.push(`<div class="chart-wrap">${rateChart(rows, { title: `Correctness of ${s.name}${multi ? ' per stratum' : ''} with ${conf} intervals` })}</div>`);
  if (s.n > 0)
    out.push(
      `<p class="legend">Dots: per-stratum rate; whiskers: ${conf} Wilson interval; hollow dot, dashed whisker and * = indicative (n &lt; ${INDICATIVE_BELOW}); diamonds: overall; dashed line: pooled overall rate.</p>`,
    );
  if (notes.length) out.push(`<div class="warnings" role="note">${notes.map((w) => `<p>⚠ ${esc(w)}</p>`).join('')}</div>`);
  out.push(
    `<table class="strata"><thead><tr><th>Stratum</th><th class="num">N</th><th class="num">n</th><th class="num">k</th><th class="num">Skipped</th><th class="num">Pending</th><th class="num">Correct</th><th>${conf} CI</th><th></th></tr></thead><tbody>`,
  );
  for (const h of s.strata) {
    out.push(
      `<tr class="${h.indicative ? 'indicative' : ''}"><td>${esc(h.name)}</td><td class="num">${h.N}</td><td class="num">${h.n}</td><td class="num">${h.k}</td><td class="num">${h.skipped}</td><td class="num">${h.pending}</td><td class="num">${pct(h.rate)}</td><td>${h.n ? ciPct(h.ci) : '—'}</td><td>${h.n === 0 ? '<span class="tag">no judged item</span>' : h.indicative ? `<span class="tag warn">indicative, n &lt; ${INDICATIVE_BELOW}</span>` : ''}</td></tr>`,
    );
  }
  out.push('</tbody></table>');
  out.push('<dl class="facts">');
  out.push(
    `<dt>Dataset</dt><dd><code>${esc(s.dataset.path)}</code> · fingerprint <code>${esc(s.dataset.fingerprint)}</code>${s.dataset.changed === null ? ' · not checked' : s.dataset.changed ? ` · <strong class="v-incorrect">changed</strong> (now <code>${esc(s.dataset.currentFingerprint ?? '')}</code>)` : ' · unchanged'}</dd>`,
  );
  out.push(`<dt>Sample</dt><dd>${s.size} of ${N} items · seed <code>${esc(s.seed)}</code> · strata: ${esc(s.strataBy)}</dd>`);
  out.push(
    `<dt>Population</dt><dd>${
      Object.entries(s.population)
        .map(([k, v]) => `${esc(k)} = ${v}`)
        .join(' · ') || '—'
    }</dd>`,
  );
  out.push(`<dt>Reviewers</dt><dd>${s.reviewers.length ? s.reviewers.map(esc).join(', ') : 'none yet'}</dd>`);
  const reasons = Object.entries(s.reasons).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  out.push(`<dt>Corrections</dt><dd class="corrections">${s.corrections}</dd>`);
  out.push(`<dt>Incorrect by reason</dt><dd class="reasons">${reasons.length ? reasons.map(([r, n]) => `${esc(r)} = ${n}`).join(' · ') : 'none given'}</dd>`);
  const strataDecisions = Object.entries(s.decisions.strata);
  out.push(
    `<dt>Decision</dt><dd class="decision">${s.decisions.spotcheck ? esc(decisionText(s.decisions.spotcheck)) : 'none recorded'}${strataDecisions.map(([h, d]) => `<br>${esc(stratumLabel(s, h))}: ${esc(decisionText(d))}`).join('')}</dd>`,
  );
  out.push(
    `<dt>Method</dt><dd>Wilson score interval, ${conf}; weighted estimate Σ W<sub>h</sub>p<sub>h</sub> with finite-population correction${s.weighted.se !== null ? ` (se ${(s.weighted.se * 100).toFixed(2)} pp)` : ''}</dd>`,
  );
  out.push('</dl>');
  out.push(itemsTable(s, link));
  out.push('</section>');
  return out.join('\n');
}

function itemsTable(s: SpotcheckReport, link: boolean): string {
  const out: string[] = [];
  out.push(`<details class="items"${link ? ' open' : ''}><summary>Items (${s.items.length})</summary>`);
  out.push(
    `<table class="items"><thead><tr><th class="num">#</th><th>Key</th><th>Stratum</th><th>Verdict</th>${s.reviewers.length > 1 ? s.reviewers.map((r) => `<th>${esc(r)}</th>`).join('') : ''}<th>Note</th></tr></thead><tbody>`,
  );
  s.items.forEach((it, i) => {
    const key = link
      ? `<a class="item" href="#" data-spotcheck="${esc(s.name)}" data-dir="${esc(s.dir)}" data-key="${esc(it.key)}" data-index="${it.index}" title="Open in the review editor">${esc(it.key)}</a>`
      : `<code>${esc(it.key)}</code>`;
    const notes = [
      ...s.reviewers.filter((r) => it.reviewers[r]?.note).map((r) => `${s.reviewers.length > 1 ? `${esc(r)}: ` : ''}${esc(it.reviewers[r].note!)}`),
      ...(it.reasons?.length ? [`<span class="tag">${it.reasons.map(esc).join('</span> <span class="tag">')}</span>`] : []),
      ...(it.correction !== undefined ? [`correction: <q class="correction">${esc(it.correction)}</q>`] : []),
    ].join('<br>');
    const tags = `${it.disputed ? ' <span class="tag warn">disputed</span>' : ''}${it.drift ? ` <span class="tag warn">record ${it.drift}</span>` : ''}`;
    out.push(
      `<tr><td class="num">${i + 1}</td><td>${key}</td><td>${esc(it.stratum)}</td><td>${verdictSpan(it.verdict)}${tags}</td>${s.reviewers.length > 1 ? s.reviewers.map((r) => `<td>${it.reviewers[r] ? verdictSpan(it.reviewers[r].verdict) : '<span class="muted">—</span>'}</td>`).join('') : ''}<td>${notes}</td></tr>`,
    );
  });
  out.push('</tbody></table></details>');
  return out.join('');
}

/** The report's content (without page chrome): used for the page and for live refresh in a webview. */
export function renderHtmlBody(report: Report, opts: { linkItems?: boolean } = {}): string {
  const conf = confidenceLabel(report.confidence);
  const out: string[] = [];
  if (report.spotchecks.some((s) => s.reviewers.length > 1)) out.push(`<p class="sub">${esc(report.rule)}</p>`);
  const random = report.spotchecks.filter((s) => s.kind !== 'hunt');
  if (random.length > 1) {
    out.push('<section class="card"><h2>Overview</h2>');
    const overview = rateChart(
      random.map((s) => ({ label: s.name, rate: s.rate, ci: s.ci, n: s.n, k: s.k, kind: 'stratum', indicative: s.n < INDICATIVE_BELOW })),
      { title: `Correctness per spot check with ${conf} intervals` },
    );
    out.push(`<div class="chart-wrap">${overview}</div>`);
    out.push('</section>');
  }
  if (report.comparisons.length) {
    out.push('<section class="card comparisons"><h2>Comparisons</h2>');
    out.push(
      `<p class="sub">Difference A − B of correctness rates, Newcombe hybrid score interval (${conf}), Fisher's exact two-sided p; spot checks of exactly the same items: Newcombe's paired interval and McNemar's test. A filled square: the interval excludes 0.</p>`,
    );
    out.push(
      `<div class="chart-wrap">${forestPlot(
        report.comparisons.map((c) => ({
          label: `${c.a} − ${c.b}`,
          diff: c.diff,
          ci: c.ci,
          note: c.method === 'newcombe-paired' ? `McNemar p ${pValue(c.shared?.mcnemarP)}` : `Fisher p ${pValue(c.fisherP)}`,
        })),
        { title: `Differences between spot checks with ${conf} intervals` },
      )}</div>`,
    );
    out.push(
      `<table><thead><tr><th>A</th><th>B</th><th class="num">A − B</th><th>${conf} CI (pp)</th><th class="num">Fisher p</th><th>Shared items</th></tr></thead><tbody>`,
    );
    for (const c of report.comparisons) {
      out.push(
        `<tr><td>${esc(c.a)}</td><td>${esc(c.b)}</td><td class="num">${pp(c.diff)}</td><td>${ciPp(c.ci)}</td><td class="num">${c.method === 'newcombe-paired' ? '— (paired)' : pValue(c.fisherP)}</td><td>${c.shared ? `${c.shared.items} — ${c.method === 'newcombe-paired' ? 'the same items: paired interval' : 'not independent'}; McNemar p ${pValue(c.shared.mcnemarP)}` : '0'}</td></tr>`,
      );
    }
    out.push('</tbody></table></section>');
  }
  report.spotchecks.forEach((s, i) => out.push(spotcheckCard(s, !!opts.linkItems, i)));
  if (report.agreement.length) {
    out.push('<section class="card agreement"><h2>Agreement between reviewers</h2>');
    out.push(
      '<p class="sub">On items every listed reviewer judged correct or incorrect. Gwet\'s AC1 stays meaningful when nearly all items are correct; κ collapses there.</p>',
    );
    out.push(
      `<table><thead><tr><th>Spot check</th><th>Reviewers</th><th class="num">Items</th><th class="num">Raw agreement</th><th class="num">Cohen's κ</th><th class="num">Fleiss' κ</th><th class="num">Gwet's AC1</th><th class="num">McNemar p</th></tr></thead><tbody>`,
    );
    for (const g of report.agreement) {
      out.push(
        `<tr><td>${esc(g.spotcheck)}</td><td>${g.reviewers.map(esc).join(', ')}</td><td class="num">${g.items}</td><td class="num">${pct(g.raw)}</td><td class="num">${stat3(g.cohenKappa)}</td><td class="num">${stat3(g.fleissKappa)}</td><td class="num">${stat3(g.gwetAC1)}</td><td class="num">${g.mcnemar ? pValue(g.mcnemar.p) : '—'}</td></tr>`,
      );
    }
    out.push('</tbody></table></section>');
  }
  out.push(
    `<footer>Generated ${esc(report.generatedAt)} by Co-Instruct Curator · confidence ${conf} · skips excluded from n · verdicts: latest non-undone line per key and reviewer.</footer>`,
  );
  return out.join('\n');
}

/** A complete HTML page. Without `webview` it is a standalone file with no script at all. */
export function renderHtml(report: Report, webview?: WebviewHtmlOptions): string {
  const title = report.spotchecks.length === 1 ? `Spot-check report — ${report.spotchecks[0].name}` : 'Spot-check report';
  const csp = webview
    ? `default-src 'none'; img-src ${webview.cspSource} data:; style-src 'nonce-${webview.nonce}'; script-src 'nonce-${webview.nonce}';`
    : "default-src 'none'; img-src data:; style-src 'unsafe-inline';";
  const styleAttr = webview ? ` nonce="${esc(webview.nonce)}"` : '';
  const toolbar = webview
    ? `<div class="toolbar" role="toolbar" aria-label="Export"><button data-export="html" class="primary">Export HTML</button><button data-export="md">Export Markdown</button><button data-export="json">Export JSON</button><button data-export="csv">Export CSV</button></div>`
    : '';
  const names = report.spotchecks.map((s) => s.name).join(', ');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style${styleAttr}>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><div><h1>Spot-check report</h1><div class="sub">${esc(names)} · ${confidenceLabel(report.confidence)} confidence</div></div>${toolbar}</header>`,
    `<main id="report">${renderHtmlBody(report, { linkItems: !!webview })}</main>`,
    webview ? `<script nonce="${esc(webview.nonce)}" src="${esc(webview.scriptUri)}"></script>` : '',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
