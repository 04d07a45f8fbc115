/**
 * Cues for a set of image files (ARCHITECTURE.md, "Image cues and label claims"): from the cache when a file's size
 * and mtime match what was recorded (the file is not opened), else measured by the worker pool and
 * recorded. Counts what it did, so callers (and tests) can tell a cached run from a measuring one.
 */
import * as fs from 'node:fs';
import { CuePool, defaultPoolSize } from './cuePool';
import { CueStore } from './cueStore';
import type { ImageCues } from './measureImage';

export type CueResult = { ok: true; hash: string; cues: ImageCues; cached: boolean } | { ok: false; error: string };

export interface CueRunStats {
  /** Images whose cues came from the cache without reading the file. */
  cached: number;
  /** Images read and measured. */
  measured: number;
  /** Bytes of image files read. */
  bytesRead: number;
  failed: number;
}

export interface CueRunOptions {
  /** Worker threads (default: one per core). */
  workers?: number;
  /** Called after each image, for progress. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Cues of every file (real paths), deduplicated; the cache in `store` is read and extended. */
export async function cuesForFiles(
  files: string[],
  store: CueStore,
  opts: CueRunOptions = {},
): Promise<{ results: Map<string, CueResult>; stats: CueRunStats }> {
  const unique = [...new Set(files)];
  const results = new Map<string, CueResult>();
  const stats: CueRunStats = { cached: 0, measured: 0, bytesRead: 0, failed: 0 };
  const todo: { file: string; stamp: { size: number; mtimeMs: number } }[] = [];
  let done = 0;
  for (const file of unique) {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch (e) {
      results.set(file, { ok: false, error: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      stats.failed++;
      opts.onProgress?.(++done, unique.length);
      continue;
    }
    const stamp = { size: st.size, mtimeMs: Math.round(st.mtimeMs) }; // whole ms, as Date-based copies and utimes keep it
    const hash = store.hashOf(file, stamp);
    const cues = hash !== undefined ? store.get(hash) : undefined;
    if (hash !== undefined && cues) {
      results.set(file, { ok: true, hash, cues, cached: true });
      stats.cached++;
      opts.onProgress?.(++done, unique.length);
    } else {
      todo.push({ file, stamp });
    }
  }
  if (todo.length > 0) {
    const pool = new CuePool(Math.min(opts.workers ?? defaultPoolSize(), todo.length));
    const stop = () => {
      void pool.close();
    };
    opts.signal?.addEventListener('abort', stop);
    try {
      await Promise.all(
        todo.map(async ({ file, stamp }) => {
          if (opts.signal?.aborted) return;
          try {
            const m = await pool.measure(file);
            store.put(file, stamp, m.hash, m.cues);
            results.set(file, { ok: true, hash: m.hash, cues: m.cues, cached: false });
            stats.measured++;
            stats.bytesRead += m.bytes;
          } catch (e) {
            results.set(file, { ok: false, error: (e as Error).message });
            stats.failed++;
          }
          opts.onProgress?.(++done, unique.length);
        }),
      );
    } finally {
      opts.signal?.removeEventListener('abort', stop);
      store.flush();
      await pool.close();
    }
  }
  return { results, stats };
}
