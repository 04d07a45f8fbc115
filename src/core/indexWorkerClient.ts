/**
 * Indexes a dataset in a worker thread (indexWorker.ts) so the calling thread — the extension
 * host — never scans the file (ARCHITECTURE.md › Opening a large dataset). What it receives is
 * moved, not copied: the first records as a small in-memory dataset (`head`), progress, then the
 * whole index and id table, from which `done` makes a Dataset without reading the file again.
 * The worker stays for filters that must read records (`filter`), with progress and cancellation,
 * and for spot-check samples whose strata read every record (`sample`).
 * The worker script sits beside this module: out/src/core/indexWorker.js under tsc,
 * dist/indexWorker.js in the bundles.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BrowseFilterSpec } from './browseFilter';
import { Dataset } from './dataset';
import { LoadedIndex } from './indexCache';
import type { Plan } from './plan';
import type { SampleOptions } from './sampling';
import type { HuntOptions } from './claims/huntPlan';
import type { CueRunStats } from './cues/imageCues';
import type { HuntAudit, IndexWorkerData, ToHost, ToWorker } from './indexWorkerProtocol';
import type { VerdictValue } from './verdicts';

export function indexWorkerScript(): string {
  const beside = path.join(__dirname, 'indexWorker.js');
  if (fs.existsSync(beside)) return beside;
  throw new Error(`the index worker script is missing: ${beside} (run npm run build)`);
}

export interface IndexProgress {
  records: number;
  bytes: number;
  size: number;
}

/** How long each step took in the worker (ms from its start), and whether the persistent index answered. */
export interface IndexTimings {
  head: number;
  index: number;
  total: number;
  cacheHit: boolean;
}

/** What a hunt in the worker gives back: the plan (items with a contradicted label), and how the audit went. */
export interface HuntResult {
  plan: Plan;
  cancelled: boolean;
  stats: CueRunStats;
  /** The first records that could not be read (at most 100). */
  warnings: string[];
}

/** The indexing was cancelled (the worker was stopped). */
export class IndexCancelled extends Error {
  constructor(file: string) {
    super(`indexing ${path.basename(file)} was cancelled`);
  }
}

interface PendingFilter {
  resolve: (m: Int32Array | null) => void;
  reject: (e: Error) => void;
  onProgress?: (done: number, total: number) => void;
}

export class IndexWorker {
  /** The first records of the file (undefined when the file is indexed before they are read, or has none). */
  readonly head: Promise<Dataset | undefined>;
  /** The dataset, indexed; rejects when the file cannot be read or indexing is cancelled. */
  readonly done: Promise<Dataset>;
  /** Latest progress of the scan. */
  progress: IndexProgress | undefined;
  /** Group size of every record, once the worker has them (browse filters answer from it). */
  groupSizes: Int32Array | undefined;
  /** Subset names among the first records. */
  subsets: string[] = [];
  timings: IndexTimings | undefined;
  /** The longest time this thread spent on one message of the worker (ms): the host's own share of opening. */
  hostMaxMs = 0;
  private readonly worker: Worker;
  private readonly progressListeners = new Set<(p: IndexProgress) => void>();
  private readonly filters = new Map<number, PendingFilter>();
  private readonly samples = new Map<number, { resolve: (p: Plan) => void; reject: (e: Error) => void }>();
  private readonly hunts = new Map<
    number,
    { resolve: (r: HuntResult) => void; reject: (e: Error) => void; onProgress?: (done: number, total: number) => void }
  >();
  private nextFilter = 1;
  private finished = false;
  private stopped = false;
  private exited: Error | undefined;

