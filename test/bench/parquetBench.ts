/**
 * Parquet memory check (npm run bench -- parquet): writes (once, never committed) a Q-Bench-HF-style
 * parquet holding ~1 GB of embedded JPEGs under bench-data/, then, in a fresh process under GNU time,
 * opens it, reads the first items and a far one, and decodes two images. Prints the bytes read from
 * disk and the peak RSS against the file size: opening must read the footer and the rows shown, not
 * the images. Then the extension host's share (issue #15) on a 200,000-row parquet of metadata in row
 * groups of 20,000: what opening, group sizes, a sample by a field and a text filter cost on the
 * calling thread (the old way), and the longest stall and tick count of this thread while
 * DatasetCache does the same through the index worker (the new way). Figures, not a test.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import sharp from 'sharp';
import { filterRecords } from '../../src/core/browseFilter';
import { Dataset } from '../../src/core/dataset';
import { drawSample } from '../../src/core/sampling';
import { groupSizes, parseStrata } from '../../src/core/strata';
import { DatasetCache } from '../../src/extension/datasetCache';
import { countTicks, watchEventLoop } from '../support/eventLoopStall';
import { writeMcqParquet, writeParquet, type TestColumn } from '../support/parquetWriter';

const ROOT = path.resolve(__dirname, '../../..');
const FILE = path.join(ROOT, 'bench-data', 'qbench-images-1gb.parquet');
const ROWS = 1600;
const GROUP = 100;

async function generate(): Promise<void> {
  if (fs.existsSync(FILE)) return;
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  console.log('generating a parquet with ~1 GB of images …');
  // 24 distinct noisy pictures of ~420 KB, reused: the file is large, the generator's memory is not
  const pics = await Promise.all(
    Array.from({ length: 24 }, (_, i) =>
      sharp({
        create: { width: 1024, height: 768, channels: 3, background: { r: i * 10, g: 100, b: 200 - i * 5 }, noise: { type: 'gaussian', mean: 120, sigma: 60 } },
      })
        .jpeg({ quality: 92 })
        .toBuffer(),
    ),
  );
  const n = (f: (i: number) => string) => Array.from({ length: ROWS }, (_, i) => f(i));
  const cols: TestColumn[] = [
    { name: 'id', kind: 'string', values: n((i) => `qb-${i}`) },
    { name: 'image', kind: 'image', values: Array.from({ length: ROWS }, (_, i) => ({ bytes: pics[i % pics.length], path: `${i}.jpg` })) },
    { name: 'question', kind: 'string', values: n((i) => `How is the sharpness of image ${i}?`) },
    { name: 'option0', kind: 'string', values: n(() => 'High') },
    { name: 'option1', kind: 'string', values: n(() => 'Medium') },
    { name: 'option2', kind: 'string', values: n(() => 'Low') },
    { name: 'option3', kind: 'string', values: n(() => 'N/A') },
    { name: 'correct_choice', kind: 'string', values: n((i) => 'ABC'[i % 3]) },
    { name: 'question_type', kind: 'string', values: n(() => 'what') },
    { name: 'question_concern', kind: 'string', values: n(() => 'distortion') },
  ];
  writeParquet(
    FILE,
    cols,
    Array.from({ length: ROWS / GROUP }, () => GROUP),
  );
}

const PROBE = `
const { Dataset } = require(${JSON.stringify(path.join(ROOT, 'out/src/core/dataset.js'))});
const { embeddedImageBytes } = require(${JSON.stringify(path.join(ROOT, 'out/src/core/parquet/embeddedImages.js'))});
const t0 = performance.now();
const ds = Dataset.open(process.argv[1]);
const src = ds.parquet;
const afterOpen = src.bytesRead;
const first = ds.item(0);
const openToFirstItemMs = performance.now() - t0;
for (let i = 1; i < 10; i++) ds.item(i);
const afterItems = src.bytesRead;
const img0 = embeddedImageBytes(first.images[0]).length;
const far = ds.item(${ROWS - 7});
const img1 = embeddedImageBytes(far.images[0]).length;
console.log(JSON.stringify({ rows: ds.count, format: ds.format, groups: src.rowGroups().length, afterOpen, afterItems, afterImages: src.bytesRead, img0, img1, openToFirstItemMs }));
ds.close();
`;

async function main(): Promise<void> {
  await generate();
  const size = fs.statSync(FILE).size;
  const r = spawnSync('time', ['-f', '%e %M', process.execPath, '-e', PROBE, FILE], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  const [sec, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  const j = JSON.parse(r.stdout.trim()) as Record<string, number>;
  const mb = (b: number) => (b / 1e6).toFixed(1);
  console.log(`file ${mb(size)} MB, ${j.rows} rows in ${j.groups} row groups (${j.format})`);
  console.log(
    `  open + first item: ${j.openToFirstItemMs.toFixed(0)} ms; read ${mb(j.afterOpen)} MB to open (footer + format detection on the first rows), ${mb(j.afterItems)} MB after 10 items`,
  );
  console.log(
    `  two images decoded (${mb(j.img0)} + ${mb(j.img1)} MB, from two row groups): ${mb(j.afterImages)} MB read in all = ${((100 * j.afterImages) / size).toFixed(1)} % of the file`,
  );
  console.log(`  process: ${sec.toFixed(2)} s, peak RSS ${(kb / 1024).toFixed(0)} MB (${(((kb * 1024) / size) * 100).toFixed(1)} % of the file size)`);
}

const META = path.join(ROOT, 'bench-data', 'qbench-meta-200k.parquet');
const META_ROWS = 200_000;
const META_GROUP = 20_000;

function generateMeta(): void {
  if (fs.existsSync(META)) return;
  writeMcqParquet(META, META_ROWS, META_GROUP);
}

/** The extension host's share of a large parquet: the old way (this thread reads) against the index worker. */
async function hostShare(): Promise<void> {
  generateMeta();
  const load = () => os.loadavg()[0].toFixed(1);
  console.log(`\nhost share: ${(fs.statSync(META).size / 1e6).toFixed(0)} MB, ${META_ROWS} rows in groups of ${META_GROUP} (load ${load()})`);
  const strata = parseStrata('field:subset');
  const opts = { name: 'b', seed: 1, size: 40, strata, planDir: path.join(ROOT, 'bench-data', 'plan-parquet') };
  const spec = { text: 'image 4567?' };
  const ms = (f: () => unknown): string => {
    const t0 = performance.now();
    f();
    return `${(performance.now() - t0).toFixed(0)} ms`;
  };
  // Old way: each step blocks this thread for its whole duration.
  let ds: Dataset | undefined;
  console.log(`  old (this thread): open + format ${ms(() => (ds = Dataset.open(META)))}`);
  console.log(`    item in a far row group ${ms(() => ds!.item(META_ROWS - 5))}; group sizes ${ms(() => groupSizes(ds!))}`);
  console.log(`    sample by field ${ms(() => drawSample(ds!, opts))}; text filter ${ms(() => filterRecords(ds!, spec, () => undefined))} (load ${load()})`);
  ds!.close();
  // New way: the same through DatasetCache and its index worker; this thread only waits.
  const cache = new DatasetCache();
  const stop = watchEventLoop();
  const ticks = countTicks();
  const t0 = performance.now();
  const job = cache.acquireInBackground(META);
  const open = await job.done;
  const tOpen = performance.now() - t0;
  await cache.sample(open, opts);
  const tSample = performance.now() - t0;
  await job.worker!.filter(spec, new Map());
  const tAll = performance.now() - t0;
  const n = ticks.stop();
  const loop = stop();
  const t1 = performance.now();
  open.item(META_ROWS - 5);
  const far = performance.now() - t1;
  console.log(
    `  new (index worker): open ${tOpen.toFixed(0)} ms, + sample by field ${tSample.toFixed(0)} ms, + text filter ${tAll.toFixed(0)} ms; this thread: ${n} ticks, longest stall ${loop.stallMs.toFixed(0)} ms (load ${load()})`,
  );
  console.log(`    still on this thread: an item in a far row group ${far.toFixed(0)} ms (its row group decoded to show it)`);
  cache.release(open);
  cache.dispose();
}

main()
  .then(() => hostShare())
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
