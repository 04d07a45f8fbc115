/**
 * Open datasets shared by every editor, preview and command: one record index per file, built once,
 * rebuilt when the file changes on disk, closed when the last user releases it. A file of 1 MiB or
 * more is indexed in a worker thread (core indexWorkerClient.ts), so the extension host never scans
 * it (ARCHITECTURE.md › Opening a large dataset): the curator editor opens through
 * `acquireInBackground` (first records at once), commands and reviews through `acquireAsync` (the
 * whole dataset, with progress and cancellation), and spot-check samples are drawn in that worker
 * (`sample`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../core/dataset';
import type { FormatId } from '../core/item';
import { auditDataset } from '../core/claims/auditLabels';
import { datasetSuspicion } from '../core/claims/datasetSuspicion';
import { buildHuntPlan, type HuntOptions } from '../core/claims/huntPlan';
import { IndexCancelled, IndexWorker, type HuntResult, type IndexProgress, type SuspicionResult } from '../core/indexWorkerClient';
import type { HuntAudit } from '../core/indexWorkerProtocol';
import { isParquetPath } from '../core/parquet/parquetSource';
import type { Plan } from '../core/plan';
import { drawSample, type SampleOptions } from '../core/sampling';

/** Below this size a file is indexed in the host: it takes a few milliseconds. */
export const BACKGROUND_MIN_BYTES = 1 << 20;

/**
 * Is this file opened on this thread (a few milliseconds)? A small file is; a parquet file or folder
 * of shards of BACKGROUND_MIN_BYTES or more is not: its footer is cheap, but detecting its format,
 * group sizes, samples and filters decode whole row groups, so it goes to the worker like a large
 * JSON file (the host then opens its footer only, in the worker's format).
 */
function openedHere(abs: string, st: fs.Stats): boolean {
  if (isParquetPath(abs)) return parquetBytes(abs, st) < BACKGROUND_MIN_BYTES;
  return st.size < BACKGROUND_MIN_BYTES || !st.isFile();
}

/** A parquet file's size, or the sum of a folder's shards. */
function parquetBytes(abs: string, st: fs.Stats): number {
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const f of fs.readdirSync(abs)) {
    if (!/\.parquet$/i.test(f)) continue;
    try {
      n += fs.statSync(path.join(abs, f)).size;
    } catch {
      /* gone meanwhile: opening says so */
    }
  }
  return n;
}

interface Entry {
  ds: Dataset;
  mtimeMs: number;
  size: number;
  users: number;
  /** The worker that indexed it: it answers filters that must read records. */
  worker?: IndexWorker;
}

/** A dataset being opened for the editor: its first records soon, the whole dataset when indexed. */
export interface OpenJob {
  readonly file: string;
  /** The first records (undefined when the dataset is ready first, or the file has none). */
  readonly head: Promise<Dataset | undefined>;
  /** The dataset; rejects when it cannot be read or indexing is cancelled. */
  readonly done: Promise<Dataset>;
  /** The worker indexing it (none when the dataset was open already or small). */
  readonly worker?: IndexWorker;
}

/** How acquireAsync opens a dataset. */
export interface AcquireOptions {
  /**
   * The format to read it as (a plan's): when the shared dataset was detected as another format, a
   * dataset of this format is opened apart (in a worker too when large) and closed on release().
   */
  format?: FormatId;
  /** Progress of the worker's scan (not called when the dataset is open or small). */
  onProgress?: (p: IndexProgress) => void;
  /** Gives up waiting: acquireAsync rejects with IndexCancelled; the last user of a job stops its worker. */
  signal?: AbortSignal;
}

interface Pending {
  job: OpenJob;
  worker: IndexWorker;
  mtimeMs: number;
  size: number;
  users: number;
}

export class DatasetCache {
  private readonly open = new Map<string, Entry>();
  private readonly pending = new Map<string, Pending>();
  /** Datasets opened with another format than the shared one (AcquireOptions.format), with their worker. */
  private readonly apart = new Map<Dataset, IndexWorker | undefined>();

  /** A small file (or small parquet), opened here: a few milliseconds. Counted as used until release(). */
  private openHere(abs: string, st: fs.Stats): Dataset {
    const e = this.current(abs, st) ?? this.add(abs, Dataset.open(abs), st, 0);
    e.users++;
    return e.ds;
  }

