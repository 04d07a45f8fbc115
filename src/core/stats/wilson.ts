/**
 * Wilson score interval for a binomial proportion (Wilson 1927), never the Wald interval: it stays
 * inside [0, 1], is not degenerate at 0/n or n/n, and keeps close to nominal coverage for small n.
 */
import { zFor } from './normal';

export interface ProportionCI {
  /** k/n, or null when n = 0 (nothing judged yet). */
  rate: number | null;
  /** [lower, upper]; [0, 1] when n = 0 (no information). */
  ci: [number, number];
}

/** Wilson limits for k successes out of n, for a given z (or n may be fractional: an effective size). */
export function wilsonZ(k: number, n: number, z: number): [number, number] {
  if (n <= 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const denom = n + z2;
  const centre = (k + z2 / 2) / denom;
  const half = (z * Math.sqrt(n * p * (1 - p) + z2 / 4)) / denom;
  // The limits are exactly 0 at k = 0 and exactly 1 at k = n; avoid rounding noise there.
  const lo = k <= 0 ? 0 : Math.max(0, centre - half);
  const hi = k >= n ? 1 : Math.min(1, centre + half);
  return [lo, hi];
}

/** Wilson score interval at a confidence level (default 0.95). */
export function wilson(k: number, n: number, confidence = 0.95): ProportionCI {
  if (!Number.isFinite(k) || !Number.isFinite(n) || k < 0 || n < 0 || k > n) {
    throw new RangeError(`wilson: need 0 <= k <= n, got k=${k}, n=${n}`);
  }
  return { rate: n > 0 ? k / n : null, ci: wilsonZ(k, n, zFor(confidence)) };
}
