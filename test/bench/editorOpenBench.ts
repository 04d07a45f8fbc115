/**
 * `npm run bench editor-open`: opening a large dataset for the curator editor through the host's own
 * code path (src/extension/datasetCache.ts → the index worker), without VS Code, while the event
 * loop is watched (perf_hooks monitorEventLoopDelay plus a 1 ms ticker). Prints, cold (fresh cache
 * folder) and cached: time to item 0 (read from the head), time to the whole index, and the longest
 * stall of this thread; then the group-size filter (from the index) and a text filter (in the
 * worker); and, for reference, the old way (indexing in this thread). Then the other paths that open a
 * dataset (issue #15): New Spot Check (open + a 250-item sample stratified by group size) and opening
 * a review (SpotCheckSession), the new way (DatasetCache.acquireAsync, the sample drawn in the
 * worker) against the old way (Dataset.open + drawSample here), cold and cached; browse's sort by
 * suspicion (DatasetCache.suspicion, in the worker, against core datasetSuspicion here); and a
 * dataset whose ids repeat (the id table's size in the `done` message). Each stall is given wall
 * clock and, on Linux, the CPU time this thread spent in it; the host's time per kind of worker
 * message counts its deserialization (IndexWorker.hostMs). Figures, not tests.
 * Uses bench-data/coinstruct-N.json from `npm run bench core` when present, else generates one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { filterRecords } from '../../src/core/browseFilter';
import { datasetSuspicion } from '../../src/core/claims/datasetSuspicion';
import { Dataset } from '../../src/core/dataset';
import { writePlan } from '../../src/core/plan';
import { drawSample } from '../../src/core/sampling';
import { SpotCheckSession } from '../../src/core/spotCheckSession';
import { parseStrata } from '../../src/core/strata';
import { DatasetCache } from '../../src/extension/datasetCache';
import { watchEventLoop as watchLoop, type LoopStall } from '../support/eventLoopStall';
import type { IndexWorker } from '../../src/core/indexWorkerClient';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const N = Number(process.env.BENCH_RECORDS ?? 562_000);
const shared = path.join(ROOT, 'bench-data', `coinstruct-${N}.json`);
const own = path.join(ROOT, 'bench-data', 'editor-open', `records-${N}.json`);

function generate(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(`${file}.tmp`, 'w');
  const pending: string[] = ['['];
  for (let i = 0; i < N; i++) {
    const n = 1 + (i % 4);
    const imgs = Array.from({ length: n }, (_, k) => `pics/${(i + k) % 5000}.png`);
    const ask = `${imgs.map(() => '<image>').join(' ')} Compare the sharpness, noise and colour of ${n === 1 ? 'this image' : `these ${n} images`}.`;
    const answer = `Image ${1 + (i % n)} is the sharpest; record ${i} shows ${['noise', 'blur', 'banding', 'glare'][i % 4]} elsewhere.`;
    const rec = {
      id: `rec${i}`,
      image: n === 1 ? imgs[0] : imgs,
      conversations: [
        { from: 'human', value: ask },
        { from: 'gpt', value: answer },
      ],
    };
    pending.push(`${JSON.stringify(rec, null, 2)}${i < N - 1 ? ',' : ''}`);
    if (pending.length >= 4096) fs.writeSync(fd, pending.splice(0).join('\n') + '\n');
  }
  fs.writeSync(fd, `${pending.join('\n')}\n]\n`);
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
}

const ms = (x: number): string => `${x.toFixed(0)} ms`;

/** "longest host stall W ms (C ms of it on a CPU; event-loop delay max H ms)". */
const stallOf = (l: LoopStall): string =>
  `longest host stall ${ms(l.stallMs)} (${Number.isNaN(l.busyMs) ? '' : `most CPU in one stall ${ms(l.busyMs)}; `}event-loop delay max ${ms(l.histMaxMs)})`;

/** The host's longest time per kind of worker message (deserializing included where the client counts it). */
function perMessage(w: IndexWorker | undefined): string {
  if (!w) return '';
  const per = (w as { hostMs?: Record<string, number> }).hostMs;
  if (!per) return `; longest worker message handled here ${ms(w.hostMaxMs)}`;
  return `; host per worker message: ${Object.entries(per)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ')} ms`;
}