  /** Is `file` open and unchanged, or small enough to open at once (acquireAsync then starts no worker)? */
  isQuick(file: string): boolean {
    const abs = path.resolve(file);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      return true; // opening says what is wrong, at once
    }
    return !!this.current(abs, st) || openedHere(abs, st);
  }

  /**
   * The whole dataset at `file`, counted as used until release(), without blocking this thread: an
   * open one is shared; a file of BACKGROUND_MIN_BYTES or more is indexed in a worker thread (one job
   * per file, shared with the editor), a small one here. Never a partial dataset.
   */
  async acquireAsync(file: string, opts: AcquireOptions = {}): Promise<Dataset> {
    if (opts.signal?.aborted) throw new IndexCancelled(file);
    const job = this.acquireInBackground(file);
    const p = this.pending.get(job.file);
    const ds = p?.job === job ? await this.waitFor(job, p.worker, opts) : await job.done;
    if (!opts.format || ds.format === opts.format) return ds;
    this.release(ds);
    return this.openApart(job.file, opts.format, opts);
  }

  /** Waits for a job's dataset with progress; an abort releases this user of the job. */
  private async waitFor(job: OpenJob, worker: IndexWorker, opts: AcquireOptions): Promise<Dataset> {
    const stop = opts.onProgress ? worker.onProgress(opts.onProgress) : undefined;
    const signal = opts.signal;
    try {
      if (!signal) return await job.done;
      return await new Promise<Dataset>((resolve, reject) => {
        const abort = (): void => {
          if (this.pending.get(job.file)?.job === job) this.releaseJob(job);
          else
            job.done.then(
              (ds) => this.release(ds),
              () => undefined,
            ); // arrived meanwhile: give this use back
          reject(new IndexCancelled(job.file));
        };
        signal.addEventListener('abort', abort, { once: true });
        job.done.then(
          (ds) => {
            signal.removeEventListener('abort', abort);
            resolve(ds);
          },
          (e: unknown) => {
            signal.removeEventListener('abort', abort);
            reject(e as Error);
          },
        );
      });
    } finally {
      stop?.();
    }
  }

  /** A dataset read as `format`, not shared: in a worker when large (kept for sample()), closed on release(). */
  private async openApart(abs: string, format: FormatId, opts: AcquireOptions): Promise<Dataset> {
    if (this.isQuick(abs)) {
      const ds = Dataset.open(abs, { format });
      this.apart.set(ds, undefined);
      return ds;
    }
    const worker = new IndexWorker(abs, { format });
    const stop = opts.onProgress ? worker.onProgress(opts.onProgress) : undefined;
    const abort = (): void => worker.dispose();
    opts.signal?.addEventListener('abort', abort, { once: true });
    try {
      const ds = await worker.done;
      this.apart.set(ds, worker);
      return ds;
    } catch (e) {
      worker.dispose();
      throw e;
    } finally {
      stop?.();
      opts.signal?.removeEventListener('abort', abort);
    }
  }

  /**
   * A spot-check sample of `ds` (acquired from this cache): drawn in the worker that indexed it, so
   * strata that read every record (a field, group sizes without a cached column) never block this
   * thread; a small dataset is sampled here. The plan is the one core drawSample makes on this thread.
   */
  async sample(ds: Dataset, opts: SampleOptions): Promise<Plan> {
    const worker = this.workerOf(ds);
    if (worker) return worker.sample(opts);
    await Promise.resolve(); // errors arrive as a rejection, as from the worker
    return drawSample(ds, opts);
  }

  /**
   * Like acquire, without blocking: a file of BACKGROUND_MIN_BYTES or more is indexed in a worker
   * thread. Release the dataset `done` gives with release(), or the job with releaseJob() if it is
   * given up before that.
   */
  acquireInBackground(file: string): OpenJob {
    const abs = path.resolve(file);
    const st = fs.statSync(abs);
    const ready = this.current(abs, st);
    if (ready || openedHere(abs, st)) {
      const ds = ready ? (ready.users++, ready.ds) : this.openHere(abs, st);
      return { file: abs, head: Promise.resolve(undefined), done: Promise.resolve(ds), worker: this.open.get(abs)?.worker };
    }
    const p = this.pending.get(abs);
    if (p && p.mtimeMs === st.mtimeMs && p.size === st.size) {
      p.users++;
      return p.job;
    }
    const worker = new IndexWorker(abs);
    const pend: Pending = { job: undefined as unknown as OpenJob, worker, mtimeMs: st.mtimeMs, size: st.size, users: 1 };
    const done = worker.done.then(
      (ds) => {
        if (this.pending.get(abs) === pend) this.pending.delete(abs);
        const e = this.current(abs, st);
        if (e) {
          // Opened meanwhile (the file was small then): keep that one, with this worker for filters.
          ds.close();
          e.worker ??= worker;
          e.users += pend.users;
          return e.ds;
        }
        this.add(abs, ds, st, pend.users).worker = worker;
        return ds;
      },
      (err: unknown) => {
        if (this.pending.get(abs) === pend) this.pending.delete(abs);
        worker.dispose();
        throw err;
      },
    );
    done.catch(() => undefined);
    pend.job = { file: abs, head: worker.head, done, worker };
    this.pending.set(abs, pend);
    return pend.job;
  }

  /**
   * A hunt of `ds` (acquired from this cache): the label audit reads every record and image, so it
   * runs in the worker that indexed a large file; a small dataset is audited here. `signal` stops
   * measuring (the result says `cancelled`).
   */
  async hunt(ds: Dataset, audit: HuntAudit, plan: HuntOptions, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<HuntResult> {
    const worker = this.workerOf(ds);
    if (worker) return worker.hunt(audit, plan, onProgress, signal);
    const res = await auditDataset(ds, { ...audit, onProgress, signal });
    return { plan: buildHuntPlan(ds, res.items, plan), cancelled: !!signal?.aborted, stats: res.stats, warnings: res.warnings.slice(0, 100) };
  }

  /**
   * Every record's suspicion for browse's sort and filter (core datasetSuspicion: cached by the
   * dataset's fingerprint, else the label audit, which reads every record and image): in the
   * worker that indexed a large file, here for a small one. `signal` cancels (a rejection).
   */
  async suspicion(ds: Dataset, audit: HuntAudit, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<SuspicionResult> {
    const worker = this.workerOf(ds);
    if (worker) return worker.suspicion(audit, onProgress, signal);
    return datasetSuspicion(ds, { ...audit, onProgress, signal });
  }

  /** The worker that indexed `ds` (shared or opened apart) and answers its requests; none for a small dataset. */
  private workerOf(ds: Dataset): IndexWorker | undefined {
    const e = this.open.get(ds.path);
    return e?.ds === ds ? e.worker : this.apart.get(ds);
  }

  /** Gives up a job before its dataset arrived: the last user stops its worker. */
  releaseJob(job: OpenJob): void {
    const p = this.pending.get(job.file);
    if (!p || p.job !== job) return;
    if (--p.users > 0) return;
    this.pending.delete(job.file);
    p.worker.dispose();
  }

  release(ds: Dataset): void {
    const e = this.open.get(ds.path);
    if (!e || e.ds !== ds) {
      ds.close();
      this.apart.get(ds)?.dispose();
      this.apart.delete(ds);
      return;
    }
    e.users--;
    if (e.users <= 0) {
      e.ds.close();
      e.worker?.dispose();
      this.open.delete(ds.path);
    }
  }

  dispose(): void {
    for (const e of this.open.values()) {
      e.ds.close();
      e.worker?.dispose();
    }
    for (const p of this.pending.values()) p.worker.dispose();
    for (const [ds, w] of this.apart) {
      ds.close();
      w?.dispose();
    }
    this.apart.clear();
    this.open.clear();
    this.pending.clear();
  }

  /** The open entry for `abs` while the file is unchanged; a changed one is dropped (closed when unused). */
  private current(abs: string, st: fs.Stats): Entry | undefined {
    const e = this.open.get(abs);
    if (!e || (e.mtimeMs === st.mtimeMs && e.size === st.size)) return e;
    this.open.delete(abs);
    if (e.users === 0) {
      e.ds.close();
      e.worker?.dispose();
    }
    return undefined;
  }

  private add(abs: string, ds: Dataset, st: fs.Stats, users: number): Entry {
    const e: Entry = { ds, mtimeMs: st.mtimeMs, size: st.size, users };
    this.open.set(abs, e);
    return e;
  }
}
