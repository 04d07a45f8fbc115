/**
 * What the index worker's messages cost the thread that started it (issue #15: the extension host
 * never blocks for more than 50 ms), with the real worker (out/src/core/indexWorker.js). The head
 * is small and indexed in the worker, so the host only wraps it; the `done` message carries the id
 * table as typed arrays (a Set and a Map with an entry per duplicated record cost the receiving
 * thread tens of milliseconds to deserialize), and `hostMs` counts each message's
 * deserialization with its handling. Browse's suspicion scores are worked out in the worker
 * (DatasetCache.suspicion), equal to core datasetSuspicion on this thread, and can be cancelled.
 * Counts and equality only: never a time.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { datasetSuspicion, SUSPICION_FILE } from '../../src/core/claims/datasetSuspicion';
import { Dataset, type IdTable } from '../../src/core/dataset';
import { LoadedIndex } from '../../src/core/indexCache';
import { IndexCancelled, IndexWorker } from '../../src/core/indexWorkerClient';
import { BACKGROUND_MIN_BYTES, DatasetCache } from '../../src/extension/datasetCache';
import { countTicks } from '../support/eventLoopStall';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'host-stall-'));
const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Ticks of a 1 ms interval while the worker works: a host thread doing the work would let none through. */
const MIN_TICKS = 3;

function record(i: number, id: string, label = `Record ${i}: sharp detail, natural colour.`): object {
  return {
    id,
    image: `img/${i % 50}.jpg`,
    conversations: [
      { from: 'human', value: '<image>\nHow is the quality of this image?' },
      { from: 'gpt', value: label },
    ],
  };
}

function writeArray(name: string, recs: object[]): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, `[\n${recs.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`);
  return file;
}

