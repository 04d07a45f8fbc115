/**
 * Fisher's exact test for a 2×2 table, two-sided: the sum of the probabilities of every table with
 * the observed margins that is no more likely than the observed one (the convention of R's
 * fisher.test, with the same relative tolerance for ties).
 *
 *              success  failure
 *   group 1       a        b
 *   group 2       c        d
 */

export function fisherExact(a: number, b: number, c: number, d: number): number {
  for (const x of [a, b, c, d])
    if (!Number.isInteger(x) || x < 0) throw new RangeError(`fisherExact: counts must be whole and >= 0, got ${[a, b, c, d].join(', ')}`);
  const row1 = a + b;
  const col1 = a + c;
  const total = a + b + c + d;
  const lo = Math.max(0, col1 - (total - row1));
  const hi = Math.min(row1, col1);
  if (lo === hi) return 1;
  // Hypergeometric probabilities of x = lo..hi, built by the ratio recurrence from the mode (scaled
  // so the mode is 1: no overflow, no log-gamma rounding), then normalised.
  const n = hi - lo + 1;
  const w = new Float64Array(n);
  const ratio = (x: number) => ((row1 - x) * (col1 - x)) / ((x + 1) * (total - row1 - col1 + x + 1)); // P(x+1)/P(x)
  let mode = lo;
  for (let x = lo; x < hi; x++) {
    if (ratio(x) >= 1) mode = x + 1;
    else break;
  }
  w[mode - lo] = 1;
  for (let x = mode; x < hi; x++) w[x + 1 - lo] = w[x - lo] * ratio(x);
  for (let x = mode; x > lo; x--) w[x - 1 - lo] = w[x - lo] / ratio(x - 1);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += w[i];
  const observed = w[a - lo];
  const limit = observed * (1 + 1e-7);
  let p = 0;
  for (let i = 0; i < n; i++) if (w[i] <= limit) p += w[i];
  return Math.min(1, p / sum);
}
