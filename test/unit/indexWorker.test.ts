/**
 * Indexing in a worker thread (issue #15): the real worker script (out/src/core/indexWorker.js)
 * indexes generated files; the first records arrive before the index, the index and id table equal
 * the synchronous scanner's, a second open is answered from the persistent index, filters answered
 * in the worker equal the ones worked out in this thread, and stopping the worker cancels.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { filterRecords, type BrowseFilterSpec } from '../../src/core/browseFilter';
import { Dataset } from '../../src/core/dataset';
import { IndexCancelled, IndexWorker, type IndexProgress } from '../../src/core/indexWorkerClient';
import { indexFile, type RecordIndex } from '../../src/core/recordIndex';
import type { VerdictValue } from '../../src/core/verdicts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'index-worker-'));
const ORD = ['first', 'second', 'third', 'fourth'];

/** Records of 1–4 images, a subset every 7th, an id repeated once, ~400 bytes each. */
function record(i: number): object {
  const n = 1 + (i % 4);
  return {
    id: i === 4321 ? 'r-7' : `r-${i}`,
    image: n === 1 ? `img/${i}.jpg` : Array.from({ length: n }, (_, k) => `img/${i}-${k}.jpg`),
    ...(i % 7 === 0 ? { subset: 'sevens' } : {}),
    conversations: [
      { from: 'human', value: `${Array.from({ length: n }, (_, k) => `The ${ORD[k]} image: <image>\n`).join('')}Which has the best quality?` },
      { from: 'gpt', value: `The ${ORD[i % n]} image, record ${i}: sharp detail, natural colour${i % 1000 === 0 ? ', a needle' : ''}.` },
    ],
  };
}

function write(name: string, n: number, shape: 'array' | 'jsonl' | 'grouped'): string {
  const file = path.join(tmp, name);
  const recs = Array.from({ length: n }, (_, i) => JSON.stringify(record(i), null, shape === 'jsonl' ? 0 : 1));
  const text =
    shape === 'jsonl'
      ? recs.join('\n') + '\n'
      : shape === 'array'
        ? `[\n${recs.join(',\n')}\n]\n`
        : `{"left": [\n${recs.slice(0, n / 2).join(',\n')}\n], "right": [\n${recs.slice(n / 2).join(',\n')}\n]}\n`;
  fs.writeFileSync(file, text);
  return file;
}

function dump(ix: RecordIndex): string[] {
  const rows = [ix.container, String(ix.count), String(ix.bytes), JSON.stringify(ix.errors), String(ix.errorsOmitted)];
  for (let i = 0; i < ix.count; i++) rows.push(`${ix.start(i)} ${ix.end(i)} ${ix.line(i)} ${ix.idHash(i)} ${ix.group(i)}`);
  return rows;
}

interface Run {
  worker: IndexWorker;
  events: string[];
  head: Dataset | undefined;
  ds: Dataset;
  progress: IndexProgress[];
}

async function index(file: string, cacheDir = path.join(tmp, 'cache')): Promise<Run> {
  const worker = new IndexWorker(file, { cache: { dir: cacheDir, minBytes: 0 } });
  const events: string[] = [];
  const progress: IndexProgress[] = [];
  worker.onProgress((p) => progress.push(p));
  const headP = worker.head.then((h) => {
    events.push('head');
    return h;
  });
  const ds = await worker.done;
  events.push('done');
  return { worker, events, head: await headP, ds, progress };
}

