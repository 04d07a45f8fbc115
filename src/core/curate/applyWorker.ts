/**
 * The worker thread that writes a curated dataset for the extension host (ARCHITECTURE.md › Opening
 * a large dataset): core applyCuration, the same code as `cocurate apply`, so the files are the
 * same byte for byte. Started by applyWorkerClient.ts with the plan folders, the output and the
 * options; posts progress (at most every 100 ms), then `done` with the counts or `failed`. A shared
 * flag cancels it; applyCuration then stops before its output is renamed into place.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ApplyCancelled, applyCuration } from './apply';
import type { ApplyToHost, ApplyWorkerData } from './applyWorkerProtocol';

const PROGRESS_MS = 100;

function post(m: ApplyToHost): void {
  parentPort?.postMessage(m);
}

function run(data: ApplyWorkerData): void {
  const flag = new Int32Array(data.cancel);
  let last = 0;
  try {
    const { now, ...opts } = data.opts;
    const result = applyCuration(data.planDirs, data.out, {
      ...opts,
      ...(now ? { now: new Date(now) } : {}),
      cancelled: () => Atomics.load(flag, 0) !== 0,
      onProgress: (step, done, total) => {
        const t = performance.now();
        if (t - last < PROGRESS_MS && done < total) return;
        last = t;
        post({ type: 'progress', step, done, total });
      },
    });
    post({ type: 'done', result });
  } catch (e) {
    post({ type: 'failed', message: (e as Error).message, cancelled: e instanceof ApplyCancelled });
  }
}

run(workerData as ApplyWorkerData);
