/**
 * The four-parameter logistic used before PLCC in IQA (VQEG):
 * f(x) = (β1 − β2) / (1 + exp(−(x − β3) / |β4|)) + β2, fitted by least squares
 * (Levenberg–Marquardt).
 */
import { pearson } from './correlation';
import { solveSPD } from './linearSolve';

export type Logistic4 = [number, number, number, number];

export function logistic4(b: Logistic4, x: number): number {
  const s = Math.abs(b[3]) || 1e-12;
  return (b[0] - b[1]) / (1 + Math.exp(-(x - b[2]) / s)) + b[1];
}

function sse(b: Logistic4, x: number[], y: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const r = y[i] - logistic4(b, x[i]);
    s += r * r;
  }
  return s;
}

export function fitLogistic4(x: number[], y: number[], maxIter = 200): Logistic4 {
  const n = x.length;
  const mean = x.reduce((a, v) => a + v, 0) / n;
  const sd = Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / n) || 1;
  const up = pearson(x, y) >= 0;
  const ymax = Math.max(...y),
    ymin = Math.min(...y);
  let b: Logistic4 = up ? [ymax, ymin, mean, sd] : [ymin, ymax, mean, sd];
  let cost = sse(b, x, y);
  let mu = 1e-3;
  for (let it = 0; it < maxIter; it++) {
    const JTJ = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
    const JTr = [0, 0, 0, 0];
    const s = Math.abs(b[3]) || 1e-12,
      sign = b[3] < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) {
      const g = 1 / (1 + Math.exp(-(x[i] - b[2]) / s));
      const gg = g * (1 - g);
      const J = [g, 1 - g, (-(b[0] - b[1]) * gg) / s, (-(b[0] - b[1]) * gg * (x[i] - b[2]) * sign) / (s * s)];
      const r = y[i] - logistic4(b, x[i]);
      for (let a = 0; a < 4; a++) {
        JTr[a] += J[a] * r;
        for (let c = 0; c < 4; c++) JTJ[a][c] += J[a] * J[c];
      }
    }
    let improved = false;
    for (let tries = 0; tries < 20; tries++) {
      const A = JTJ.map((row, a) => row.map((v, c) => (a === c ? v + mu * (v || 1) : v)));
      let step: number[];
      try {
        step = solveSPD(A, JTr);
      } catch {
        mu *= 10;
        continue;
      }
      const nb = b.map((v, k) => v + step[k]) as Logistic4;
      const nc = sse(nb, x, y);
      if (Number.isFinite(nc) && nc < cost) {
        const rel = (cost - nc) / Math.max(cost, 1e-300);
        b = nb;
        cost = nc;
        mu = Math.max(mu / 10, 1e-12);
        improved = true;
        if (rel < 1e-12) return b;
        break;
      }
      mu *= 10;
    }
    if (!improved) break;
  }
  return b;
}

/** PLCC between predictions and ground truth after the 4-parameter logistic mapping. */
export function plccAfterLogistic(pred: number[], gt: number[]): number {
  if (pred.length < 3) return NaN;
  const b = fitLogistic4(pred, gt);
  const mapped = pred.map((v) => logistic4(b, v));
  const r = pearson(mapped, gt);
  return Number.isFinite(r) ? r : pearson(pred, gt);
}
