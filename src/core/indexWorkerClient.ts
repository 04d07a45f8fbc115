/**
 * Indexes a dataset in a worker thread (indexWorker.ts) so the calling thread — the extension
 * host — never scans the file (ARCHITECTURE.md › Opening a large dataset). What it receives is
 * moved, not copied: the first records as a small in-memory dataset (`head`), progress, then the
 * whole index and id table, from which `done` makes a Dataset without reading the file again.
 * The worker stays for filters that must read records (`filter`), with progress and cancellation,
 * spot-check samples whose strata read every record (`sample`), hunts (`hunt`) and browse's
 * suspicion scores (`suspicion`): requests, each answered through one table of pending requests.
 * Every message is taken off a data port inside the timed handler, so `hostMs` counts its
 * deserialization as well as its handling: what this thread really spends on it.
 * The worker script sits beside this module: out/src/core/indexWorker.js under tsc,
 * dist/indexWorker.js in the bundles.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { BrowseFilterSpec } from './browseFilter';
import { Dataset, type IdTable } from './dataset';
import { idTableFromColumns, indexFromColumns } from './indexTransfer';
import { isParquetPath } from './parquet/parquetSource';
import type { FormatId } from './item';
import type { Plan } from './plan';
import type { SampleOptions } from './sampling';
import type { HuntOptions } from './claims/huntPlan';
import type { CueRunStats } from './cues/imageCues';
import type { HuntAudit, IndexWorkerData, IndexWorkerStart, Reply, ToHost, ToWorker } from './indexWorkerProtocol';
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

/** Every record's suspicion worked out in the worker (core datasetSuspicion's result). */
export type SuspicionResult = Omit<Extract<Reply, { kind: 'suspicion' }>, 'kind'>;

/** The indexing (or a request in the worker: `what`) was cancelled. */
export class IndexCancelled extends Error {
  constructor(file: string, what = 'indexing') {
    super(`${what} ${path.basename(file)} was cancelled`);
  }
}

/** A request sent to the worker, until its reply, failure or the worker's exit. */
interface Pending {
  kind: Reply['kind'];
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  onProgress?: (done: number, total: number) => void;
}

/** What a cancelled request was doing, for IndexCancelled's message. */
const CANCELLED: Record<Reply['kind'], string> = {
  filter: 'filtering',
  sample: 'sampling',
  hunt: 'the hunt in',
  suspicion: 'measuring suspicion in',
  rowGroup: 'reading',
  rowImages: 'reading images of',
};

