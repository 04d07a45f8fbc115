/**
 * Agreement between reviewers on shared items: raw agreement, Cohen's κ (two raters), Fleiss' κ
 * (any number of raters, same number per item) and Gwet's AC1 (Gwet 2008), which does not collapse
 * when nearly every item falls in one category (the κ paradox: at 96 % correct, two reviewers who
 * agree on 94 % of items can still get κ near 0).
 *
 * Inputs are count matrices: counts[i][q] = raters who put item i in category q. Every item must be
 * rated by the same number of raters (≥ 2). Results are null where the statistic is undefined
 * (no items; κ when chance agreement is 1, i.e. every rating is in one category).
 */

export interface AgreementStats {
  items: number;
  raters: number;
  /** Mean pairwise agreement per item (for two raters: share of items with the same rating). */
  raw: number | null;
  cohenKappa: number | null;
  fleissKappa: number | null;
  gwetAC1: number | null;
}

function checkCounts(counts: number[][], categories: number): number {
  if (counts.length === 0) return 0;
  const m = counts[0].reduce((a, b) => a + b, 0);
  for (const row of counts) {
    if (row.length !== categories) throw new RangeError(`agreement: every row needs ${categories} category counts`);
    if (row.reduce((a, b) => a + b, 0) !== m) throw new RangeError('agreement: every item must be rated by the same number of raters');
  }
  return m;
}

/** Observed agreement P̄: mean over items of the share of agreeing rater pairs. */
export function rawAgreement(counts: number[][]): number | null {
  if (counts.length === 0) return null;
  const m = checkCounts(counts, counts[0].length);
  if (m < 2) return null;
  let sum = 0;
  for (const row of counts) sum += row.reduce((s, c) => s + c * (c - 1), 0) / (m * (m - 1));
  return sum / counts.length;
}

/** Category shares over all ratings, π_q. */
function categoryShares(counts: number[][]): number[] {
  const q = counts[0].length;
  const tot = new Array<number>(q).fill(0);
  let all = 0;
  for (const row of counts)
    row.forEach((c, j) => {
      tot[j] += c;
      all += c;
    });
  return tot.map((t) => t / all);
}

/** Fleiss' κ (Fleiss 1971). */
export function fleissKappa(counts: number[][]): number | null {
  const pa = rawAgreement(counts);
  if (pa === null) return null;
  const pe = categoryShares(counts).reduce((s, p) => s + p * p, 0);
  if (Math.abs(1 - pe) < 1e-12) return null;
  return (pa - pe) / (1 - pe);
}

/** Gwet's AC1 for any number of raters; `categories` is the number of possible categories (Q ≥ 2). */
export function gwetAC1(counts: number[][], categories = counts[0]?.length ?? 2): number | null {
  const pa = rawAgreement(counts);
  if (pa === null) return null;
  if (categories < 2) return null;
  const pe = categoryShares(counts).reduce((s, p) => s + p * (1 - p), 0) / (categories - 1);
  if (Math.abs(1 - pe) < 1e-12) return null;
  return (pa - pe) / (1 - pe);
}

/**
 * Cohen's κ (Cohen 1960) for two raters from their paired ratings (category indices 0..Q-1): chance
 * agreement from each rater's own marginal shares.
 */
export function cohenKappa(a: number[], b: number[], categories: number): number | null {
  if (a.length !== b.length) throw new RangeError('cohenKappa: both raters must rate the same items');
  const n = a.length;
  if (n === 0) return null;
  const ma = new Array<number>(categories).fill(0);
  const mb = new Array<number>(categories).fill(0);
  let agree = 0;
  for (let i = 0; i < n; i++) {
    ma[a[i]]++;
    mb[b[i]]++;
    if (a[i] === b[i]) agree++;
  }
  const po = agree / n;
  let pe = 0;
  for (let q = 0; q < categories; q++) pe += (ma[q] / n) * (mb[q] / n);
  if (Math.abs(1 - pe) < 1e-12) return null;
  return (po - pe) / (1 - pe);
}

/**
 * All agreement statistics for raters' ratings on shared items. `ratings[r][i]` is rater r's
 * category index for item i (every rater rated every item). Cohen's κ only for exactly two raters.
 */
export function agreementStats(ratings: number[][], categories: number): AgreementStats {
  const raters = ratings.length;
  const items = raters ? ratings[0].length : 0;
  if (raters < 2 || items === 0) return { items, raters, raw: null, cohenKappa: null, fleissKappa: null, gwetAC1: null };
  const counts: number[][] = [];
  for (let i = 0; i < items; i++) {
    const row = new Array<number>(categories).fill(0);
    for (let r = 0; r < raters; r++) row[ratings[r][i]]++;
    counts.push(row);
  }
  return {
    items,
    raters,
    raw: rawAgreement(counts),
    cohenKappa: raters === 2 ? cohenKappa(ratings[0], ratings[1], categories) : null,
    fleissKappa: fleissKappa(counts),
    gwetAC1: gwetAC1(counts, categories),
  };
}
