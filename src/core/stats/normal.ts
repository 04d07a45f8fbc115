/**
 * The standard normal distribution: CDF, upper tail and quantile, accurate to about 1e-15 (enough
 * for intervals quoted to 4 decimals at any confidence level).
 */

const SQRT2PI = Math.sqrt(2 * Math.PI);

/** Standard normal density. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT2PI;
}

/**
 * Upper tail Q(x) = P(Z > x). For |x| < 3 a power series (no cancellation near the centre); beyond,
 * a continued fraction for the tail, evaluated with the modified Lentz method.
 */
export function normalUpper(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 1 - normalUpper(-x);
  if (x < 3) {
    // Phi(x) = 1/2 + pdf(x) * (x + x^3/3 + x^5/(3*5) + ...)
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let i = 3; i < 500; i += 2) {
      term *= x2 / i;
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 0.5 - normalPdf(x) * sum;
  }
  if (x > 40) return 0;
  // Q(x) = pdf(x) / (x + 1/(x + 2/(x + 3/(x + ...))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let j = 1; j < 500; j++) {
    d = x + j * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = x + j / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return normalPdf(x) / f;
}

/** Standard normal CDF P(Z <= x). */
export function normalCdf(x: number): number {
  return normalUpper(-x);
}

// Rational approximation of the normal quantile (relative error below 1.2e-9), refined below with
// Newton steps against the accurate CDF.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function roughQuantile(p: number): number {
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  if (p > 1 - pLow) return -roughQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
}

/** Quantile (inverse CDF) of the standard normal: x with P(Z <= x) = p. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p > 0.5) return -normalQuantile(1 - p);
  let x = roughQuantile(p);
  // Newton steps on the lower tail (p <= 0.5, so the tail is computed without cancellation).
  for (let i = 0; i < 3; i++) {
    const pdf = normalPdf(x);
    if (pdf === 0) break;
    const err = normalUpper(-x) - p;
    const step = err / pdf;
    x -= step;
    if (Math.abs(step) < 1e-15 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}

/** Two-sided critical value z for a confidence level, e.g. 0.95 → 1.959964. */
export function zFor(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must lie strictly between 0 and 1, got ${confidence}`);
  return normalQuantile(1 - (1 - confidence) / 2);
}
