/**
 * Reads a dataset's items for an evaluation without holding the thread (issue #15; ARCHITECTURE.md
 * › Opening a large dataset): records are read in slices of a few milliseconds, each followed by a
 * turn of the event loop (setImmediate), so the extension host keeps answering while an MCQ or 2AFC
 * evaluation collects its records. The order and the items are those of a plain loop over
 * `ds.item(i)`; the CLI reads the same way.
 */
import type { Dataset } from '../dataset';
import type { Item } from '../item';

/** How long one slice of reading may hold the thread (ms). */
export const SLICE_MS = 8;

export interface ReadItemsOptions {
  /** Stops reading (the items so far are kept). */
  signal?: AbortSignal;
  sliceMs?: number;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Calls `visit` with every record's item in order (undefined when the record cannot be read) until
 * it returns false, the records end or `signal` aborts.
 */
export async function forEachItem(ds: Dataset, visit: (item: Item | undefined, index: number) => boolean | void, opts: ReadItemsOptions = {}): Promise<void> {
  const slice = opts.sliceMs ?? SLICE_MS;
  let until = performance.now() + slice;
  for (let i = 0; i < ds.count; i++) {
    if ((i & 63) === 0) {
      if (performance.now() >= until) {
        await turn();
        until = performance.now() + slice;
      }
      // A parquet dataset opened by the index worker has its row groups decoded there, not here.
      await ds.prepare(Array.from({ length: Math.min(64, ds.count - i) }, (_, k) => i + k));
    }
    if (opts.signal?.aborted) return;
    let item: Item | undefined;
    try {
      item = ds.item(i);
    } catch {
      item = undefined;
    }
    if (visit(item, i) === false) return;
  }
}
