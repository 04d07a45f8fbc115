/**
 * The worker thread that indexes a dataset for the extension host (ARCHITECTURE.md › Opening a
 * large dataset). Started by indexWorkerClient.ts with the file and its open options, it posts, in
 * order: the first records' bytes (`head`), progress while it scans (`progress`), the whole index
 * with the id table (`done`), then the group sizes (`columns`). It then stays to answer browse
 * filters that must read records, to draw spot-check samples (`sample`), to run hunts (`hunt`: the
 * label audit, which reads every record and image) and to measure browse's suspicion scores
 * (`suspicion`), so the host never reads the whole file itself. The head is indexed here too: the
 * host only wraps what it receives. The persistent index (indexCache.ts) is used through
 * Dataset.open: a cached reopen scans nothing.
 */
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { FilterCancelled, filterRecords, subsetNames, verdictsByIndex } from './browseFilter';
import { Dataset } from './dataset';
import { idColumns, indexColumns } from './indexTransfer';
import type { IndexWorkerData, IndexWorkerStart, Reply, ToHost, ToWorker } from './indexWorkerProtocol';
import { detectContainer, indexBuffer, type RecordIndex } from './recordIndex';
import { isParquetPath } from './parquet/parquetSource';
import { openRegularFile } from './regularFile';
import { drawSample } from './sampling';
import { groupSizes } from './strata';
import type { VerdictValue } from './verdicts';

const start = parentPort ? (workerData as IndexWorkerStart) : undefined;
/** The head's first try; it grows ×4 until it holds one whole record (a long first record). */
const HEAD_MIN = 1 << 15;
const HEAD_MAX = 1 << 24;
const PROGRESS_MS = 100;

/** A message to the host: on the data port, then a wake-up the host answers by taking it off (see IndexWorkerStart.port). */
function post(m: ToHost, transfer: ArrayBuffer[] = []): void {
  if (!start) return;
  start.port.postMessage(m, transfer);
  parentPort?.postMessage(0);
}

/**
 * The file's first bytes holding at least one whole record (32 KiB, growing ×4 up to 16 MiB), cut
 * after the last whole JSONL line, with their index when it was built to check that (postHead reuses it).
 */
