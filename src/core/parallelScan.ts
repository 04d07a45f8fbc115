/**
 * The second half of a cold scan in a worker thread (ARCHITECTURE.md › Core, "Scanning on two
 * cores"). recordIndex.ts scans the first half in the calling thread and joins the two; this file
 * only starts the worker and waits for it. The caller stays synchronous: the worker's answer comes
 * through a MessagePort read with receiveMessageOnPort, after Atomics.wait on a shared flag.
 *
 * The worker script (scanWorker.ts) loads the scanner alone. It sits beside this module:
 * out/src/core/scanWorker.js under tsc, dist/scanWorker.js beside the bundles (cli.js,
 * indexWorker.js). Without it, or when no core is free (parallelScanAllowed), there is no worker
 * and the file is scanned in one thread.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { TailHandle, TailJob, TailResult } from './recordIndex';

/** What the worker gets: the job, the file descriptor to read, the shared flag and progress, the port to answer on. */
export interface ScanWorkerData {
  job: TailJob;
  fd: number;
  /** Int32 [0]: 1 when the answer is posted; [1]: 1 when the caller no longer wants it. Float64 [1], [2]: records and bytes so far. */
  shared: SharedArrayBuffer;
  port: MessagePort;
}

export type ScanWorkerAnswer = { ok: true; tail: TailResult | undefined } | { ok: false; message: string };

/**
 * What a worker costs before it scans, as bytes the calling thread scans meanwhile (ARCHITECTURE.md ›
 * Core, "Scanning on two cores"). Measured on the 2-core machine (load 3.5–6): a worker
 * posts its first 4 MiB chunk 100–160 ms after it is started (Node's worker start, then that chunk
 * unoptimised), then scans ~520 MB/s of pretty-printed array and ~1,400 MB/s of JSONL, as fast as the
 * calling thread. ~0.15 s × 520 MB/s ≈ 80 MiB of array; ~0.1 s × 1,400 MB/s ≈ 144 MiB of JSONL.
 */
export const WORKER_START_BYTES = { array: 80 << 20, jsonl: 144 << 20 } as const;

/**
 * Files smaller than this are scanned in one thread. With the split balanced for the worker's start
 * (tailSplitTarget), two threads take (T + start) / 2 for a one-thread scan of T: they pay once T is
 * about 3 × the start (they save at least a start's worth of wall time, for the ~0.1 CPU-s a worker
 * costs): 240 MiB of array, 432 MiB of JSONL. Below that they did not pay where measured: forced to two
 * threads (middle split), the 302 MB array took 0.90 s against 0.79 s in one at load 1.9–2.1 (the
 * machine never had an idle core to measure on).
 */
export function parallelMinBytes(container: 'array' | 'jsonl'): number {
  return 3 * WORKER_START_BYTES[container];
}

/** The size from which indexFd tries a worker: parallelMinBytes, or 4 MiB (one chunk) when COCURATE_SCAN_THREADS=2 forces one. */
export function parallelScanFrom(container: 'array' | 'jsonl'): number {
  return process.env.COCURATE_SCAN_THREADS === '2' ? 4 << 20 : parallelMinBytes(container);
}

/**
 * Where the tail should start for the two threads to finish together: past the middle by half the
 * bytes the head scans while the worker starts (never past two thirds of the file, for files a test
 * or a caller splits below parallelMinBytes). splitPoint then finds a clean point from there.
 */
export function tailSplitTarget(container: 'array' | 'jsonl', start: number, size: number): number {
  const bytes = size - start;
  return start + Math.floor((bytes + Math.min(WORKER_START_BYTES[container], bytes / 3)) / 2);
}

/** A tail stuck this long without progress is given up (the head then scans it itself). */
const STALL_MS = 30_000;

export function scanWorkerScript(): string | undefined {
  const beside = path.join(__dirname, 'scanWorker.js');
  return fs.existsSync(beside) ? beside : undefined;
}

/**
 * Whether a second thread scans (a file of parallelScanFrom or more): COCURATE_SCAN_THREADS=1 never,
 * =2 always (from 4 MiB: the bench's "forced" rows); otherwise when there are two cores or more and
 * one is likely idle (the 1-minute load average below the cores less one half). On a machine whose
 * cores are all busy a worker only adds its start and its own JIT warm-up: measured slower there at
 * every size (README "Performance").
 */
export function parallelScanAllowed(): boolean {
  const want = process.env.COCURATE_SCAN_THREADS;
  if (want === '1') return false;
  if (want === '2') return true;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return cores >= 2 && os.loadavg()[0] < cores - 0.5;
}

/** Starts a worker scanning the tail of the file open as `fd`; undefined when it cannot (the caller scans alone). */
export function startTailWorker(fd: number, job: TailJob): TailHandle | undefined {
  const script = scanWorkerScript();
  if (!script || !parallelScanAllowed()) return undefined;
  const shared = new SharedArrayBuffer(32);
  const flags = new Int32Array(shared, 0, 2);
  const counts = new Float64Array(shared, 8, 2);
  const { port1, port2 } = new MessageChannel();
  let worker: Worker;
  try {
    const data: ScanWorkerData = { job, fd, shared, port: port2 };
    worker = new Worker(script, { workerData: data, transferList: [port2] });
  } catch {
    port1.close();
    return undefined;
  }
  worker.unref();
  let answer: TailResult | undefined | null = null;
  const finish = (): void => {
    port1.close();
    void worker.terminate();
  };
  return {
    progress: () => ({ records: counts[0], bytes: counts[1] }),
    result(onWait) {
      if (answer !== null) return answer;
      let last = counts[1];
      let since = Date.now();
      while (Atomics.load(flags, 0) === 0) {
        Atomics.wait(flags, 0, 0, 100);
        onWait?.();
        if (counts[1] !== last) {
          last = counts[1];
          since = Date.now();
        } else if (Date.now() - since > STALL_MS) break;
      }
      const m = Atomics.load(flags, 0) === 1 ? (receiveMessageOnPort(port1)?.message as ScanWorkerAnswer | undefined) : undefined;
      answer = m?.ok ? m.tail : undefined;
      finish();
      return answer;
    },
    cancel() {
      if (answer !== null) return;
      Atomics.store(flags, 1, 1);
      answer = undefined;
      finish();
    },
  };
}
