/**
 * Difference of two independent proportions with Newcombe's hybrid score interval (Newcombe 1998,
 * "Interval estimation for the difference between independent proportions", method 10): it combines
 * the two Wilson intervals, so it inherits their good behaviour at 0/n and n/n.
 */
import { zFor } from './normal';
import { wilsonZ } from './wilson';

export interface DifferenceCI {
  /** p1 - p2, or null when either side has n = 0. */
  diff: number | null;
  ci: [number, number];
}

export function newcombeDiff(k1: number, n1: number, k2: number, n2: number, confidence = 0.95): DifferenceCI {
  if (n1 <= 0 || n2 <= 0) return { diff: null, ci: [-1, 1] };
  const z = zFor(confidence);
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const [l1, u1] = wilsonZ(k1, n1, z);
  const [l2, u2] = wilsonZ(k2, n2, z);
  const d = p1 - p2;
  const lo = d - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2);
  const hi = d + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2);
  return { diff: d, ci: [Math.max(-1, lo), Math.min(1, hi)] };
}