describe('index worker thread', function () {
  this.timeout(120_000);
  const open: IndexWorker[] = [];
  const datasets: Dataset[] = [];
  after(() => {
    for (const w of open) w.dispose();
    for (const d of datasets) d.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const keep = (r: Run): Run => {
    open.push(r.worker);
    datasets.push(r.ds, ...(r.head ? [r.head] : []));
    return r;
  };

  for (const shape of ['array', 'jsonl', 'grouped'] as const) {
    it(`${shape}: item 0 arrives before the index, and the index equals the synchronous scanner's`, async () => {
      const file = write(`big-${shape}.${shape === 'jsonl' ? 'jsonl' : 'json'}`, 32_000, shape);
      assert.ok(fs.statSync(file).size > 2 * (1 << 22), 'the file spans several scan chunks');
      const r = keep(await index(file));
      assert.deepEqual(r.events, ['head', 'done']);
      assert.ok(r.head, 'a head dataset');
      assert.ok(r.head.count > 0 && r.head.count < r.ds.count, `head of ${r.head.count} records`);
      assert.ok(r.progress.length > 0 && r.progress.every((p) => p.records > 0 && p.bytes <= p.size), JSON.stringify(r.progress.slice(0, 3)));
      const sync = Dataset.open(file, { cache: false });
      datasets.push(sync);
      assert.deepEqual(dump(r.ds.index), dump(indexFile(file)));
      assert.equal(r.ds.format, sync.format);
      const [a, b] = [r.ds.ids(), sync.ids()];
      assert.deepEqual([...a.hashes], [...b.hashes]);
      assert.deepEqual([...a.duplicates], [...b.duplicates]);
      assert.deepEqual([...a.duplicateIds], [...b.duplicateIds]);
      assert.deepEqual(
        [...a.duplicates].sort((x, y) => x - y),
        [7, 4321],
      );
      for (const i of [0, 1, r.head.count - 1]) assert.deepEqual(r.head.item(i), sync.item(i));
      for (const i of [0, 7, 4321, 31_999]) assert.deepEqual(r.ds.item(i), sync.item(i));
      assert.equal(r.ds.keyFor(7), '#7');
    });
  }

  it('a second open is answered from the persistent index, still equal', async () => {
    const file = write('reopen.json', 9_000, 'array');
    const cache = path.join(tmp, 'cache-reopen');
    const first = keep(await index(file, cache));
    assert.equal(first.worker.timings?.cacheHit, false);
    const again = keep(await index(file, cache));
    assert.equal(again.worker.timings?.cacheHit, true);
    assert.deepEqual(dump(again.ds.index), dump(first.ds.index));
    assert.deepEqual([...again.ds.ids().duplicates], [...first.ds.ids().duplicates]);
  });

  it('filters in the worker equal the same filters in this thread; group size answers from the index', async () => {
    const file = write('filters.jsonl', 12_000, 'jsonl');
    const r = keep(await index(file));
    const sync = Dataset.open(file, { cache: false });
    datasets.push(sync);
    const verdicts = new Map<string, VerdictValue>([
      ['r-3', 'correct'],
      ['#7', 'incorrect'],
      ['#4321', 'skip'],
      ['r-11999', 'correct'],
      ['r-nope', 'correct'],
    ]);
    const specs: BrowseFilterSpec[] = [
      { groupSize: 2 },
      { groupSize: 4 },
      { subset: 'sevens' },
      { text: 'A NEEDLE' },
      { text: 'needle', groupSize: 1 },
      { verdict: 'judged' },
      { verdict: 'unjudged', groupSize: 3 },
      { verdict: 'correct' },
    ];
    for (const f of specs) {
      const want = filterRecords(sync, f, (k) => verdicts.get(k));
      const got = await r.worker.filter(f, verdicts);
      assert.deepEqual([...(got ?? [])], [...(want ?? [])], JSON.stringify(f));
    }
    assert.deepEqual([...((await r.worker.filter({ verdict: 'judged' }, verdicts)) ?? [])], [3, 7, 4321, 11_999]);
    assert.equal(await r.worker.filter({}, verdicts), null);
    // The group sizes column reaches this thread: a group-size filter here reads no record.
    for (let k = 0; k < 100 && !r.worker.groupSizes; k++) await new Promise((res) => setTimeout(res, 20));
    const sizes = r.worker.groupSizes;
    assert.ok(sizes);
    const reads = countReads(sync);
    assert.deepEqual(
      [...filterRecords(sync, { groupSize: 3 }, () => undefined, { groupSizes: sizes })!],
      [...(await r.worker.filter({ groupSize: 3 }, verdicts))!],
    );
    assert.equal(reads(), 0);
  });

  it('cancels a filter pass that reads records, and cancels indexing', async () => {
    const file = write('cancel.json', 6_000, 'array');
    const r = keep(await index(file));
    const ctrl = new AbortController();
    ctrl.abort();
    await assert.rejects(r.worker.filter({ text: 'needle' }, new Map(), undefined, ctrl.signal), IndexCancelled);
    assert.equal([...(await r.worker.filter({ text: 'needle' }, new Map()))!].length, 6);
    const w = new IndexWorker(file, { cache: false });
    w.dispose();
    await assert.rejects(w.done, IndexCancelled);
    assert.equal(await w.head, undefined);
  });

  it('an unreadable file fails with its name', async () => {
    const w = new IndexWorker(path.join(tmp, 'missing.json'));
    open.push(w);
    await assert.rejects(w.done, /missing\.json/);
  });
});

/** Counts the record reads of a dataset from now on. */
function countReads(ds: Dataset): () => number {
  let n = 0;
  const orig = ds.bytesAt.bind(ds);
  const each = ds.forEachRawBytes.bind(ds);
  ds.bytesAt = (s, e) => (n++, orig(s, e));
  ds.forEachRawBytes = (...a) => (n++, each(...a));
  const raw = ds.rawBytes.bind(ds);
  ds.rawBytes = (i) => (n++, raw(i));
  return () => n;
}
