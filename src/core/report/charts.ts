/**
 * Inline SVG charts for the HTML report: correctness per stratum with interval whiskers, and a
 * forest plot of differences between spot checks. Colours come from CSS classes (the page's theme),
 * never from fixed fills, so the charts follow a light or dark VS Code theme.
 */
import { escapeHtml as xml } from '../htmlEscape';

const f1 = (x: number) => (x * 100).toFixed(1);
const r2 = (x: number) => Math.round(x * 100) / 100;

export interface RateRow {
  label: string;
  rate: number | null;
  ci: [number, number];
  n: number;
  k: number;
  /** 'stratum' rows get a dot, 'overall' and 'weighted' rows a diamond. */
  kind: 'stratum' | 'overall' | 'weighted';
  /** Drawn hollow with a dashed whisker (n < 30). */
  indicative?: boolean;
}

const ROW = 30;
const TOP = 12;
const AXIS = 34;

function ticks(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + 1e-9; t += step) out.push(Math.round(t * 1e6) / 1e6);
  return out;
}

function diamond(cx: number, cy: number, r: number, cls: string): string {
  return `<path class="${cls}" d="M${r2(cx)} ${r2(cy - r)}L${r2(cx + r)} ${r2(cy)}L${r2(cx)} ${r2(cy + r)}L${r2(cx - r)} ${r2(cy)}Z"/>`;
}

