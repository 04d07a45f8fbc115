/**
 * Seeded group matching for Merge2Compare / Teach2Compare: pairs, triples and quads of distinct images.
 * Images are dealt from a shuffled deck that is reshuffled when used up, so every image is used about
 * equally often (use counts differ by at most a few); no image appears twice in a group and no group
 * (as a set) is drawn twice. Same images, counts and seed → same groups on every machine.
 */
import { Random } from '../random';

export interface GroupCounts {
  pairs: number;
  triples: number;
  quads: number;
}

export interface MatchedGroup {
  /** Indices into the unit list (images), in presentation order. */
  members: number[];
}

/**
 * Default number of pairs: the O(n log n) comparisons needed to rank n items — n·log10(n), which is
 * the paper's figure (19K images → 81K pairs). Triples and quads follow the paper's proportions
 * (27K and 18K for 81K pairs).
 */
export function defaultCounts(n: number): GroupCounts {
  if (n < 2) return { pairs: 0, triples: 0, quads: 0 };
  const pairs = Math.max(1, Math.round(n * Math.log10(n)));
  return {
    pairs: Math.min(pairs, binomial(n, 2)),
    triples: n >= 3 ? Math.min(Math.round(pairs / 3), binomial(n, 3)) : 0,
    quads: n >= 4 ? Math.min(Math.round((pairs * 2) / 9), binomial(n, 4)) : 0,
  };
}

/** C(n, k), capped at Number.MAX_SAFE_INTEGER. */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) {
    r = (r * (n - k + i)) / i;
    if (r > Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  }
  return Math.round(r);
}

export class MatchingError extends Error {}

/** Draws groups of the given sizes. Sizes are drawn in order pairs, triples, quads from one deck. */
export function matchGroups(n: number, counts: GroupCounts, seed: string | number): MatchedGroup[][] {
  const sizes: [number, number][] = [
    [2, counts.pairs],
    [3, counts.triples],
    [4, counts.quads],
  ];
  for (const [k, c] of sizes) {
    if (!Number.isInteger(c) || c < 0) throw new MatchingError(`group count for size ${k} must be a whole number ≥ 0, got ${c}`);
    if (c > 0 && n < k) throw new MatchingError(`${c} group(s) of ${k} need at least ${k} images; the input has ${n}`);
    const possible = binomial(n, k);
    if (c > possible) throw new MatchingError(`${c} distinct groups of ${k} requested but ${n} images only make ${possible}`);
  }
  const rng = new Random(`match:${seed}`);
  // The deck is drawn from its end (pop); a refill goes underneath what is left.
  let deck: number[] = [];
  const refill = (): void => {
    const fresh = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    deck = fresh.concat(deck);
  };
  const out: MatchedGroup[][] = [];
  for (const [k, c] of sizes) {
    const seen = new Set<string>();
    const groups: MatchedGroup[] = [];
    // When a size is nearly exhausted (c close to C(n,k)), dealing may repeat sets; fall back to
    // uniform random draws among unseen sets after enough tries.
    while (groups.length < c) {
      let g: number[] | undefined;
      for (let attempt = 0; attempt < 50 && !g; attempt++) {
        const members: number[] = [];
        const deferred: number[] = [];
        while (members.length < k) {
          if (deck.length === 0) refill();
          const x = deck.pop()!;
          if (members.includes(x)) deferred.push(x);
          else members.push(x);
        }
        for (let i = deferred.length - 1; i >= 0; i--) deck.push(deferred[i]);
        const key = [...members].sort((a, b) => a - b).join(',');
        if (!seen.has(key)) {
          seen.add(key);
          g = members;
        } else {
          // put them back at random places further down the deck so balance is kept
          if (deck.length < n) refill();
          for (const m of members) deck.splice(rng.int(Math.max(1, deck.length - k)), 0, m);
        }
      }
      if (!g) g = drawUnseen(n, k, seen, rng);
      groups.push({ members: g });
    }
    out.push(groups);
  }
  return out;
}

function drawUnseen(n: number, k: number, seen: Set<string>, rng: Random): number[] {
  for (;;) {
    const members = rng.sample(n, k);
    const key = [...members].sort((a, b) => a - b).join(',');
    if (!seen.has(key)) {
      seen.add(key);
      return members;
    }
  }
}
