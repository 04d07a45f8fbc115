/**
 * Parquet datasets off the extension host (issue #15; ARCHITECTURE.md › Opening a large dataset):
 * a parquet file of 1 MiB or more goes to the index worker like a large JSON file. Detecting its
 * format, its group sizes, samples whose strata read every record, and browse filters that read
 * records decode every row group, which on the host blocked it for seconds; with the real index
 * worker (out/src/core/indexWorker.js) a 1 ms interval in this thread keeps ticking while
 * DatasetCache opens the file and draws a sample by a field, and the host's dataset (its footer,
 * opened here in the worker's format) reads the same records, keys, sample, filter matches and
 * group sizes as Dataset.open on this thread. A small parquet still opens here.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { filterRecords } from '../../src/core/browseFilter';
import { Dataset } from '../../src/core/dataset';
import type { Item } from '../../src/core/item';
import { drawSample } from '../../src/core/sampling';
import { groupSizes, parseStrata } from '../../src/core/strata';
import { BACKGROUND_MIN_BYTES, DatasetCache } from '../../src/extension/datasetCache';
import { countTicks } from '../support/eventLoopStall';
import { writeMcqParquet } from '../support/parquetWriter';

const ROWS = 60_000;
const GROUP = 10_000;
/** Fewest ticks of a 1 ms interval while the worker opens and samples: decoding six row groups there takes far longer. */
const MIN_TICKS = 5;

describe('parquet datasets open and are read in the index worker (issue #15)', function () {
  this.timeout(240_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parquet-host-'));
  const big = path.join(tmp, 'big.parquet');
  const small = path.join(tmp, 'small.parquet');

  before(() => {
    writeMcqParquet(big, ROWS, GROUP);
    writeMcqParquet(small, 200, 100);
    assert.ok(fs.statSync(big).size > BACKGROUND_MIN_BYTES);
    assert.ok(fs.statSync(small).size < BACKGROUND_MIN_BYTES);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('opening and a sample by a field run in the worker while this thread ticks; the same dataset and plan as on this thread', async () => {
    const cache = new DatasetCache();
    const sync = Dataset.open(big);
    try {
      const opts = { name: 'p', seed: 'pq', size: 40, strata: parseStrata('field:subset'), planDir: path.join(tmp, 'plans', 'p'), now: new Date(0) };
      const ticks = countTicks();
      const t0 = performance.now();
      const job = cache.acquireInBackground(big);
      const ds = await job.done;
      const plan = await cache.sample(ds, opts);
      const ms = performance.now() - t0;
      const n = ticks.stop();
      console.log(
        `      figure: parquet ${(fs.statSync(big).size / 1e6).toFixed(0)} MB, open + sample by field: ${n} ticks in ${ms.toFixed(0)} ms (load ${os.loadavg()[0].toFixed(1)})`,
      );
      assert.ok(n >= MIN_TICKS, `this thread ticked ${n} times while the parquet opened and was sampled (at least ${MIN_TICKS} expected)`);
      assert.ok(job.worker, 'indexed by a worker');
      const fresh = new DatasetCache();
      assert.equal(fresh.isQuick(big), false, 'not opened at once (commands show progress)');
      fresh.dispose();

      assert.equal(ds.container, 'parquet');
      assert.equal(ds.format, sync.format);
      assert.equal(ds.count, ROWS);
      for (const i of [0, 1, 9_999, 10_000, 33_333, ROWS - 1]) {
        assert.deepEqual(ds.item(i), sync.item(i), `item ${i}`);
        assert.equal(ds.keyFor(i), sync.keyFor(i));
      }
      assert.equal(ds.findKey('qb-45678'), 45_678);
      assert.deepEqual(plan, drawSample(sync, opts));

      // Browse: group sizes from the worker's columns, a text filter answered in the worker.
      await until(() => job.worker!.groupSizes !== undefined);
      assert.deepEqual(job.worker!.groupSizes, groupSizes(sync));
      const spec = { text: 'image 4567?' };
      const matches = await job.worker!.filter(spec, new Map());
      assert.deepEqual(
        matches,
        filterRecords(sync, spec, () => undefined),
      );
      assert.equal(matches?.length, 1);
      cache.release(ds);
    } finally {
      sync.close();
      cache.dispose();
    }
  });

  it('records shown from a parquet opened by the worker are decoded there: this thread reads no column chunk and ticks meanwhile', async () => {
    const cache = new DatasetCache();
    const sync = Dataset.open(big);
    try {
      const ds = await cache.acquireAsync(big);
      const src = ds.parquet!;
      const read = src.bytesRead; // the footer only
      const rows = [0, 1, 10_000, 25_000, 33_333, 40_001, 50_000, ROWS - 1];
      const ticks = countTicks();
      const items: Item[] = [];
      const images: Buffer[] = [];
      for (const i of rows) {
        await ds.prepare([i], { images: true });
        items.push(ds.item(i));
        images.push(src.imageBytes(i, 'image')!); // this dataset's own source (embeddedImageBytes may answer from `sync`, same file)
      }
      const n = ticks.stop();
      console.log(`      figure: ${rows.length} records from 6 row groups: ${n} ticks; bytes read on this thread ${src.bytesRead - read}`);
      assert.equal(src.bytesRead, read, 'no column chunk (records or images) read on this thread');
      assert.ok(n >= MIN_TICKS, `this thread ticked ${n} times while 6 row groups were decoded (at least ${MIN_TICKS} expected)`);
      rows.forEach((i, k) => {
        assert.deepEqual(items[k], sync.item(i), `item ${i}`);
        assert.deepEqual(images[k], sync.parquet!.imageBytes(i, 'image'), `image of ${i}`);
      });
      // The id table came from the worker: finding a key reads no id column here either.
      assert.equal(ds.findKey('qb-45678'), 45_678);
      assert.equal(src.bytesRead, read);
      cache.release(ds);
    } finally {
      sync.close();
      cache.dispose();
    }
  });

  it('a folder of shards of 1 MiB or more goes to the worker too; the same records as Dataset.open', async () => {
    const folder = path.join(tmp, 'shards');
    fs.mkdirSync(folder);
    writeMcqParquet(path.join(folder, 'part-0.parquet'), 20_000, 10_000);
    writeMcqParquet(path.join(folder, 'part-1.parquet'), 20_000, 10_000);
    const cache = new DatasetCache();
    const sync = Dataset.open(folder);
    try {
      assert.equal(cache.isQuick(folder), false);
      const job = cache.acquireInBackground(folder);
      const ds = await job.done;
      assert.ok(job.worker, 'indexed by a worker');
      assert.equal(ds.count, 40_000);
      for (const i of [0, 19_999, 20_000, 39_999]) assert.deepEqual(ds.item(i), sync.item(i), `item ${i}`);
      cache.release(ds);
    } finally {
      sync.close();
      cache.dispose();
    }
  });

  it('a small parquet opens here, with no worker', async () => {
    const cache = new DatasetCache();
    try {
      assert.equal(cache.isQuick(small), true);
      const job = cache.acquireInBackground(small);
      assert.equal(job.worker, undefined);
      const ds = await job.done;
      assert.equal(ds.count, 200);
      cache.release(ds);
    } finally {
      cache.dispose();
    }
  });
});

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 6000 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok(), 'timed out waiting');
}
