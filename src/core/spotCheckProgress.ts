/**
 * Where a reviewer stands in a spot check: counts per verdict and the first item without one
 * (review resumes there).
 */
import type { Plan } from './plan';
import type { VerdictLine } from './verdicts';

export interface SpotCheckProgress {
  judged: number;
  size: number;
  correct: number;
  incorrect: number;
  skip: number;
}

export function spotCheckProgress(plan: Pick<Plan, 'items'>, latest: ReadonlyMap<string, Pick<VerdictLine, 'verdict'>>): SpotCheckProgress {
  const p: SpotCheckProgress = { judged: 0, size: plan.items.length, correct: 0, incorrect: 0, skip: 0 };
  for (const it of plan.items) {
    const v = latest.get(it.key)?.verdict;
    if (v === 'correct' || v === 'incorrect' || v === 'skip') {
      p.judged++;
      p[v]++;
    }
  }
  return p;
}

/** Plan position of the first item without a verdict; the last position when all are judged. */
export function firstUnjudged(plan: Pick<Plan, 'items'>, latest: ReadonlyMap<string, unknown>): number {
  const i = plan.items.findIndex((it) => !latest.has(it.key));
  return i >= 0 ? i : Math.max(0, plan.items.length - 1);
}
