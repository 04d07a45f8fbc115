/**
 * Open datasets shared by every editor, preview and command: one record index per file, built once,
 * rebuilt when the file changes on disk, closed when the last user releases it. The curator editor
 * opens through `acquireInBackground`: a file of 1 MiB or more is indexed in a worker thread
 * (core indexWorkerClient.ts), so the extension host never scans it (ARCHITECTURE.md › Opening a
 * large dataset); `acquire` is the synchronous way for commands that need the whole index at once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../core/dataset';
import { IndexWorker } from '../core/indexWorkerClient';
import { isParquetPath } from '../core/parquet/parquetSource';

/** Below this size a file is indexed in the host: it takes a few milliseconds. */
export const BACKGROUND_MIN_BYTES = 1 << 20;

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

  /** The dataset at `file`, opened (or re-opened if it changed) and counted as used until release(). */
  acquire(file: string): Dataset {
    const abs = path.resolve(file);
    const st = fs.statSync(abs);
    const e = this.current(abs, st) ?? this.add(abs, Dataset.open(abs), st, 0);
    e.users++;
    return e.ds;
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
    if (ready || st.size < BACKGROUND_MIN_BYTES || isParquetPath(abs) || !st.isFile()) {
      const ds = ready ? (ready.users++, ready.ds) : this.acquire(abs);
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
          // Opened synchronously meanwhile (a command): keep that one, with this worker for filters.
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
