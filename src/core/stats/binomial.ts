/** Exact binomial tail probabilities (for exact tests on small counts). */

/** P(X <= k) for X ~ Binomial(n, 1/2), summed exactly from the pmf recurrence. */
export function binomHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  // pmf(0) = 2^-n; pmf(i+1) = pmf(i) * (n - i) / (i + 1). Work in log space for large n.
  let logPmf = -n * Math.LN2;
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += Math.exp(logPmf);
    logPmf += Math.log((n - i) / (i + 1));
  }
  return Math.min(1, sum);
}
