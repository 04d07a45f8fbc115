/**
 * Runs work over many inputs with bounded concurrency: at most N at once, the next one starting
 * as soon as one settles; cancellation starts nothing new and aborts what is in flight.
 */
import { setMaxListeners } from 'node:events';

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: Error };

export interface BatchOptions<R> {
  concurrency: number;
  signal?: AbortSignal;
  /** Called as each input settles (not for inputs cut short by cancellation). */
  onSettled?: (index: number, outcome: Outcome<R>, done: number, total: number) => void;
}

export interface BatchResult<R> {
  /** Per input, in input order; undefined for inputs never finished because of cancellation. */
  outcomes: (Outcome<R> | undefined)[];
  cancelled: boolean;
  done: number;
  failed: number;
}

export async function runBatch<T, R>(
  inputs: readonly T[],
  worker: (input: T, index: number, signal: AbortSignal) => Promise<R>,
  opts: BatchOptions<R>,
): Promise<BatchResult<R>> {
  const n = inputs.length;
  const limit = Math.max(1, Math.floor(opts.concurrency));
  const ctrl = new AbortController();
  setMaxListeners(0, ctrl.signal); // one listener per request in flight
  const onAbort = () => ctrl.abort();
  if (opts.signal?.aborted) ctrl.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const outcomes: (Outcome<R> | undefined)[] = new Array(n).fill(undefined);
  let next = 0,
    done = 0,
    failed = 0;
  const lane = async (): Promise<void> => {
    while (!ctrl.signal.aborted && next < n) {
      const i = next++;
      let outcome: Outcome<R>;
      try {
        outcome = { ok: true, value: await worker(inputs[i], i, ctrl.signal) };
      } catch (e) {
        if (ctrl.signal.aborted) return;
        outcome = { ok: false, error: e instanceof Error ? e : new Error(String(e)) };
      }
      outcomes[i] = outcome;
      done++;
      if (!outcome.ok) failed++;
      opts.onSettled?.(i, outcome, done, n);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return { outcomes, cancelled: ctrl.signal.aborted && done < n, done, failed };
}