/** The id table with its sets in a fixed order (a Set's order is not part of its meaning). */
function idDump(t: IdTable): { hashes: number[]; duplicates: number[]; duplicateIds: [string, number[]][] } {
  return {
    hashes: [...t.hashes],
    duplicates: [...t.duplicates].sort((a, b) => a - b),
    duplicateIds: [...t.duplicateIds].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

describe('the host’s share of a dataset indexed in a worker', function () {
  this.timeout(180_000);
  const workers: IndexWorker[] = [];
  const datasets: Dataset[] = [];
  after(() => {
    for (const w of workers) w.dispose();
    for (const d of datasets) d.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const start = (file: string): IndexWorker => {
    const w = new IndexWorker(file, { cache: { dir: path.join(tmp, 'cache'), minBytes: 0 } });
    workers.push(w);
    return w;
  };

  it('the head is a few KiB, indexed in the worker: item 0 comes from it, equal to the whole dataset’s', async () => {
    const file = writeArray(
      'small-records.json',
      Array.from({ length: 20_000 }, (_, i) => record(i, `s-${i}`)),
    );
    const w = start(file);
    const head = await w.head;
    assert.ok(head, 'a head');
    datasets.push(head);
    assert.ok(head.bytes <= 64 * 1024, `the head holds ${head.bytes} bytes (the first read is 32 KiB)`);
    assert.ok(head.count >= 1 && head.count < 200, `head of ${head.count} records`);
    assert.ok(head.index instanceof LoadedIndex, 'the head arrives indexed: this thread builds no index of it');
    const ds = await w.done;
    datasets.push(ds);
    for (const i of [0, head.count - 1]) assert.deepEqual(head.item(i), ds.item(i));
    assert.equal(typeof w.hostMs.head, 'number', 'the head message was counted');
  });

  it('a first record longer than the first read: the head grows until it holds it whole', async () => {
    const long = 'a very long label. '.repeat(12_000); // ~228 KB
    const file = writeArray('long-first.json', [record(0, 'long-0', long), ...Array.from({ length: 8_000 }, (_, i) => record(i + 1, `l-${i + 1}`))]);
    assert.ok(fs.statSync(file).size >= BACKGROUND_MIN_BYTES);
    const w = start(file);
    const head = await w.head;
    assert.ok(head, 'a head');
    datasets.push(head);
    const sync = Dataset.open(file, { cache: false });
    datasets.push(sync);
    assert.deepEqual(head.item(0), sync.item(0));
    assert.equal(head.item(0).label, long);
    datasets.push(await w.done);
  });

  it('done: a dataset where most ids repeat arrives with an id table equal to the synchronous one; hostMs counts the message', async () => {
    // 120,000 records, ids in pairs: 120,000 duplicated records under 60,000 ids.
    const file = writeArray(
      'pairs.json',
      Array.from({ length: 120_000 }, (_, i) => record(i, `p-${i >> 1}`)),
    );
    const w = start(file);
    const ds = await w.done;
    datasets.push(ds);
    const sync = Dataset.open(file, { cache: false });
    datasets.push(sync);
    const [got, want] = [ds.ids(), sync.ids()];
    assert.equal(want.duplicates.size, 120_000);
    assert.equal(got.duplicates.size, 120_000);
    assert.deepEqual(idDump(got), idDump(want));
    for (const i of [0, 1, 77_777, 119_999]) {
      assert.equal(ds.keyFor(i), sync.keyFor(i));
      assert.equal(ds.keyFor(i), `#${i}`, 'a shared id falls back to the index key');
    }
    assert.equal(ds.findKey('p-300'), 600);
    assert.ok((w.hostMs.done ?? 0) > 0, 'the done message was counted (taken off the port and handled)');
    assert.equal(w.hostMaxMs, Math.max(...Object.values(w.hostMs)));
  });

  describe('suspicion for browse’s sort and filter', () => {
    let dir: string;
    let file: string;
    const cache = new DatasetCache();
    let ds: Dataset;
    before(async () => {
      dir = path.join(tmp, 'suspicion');
      fs.cpSync(path.join(ROOT, 'demo', 'images'), path.join(dir, 'images'), { recursive: true });
      const demo = JSON.parse(fs.readFileSync(path.join(ROOT, 'demo', 'coinstruct-demo.json'), 'utf8')) as { id: string }[];
      const recs: object[] = [];
      for (let k = 0; recs.length * 700 < 2 * BACKGROUND_MIN_BYTES; k++) for (const r of demo) recs.push({ ...r, id: `${r.id}-${k}` });
      file = path.join(dir, 'many.json');
      fs.writeFileSync(file, JSON.stringify(recs, null, 1));
      assert.ok(!cache.isQuick(file), 'indexed in a worker');
      ds = await cache.acquireAsync(file);
    });
    after(() => cache.dispose());
    const plain = (s: Float64Array): (number | null)[] => Array.from(s, (x) => (Number.isNaN(x) ? null : x));

    it('is measured in the index worker while this thread ticks, equal to datasetSuspicion here; the next call reads its cache file', async () => {
      const inWorker = path.join(dir, 'worker-curation');
      const done: number[] = [];
      const ticks = countTicks();
      const r = await cache.suspicion(ds, { curationFolder: inWorker }, (d) => done.push(d));
      const n = ticks.stop();
      assert.ok(n >= MIN_TICKS, `this thread ticked ${n} times while the worker audited ${ds.count} records`);
      assert.equal(r.fromCache, false);
      assert.ok(done.length > 0, 'progress came');
      assert.ok(r.scores instanceof Float64Array && r.scores.length === ds.count);
      assert.equal(r.file, path.join(inWorker, SUSPICION_FILE));
      assert.ok(fs.existsSync(r.file), 'the scores are kept by the dataset’s fingerprint');

      const sync = Dataset.open(file, { cache: false });
      try {
        const here = await datasetSuspicion(sync, { curationFolder: path.join(dir, 'host-curation') });
        assert.equal(here.fromCache, false);
        assert.deepEqual(plain(r.scores), plain(here.scores));
        assert.ok(
          plain(here.scores).some((s) => s !== null && s > 0),
          'the demo has labels its cues contradict',
        );
      } finally {
        sync.close();
      }
      const again = await cache.suspicion(ds, { curationFolder: inWorker });
      assert.equal(again.fromCache, true, 'read back from the cache file');
      assert.deepEqual(plain(again.scores), plain(r.scores));
    });

    it('cancelling rejects with IndexCancelled and writes nothing', async () => {
      const folder = path.join(dir, 'cancelled-curation');
      const ctrl = new AbortController();
      ctrl.abort();
      await assert.rejects(cache.suspicion(ds, { curationFolder: folder }, undefined, ctrl.signal), IndexCancelled);
      assert.equal(fs.existsSync(path.join(folder, SUSPICION_FILE)), false);
      // The worker still answers afterwards.
      const r = await cache.suspicion(ds, { curationFolder: path.join(dir, 'worker-curation') });
      assert.equal(r.fromCache, true);
    });

    it('a small dataset is measured here, with the same result', async () => {
      const small = path.join(dir, 'small.json');
      fs.copyFileSync(path.join(ROOT, 'demo', 'coinstruct-demo.json'), small);
      const c = new DatasetCache();
      try {
        const d = await c.acquireAsync(small);
        assert.equal(c.acquireInBackground(small).worker, undefined, 'no worker');
        const r = await c.suspicion(d, { curationFolder: path.join(dir, 'small-a') });
        const here = await datasetSuspicion(d, { curationFolder: path.join(dir, 'small-b') });
        assert.deepEqual(plain(r.scores), plain(here.scores));
      } finally {
        c.dispose();
      }
    });
  });
});
