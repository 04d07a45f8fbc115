/**
 * Runs an MCQ evaluation: every multiple-choice record of a dataset (or the first K) asked with the
 * Q-Bench prompt through an Asker, bounded concurrency, cancellable; rows scored and summarised.
 */
import type { Dataset } from '../dataset';
import type { Asker } from '../endpoint/asker';
import { runBatch } from '../endpoint/batch';
import type { Item } from '../item';
import { mcqRowFor, scoreAnswer, summarizeMcq, type McqReport, type McqRow } from './mcq';
import { forEachItem } from './readItems';

export interface McqRunOptions {
  limit?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface McqRun {
  rows: McqRow[];
  report: McqReport;
  /** Records that are not multiple-choice (or unreadable). */
  skipped: number;
  cancelled: boolean;
}

/**
 * The multiple-choice records of a dataset (the first `limit`), and how many other records there
 * are. Read in slices that let the event loop turn (readItems.ts); `signal` stops reading.
 */
export async function mcqJobs(ds: Dataset, limit?: number, signal?: AbortSignal): Promise<{ jobs: { row: McqRow; item: Item }[]; skipped: number }> {
  const jobs: { row: McqRow; item: Item }[] = [];
  let skipped = 0;
  if (limit !== undefined && limit <= 0) return { jobs, skipped };
  await forEachItem(
    ds,
    (item) => {
      const row = item && mcqRowFor(item);
      if (row) jobs.push({ row, item: item! });
      else skipped++;
      return limit === undefined || jobs.length < limit;
    },
    { signal },
  );
  return { jobs, skipped };
}

export async function runMcqEval(ds: Dataset, asker: Asker, opts: McqRunOptions = {}): Promise<McqRun> {
  const { jobs, skipped } = await mcqJobs(ds, opts.limit, opts.signal);
  const rows: McqRow[] = jobs.map((j) => j.row);
  const res = await runBatch(
    jobs,
    async (j, _i, signal) => {
      const a = await asker.askItem(j.item, { signal });
      return { ...scoreAnswer(j.row, a.text, j.item.candidates!), cached: a.cached };
    },
    {
      concurrency: opts.concurrency ?? asker.profile.concurrency,
      signal: opts.signal,
      onSettled: (i, o, done, total) => {
        rows[i] = o.ok ? o.value : { ...rows[i], error: o.error.message };
        opts.onProgress?.(done, total);
      },
    },
  );
  return { rows, report: summarizeMcq(rows), skipped, cancelled: res.cancelled || !!opts.signal?.aborted };
}