/** Correctness rate per row with its interval. The axis zooms to the data (rates near 100 % stay readable). */
export function rateChart(rows: RateRow[], opts: { title: string; width?: number }): string {
  const width = opts.width ?? 760;
  const labelW = 150;
  const valueW = 190;
  const x0 = labelW;
  const x1 = width - valueW;
  const shown = rows.filter((r) => r.rate !== null);
  const minLo = shown.length ? Math.min(...shown.map((r) => r.ci[0])) : 0;
  let lo = Math.max(0, Math.floor((minLo - 0.02) * 10) / 10);
  if (lo < 0.3) lo = 0;
  const hi = 1;
  const step = hi - lo <= 0.3 ? 0.05 : 0.1;
  const X = (v: number) => x0 + ((v - lo) / (hi - lo)) * (x1 - x0);
  const height = TOP + rows.length * ROW + AXIS;
  const plotBottom = TOP + rows.length * ROW;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${xml(opts.title)}">`,
  );
  parts.push(`<title>${xml(opts.title)}</title>`);
  for (const t of ticks(lo, hi, step)) {
    const x = r2(X(t));
    parts.push(`<line class="grid" x1="${x}" y1="${TOP - 4}" x2="${x}" y2="${plotBottom}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${plotBottom + 16}" text-anchor="middle">${Math.round(t * 100)}%</text>`);
  }
  parts.push(`<line class="axis" x1="${x0}" y1="${plotBottom}" x2="${x1}" y2="${plotBottom}"/>`);
  if (lo > 0) parts.push(`<text class="tick" x="${x0}" y="${plotBottom + 30}">axis starts at ${Math.round(lo * 100)}%</text>`);
  const overall = rows.find((r) => r.kind === 'overall' && r.rate !== null);
  if (overall) parts.push(`<line class="ref" x1="${r2(X(overall.rate!))}" y1="${TOP - 4}" x2="${r2(X(overall.rate!))}" y2="${plotBottom}"/>`);
  rows.forEach((r, i) => {
    const cy = TOP + i * ROW + ROW / 2;
    const cls = r.kind === 'stratum' ? (r.indicative ? 'mark indicative' : 'mark') : `mark ${r.kind}`;
    parts.push(`<g class="row">`);
    if (i > 0 && r.kind !== 'stratum' && rows[i - 1].kind === 'stratum')
      parts.push(`<line class="sep" x1="0" y1="${TOP + i * ROW}" x2="${width}" y2="${TOP + i * ROW}"/>`);
    parts.push(`<text class="label${r.kind !== 'stratum' ? ' strong' : ''}" x="${labelW - 10}" y="${cy + 4}" text-anchor="end">${xml(r.label)}</text>`);
    if (r.rate === null) {
      parts.push(`<text class="value muted" x="${x0 + 6}" y="${cy + 4}">no judged item</text>`);
    } else {
      const a = r2(X(r.ci[0]));
      const b = r2(X(r.ci[1]));
      const c = r2(X(r.rate));
      parts.push(`<title>${xml(`${r.label}: ${f1(r.rate)} % [${f1(r.ci[0])}, ${f1(r.ci[1])}], ${r.k}/${r.n}`)}</title>`);
      parts.push(`<line class="whisker${r.indicative ? ' indicative' : ''}" x1="${a}" y1="${cy}" x2="${b}" y2="${cy}"/>`);
      parts.push(
        `<line class="whisker" x1="${a}" y1="${cy - 6}" x2="${a}" y2="${cy + 6}"/><line class="whisker" x1="${b}" y1="${cy - 6}" x2="${b}" y2="${cy + 6}"/>`,
      );
      parts.push(r.kind === 'stratum' ? `<circle class="${cls}" cx="${c}" cy="${cy}" r="5"/>` : diamond(c, cy, 7, cls));
      parts.push(`<text class="value" x="${x1 + 12}" y="${cy + 4}">${f1(r.rate)} % [${f1(r.ci[0])}, ${f1(r.ci[1])}]</text>`);
      parts.push(`<text class="value muted" x="${width - 4}" y="${cy + 4}" text-anchor="end">${r.indicative ? '* ' : ''}n=${r.n}</text>`);
    }
    parts.push(`</g>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface ForestRow {
  label: string;
  diff: number | null;
  ci: [number, number];
  note: string;
}

/** Differences with intervals around a zero line. */
export function forestPlot(rows: ForestRow[], opts: { title: string; width?: number }): string {
  const width = opts.width ?? 760;
  const labelW = 200;
  const valueW = 300;
  const x0 = labelW;
  const x1 = width - valueW;
  const shown = rows.filter((r) => r.diff !== null);
  const m0 = shown.length ? Math.max(...shown.flatMap((r) => [Math.abs(r.ci[0]), Math.abs(r.ci[1])])) : 0.1;
  const m = Math.min(1, Math.max(0.1, Math.ceil((m0 + 0.01) * 10) / 10));
  const step = m <= 0.3 ? 0.05 : m <= 0.6 ? 0.1 : 0.25;
  const X = (v: number) => x0 + ((v + m) / (2 * m)) * (x1 - x0);
  const height = TOP + rows.length * ROW + AXIS;
  const plotBottom = TOP + rows.length * ROW;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${xml(opts.title)}">`,
  );
  parts.push(`<title>${xml(opts.title)}</title>`);
  for (const t of ticks(-m, m, step)) {
    const x = r2(X(t));
    parts.push(`<line class="grid" x1="${x}" y1="${TOP - 4}" x2="${x}" y2="${plotBottom}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${plotBottom + 16}" text-anchor="middle">${t > 0 ? '+' : ''}${Math.round(t * 100)}</text>`);
  }
  parts.push(`<text class="tick" x="${x1}" y="${plotBottom + 30}" text-anchor="end">percentage points (A − B)</text>`);
  parts.push(`<line class="axis" x1="${x0}" y1="${plotBottom}" x2="${x1}" y2="${plotBottom}"/>`);
  parts.push(`<line class="zero" x1="${r2(X(0))}" y1="${TOP - 4}" x2="${r2(X(0))}" y2="${plotBottom}"/>`);
  rows.forEach((r, i) => {
    const cy = TOP + i * ROW + ROW / 2;
    parts.push('<g class="row">');
    parts.push(`<text class="label" x="${labelW - 10}" y="${cy + 4}" text-anchor="end">${xml(r.label)}</text>`);
    if (r.diff === null) {
      parts.push(`<text class="value muted" x="${x0 + 6}" y="${cy + 4}">not comparable (a side has n = 0)</text>`);
    } else {
      const a = r2(X(r.ci[0]));
      const b = r2(X(r.ci[1]));
      const excludesZero = r.ci[0] > 0 || r.ci[1] < 0;
      parts.push(`<title>${xml(`${r.label}: ${f1(r.diff)} pp [${f1(r.ci[0])}, ${f1(r.ci[1])}] ${r.note}`)}</title>`);
      parts.push(`<line class="whisker" x1="${a}" y1="${cy}" x2="${b}" y2="${cy}"/>`);
      parts.push(
        `<line class="whisker" x1="${a}" y1="${cy - 6}" x2="${a}" y2="${cy + 6}"/><line class="whisker" x1="${b}" y1="${cy - 6}" x2="${b}" y2="${cy + 6}"/>`,
      );
      parts.push(`<rect class="mark${excludesZero ? '' : ' indicative'}" x="${r2(X(r.diff) - 5)}" y="${cy - 5}" width="10" height="10"/>`);
      parts.push(`<text class="value" x="${x1 + 12}" y="${cy + 4}">${r.diff > 0 ? '+' : ''}${f1(r.diff)} pp [${f1(r.ci[0])}, ${f1(r.ci[1])}]</text>`);
      parts.push(`<text class="value muted" x="${width - 4}" y="${cy + 4}" text-anchor="end">${xml(r.note)}</text>`);
    }
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('');
}
