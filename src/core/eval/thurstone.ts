/**
 * Thurstone Case V scores from paired comparisons, maximum a posteriori with a standard normal
 * prior: maximise Σ C_ij·log Φ(q_i − q_j) − Σ q_i²/2 subject to Σ q_i = 0, where C_ij counts wins
 * of i over j. The objective is strictly concave; Newton's method with a backtracking line search
 * finds the optimum (which has Σ q = 0 by symmetry of the gradient).
 */
import { solveSPD } from './linearSolve';
import { logPhi, millsRatio } from './normal';

export interface ThurstoneResult {
  scores: number[];
  iterations: number;
  /** Largest gradient component at the end. */
  gradientNorm: number;
  logPosterior: number;
}

export function thurstoneObjective(C: number[][], q: number[]): number {
  let f = 0;
  for (let i = 0; i < q.length; i++) {
    f -= (q[i] * q[i]) / 2;
    for (let j = 0; j < q.length; j++) if (C[i][j] > 0) f += C[i][j] * logPhi(q[i] - q[j]);
  }
  return f;
}

/** MAP scores for a win-count matrix C (C[i][j] = wins of i over j). */
export function thurstoneMap(C: number[][], opts: { tol?: number; maxIter?: number } = {}): ThurstoneResult {
  const n = C.length;
  const tol = opts.tol ?? 1e-9;
  const maxIter = opts.maxIter ?? 100;
  let q = new Array<number>(n).fill(0);
  let f = thurstoneObjective(C, q);
  let gnorm = Infinity;
  let it = 0;
  for (; it < maxIter; it++) {
    const g = q.map((x) => -x);
    const H: number[][] = Array.from({ length: n }, (_, i) => {
      const r = new Array<number>(n).fill(0);
      r[i] = 1;
      return r;
    }); // −Hessian
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const c = C[i][j];
        if (!(c > 0)) continue;
        const d = q[i] - q[j];
        const lam = millsRatio(d);
        const w = c * lam * (d + lam); // −c · d²/dd² log Φ(d)
        g[i] += c * lam;
        g[j] -= c * lam;
        H[i][i] += w;
        H[j][j] += w;
        H[i][j] -= w;
        H[j][i] -= w;
      }
    }
    gnorm = Math.max(0, ...g.map(Math.abs));
    if (gnorm < tol) break;
    const step = solveSPD(H, g);
    let t = 1;
    let next = q,
      fn = f;
    for (let k = 0; k < 40; k++) {
      next = q.map((x, i) => x + t * step[i]);
      fn = thurstoneObjective(C, next);
      if (fn >= f - 1e-12) break;
      t /= 2;
    }
    q = next;
    f = fn;
  }
  const mean = q.reduce((a, b) => a + b, 0) / Math.max(1, n);
  return { scores: q.map((x) => x - mean), iterations: it, gradientNorm: gnorm, logPosterior: f };
}