async function openOnce(file: string, label: string): Promise<void> {
  const cache = new DatasetCache();
  const stop = watchLoop();
  const t0 = performance.now();
  const job = cache.acquireInBackground(file);
  const head = await job.head;
  const headItem = head?.item(0);
  const tHead = performance.now() - t0;
  const ds = await job.done;
  const tDone = performance.now() - t0;
  const loop = stop();
  const same = !headItem || JSON.stringify(headItem) === JSON.stringify(ds.item(0));
  console.log(
    `${label.padEnd(7)} item 0 ${ms(tHead)} (head of ${head?.count ?? 0} records, ${((head?.bytes ?? 0) / 1024).toFixed(0)} KiB${same ? '' : ', DIFFERS from the index'}) · whole index ${ms(tDone)} (${ds.count.toLocaleString('en')} records, cache ${job.worker?.timings?.cacheHit ? 'hit' : 'miss'}) · ${stallOf(loop)}${perMessage(job.worker)}`,
  );
  const worker = job.worker;
  if (!worker) return cache.release(ds);
  for (let k = 0; k < 3000 && !worker.groupSizes; k++) await new Promise((r) => setTimeout(r, 10));
  const stopF = watchLoop();
  const tg = performance.now();
  const pairs = filterRecords(ds, { groupSize: 2 }, () => undefined, { groupSizes: worker.groupSizes });
  const gMs = performance.now() - tg;
  const tt = performance.now();
  const text = await worker.filter({ text: 'noise' }, new Map());
  const tMs = performance.now() - tt;
  const f = stopF();
  console.log(
    `${''.padEnd(7)} group-size filter from the index ${ms(gMs)} (${pairs?.length.toLocaleString('en')} pairs) · text filter in the worker ${ms(tMs)} (${text?.length.toLocaleString('en')} matches) · ${stallOf(f)}`,
  );
  cache.release(ds);
}

/** A JSON array of `n` records whose ids come in pairs when `pairs`, else are unique (written to a temporary folder). */
function writeRecords(file: string, n: number, pairs: boolean): void {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const rec = {
      id: pairs ? `pair-${i >> 1}` : `rec-${i}`,
      image: `pics/${i % 500}.png`,
      conversations: [
        { from: 'human', value: '<image> How good is it?' },
        { from: 'gpt', value: `Sharp, a little noise; record ${i}.` },
      ],
    };
    lines.push(JSON.stringify(rec));
  }
  fs.writeFileSync(file, `[\n${lines.join(',\n')}\n]\n`);
}

/**
 * Browse's sort by suspicion (no image of these records is on disk: every record is read and its
 * label parsed, no image measured), the new way (DatasetCache.suspicion: in the index worker) and
 * the old way (core datasetSuspicion on this thread), each into a fresh curation folder. 60,000
 * records: the label audit takes ~0.4 ms a record on this machine, minutes on the 562K file.
 */