/** The longest time this thread spent on one message of each kind (ms): taking it off the port (deserializing) and handling it. */
export type HostMs = Partial<Record<ToHost['type'], number>>;

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
  /** Per kind of message, the longest time this thread spent on one (deserializing included). */
  readonly hostMs: HostMs = {};
  private readonly worker: Worker;
  /** Where the worker's messages wait until the handler takes them (IndexWorkerStart.port). */
  private readonly inbox: MessagePort;
  private readonly progressListeners = new Set<(p: IndexProgress) => void>();
  private readonly pending = new Map<number, Pending>();
  private nextRequest = 1;
  private finished = false;
  private stopped = false;
  private exited: Error | undefined;

  constructor(
    readonly file: string,
    opts: Omit<IndexWorkerData, 'file'> = {},
    script = indexWorkerScript(),
  ) {
    const abs = path.resolve(file);
    const { port1, port2 } = new MessageChannel();
    this.inbox = port1;
    this.inbox.unref(); // read only through receiveMessageOnPort: never keeps the process alive
    const data: IndexWorkerStart = { file: abs, ...opts, port: port2 };
    this.worker = new Worker(script, { workerData: data, transferList: [port2] });
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
    // A wake-up: the message itself waits on the inbox, taken (deserialized) here, inside the timing.
    this.worker.on('message', () => {
      const t = performance.now();
      const got = receiveMessageOnPort(this.inbox);
      if (!got) return;
      const m = got.message as ToHost;
      try {
        this.handle(m, abs, opts, headOf, resolveDone, fail);
      } finally {
        this.hostMs[m.type] = Math.max(this.hostMs[m.type] ?? 0, performance.now() - t);
      }
    });
    this.worker.on('error', (e) => fail(e));
    this.worker.on('exit', (code) => {
      const e = this.stopped ? new IndexCancelled(abs) : new Error(`the index worker for ${abs} stopped (exit code ${code})`);
      this.exited = e;
      this.inbox.close();
      fail(e);
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
  }

  /** The longest time this thread spent on any one message of the worker (ms): the host's own share of opening. */
  get hostMaxMs(): number {
    return Math.max(0, ...Object.values(this.hostMs));
  }

  /** One message of the worker (timed by the caller: `hostMs`). */
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
        // Indexed in the worker: this thread only wraps the bytes and columns it was given.
        const h = m.head;
        let head: Dataset | undefined;
        try {
          head =
            h &&
            Dataset.fromText(Buffer.from(h.bytes.buffer, h.bytes.byteOffset, h.bytes.byteLength), abs, {
              ...opts,
              format: h.format,
              index: indexFromColumns(h.index),
            });
        } catch {
          head = undefined; // the whole index still comes
        }
        headOf(head);
        return;
      }
      case 'progress':
        this.progress = { records: m.records, bytes: m.bytes, size: m.size };
        for (const l of this.progressListeners) l(this.progress);
        return;
      case 'done': {
        this.subsets = m.subsets;
        this.timings = { ...m.ms, cacheHit: m.cache.hit };
        try {
          // A parquet source reads its rows itself: the host opens its footer, in the format the worker found.
          const ds = isParquetPath(abs)
            ? this.parquetDataset(abs, opts, m.format, idTableFromColumns(m.ids))
            : Dataset.fromIndex(abs, indexFromColumns(m.index), { ...opts, format: m.format, ids: idTableFromColumns(m.ids) });
          if (ds.mtimeMs !== m.mtimeMs) {
            ds.close();
            throw new Error(`${abs} changed while it was indexed; open it again`);
          }
          this.finished = true;
          this.idle(); // from here on it waits for requests: an idle worker never keeps the process alive
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
      case 'requestProgress':
        this.pending.get(m.id)?.onProgress?.(m.done, m.total);
        return;
      case 'reply':
      case 'requestFailed': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (!p) return;
        if (m.type === 'requestFailed') p.reject(m.cancelled ? new IndexCancelled(abs, CANCELLED[p.kind]) : new Error(m.message));
        else if (m.reply.kind !== p.kind) p.reject(new Error(`the index worker answered a ${p.kind} request with ${m.reply.kind}`));
        else p.resolve(m.reply);
        return;
      }
    }
  }

  /** Unrefs the worker once indexing is over and no request waits: an idle worker never keeps the process alive. */
  private idle(): void {
    if (this.finished && this.pending.size === 0) this.worker.unref();
  }

  /**
   * Sends a request of kind K and resolves with its reply; `onProgress` hears its progress;
   * `signal` sets its cancel flag (for requests that carry one). One table of pending requests
   * serves every kind; the worker's exit rejects them all.
   */
  private request<K extends Reply['kind']>(
    kind: K,
    make: (id: number) => ToWorker,
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<Extract<Reply, { kind: K }>> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextRequest++;
    const m = make(id);
    const flag = 'cancel' in m ? new Int32Array(m.cancel) : undefined;
    const stop = (): void => void (flag && Atomics.store(flag, 0, 1));
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
    this.worker.ref();
    return new Promise<Extract<Reply, { kind: K }>>((resolve, reject) => {
      this.pending.set(id, { kind, resolve: resolve as (r: Reply) => void, reject, onProgress });
      this.worker.postMessage(m);
    }).finally(() => {
      signal?.removeEventListener('abort', stop);
      this.pending.delete(id);
      this.idle();
    });
  }

  /**
   * The host's parquet dataset: its footers opened here, its id table from the worker, and its row
   * groups decoded in the worker when a record is prepared (Dataset.prepare), never on this thread.
   */
  private parquetDataset(abs: string, opts: Omit<IndexWorkerData, 'file'>, format: FormatId, ids: IdTable): Dataset {
    const ds = Dataset.open(abs, { ...opts, format, ids });
    ds.decodeRowsWith({
      rowGroup: async (group) => {
        const r = await this.request('rowGroup', (id) => ({ type: 'rowGroup', id, group }));
        const text = Buffer.from(r.text.buffer, r.text.byteOffset, r.text.byteLength);
        const rows: Buffer[] = [];
        let at = 0;
        for (const end of r.ends) {
          rows.push(text.subarray(at, end));
          at = end;
        }
        return rows;
      },
      rowImages: async (row) => {
        const r = await this.request('rowImages', (id) => ({ type: 'rowImages', id, row }));
        const all = Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
        const out = new Map<string, Buffer | undefined>();
        let at = 0;
        r.columns.forEach((c, k) => {
          const n = r.lengths[k];
          out.set(c, n < 0 ? undefined : all.subarray(at, (at += n)));
        });
        return out;
      },
    });
    return ds;
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
  async filter(
    filter: BrowseFilterSpec,
    verdicts: Map<string, VerdictValue>,
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<Int32Array | null> {
    const cancel = new SharedArrayBuffer(4);
    const r = await this.request('filter', (id) => ({ type: 'filter', id, filter, verdicts: [...verdicts], cancel }), onProgress, signal);
    return r.matches;
  }

  /**
   * A spot-check sample drawn in the worker (core drawSample on its dataset: the same plan as on
   * this thread), so strata that read every record never block this thread. Call after `done`.
   */
  async sample(opts: SampleOptions): Promise<Plan> {
    return (await this.request('sample', (id) => ({ type: 'sample', id, opts }))).plan;
  }

  /**
   * A hunt run in the worker: core auditDataset (every record and image read) and buildHuntPlan on its
   * dataset, with progress; `signal` stops measuring (the plan then holds what was measured, `cancelled`).
   */
  async hunt(audit: HuntAudit, plan: HuntOptions, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<HuntResult> {
    const cancel = new SharedArrayBuffer(4);
    const { kind: _, ...r } = await this.request('hunt', (id) => ({ type: 'hunt', id, audit, plan, cancel }), onProgress, signal);
    return r;
  }

  /**
   * Every record's suspicion, worked out in the worker (core datasetSuspicion on its dataset: the
   * scores cached by the dataset's fingerprint, else the label audit, which reads every record and
   * image), with progress; the scores arrive moved, not copied. `signal` cancels (IndexCancelled;
   * nothing is written).
   */
  async suspicion(audit: HuntAudit, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<SuspicionResult> {
    const cancel = new SharedArrayBuffer(4);
    const { kind: _, ...r } = await this.request('suspicion', (id) => ({ type: 'suspicion', id, audit, cancel }), onProgress, signal);
    return r;
  }

  /** Stops indexing (done rejects with IndexCancelled) or, after it, the request service. */
  dispose(): void {
    this.stopped = true;
    void this.worker.terminate();
  }
}