function readHead(file: string, data: IndexWorkerData): { bytes: Buffer; size: number; index?: RecordIndex } {
  const { fd, stat } = openRegularFile(file);
  try {
    for (let want = HEAD_MIN; ; want *= 4) {
      const buf = Buffer.allocUnsafe(Math.min(want, stat.size));
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      let bytes = buf.subarray(0, n);
      const whole = n >= stat.size;
      const container = data.container ?? detectContainer(bytes.subarray(0, 65536), file);
      if (!whole && container === 'jsonl') bytes = bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1);
      if (whole || want >= HEAD_MAX) return { bytes, size: stat.size };
      const index = indexBuffer(bytes, { container, fileName: file, idField: data.mapping?.id });
      if (index.count > 0) return { bytes, size: stat.size, index };
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The head as the host gets it: its bytes (in their own buffer), their index and format, worked out here. */
function postHead(data: IndexWorkerData, bytes: Buffer, size: number, index?: RecordIndex): void {
  const copy = new Uint8Array(bytes); // its own buffer, moved to the host without a copy
  let head: Dataset;
  try {
    head = Dataset.fromText(Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength), data.file, {
      container: data.container,
      mapping: data.mapping,
      format: data.format,
      index,
    });
  } catch {
    post({ type: 'head', size }); // the whole index still comes
    return;
  }
  if (head.count === 0) return post({ type: 'head', size });
  const { cols, transfer } = indexColumns(head.index);
  post({ type: 'head', head: { bytes: copy, index: cols, format: head.format }, size }, [copy.buffer as ArrayBuffer, ...transfer]);
}

function run(data: IndexWorkerData): Dataset {
  const t0 = performance.now();
  // Parquet rows are not text: no head; the host opens the footer itself when `done` comes.
  const head = isParquetPath(data.file) ? undefined : readHead(data.file, data);
  if (head) postHead(data, head.bytes, head.size, head.index);
  const headMs = performance.now() - t0;
  let last = -Infinity; // the first chunk always reports
  const ds = Dataset.open(data.file, {
    container: data.container,
    mapping: data.mapping,
    format: data.format,
    cache: data.cache,
    onProgress: (records, bytes) => {
      const now = performance.now();
      if (now - last < PROGRESS_MS) return;
      last = now;
      post({ type: 'progress', records, bytes, size: head?.size ?? 0 });
    },
  });
  const indexMs = performance.now() - t0;
  const subsets = subsetNames(ds);
  const index = indexColumns(ds.index);
  const ids = idColumns(ds.ids());
  post(
    {
      type: 'done',
      index: index.cols,
      ids: ids.cols,
      format: ds.format,
      mtimeMs: ds.mtimeMs,
      subsets,
      cache: ds.indexCache,
      ms: { head: headMs, index: indexMs, total: performance.now() - t0 },
    },
    [...index.transfer, ...ids.transfer],
  );
  return ds;
}

/** How a request's work reports and learns it is cancelled. */
interface RequestContext {
  /** Aborted once the host sets the request's cancel flag (polled every 50 ms while the work awaits). */
  signal: AbortSignal;
  /** Reads the cancel flag now (for work that never awaits). */
  cancelled(): boolean;
  /** Progress, at most every PROGRESS_MS (and at the end). */
  progress(done: number, total: number): void;
}

/** Answers one request: its reply (with buffers to transfer), a failure, or a cancellation. */
async function answer(
  m: ToWorker,
  work: (ctx: RequestContext) => Reply | Promise<Reply>,
  transfer: (r: Reply) => ArrayBuffer[] = () => [],
  isCancel: (e: unknown) => boolean = () => false,
): Promise<void> {
  const flag = 'cancel' in m ? new Int32Array(m.cancel) : undefined;
  const cancelled = (): boolean => !!flag && Atomics.load(flag, 0) !== 0;
  const abort = new AbortController();
  if (cancelled()) abort.abort(); // cancelled before it was sent
  const poll = flag
    ? setInterval(() => {
        if (cancelled()) abort.abort();
      }, 50)
    : undefined;
  let last = -Infinity;
  const ctx: RequestContext = {
    signal: abort.signal,
    cancelled,
    progress: (done, total) => {
      const now = performance.now();
      if (now - last < PROGRESS_MS && done < total) return;
      last = now;
      post({ type: 'requestProgress', id: m.id, done, total });
    },
  };
  try {
    const reply = await work(ctx);
    post({ type: 'reply', id: m.id, reply }, transfer(reply));
  } catch (e) {
    post({ type: 'requestFailed', id: m.id, cancelled: isCancel(e) || abort.signal.aborted, message: (e as Error).message });
  } finally {
    clearInterval(poll);
  }
}

/** A hunt: the label audit (its cue pool and sharp are loaded only now) and the plan; cancelling keeps what was measured. */
async function hunt(ds: Dataset, m: Extract<ToWorker, { type: 'hunt' }>, ctx: RequestContext): Promise<Reply> {
  const { auditDataset } = await import('./claims/auditLabels');
  const { buildHuntPlan } = await import('./claims/huntPlan');
  const audit = await auditDataset(ds, { ...m.audit, signal: ctx.signal, onProgress: ctx.progress });
  const plan = buildHuntPlan(ds, audit.items, m.plan);
  return { kind: 'hunt', plan, cancelled: ctx.signal.aborted, stats: audit.stats, warnings: audit.warnings.slice(0, 100) };
}

/** Every record's suspicion (core datasetSuspicion: its cache file, else the label audit); cancelling fails it. */
async function suspicion(ds: Dataset, m: Extract<ToWorker, { type: 'suspicion' }>, ctx: RequestContext): Promise<Reply> {
  const { datasetSuspicion } = await import('./claims/datasetSuspicion');
  const r = await datasetSuspicion(ds, { ...m.audit, signal: ctx.signal, onProgress: ctx.progress });
  return { kind: 'suspicion', scores: r.scores, fromCache: r.fromCache, file: r.file, stats: r.stats, warnings: r.warnings.slice(0, 100) };
}

/** A parquet row group's records as one buffer (moved to the host, not copied) and where each ends. */
function rowGroup(ds: Dataset, group: number): Reply {
  const src = ds.parquet;
  if (!src) throw new Error(`${ds.path} is not a parquet dataset`);
  const rows = src.groupRowBytes(group);
  const ends = new Uint32Array(rows.length);
  let n = 0;
  for (let r = 0; r < rows.length; r++) ends[r] = n += rows[r].length;
  const text = new Uint8Array(n);
  let at = 0;
  for (const b of rows) {
    text.set(b, at);
    at += b.length;
  }
  return { kind: 'rowGroup', text, ends };
}

/** A parquet row's embedded image bytes, column after column, as one buffer (moved to the host). */
function rowImages(ds: Dataset, row: number): Reply {
  const src = ds.parquet;
  if (!src) throw new Error(`${ds.path} is not a parquet dataset`);
  const columns = src.imageColumns;
  const parts = columns.map((c) => src.imageBytes(row, c));
  const lengths = Int32Array.from(parts, (b) => (b ? b.length : -1));
  const bytes = new Uint8Array(parts.reduce((n, b) => n + (b?.length ?? 0), 0));
  let at = 0;
  for (const b of parts) {
    if (!b) continue;
    bytes.set(b, at);
    at += b.length;
  }
  return { kind: 'rowImages', columns, bytes, lengths };
}

function serve(ds: Dataset): void {
  let sizes: Int32Array | undefined;
  const sizesOf = (): Int32Array => (sizes ??= groupSizes(ds));
  const copy = sizesOf().slice();
  post({ type: 'columns', groupSizes: copy }, [copy.buffer as ArrayBuffer]);
  parentPort?.on('message', (m: ToWorker) => {
    switch (m.type) {
      case 'hunt':
        return void answer(m, (ctx) => hunt(ds, m, ctx));
      case 'suspicion':
        return void answer(
          m,
          (ctx) => suspicion(ds, m, ctx),
          (r) => (r.kind === 'suspicion' ? [r.scores.buffer as ArrayBuffer] : []),
        );
      case 'sample':
        return void answer(m, () => ({ kind: 'sample', plan: drawSample(ds, m.opts) }));
      case 'rowImages':
        return void answer(
          m,
          () => rowImages(ds, m.row),
          (r) => (r.kind === 'rowImages' ? [r.bytes.buffer as ArrayBuffer, r.lengths.buffer as ArrayBuffer] : []),
        );
      case 'rowGroup':
        return void answer(
          m,
          () => rowGroup(ds, m.group),
          (r) => (r.kind === 'rowGroup' ? [r.text.buffer as ArrayBuffer, r.ends.buffer as ArrayBuffer] : []),
        );
      case 'filter':
        return void answer(
          m,
          (ctx) => ({ kind: 'filter', matches: filter(ds, m, sizesOf, ctx) }),
          (r) => (r.kind === 'filter' && r.matches ? [r.matches.buffer as ArrayBuffer] : []),
          (e) => e instanceof FilterCancelled,
        );
    }
  });
}

/** A browse filter that must read records (core filterRecords), with progress; the cancel flag stops it. */
function filter(ds: Dataset, m: Extract<ToWorker, { type: 'filter' }>, sizesOf: () => Int32Array, ctx: RequestContext): Int32Array | null {
  const verdicts = new Map<string, VerdictValue>(m.verdicts);
  const f = m.filter;
  const judging = !!f.verdict && f.verdict !== 'any';
  const byIndex = judging ? verdictsByIndex(ds, verdicts) : undefined;
  return filterRecords(ds, f, (k) => verdicts.get(k), {
    groupSizes: f.groupSize !== undefined ? sizesOf() : undefined,
    verdictAt: byIndex && ((i) => byIndex.get(i)),
    onProgress: ctx.progress,
    cancelled: ctx.cancelled,
  });
}

if (start) {
  let ds: Dataset | undefined;
  try {
    ds = run(start);
  } catch (e) {
    post({ type: 'failed', message: (e as Error).message });
  }
  if (ds) serve(ds);
}
