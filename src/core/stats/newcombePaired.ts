/**
 * Difference of two paired proportions (the same items judged two ways) with Newcombe's hybrid score
 * interval for paired data (Newcombe 1998, "Improved confidence intervals for the difference between
 * binomial proportions based on paired data", Stat Med 17:2635, method 10): the two marginal Wilson
 * intervals combined with a continuity-corrected correlation φ.
 *
 *                    second: yes   second: no
 *   first: yes           a             b
 *   first: no            c             d
 *
 * p1 = (a + b)/n, p2 = (a + c)/n; the difference is p1 − p2.
 */
import { zFor } from './normal';
import type { DifferenceCI } from './newcombe';
import { wilsonZ } from './wilson';

export function newcombePairedDiff(a: number, b: number, c: number, d: number, confidence = 0.95): DifferenceCI {
  const n = a + b + c + d;
  if (n <= 0) return { diff: null, ci: [-1, 1] };
  const z = zFor(confidence);
  const p1 = (a + b) / n;
  const p2 = (a + c) / n;
  const [l1, u1] = wilsonZ(a + b, n, z);
  const [l2, u2] = wilsonZ(a + c, n, z);
  // φ with Newcombe's correction: ad − bc shrunk by n/2 when positive; 0 when a margin is empty.
  const margins = (a + b) * (c + d) * (a + c) * (b + d);
  const B = a * d - b * c;
  const C = B > n / 2 ? B - n / 2 : B < 0 ? B : 0;
  const phi = margins > 0 ? C / Math.sqrt(margins) : 0;
  const diff = p1 - p2;
  const dl = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2;
  const du = (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2;
  return { diff, ci: [Math.max(-1, diff - Math.sqrt(Math.max(0, dl))), Math.min(1, diff + Math.sqrt(Math.max(0, du)))] };
}
