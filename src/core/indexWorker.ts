/**
 * The worker thread that indexes a dataset for the extension host (ARCHITECTURE.md › Opening a
 * large dataset). Started by indexWorkerClient.ts with the file and its open options, it posts, in
 * order: the first records' bytes (`head`), progress while it scans (`progress`), the whole index
 * with the id table (`done`), then the group sizes (`columns`). It then stays to answer browse
 * filters that must read records, to draw spot-check samples (`sample`) and to run hunts (`hunt`:
 * the label audit, which reads every record and image), so the host never
 * reads the whole file itself. The persistent
 * index (indexCache.ts) is used through Dataset.open: a cached reopen scans nothing.
 */
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { FilterCancelled, filterRecords, subsetNames, verdictsByIndex } from './browseFilter';
import { Dataset } from './dataset';
import type { IndexWorkerData, IndexedColumns, ToHost, ToWorker } from './indexWorkerProtocol';
import { detectContainer, indexBuffer, type RecordIndex } from './recordIndex';
import { openRegularFile } from './regularFile';
import { drawSample } from './sampling';
import { groupSizes } from './strata';
import type { VerdictValue } from './verdicts';

const port = parentPort;
const HEAD_MIN = 1 << 18;
const HEAD_MAX = 1 << 24;
const PROGRESS_MS = 100;

function post(m: ToHost, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(m, transfer);
}

/** The file's first bytes holding at least one whole record (256 KiB, growing up to 16 MiB), cut after the last whole JSONL line. */
function readHead(file: string, data: IndexWorkerData): { bytes: Buffer; size: number } {
  const { fd, stat } = openRegularFile(file);
  try {
    for (let want = HEAD_MIN; ; want *= 4) {
      const buf = Buffer.allocUnsafe(Math.min(want, stat.size));
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      let bytes = buf.subarray(0, n);
      const whole = n >= stat.size;
      const container = data.container ?? detectContainer(bytes.subarray(0, 65536), file);
      if (!whole && container === 'jsonl') bytes = bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1);
      if (whole || want >= HEAD_MAX || indexBuffer(bytes, { container, fileName: file }).count > 0) return { bytes, size: stat.size };
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The index as plain columns (copies: the worker keeps its own dataset for filters). */
function columnsOf(ix: RecordIndex): { cols: IndexedColumns; transfer: ArrayBuffer[] } {
  const n = ix.count;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const lines = new Float64Array(n);
  const idHashes = new Float64Array(n);
  const grouped = ix.container === 'grouped';
  const groupIds = grouped ? new Float64Array(n) : undefined;
  const groupNames: string[] = [];
  const groupId = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    starts[i] = ix.start(i);
    ends[i] = ix.end(i);
    lines[i] = ix.line(i);
    idHashes[i] = ix.idHash(i);
    if (!groupIds) continue;
    const g = ix.group(i) ?? '';
    if (!groupId.has(g)) groupId.set(g, groupNames.push(g) - 1);
    groupIds[i] = groupId.get(g) as number;
  }
  const cols: IndexedColumns = {
    container: ix.container,
    bytes: ix.bytes,
    starts,
    ends,
    lines,
    idHashes,
    groupIds,
    groupNames,
    errors: ix.errors,
    errorsOmitted: ix.errorsOmitted,
  };
  const transfer = [starts, ends, lines, idHashes, ...(groupIds ? [groupIds] : [])].map((a) => a.buffer as ArrayBuffer);
  return { cols, transfer };
}

function run(data: IndexWorkerData): Dataset {
  const t0 = performance.now();
  const head = readHead(data.file, data);
  const copy = new Uint8Array(head.bytes); // its own buffer, moved to the host without a copy
  post({ type: 'head', bytes: copy, size: head.size }, [copy.buffer]);
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
      post({ type: 'progress', records, bytes, size: head.size });
    },
  });
  const indexMs = performance.now() - t0;
  const ids = ds.ids();
  const subsets = subsetNames(ds);
  const { cols, transfer } = columnsOf(ds.index);
  const hashes = ids.hashes.slice();
  post(
    {
      type: 'done',
      index: cols,
      ids: { hashes, duplicates: ids.duplicates, duplicateIds: ids.duplicateIds },
      format: ds.format,
      mtimeMs: ds.mtimeMs,
      subsets,
      cache: ds.indexCache,
      ms: { head: headMs, index: indexMs, total: performance.now() - t0 },
    },
    [...transfer, hashes.buffer as ArrayBuffer],
  );
  return ds;
}