async function suspicionPaths(): Promise<void> {
  const cache = new DatasetCache();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-suspicion-'));
  const file = path.join(dir, 'records.json');
  try {
    writeRecords(file, 60_000, false);
    const ds = await cache.acquireAsync(file);
    const inWorker = (cache as { suspicion?: DatasetCache['suspicion'] }).suspicion?.bind(cache);
    for (const way of ['new', 'old'] as const) {
      if (way === 'new' && !inWorker) {
        console.log('  new way: none (this build measures suspicion on the host)');
        continue;
      }
      const stop = watchLoop();
      const t = performance.now();
      const curationFolder = path.join(dir, way);
      const r = way === 'new' && inWorker ? await inWorker(ds, { curationFolder }) : await datasetSuspicion(ds, { curationFolder });
      const took = performance.now() - t;
      const loop = stop();
      console.log(`  ${way} way sort by suspicion ${ms(took).padStart(8)} (${r.scores.length.toLocaleString('en')} records) · ${stallOf(loop)}`);
    }
    cache.release(ds);
  } finally {
    cache.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A dataset whose ids come in pairs: the `done` message carries an id table with an entry per record. */
async function repeatedIds(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pairs-'));
  const file = path.join(dir, 'pairs.json');
  try {
    writeRecords(file, 200_000, true);
    await openOnce(file, `ids ×2`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Empties the persistent index folder: the next open scans the file. */
function forget(cacheDir: string): void {
  for (const f of fs.readdirSync(cacheDir)) fs.rmSync(path.join(cacheDir, f), { recursive: true, force: true });
}

/** New Spot Check and opening a review, new way and old way, cold and cached: the longest stall of this thread each time. */
async function movedPaths(file: string, cacheDir: string): Promise<void> {
  const plans = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-plans-'));
  const planDir = path.join(plans, 'spotchecks', 'bench');
  const sampleOpts = { name: 'bench', seed: 1, size: 250, strata: parseStrata('groupSize'), planDir, createdBy: 'bench', now: new Date(0) };
  const oldSource = {
    acquireAsync: async (f: string) => Dataset.open(f),
    release: (d: Dataset) => d.close(),
  };
  try {
    console.log('New Spot Check (open + 250 items stratified by group size) and opening a review:');
    for (const way of ['new', 'old'] as const) {
      for (const what of ['New Spot Check', 'review'] as const) {
        forget(cacheDir);
        for (const state of ['cold', 'cached'] as const) {
          const cache = new DatasetCache();
          const stop = watchLoop();
          const t = performance.now();
          let detail = '';
          if (what === 'New Spot Check') {
            let ds: Dataset;
            let plan;
            if (way === 'new') {
              ds = await cache.acquireAsync(file);
              plan = await cache.sample(ds, sampleOpts);
            } else {
              ds = Dataset.open(file);
              plan = drawSample(ds, sampleOpts);
            }
            detail = `${plan.items.length} items`;
            if (!fs.existsSync(path.join(planDir, 'plan.json'))) writePlan(planDir, plan);
            if (way === 'new') cache.release(ds);
            else ds.close();
          } else {
            // The old way: the session's dataset opened synchronously in this thread (Dataset.open).
            const s = await SpotCheckSession.open(planDir, 'bench', way === 'new' ? cache : oldSource);
            detail = `item 1 of ${s.plan.items.length}: #${s.datasetIndex(0)}`;
            s.ds.item(s.datasetIndex(0));
            s.dispose();
          }
          const took = performance.now() - t;
          const loop = stop();
          cache.dispose();
          console.log(`  ${way} way ${what.padEnd(14)} ${state.padEnd(6)} ${ms(took).padStart(8)} (${detail}) · ${stallOf(loop)}`);
        }
      }
    }
  } finally {
    fs.rmSync(plans, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const file = fs.existsSync(shared) ? shared : own;
  if (!fs.existsSync(file)) {
    console.log(`generating ${file} …`);
    generate(file);
  }
  console.log(`${file}: ${(fs.statSync(file).size / 1e6).toFixed(0)} MB; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-editor-open-'));
  process.env.COCURATE_CACHE_DIR = cacheDir; // a fresh cache folder: the first open is cold
  try {
    await openOnce(file, 'cold');
    await openOnce(file, 'cached');
    const stop = watchLoop();
    const t = performance.now();
    const old = Dataset.open(file, { cache: false });
    old.item(0);
    const oldMs = performance.now() - t;
    const loop = stop();
    console.log(`old way (index in the host, no cache): item 0 after ${ms(oldMs)}; ${stallOf(loop)}`);
    old.close();
    console.log('A dataset of 200,000 records whose ids come in pairs (cold):');
    await repeatedIds();
    await movedPaths(file, cacheDir);
    console.log('Sort by suspicion (browse) on 60,000 records:');
    await suspicionPaths();
    console.log(`load average ${os.loadavg()[0].toFixed(1)} after the runs`);
    console.log('budget (issue #15): the extension host never blocks for more than 50 ms; first item < 500 ms cold, < 300 ms cached');
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
