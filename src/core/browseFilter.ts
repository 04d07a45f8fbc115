/**
 * Browse filters over a whole dataset (group size, subset, text, verdict state) and the one-line
 * summaries a list shows. Group size and verdict filters answer from columns of the index when
 * given them; the others run in one sequential pass over the file, parsing a record only when a
 * filter needs a parsed value.
 */
import type { Dataset } from './dataset';
import { indexOfKey } from './itemKey';
import { idTextHash } from './recordIndex';
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

/** Thrown by filterRecords when `cancelled` answers true. */
export class FilterCancelled extends Error {
  constructor() {
    super('the filter was cancelled');
  }
}

/** What lets a filter answer without reading records, and how a pass that reads them reports. */
export interface FilterAids {
  /** Group size of every record (strata.ts groupSizes, kept in the persistent index; -1: unreadable). */
  groupSizes?: ArrayLike<number>;
  /** The verdict of a record by index (verdictsByIndex), instead of a key per record read. */
  verdictAt?: (index: number) => VerdictValue | undefined;
  /** Called every few thousand records while records are read. */
  onProgress?: (done: number, total: number) => void;
  /** Checked with onProgress: true stops the pass with FilterCancelled. */
  cancelled?: () => boolean;
}

/**
 * Indices of the records that pass the filter. `verdictOf` gives the current verdict for a key.
 * Without any filter the result is null (every record passes; no array of 562K numbers is built).
 * With `aids`, group size and verdict filters answer from columns without reading a record; text
 * and subset filters read the file once (with progress and cancellation).
 */
export function filterRecords(
  ds: Dataset,
  f: BrowseFilterSpec,
  verdictOf: (key: string) => VerdictValue | undefined,
  aids: FilterAids = {},
): Int32Array | null {
  if (isEmptyFilter(f)) return null;
  const out = new Int32Array(ds.count);
  let n = 0;
  const text = f.text?.trim().toLowerCase();
  const needle = text ? JSON.stringify(text).slice(1, -1) : undefined;
  const judging = !!f.verdict && f.verdict !== 'any';
  const verdictPasses = (v: VerdictValue | undefined): boolean => (f.verdict === 'judged' ? !!v : f.verdict === 'unjudged' ? !v : v === f.verdict);
  const sizePasses = (size: number): boolean => f.groupSize === undefined || (f.groupSize >= 4 ? size >= 4 : size === f.groupSize);
  const { groupSizes: sizes, verdictAt } = aids;
  const fromColumns = (i: number): boolean => (!sizes || sizePasses(sizes[i])) && (!verdictAt || !judging || verdictPasses(verdictAt(i)));
  if (!needle && !f.subset && (f.groupSize === undefined || sizes) && (!judging || verdictAt)) {
    if (sizes && !judging) {
      // Group size alone (the browse editor answers it on the host): one tight loop over the column.
      const want = f.groupSize as number;
      for (let i = 0; i < ds.count; i++) if (want >= 4 ? sizes[i] >= 4 : sizes[i] === want) out[n++] = i;
    } else for (let i = 0; i < ds.count; i++) if (fromColumns(i)) out[n++] = i;
    return out.subarray(0, n);
  }
  const parseFor = { size: f.groupSize !== undefined && !sizes, verdict: judging && !verdictAt };
  ds.forEachRaw((i, raw) => {
    if ((i & 4095) === 0) {
      if (aids.cancelled?.()) throw new FilterCancelled();
      aids.onProgress?.(i, ds.count);
    }
    if (needle && !raw.toLowerCase().includes(needle) && !raw.toLowerCase().includes(text!)) return;
    if (!fromColumns(i)) return;
    if (parseFor.size || f.subset || parseFor.verdict) {
      let item;
      try {
        item = ds.itemFrom(i, JSON.parse(raw), raw);
      } catch {
        return;
      }
      if (parseFor.size && !sizePasses(item.groupSize)) return;
      if (f.subset && item.subset !== f.subset) return;
      if (parseFor.verdict && !verdictPasses(verdictOf(item.key))) return;
    }
    out[n++] = i;
  });
  return out.subarray(0, n);
}

/**
 * The records that carry a verdict, by index: `#<index>` keys directly, id keys through the id
 * hashes of the index (a record is read only where its hash matches, to confirm its key).
 */
export function verdictsByIndex(ds: Dataset, verdicts: Map<string, VerdictValue>): Map<number, VerdictValue> {
  const out = new Map<number, VerdictValue>();
  const byHash = new Map<number, string[]>();
  for (const [key, v] of verdicts) {
    const i = indexOfKey(key);
    if (i === undefined) byHash.set(idTextHash(key), [...(byHash.get(idTextHash(key)) ?? []), key]);
    else if (i < ds.count && ds.keyFor(i) === key) out.set(i, v);
  }
  if (byHash.size === 0) return out;
  const { hashes } = ds.ids();
  for (let i = 0; i < hashes.length; i++) {
    const keys = byHash.get(hashes[i]);
    if (!keys) continue;
    const key = ds.keyFor(i);
    if (keys.includes(key)) out.set(i, verdicts.get(key) as VerdictValue);
  }
  return out;
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
