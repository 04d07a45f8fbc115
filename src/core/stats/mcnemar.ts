/**
 * McNemar's test for paired binary judgements (the same items judged two ways: label vs model, two
 * reviewers). Only the discordant pairs count: b = first yes / second no, c = first no / second yes.
 * With few discordant pairs (b + c < 25) the exact binomial test is used (two-sided, doubled smaller
 * tail, as R's binom.test does for p = 1/2); otherwise the chi-square statistic with continuity
 * correction (R's mcnemar.test default).
 */
import { binomHalfCdf } from './binomial';
import { chisq1Upper } from './chisq';

export interface McNemarResult {
  b: number;
  c: number;
  method: 'exact-binomial' | 'chi-square-cc';
  /** Chi-square statistic (continuity corrected) when that method is used. */
  statistic?: number;
  p: number;
}

/** Discordant pairs below this use the exact test. */
export const MCNEMAR_EXACT_BELOW = 25;

export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomHalfCdf(Math.min(b, c), n));
}

export function mcnemarChiSquare(b: number, c: number): { statistic: number; p: number } {
  const n = b + c;
  if (n === 0) return { statistic: 0, p: 1 };
  // Edwards' continuity correction exactly as R's mcnemar.test computes it (b = c gives 1/n, not 0).
  const statistic = (Math.abs(b - c) - 1) ** 2 / n;
  return { statistic, p: chisq1Upper(statistic) };
}

export function mcnemar(b: number, c: number): McNemarResult {
  for (const x of [b, c]) if (!Number.isInteger(x) || x < 0) throw new RangeError(`mcnemar: counts must be whole and >= 0, got b=${b}, c=${c}`);
  if (b + c < MCNEMAR_EXACT_BELOW) return { b, c, method: 'exact-binomial', p: mcnemarExact(b, c) };
  const { statistic, p } = mcnemarChiSquare(b, c);
  return { b, c, method: 'chi-square-cc', statistic, p };
}
