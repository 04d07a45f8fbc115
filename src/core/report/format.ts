/** Number formatting shared by the report renderers: percentages to one decimal, p-values, κ, decisions. */
import type { Decision } from '../decisions';

export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)} %`;
}

/** "[92.8, 97.8]" in percent. */
export function ciPct(ci: [number, number], digits = 1): string {
  return `[${(ci[0] * 100).toFixed(digits)}, ${(ci[1] * 100).toFixed(digits)}]`;
}

/** Difference in percentage points with sign: "+24.0 pp". */
export function pp(x: number | null, digits = 1): string {
  if (x === null || !Number.isFinite(x)) return '—';
  const s = (x * 100).toFixed(digits);
  return `${x > 0 ? '+' : ''}${s === '-0.0' ? '0.0' : s} pp`;
}

export function ciPp(ci: [number, number], digits = 1): string {
  return `[${(ci[0] * 100).toFixed(digits)}, ${(ci[1] * 100).toFixed(digits)}]`;
}

export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  if (p < 0.0001) return '< 0.0001';
  return p.toFixed(4);
}

/** κ-like statistics to 3 decimals; "undefined" where the statistic is (one category only, no items). */
export function stat3(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(3);
}

export function confidenceLabel(c: number): string {
  return `${+(c * 100).toFixed(2)} %`;
}

/** "keep (by alice, 2026-11-30T…, on 87.2 % [73.3, 94.4] of n = 39)". */
export function decisionText(d: Decision): string {
  const b = d.basis;
  return `${d.decision} (by ${d.by}, ${d.at}${b ? `, on ${b.n ? `${pct(b.rate)} ${ciPct(b.ci)}` : 'no judged item'} of n = ${b.n}` : ''})`;
}