  constructor(
    readonly file: string,
    opts: Omit<IndexWorkerData, 'file'> = {},
    script = indexWorkerScript(),
  ) {
    const abs = path.resolve(file);
    const data: IndexWorkerData = { file: abs, ...opts };
    this.worker = new Worker(script, { workerData: data });
    let headOf: (d: Dataset | undefined) => void = () => {};
    let resolveDone: (d: Dataset) => void = () => {};
    let rejectDone: (e: Error) => void = () => {};
    this.head = new Promise((r) => (headOf = r));
    this.done = new Promise((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    this.done.catch(() => undefined); // callers that only want the head must not see an unhandled rejection
    const fail = (e: Error): void => {
      if (this.finished) return;
      this.finished = true;
      headOf(undefined);
      rejectDone(e);
    };
    this.worker.on('message', (m: ToHost) => {
      const t = performance.now();
      try {
        this.handle(m, abs, opts, headOf, resolveDone, fail);
      } finally {
        this.hostMaxMs = Math.max(this.hostMaxMs, performance.now() - t);
      }
    });
    this.worker.on('error', (e) => fail(e));
    this.worker.on('exit', (code) => {
      const e = this.stopped ? new IndexCancelled(abs) : new Error(`the index worker for ${abs} stopped (exit code ${code})`);
      this.exited = e;
      fail(e);
      for (const p of this.filters.values()) p.reject(e);
      this.filters.clear();
      for (const p of this.samples.values()) p.reject(e);
      this.samples.clear();
      for (const p of this.hunts.values()) p.reject(e);
      this.hunts.clear();
    });
  }

  /** One message of the worker (timed by the caller: the longest is `hostMaxMs`). */
  private handle(
    m: ToHost,
    abs: string,
    opts: Omit<IndexWorkerData, 'file'>,
    headOf: (d: Dataset | undefined) => void,
    resolveDone: (d: Dataset) => void,
    fail: (e: Error) => void,
  ): void {
    switch (m.type) {
      case 'head': {
        let head: Dataset | undefined;
        try {
          head = Dataset.fromText(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength), abs, {
            container: opts.container,
            mapping: opts.mapping,
            format: opts.format,
          });
        } catch {
          head = undefined; // the whole index still comes
        }
        headOf(head && head.count > 0 ? head : undefined);
        return;
      }
      case 'progress':
        this.progress = { records: m.records, bytes: m.bytes, size: m.size };
        for (const l of this.progressListeners) l(this.progress);
        return;
      case 'done': {
        const ix = m.index;
        const index = new LoadedIndex(
          ix.container,
          ix.bytes,
          ix.starts,
          ix.ends,
          ix.lines,
          ix.idHashes,
          ix.groupIds,
          ix.groupNames,
          ix.errors,
          ix.errorsOmitted,
        );
        this.subsets = m.subsets;
        this.timings = { ...m.ms, cacheHit: m.cache.hit };
        try {
          const ds = Dataset.fromIndex(abs, index, { ...opts, format: m.format, ids: m.ids });
          if (ds.mtimeMs !== m.mtimeMs) {
            ds.close();
            throw new Error(`${abs} changed while it was indexed; open it again`);
          }
          this.finished = true;
          this.worker.unref(); // from here on it waits for filters: an idle worker never keeps the process alive
          headOf(undefined);
          resolveDone(ds);
        } catch (e) {
          fail(e as Error);
        }
        return;
      }
      case 'columns':
        this.groupSizes = m.groupSizes;
        return;
      case 'failed':
        fail(new Error(m.message));
        return;
      case 'filterProgress':
        this.filters.get(m.id)?.onProgress?.(m.done, m.total);
        return;
      case 'filterDone':
      case 'filterFailed': {
        const p = this.filters.get(m.id);
        this.filters.delete(m.id);
        if (m.type === 'filterDone') p?.resolve(m.matches);
        else p?.reject(m.cancelled ? new IndexCancelled(abs) : new Error(m.message));
        return;
      }
      case 'sampleDone':
      case 'sampleFailed': {
        const p = this.samples.get(m.id);
        this.samples.delete(m.id);
        if (m.type === 'sampleDone') p?.resolve(m.plan);
        else p?.reject(new Error(m.message));
        return;
      }
      case 'huntProgress':
        this.hunts.get(m.id)?.onProgress?.(m.done, m.total);
        return;
      case 'huntDone':
      case 'huntFailed': {
        const p = this.hunts.get(m.id);
        this.hunts.delete(m.id);
        if (m.type === 'huntDone') p?.resolve({ plan: m.plan, cancelled: m.cancelled, stats: m.stats, warnings: m.warnings });
        else p?.reject(new Error(m.message));
        return;
      }
    }
  }

  /** Calls `listener` with each progress report of the scan; returns a function that stops it. */
  onProgress(listener: (p: IndexProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Has the dataset been indexed (done resolved or failed)? */
  get settled(): boolean {
    return this.finished;
  }

  /**
   * Record indices passing `filter`, worked out in the worker (null: every record). `signal`
   * cancels a pass that reads records (the promise rejects with IndexCancelled).
   */
  filter(
    filter: BrowseFilterSpec,
    verdicts: Map<string, VerdictValue>,
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<Int32Array | null> {
    const id = this.nextFilter++;
    const cancel = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancel);
    const stop = (): void => void Atomics.store(flag, 0, 1);
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
    this.worker.ref();
    return new Promise<Int32Array | null>((resolve, reject) => {
      this.filters.set(id, { resolve, reject, onProgress });
      const m: ToWorker = { type: 'filter', id, filter, verdicts: [...verdicts], cancel };
      this.worker.postMessage(m);
    }).finally(() => {
      signal?.removeEventListener('abort', stop);
      if (this.filters.size === 0 && this.samples.size === 0 && this.hunts.size === 0) this.worker.unref();
    });
  }

  /**
   * A spot-check sample drawn in the worker (core drawSample on its dataset: the same plan as on
   * this thread), so strata that read every record never block this thread. Call after `done`.
   */
  sample(opts: SampleOptions): Promise<Plan> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextFilter++;
    this.worker.ref();
    return new Promise<Plan>((resolve, reject) => {
      this.samples.set(id, { resolve, reject });
      const m: ToWorker = { type: 'sample', id, opts };
      this.worker.postMessage(m);
    }).finally(() => {
      this.samples.delete(id);
      if (this.filters.size === 0 && this.samples.size === 0 && this.hunts.size === 0) this.worker.unref();
    });
  }

  /**
   * A hunt run in the worker: core auditDataset (every record and image read) and buildHuntPlan on its
   * dataset, with progress; `signal` stops measuring (the plan then holds what was measured, `cancelled`).
   */
  hunt(audit: HuntAudit, plan: HuntOptions, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<HuntResult> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextFilter++;
    const cancel = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancel);
    const stop = (): void => void Atomics.store(flag, 0, 1);
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
    this.worker.ref();
    return new Promise<HuntResult>((resolve, reject) => {
      this.hunts.set(id, { resolve, reject, onProgress });
      const m: ToWorker = { type: 'hunt', id, audit, plan, cancel };
      this.worker.postMessage(m);
    }).finally(() => {
      signal?.removeEventListener('abort', stop);
      this.hunts.delete(id);
      if (this.filters.size === 0 && this.samples.size === 0 && this.hunts.size === 0) this.worker.unref();
    });
  }

  /** Stops indexing (done rejects with IndexCancelled) or, after it, the filter service. */
  dispose(): void {
    this.stopped = true;
    void this.worker.terminate();
  }
}
