/**
 * Browse filters over a whole dataset (group size, subset, text, verdict state) and the one-line
 * summaries a list shows. Runs in one sequential pass over the file; records are parsed only when
 * a filter needs a parsed value.
 */
import type { Dataset } from './dataset';
import type { VerdictValue } from './verdicts';

export interface BrowseFilterSpec {
  groupSize?: number;
  subset?: string;
  /** Case-insensitive text searched in the record (question, label, paths, id). */
  text?: string;
  verdict?: 'any' | 'judged' | 'unjudged' | VerdictValue;
}

export interface RowSummary {
  index: number;
  key: string;
  groupSize: number;
  subset?: string;
  snippet: string;
  error?: boolean;
}

export function isEmptyFilter(f: BrowseFilterSpec): boolean {
  return f.groupSize === undefined && !f.subset && !f.text && (!f.verdict || f.verdict === 'any');
}

/**
 * Indices of the records that pass the filter. `verdictOf` gives the current verdict for a key.
 * Without any filter the result is null (every record passes; no array of 562K numbers is built).
 */
export function filterRecords(ds: Dataset, f: BrowseFilterSpec, verdictOf: (key: string) => VerdictValue | undefined): Int32Array | null {
  if (isEmptyFilter(f)) return null;
  const out = new Int32Array(ds.count);
  let n = 0;
  const text = f.text?.trim().toLowerCase();
  const needle = text ? JSON.stringify(text).slice(1, -1) : undefined;
  ds.forEachRaw((i, raw) => {
    if (needle && !raw.toLowerCase().includes(needle) && !raw.toLowerCase().includes(text!)) return;
    if (f.groupSize !== undefined || f.subset || (f.verdict && f.verdict !== 'any')) {
      let item;
      try {
        item = ds.itemFrom(i, JSON.parse(raw), raw);
      } catch {
        return;
      }
      if (f.groupSize !== undefined && (f.groupSize >= 4 ? item.groupSize < 4 : item.groupSize !== f.groupSize)) return;
      if (f.subset && item.subset !== f.subset) return;
      if (f.verdict && f.verdict !== 'any') {
        const v = verdictOf(item.key);
        if (f.verdict === 'judged' ? !v : f.verdict === 'unjudged' ? !!v : v !== f.verdict) return;
      }
    }
    out[n++] = i;
  });
  return out.subarray(0, n);
}

/** Distinct subset names among the first `limit` records (for a filter menu). */
export function subsetNames(ds: Dataset, limit = 5000): string[] {
  const names = new Set<string>();
  ds.forEachRaw(
    (i, raw) => {
      try {
        const s = ds.itemFrom(i, JSON.parse(raw), raw).subset;
        if (s) names.add(s);
      } catch {
        /* broken record: no subset */
      }
    },
    Infinity,
    0,
    Math.min(limit, ds.count),
  );
  return [...names].sort();
}

export function rowSummary(ds: Dataset, i: number): RowSummary {
  try {
    const it = ds.item(i);
    const text = (it.question ?? it.label ?? it.images.join(', ')).replace(/\s+/g, ' ').trim();
    return { index: i, key: it.key, groupSize: it.groupSize, subset: it.subset, snippet: text.length > 140 ? `${text.slice(0, 139)}…` : text };
  } catch (e) {
    return { index: i, key: `#${i}`, groupSize: 0, snippet: (e as Error).message, error: true };
  }
}
