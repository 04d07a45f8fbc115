/**
 * Overall correctness of a stratified sample, weighted by population shares W_h = N_h / N
 * (pooling the strata unweighted is biased unless the allocation was proportional).
 *
 *   p_st  = Σ W_h p_h
 *   v(p_st) = Σ W_h² (1 − n_h/N_h) p_h (1 − p_h) / (n_h − 1)      (Cochran 1977, eq. 5.53; with FPC)
 *
 * The interval is a Wilson score interval at p_st with the effective sample size
 * n_eff = p_st (1 − p_st) / v(p_st) (the design-effect adjusted Wilson interval, as in Kish's
 * effective n; it stays inside [0, 1], unlike p_st ± z·se).
 *
 * Edge cases, stated in `notes`:
 * - a stratum with N_h > 0 but no judged item cannot be estimated: the estimate covers the judged
 *   strata only (weights renormalised) and `coverage` says which population share that is;
 * - a stratum with a single judged item has no variance estimate: it contributes the conservative
 *   bound p(1 − p) ≤ 1/4;
 * - when the estimated variance is 0 (every stratum all-correct or all-incorrect) the interval uses
 *   n_eff = n / (1 − n/N) (simple random sampling with FPC); a census (n_h = N_h everywhere) gives a
 *   zero-width interval.
 */
import { zFor } from './normal';
import { wilsonZ } from './wilson';

export interface StratumCounts {
  name: string;
  /** Population size N_h. */
  N: number;
  /** Judged items n_h (skips excluded). */
  n: number;
  /** Correct items k_h. */
  k: number;
}

export interface StratifiedEstimate {
  rate: number | null;
  ci: [number, number];
  se: number | null;
  /** Effective sample size used for the interval. */
  nEff: number | null;
  /** Share of the population in strata with at least one judged item (1 = complete). */
  coverage: number;
  method: 'stratified-wilson';
  fpc: true;
  notes: string[];
}

export function stratifiedEstimate(strata: StratumCounts[], confidence = 0.95): StratifiedEstimate {
  const z = zFor(confidence);
  const notes: string[] = [];
  const Ntotal = strata.reduce((s, h) => s + Math.max(0, h.N), 0);
  const judged = strata.filter((h) => h.n > 0 && h.N > 0);
  const Nj = judged.reduce((s, h) => s + h.N, 0);
  const coverage = Ntotal > 0 ? Nj / Ntotal : 0;
  if (judged.length === 0 || Nj === 0) {
    return { rate: null, ci: [0, 1], se: null, nEff: null, coverage, method: 'stratified-wilson', fpc: true, notes };
  }
  for (const h of strata)
    if (h.n === 0 && h.N > 0) notes.push(`stratum "${h.name}" (N=${h.N}) has no judged item; the weighted estimate covers the other strata only`);
  let p = 0;
  let v = 0;
  let n = 0;
  let census = true;
  for (const h of judged) {
    const W = h.N / Nj;
    const ph = h.k / h.n;
    const f = Math.min(1, h.n / h.N);
    if (f < 1) census = false;
    p += W * ph;
    n += h.n;
    if (h.n >= 2) v += (W * W * (1 - f) * ph * (1 - ph)) / (h.n - 1);
    else if (f < 1) {
      v += W * W * (1 - f) * 0.25;
      notes.push(`stratum "${h.name}" has a single judged item: its variance is bounded conservatively by 1/4`);
    }
  }
  p = Math.min(1, Math.max(0, p));
  const se = Math.sqrt(v);
  let nEff: number;
  if (census) {
    notes.push('every stratum was judged in full (census): no sampling error');
    return { rate: p, ci: [p, p], se: 0, nEff: Infinity, coverage, method: 'stratified-wilson', fpc: true, notes };
  }
  if (v > 0 && p > 0 && p < 1) nEff = (p * (1 - p)) / v;
  else {
    const f = Math.min(n / Nj, 1 - 1e-12);
    nEff = n / (1 - f);
  }
  const [lo, hi] = wilsonZ(p * nEff, nEff, z);
  return { rate: p, ci: [lo, hi], se, nEff, coverage, method: 'stratified-wilson', fpc: true, notes };
}
