/**
 * Top-similarity removal: a group is dropped when any two of its descriptions have cosine similarity
 * at or above a threshold (near-identical descriptions give the LLM nothing to compare). Retention is
 * reported per group size (the paper kept 86 % / 74 % / 55 % of pairs / triples / quads).
 */

/** Cosine similarity; for unit vectors this is the dot product (computed in full for safety). */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`cosine of vectors of length ${a.length} and ${b.length}`);
  let dot = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

/** Highest pairwise similarity among a group's vectors. */
export function maxPairwiseSimilarity(vectors: Float32Array[]): number {
  let best = -Infinity;
  for (let i = 0; i < vectors.length; i++) {
    for (let j = i + 1; j < vectors.length; j++) best = Math.max(best, cosine(vectors[i], vectors[j]));
  }
  return best;
}

export interface RetentionRow {
  size: number;
  matched: number;
  kept: number;
  removed: number;
  /** kept / matched, 0..1 (NaN when nothing was matched). */
  retention: number;
}

export function retentionTable(groups: { size: number; removed: boolean }[]): RetentionRow[] {
  const rows = new Map<number, RetentionRow>();
  for (const g of groups) {
    let r = rows.get(g.size);
    if (!r) rows.set(g.size, (r = { size: g.size, matched: 0, kept: 0, removed: 0, retention: NaN }));
    r.matched++;
    if (g.removed) r.removed++;
    else r.kept++;
  }
  const out = [...rows.values()].sort((a, b) => a.size - b.size);
  for (const r of out) r.retention = r.matched ? r.kept / r.matched : NaN;
  return out;
}

const SIZE_NAMES: Record<number, string> = { 2: 'pairs', 3: 'triples', 4: 'quads' };

/** A fixed-width text table: size, matched, kept, removed, retention %. */
export function formatRetention(rows: RetentionRow[], threshold: number): string {
  const lines = [`similarity threshold ${threshold} (groups with any two descriptions at or above it are removed)`];
  lines.push(`${'group'.padEnd(8)} ${'matched'.padStart(8)} ${'kept'.padStart(8)} ${'removed'.padStart(8)} ${'retention'.padStart(9)}`);
  const total = { matched: 0, kept: 0, removed: 0 };
  for (const r of rows) {
    total.matched += r.matched;
    total.kept += r.kept;
    total.removed += r.removed;
    lines.push(
      `${(SIZE_NAMES[r.size] ?? `size ${r.size}`).padEnd(8)} ${String(r.matched).padStart(8)} ${String(r.kept).padStart(8)} ${String(r.removed).padStart(8)} ${pct(r.retention).padStart(9)}`,
    );
  }
  lines.push(
    `${'all'.padEnd(8)} ${String(total.matched).padStart(8)} ${String(total.kept).padStart(8)} ${String(total.removed).padStart(8)} ${pct(total.matched ? total.kept / total.matched : NaN).padStart(9)}`,
  );
  return lines.join('\n') + '\n';
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '–';
}
