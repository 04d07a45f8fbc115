/**
 * The suspicion of every record of a dataset (ARCHITECTURE.md, "Image cues and label claims"), for
 * browse's sort and filter by suspicion: the whole label audit (auditLabels.ts) run once, its
 * per-record scores kept in a small file in the curation folder, keyed by the dataset's fingerprint,
 * the cue version, the audit method and the image root. The next open reads that file and measures
 * nothing; a changed dataset, cue definition, parser method or image root runs the audit again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomicWrite';
import type { Dataset } from '../dataset';
import { CUE_VERSION } from '../cues/cueStore';
import type { CueRunStats } from '../cues/imageCues';
import { curationFolderFor } from '../plan';
import { auditDataset } from './auditLabels';
import { HUNT_METHOD } from './huntPlan';

export const SUSPICION_FILE = 'suspicion-v1.json';

export interface SuspicionKey {
  fingerprint: string;
  count: number;
  cueVersion: number;
  method: string;
  imageRoot: string;
}

interface SuspicionFile extends SuspicionKey {
  version: 1;
  /** Per record index; null: the record could not be read (no score). */
  scores: (number | null)[];
}

export interface DatasetSuspicion {
  /** Per record index; NaN where the record could not be read. */
  scores: Float64Array;
  /** True when the scores came from the file (no image read, no label parsed). */
  fromCache: boolean;
  /** Cue work of the audit (all zero when from the cache). */
  stats: CueRunStats;
  warnings: string[];
  file: string;
}

export interface SuspicionOptions {
  imageRoot?: string;
  curationFolder?: string;
  workers?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export function suspicionFile(curationFolder: string): string {
  return path.join(curationFolder, SUSPICION_FILE);
}

function keyFor(ds: Dataset, imageRoot: string): SuspicionKey {
  return { fingerprint: ds.fingerprint(), count: ds.count, cueVersion: CUE_VERSION, method: HUNT_METHOD, imageRoot };
}

/** The cached scores when the file matches this dataset and settings, else undefined (stale, foreign, torn). */
export function readCachedSuspicion(file: string, key: SuspicionKey): Float64Array | undefined {
  let f: SuspicionFile;
  try {
    f = JSON.parse(fs.readFileSync(file, 'utf8')) as SuspicionFile;
  } catch {
    return undefined;
  }
  if (!f || f.version !== 1 || !Array.isArray(f.scores) || f.scores.length !== key.count) return undefined;
  for (const k of ['fingerprint', 'count', 'cueVersion', 'method', 'imageRoot'] as const) if (f[k] !== key[k]) return undefined;
  return Float64Array.from(f.scores, (s) => (typeof s === 'number' && s >= 0 && s <= 1 ? s : NaN));
}

/**
 * Every record's suspicion: from the cache file when it matches, else by auditing the whole dataset
 * (cues from the cue cache or measured) and writing the file. Throws when aborted (nothing written).
 */
export async function datasetSuspicion(ds: Dataset, opts: SuspicionOptions = {}): Promise<DatasetSuspicion> {
  const folder = opts.curationFolder ?? curationFolderFor(ds.path);
  const imageRoot = path.resolve(opts.imageRoot ?? ds.folder);
  const file = suspicionFile(folder);
  const key = keyFor(ds, imageRoot);
  const cached = readCachedSuspicion(file, key);
  if (cached) return { scores: cached, fromCache: true, stats: { cached: 0, measured: 0, bytesRead: 0, failed: 0 }, warnings: [], file };
  const audit = await auditDataset(ds, { imageRoot, curationFolder: folder, workers: opts.workers, onProgress: opts.onProgress, signal: opts.signal });
  if (opts.signal?.aborted) throw new Error('measuring suspicion was cancelled');
  const scores = new Float64Array(ds.count).fill(NaN);
  for (const it of audit.items) scores[it.index] = it.suspicion;
  const out: SuspicionFile = { version: 1, ...key, scores: Array.from(scores, (s) => (Number.isNaN(s) ? null : s)) };
  writeFileAtomic(file, JSON.stringify(out));
  return { scores, fromCache: false, stats: audit.stats, warnings: audit.warnings, file };
}

/**
 * Record indices (all, or `candidates`) whose suspicion is at least `min` (when given; records
 * without a score never pass), most suspicious first when `sort`, ties in record order.
 */
export function orderBySuspicion(scores: ArrayLike<number>, candidates: ArrayLike<number> | null, opts: { min?: number; sort?: boolean }): Int32Array {
  const n = candidates ? candidates.length : scores.length;
  const out = new Int32Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = candidates ? candidates[k] : k;
    if (opts.min !== undefined && !(scores[i] >= opts.min)) continue;
    out[m++] = i;
  }
  const res = out.subarray(0, m);
  if (opts.sort) {
    const s = (i: number) => (Number.isNaN(scores[i]) ? -1 : scores[i]);
    res.sort((a, b) => s(b) - s(a) || a - b);
  }
  return res;
}