/** A hunt: the label audit (its cue pool and sharp are loaded only now) and the plan, with progress and cancellation. */
async function hunt(ds: Dataset, m: Extract<ToWorker, { type: 'hunt' }>): Promise<void> {
  const cancel = new Int32Array(m.cancel);
  const abort = new AbortController();
  const poll = setInterval(() => {
    if (Atomics.load(cancel, 0) !== 0) abort.abort();
  }, 50);
  try {
    const { auditDataset } = await import('./claims/auditLabels');
    const { buildHuntPlan } = await import('./claims/huntPlan');
    let last = -Infinity;
    const audit = await auditDataset(ds, {
      ...m.audit,
      signal: abort.signal,
      onProgress: (done, total) => {
        const now = performance.now();
        if (now - last < PROGRESS_MS && done < total) return;
        last = now;
        post({ type: 'huntProgress', id: m.id, done, total });
      },
    });
    const plan = buildHuntPlan(ds, audit.items, m.plan);
    post({ type: 'huntDone', id: m.id, plan, cancelled: abort.signal.aborted, stats: audit.stats, warnings: audit.warnings.slice(0, 100) });
  } catch (e) {
    post({ type: 'huntFailed', id: m.id, message: (e as Error).message });
  } finally {
    clearInterval(poll);
  }
}

function serve(ds: Dataset): void {
  let sizes: Int32Array | undefined;
  const sizesOf = (): Int32Array => (sizes ??= groupSizes(ds));
  const s = sizesOf();
  post({ type: 'columns', groupSizes: s.slice() });
  port?.on('message', (m: ToWorker) => {
    if (m.type === 'hunt') {
      void hunt(ds, m);
      return;
    }
    if (m.type === 'sample') {
      try {
        post({ type: 'sampleDone', id: m.id, plan: drawSample(ds, m.opts) });
      } catch (e) {
        post({ type: 'sampleFailed', id: m.id, message: (e as Error).message });
      }
      return;
    }
    const cancel = new Int32Array(m.cancel);
    const verdicts = new Map<string, VerdictValue>(m.verdicts);
    const f = m.filter;
    const judging = !!f.verdict && f.verdict !== 'any';
    try {
      const byIndex = judging ? verdictsByIndex(ds, verdicts) : undefined;
      let last = 0;
      const matches = filterRecords(ds, f, (k) => verdicts.get(k), {
        groupSizes: f.groupSize !== undefined ? sizesOf() : undefined,
        verdictAt: byIndex && ((i) => byIndex.get(i)),
        onProgress: (done, total) => {
          const now = performance.now();
          if (now - last < PROGRESS_MS) return;
          last = now;
          post({ type: 'filterProgress', id: m.id, done, total });
        },
        cancelled: () => Atomics.load(cancel, 0) !== 0,
      });
      post({ type: 'filterDone', id: m.id, matches }, matches ? [matches.buffer as ArrayBuffer] : []);
    } catch (e) {
      post({ type: 'filterFailed', id: m.id, cancelled: e instanceof FilterCancelled, message: (e as Error).message });
    }
  });
}

if (port) {
  let ds: Dataset | undefined;
  try {
    ds = run(workerData as IndexWorkerData);
  } catch (e) {
    post({ type: 'failed', message: (e as Error).message });
  }
  if (ds) serve(ds);
}
