/**
 * Commands and reviews open a dataset without blocking the extension host (ARCHITECTURE.md ›
 * Opening a large dataset): a dataset already open, or a small file, at once; a large one is
 * indexed in the cache's worker thread under a cancellable progress notification that counts the
 * records. The caller gets the whole dataset or, when the user cancels, undefined — never a part.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Dataset } from '../core/dataset';
import { IndexCancelled, type IndexProgress } from '../core/indexWorkerClient';
import type { FormatId } from '../core/item';
import { readPlan } from '../core/plan';
import { SpotCheckSession } from '../core/spotCheckSession';
import type { DatasetCache } from './datasetCache';

/** What a long open is told: stop waiting, and the scan's progress. */
export interface OpeningHooks {
  signal: AbortSignal;
  onProgress: (p: IndexProgress) => void;
}

/**
 * Runs `open` (which acquires `file` from `cache`): with no notification when the dataset is open
 * or small; else under "`title`" with the share of the file indexed, the record count and Cancel.
 * Resolves undefined when cancelled.
 */
export async function withIndexProgress<T>(
  cache: DatasetCache,
  file: string,
  title: string,
  open: (hooks?: OpeningHooks) => Promise<T>,
): Promise<T | undefined> {
  if (cache.isQuick(file)) return open();
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    let shown = 0;
    const onProgress = (p: IndexProgress): void => {
      const pct = Math.floor((100 * p.bytes) / Math.max(1, p.size));
      progress.report({ increment: pct - shown, message: `${p.records.toLocaleString('en')} records of ${path.basename(file)} indexed…` });
      shown = pct;
    };
    try {
      return await open({ signal: abort.signal, onProgress });
    } catch (e) {
      if (e instanceof IndexCancelled && abort.signal.aborted) return undefined;
      throw e;
    } finally {
      sub.dispose();
    }
  });
}

/** The whole dataset at `file` from the cache (release it with cache.release), or undefined when the user cancelled. */
export function acquireWithProgress(cache: DatasetCache, file: string, opts: { format?: FormatId; title?: string } = {}): Promise<Dataset | undefined> {
  const title = opts.title ?? `Curator: opening ${path.basename(file)}`;
  return withIndexProgress(cache, file, title, (hooks) => cache.acquireAsync(file, { format: opts.format, ...hooks }));
}

/** The spot check in `dir` for `reviewer`, its dataset opened off the host thread; undefined when the user cancelled. */
export function openSpotCheckSession(cache: DatasetCache, dir: string, reviewer: string): Promise<SpotCheckSession | undefined> {
  const plan = readPlan(dir);
  return withIndexProgress(cache, plan.datasetAbs, `Curator: opening spot check ${plan.name}`, (hooks) => SpotCheckSession.open(dir, reviewer, cache, hooks));
}
