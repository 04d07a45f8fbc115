/**
 * Writes a curated dataset in a worker thread (applyWorker.ts), so the calling thread — the
 * extension host — never reads the dataset itself (ARCHITECTURE.md › Opening a large dataset).
 * The result and the files are core applyCuration's. The worker script sits beside this module:
 * out/src/core/curate/applyWorker.js under tsc, dist/applyWorker.js in the bundles.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ApplyCancelled, type ApplyOptions, type ApplyResult, type ApplyStep } from './apply';
import type { ApplyToHost, ApplyWorkerData } from './applyWorkerProtocol';

export function applyWorkerScript(): string {
  const beside = path.join(__dirname, 'applyWorker.js');
  if (fs.existsSync(beside)) return beside;
  throw new Error(`the export worker script is missing: ${beside} (run npm run build)`);
}

export interface ApplyInWorkerOptions extends Pick<ApplyOptions, 'dropIncorrect' | 'corrections' | 'decisions' | 'now'> {
  onProgress?: (step: ApplyStep, done: number, total: number) => void;
  /** Stops the export before its output is in place: the promise rejects with ApplyCancelled. */
  signal?: AbortSignal;
}

/** core applyCuration(planDirs, out, opts), run in a worker thread. */
export function applyCurationInWorker(planDirs: string[], out: string, opts: ApplyInWorkerOptions = {}, script = applyWorkerScript()): Promise<ApplyResult> {
  const cancel = new SharedArrayBuffer(4);
  const flag = new Int32Array(cancel);
  const stop = (): void => void Atomics.store(flag, 0, 1);
  if (opts.signal?.aborted) stop();
  opts.signal?.addEventListener('abort', stop, { once: true });
  const data: ApplyWorkerData = {
    planDirs,
    out,
    opts: { dropIncorrect: opts.dropIncorrect, corrections: opts.corrections, decisions: opts.decisions, now: opts.now?.toISOString() },
    cancel,
  };
  return new Promise<ApplyResult>((resolve, reject) => {
    const worker = new Worker(script, { workerData: data });
    // The first outcome wins: the worker exits by itself after posting it.
    worker.on('message', (m: ApplyToHost) => {
      if (m.type === 'progress') opts.onProgress?.(m.step, m.done, m.total);
      else if (m.type === 'done') resolve(m.result);
      else reject(m.cancelled ? new ApplyCancelled() : new Error(m.message));
    });
    worker.on('error', (e) => reject(e));
    worker.on('exit', (code) => reject(new Error(`the export worker stopped (exit code ${code})`)));
  }).finally(() => opts.signal?.removeEventListener('abort', stop));
}
