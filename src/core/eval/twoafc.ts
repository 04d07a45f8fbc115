/**
 * 2AFC evaluation on an IQA score list: rounds of shuffled neighbour pairs, each pair asked in both
 * orders; consistency κ (share of pairs judged the same both ways), accuracy on consistent pairs,
 * Thurstone Case V MAP scores, and PLCC (after a 4-parameter logistic) / SRCC against gt_score.
 */
import { Random } from '../random';
import { spearman } from './correlation';
import { plccAfterLogistic } from './logistic4';
import { thurstoneMap } from './thurstone';

export type Winner = 'a' | 'b' | 'tie';

/** One judgement: `a` was shown first, `b` second. `winner` null = no readable answer. */
export interface Judgement {
  a: string;
  b: string;
  winner: Winner | null;
}

/**
 * Pairs for the rounds: each round shuffles the indices 0..n-1 and pairs neighbours
 * (0,1), (2,3), …; an odd one out waits for the next round. Same seed, same pairs.
 */
export function twoAfcRounds(n: number, rounds: number, seed: string | number): [number, number][] {
  const rng = new Random(`twoafc:${seed}`);
  const pairs: [number, number][] = [];
  for (let r = 0; r < rounds; r++) {
    const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    for (let k = 0; k + 1 < n; k += 2) pairs.push([order[k], order[k + 1]]);
  }
  return pairs;
}

export interface TwoAfcResult {
  judgements: number;
  /** Pairs judged in both orders. */
  pairs: number;
  consistent: number;
  /** Share of pairs judged the same both ways (null when no pair was judged both ways). */
  kappa: number | null;
  /** Consistent, decisive pairs whose ground-truth scores differ. */
  scored: number;
  correct: number;
  /** Accuracy on consistent pairs against gt (null without gt). */
  accuracy: number | null;
  unparsed: number;
  scores: Record<string, number>;
  plcc: number | null;
  srcc: number | null;
  /** Keys compared with ground truth. */
  correlated: number;
}

function winnerKey(j: Judgement): string | 'tie' | null {
  if (j.winner === null) return null;
  return j.winner === 'tie' ? 'tie' : j.winner === 'a' ? j.a : j.b;
}

/**
 * Aggregates judgements: a pair judged in both orders counts when both agree (ties add ½ each way);
 * a pair judged once counts as it is (human preference files).
 */
export function aggregateJudgements(judgements: Judgement[], gt?: Map<string, number>): TwoAfcResult {
  const keys: string[] = [];
  const at = new Map<string, number>();
  const id = (k: string) => {
    let i = at.get(k);
    if (i === undefined) {
      i = keys.length;
      keys.push(k);
      at.set(k, i);
    }
    return i;
  };
  const byPair = new Map<string, { fwd: Judgement[]; back: Judgement[] }>();
  for (const j of judgements) {
    id(j.a);
    id(j.b);
    const [lo, hi] = j.a < j.b ? [j.a, j.b] : [j.b, j.a];
    const k = JSON.stringify([lo, hi]);
    let e = byPair.get(k);
    if (!e) byPair.set(k, (e = { fwd: [], back: [] }));
    (j.a === lo ? e.fwd : e.back).push(j);
  }
  const n = keys.length;
  const C = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const win = (w: string | 'tie', j: Judgement, weight = 1) => {
    const a = at.get(j.a)!,
      b = at.get(j.b)!;
    if (w === 'tie') {
      C[a][b] += 0.5 * weight;
      C[b][a] += 0.5 * weight;
      return;
    }
    const wi = at.get(w)!,
      li = wi === a ? b : a;
    C[wi][li] += weight;
  };
  let pairs = 0,
    consistent = 0,
    scored = 0,
    correct = 0;
  const unparsed = judgements.filter((j) => j.winner === null).length;
  const judge = (w: string | 'tie', j: Judgement) => {
    if (w === 'tie' || !gt) return;
    const loser = w === j.a ? j.b : j.a;
    const gw = gt.get(w),
      gl = gt.get(loser);
    if (gw === undefined || gl === undefined || gw === gl) return;
    scored++;
    if (gw > gl) correct++;
  };
  for (const { fwd, back } of byPair.values()) {
    const m = Math.min(fwd.length, back.length);
    for (let k = 0; k < m; k++) {
      pairs++;
      const w1 = winnerKey(fwd[k]),
        w2 = winnerKey(back[k]);
      if (w1 !== null && w1 === w2) {
        consistent++;
        win(w1, fwd[k]);
        judge(w1, fwd[k]);
      }
    }
    for (const j of [...fwd.slice(m), ...back.slice(m)]) {
      const w = winnerKey(j);
      if (w === null) continue;
      win(w, j);
      judge(w, j);
    }
  }
  const map = thurstoneMap(C);
  const scores: Record<string, number> = {};
  keys.forEach((k, i) => {
    scores[k] = map.scores[i];
  });
  let plcc: number | null = null,
    srcc: number | null = null,
    correlated = 0;
  if (gt) {
    const withGt = keys.filter((k) => gt.has(k));
    correlated = withGt.length;
    if (withGt.length >= 3) {
      const x = withGt.map((k) => scores[k]),
        y = withGt.map((k) => gt.get(k)!);
      const p = plccAfterLogistic(x, y),
        s = spearman(x, y);
      plcc = Number.isFinite(p) ? p : null;
      srcc = Number.isFinite(s) ? s : null;
    }
  }
  return {
    judgements: judgements.length,
    pairs,
    consistent,
    kappa: pairs > 0 ? consistent / pairs : null,
    scored,
    correct,
    accuracy: gt && scored > 0 ? correct / scored : null,
    unparsed,
    scores,
    plcc,
    srcc,
    correlated,
  };
}

/** Reads a preferences file: one `{"a": key, "b": key, "winner": "a"|"b"|"tie"}` per line. */
export function parsePreferences(text: string, fileName = 'preferences'): Judgement[] {
  const out: Judgement[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let r: { a?: unknown; b?: unknown; winner?: unknown };
    try {
      r = JSON.parse(line);
    } catch (e) {
      throw new Error(`${fileName}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    if (typeof r.a !== 'string' || typeof r.b !== 'string') throw new Error(`${fileName}:${i + 1}: "a" and "b" must be strings (item keys)`);
    if (r.winner !== 'a' && r.winner !== 'b' && r.winner !== 'tie' && r.winner !== null)
      throw new Error(`${fileName}:${i + 1}: "winner" must be "a", "b" or "tie"`);
    out.push({ a: r.a, b: r.b, winner: r.winner as Winner | null });
  });
  return out;
}
