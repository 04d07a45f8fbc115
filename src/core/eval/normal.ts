/** The standard normal distribution in log space, stable far into the tails. */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log erfc(z) for z ≥ 0 (Chebyshev fit, fractional error < 1.2e-7 everywhere). */
function logErfcNonNeg(z: number): number {
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - z * z + poly;
}

/** log Φ(x). */
export function logPhi(x: number): number {
  if (x < 0) return Math.log(0.5) + logErfcNonNeg(-x / Math.SQRT2);
  return Math.log1p(-0.5 * Math.exp(logErfcNonNeg(x / Math.SQRT2)));
}

/** Φ(x). */
export function normalCdf(x: number): number {
  return Math.exp(logPhi(x));
}

/** φ(x) / Φ(x) (the inverse Mills ratio of −x); ≈ −x for very negative x. */
export function millsRatio(x: number): number {
  return Math.exp(-0.5 * x * x - LOG_SQRT_2PI - logPhi(x));
}
