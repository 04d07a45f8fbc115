/**
 * Commands, reviews and the report open a dataset without blocking the thread that asks (issue #15;
 * ARCHITECTURE.md › Opening a large dataset), with the real index worker (out/src/core/indexWorker.js):
 * DatasetCache.acquireAsync, DatasetCache.sample (strata drawn in the worker), DatasetCache.hunt (the
 * label audit in the worker), SpotCheckSession.open and prepareDrift (the report panel). A 1 ms interval counts this thread's ticks while each runs on a
 * multi-MB file opened cold: indexing here would let none through (it is one synchronous call);
 * results equal the synchronous core path's. Small files open here, with no worker.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../src/core/dataset';
import { auditDataset } from '../../src/core/claims/auditLabels';
import { buildHuntPlan } from '../../src/core/claims/huntPlan';
import { IndexCancelled } from '../../src/core/indexWorkerClient';
import { writePlan } from '../../src/core/plan';
import { buildReport, prepareDrift, type DriftCache } from '../../src/core/report/model';
import { drawSample } from '../../src/core/sampling';
import { SpotCheckSession } from '../../src/core/spotCheckSession';
import { parseStrata } from '../../src/core/strata';
import { BACKGROUND_MIN_BYTES, DatasetCache } from '../../src/extension/datasetCache';
import { countTicks } from '../support/eventLoopStall';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'host-open-'));
const RECORDS = 30_000;
/** Ticks of a 1 ms interval while the worker opens the file: worker start-up alone leaves this thread idle for longer. */
const MIN_TICKS = 3;

function record(i: number): object {
  const n = 1 + (i % 4);
  return {
    id: `h-${i}`,
    subset: ['alpha', 'beta', 'gamma'][(i * 5) % 3],
    image: n === 1 ? `img/${i}.jpg` : Array.from({ length: n }, (_, k) => `img/${i}-${k}.jpg`),
    conversations: [
      { from: 'human', value: `${'<image>\n'.repeat(n)}Which has the best quality?` },
      { from: 'gpt', value: `Record ${i}: sharp detail, natural colour, some noise in the shadows.` },
    ],
  };
}

function write(name: string, n: number): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, `[\n${Array.from({ length: n }, (_, i) => JSON.stringify(record(i), null, 1)).join(',\n')}\n]\n`);
  return file;
}

/** Forgets the persistent index of `file`, so the next open scans it. */
function cold(file: string): void {
  fs.rmSync(path.join(tmp, 'cache'), { recursive: true, force: true });
  fs.rmSync(path.join(path.dirname(file), '.curator', 'index'), { recursive: true, force: true });
}

/** Runs `fn`, counting this thread's timer ticks until it settles. */
async function ticking<T>(fn: () => Promise<T>): Promise<{ value: T; ticks: number }> {
  const t = countTicks();
  try {
    const value = await fn();
    return { value, ticks: t.stop() };
  } finally {
    t.stop();
  }
}

function sameDataset(a: Dataset, b: Dataset): void {
  assert.equal(a.count, b.count);
  assert.equal(a.format, b.format);
  for (const i of [0, 1, 2, 777, 12345, a.count - 1]) {
    assert.deepEqual(a.item(i), b.item(i), `item ${i}`);
    assert.equal(a.keyFor(i), b.keyFor(i));
  }
  assert.equal(a.findKey('h-21000'), b.findKey('h-21000'));
}

describe('opening a dataset off the calling thread (DatasetCache.acquireAsync and its users)', function () {
  this.timeout(120_000);
  let big: string;
  let small: string;
  const env = process.env.COCURATE_CACHE_DIR;

  before(() => {
    process.env.COCURATE_CACHE_DIR = path.join(tmp, 'cache');
    big = write('big.json', RECORDS);
    small = write('small.json', 50);
    assert.ok(fs.statSync(big).size > 4 * BACKGROUND_MIN_BYTES, 'a multi-MB file');
    assert.ok(fs.statSync(small).size < BACKGROUND_MIN_BYTES);
  });
  after(() => {
    if (env === undefined) delete process.env.COCURATE_CACHE_DIR;
    else process.env.COCURATE_CACHE_DIR = env;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('acquireAsync indexes a large file in the worker while this thread ticks; the dataset equals Dataset.open; open ones are shared', async () => {
    cold(big);
    const cache = new DatasetCache();
    try {
      assert.equal(cache.isQuick(big), false);
      const progress: number[] = [];
      const [r, again] = await Promise.all([
        ticking(() => cache.acquireAsync(big, { onProgress: (p) => progress.push(p.records) })),
        cache.acquireAsync(big), // a second user while it indexes: the same job
      ]);
      assert.ok(r.ticks >= MIN_TICKS, `this thread ticked ${r.ticks} times while the worker indexed`);
      assert.equal(again, r.value, 'one dataset per file');
      const sync = Dataset.open(big, { cache: false });
      try {
        sameDataset(r.value, sync);
      } finally {
        sync.close();
      }
      assert.equal(cache.isQuick(big), true, 'open now');
      const third = await cache.acquireAsync(big);
      assert.equal(third, r.value);
      for (const d of [r.value, again, third]) cache.release(d);
      assert.ok(progress.every((n) => n >= 0 && n <= RECORDS));
    } finally {
      cache.dispose();
    }
  });

  it('a small file opens here, with no worker; its sample is drawn here and equals drawSample', async () => {
    const cache = new DatasetCache();
    try {
      assert.equal(cache.isQuick(small), true);
      const job = cache.acquireInBackground(small);
      assert.equal(job.worker, undefined);
      const ds = await job.done;
      const opts = { name: 's', seed: 3, size: 10, strata: parseStrata('groupSize'), planDir: path.join(tmp, 'plans', 's'), now: new Date(0) };
      assert.deepEqual(await cache.sample(ds, opts), drawSample(ds, opts));
      cache.release(ds);
    } finally {
      cache.dispose();
    }
  });

  it('cancelling stops waiting (IndexCancelled); the file opens again afterwards', async () => {
    cold(big);
    const cache = new DatasetCache();
    try {
      const abort = new AbortController();
      const p = cache.acquireAsync(big, { signal: abort.signal });
      abort.abort();
      await assert.rejects(p, IndexCancelled);
      const ds = await cache.acquireAsync(big);
      assert.equal(ds.count, RECORDS);
      cache.release(ds);
    } finally {
      cache.dispose();
    }
  });

  it('a plan’s other format opens apart (not the shared dataset) and closes on release', async () => {
    const cache = new DatasetCache();
    try {
      const shared = await cache.acquireAsync(big);
      assert.equal(shared.format, 'llava');
      const other = await cache.acquireAsync(big, { format: 'descriptions' });
      assert.notEqual(other, shared);
      assert.equal(other.format, 'descriptions');
      assert.equal(other.count, RECORDS);
      cache.release(other);
      assert.equal(await cache.acquireAsync(big, { format: 'llava' }), shared, 'the same format shares');
      cache.release(shared);
      cache.release(shared);
    } finally {
      cache.dispose();
    }
  });

  describe('New Spot Check: samples drawn in the worker', () => {
    const cache = new DatasetCache();
    let ds: Dataset;
    let sync: Dataset;
    before(async () => {
      ds = await cache.acquireAsync(big);
      sync = Dataset.open(big, { cache: false });
    });
    after(() => {
      sync.close();
      cache.dispose();
    });
    for (const strata of ['none', 'groupSize', 'field:subset', 'ranges:a=0-9999,b=10000-']) {
      it(`strata ${strata}: drawn in the worker (a field: while this thread ticks), equal to core drawSample`, async () => {
        const opts = {
          name: 'n',
          seed: 'seed',
          size: 60,
          strata: parseStrata(strata),
          planDir: path.join(tmp, 'plans', 'n'),
          createdBy: 'ana',
          now: new Date(0),
        };
        const r = await ticking(() => cache.sample(ds, opts));
        // Strata by a field read every record (hundreds of ms in the worker); the others answer from columns at once.
        if (strata.startsWith('field:')) assert.ok(r.ticks >= MIN_TICKS, `this thread ticked ${r.ticks} times while the worker drew the sample`);
        assert.deepEqual(r.value, drawSample(sync, opts));
      });
    }
  });

  it('New Hunt: the label audit and the plan run in the worker while this thread ticks; the plan equals core auditDataset + buildHuntPlan', async () => {
    const ROOT = path.resolve(__dirname, '..', '..', '..');
    const dir = path.join(tmp, 'hunt');
    fs.cpSync(path.join(ROOT, 'demo', 'images'), path.join(dir, 'images'), { recursive: true });
    const demo = JSON.parse(fs.readFileSync(path.join(ROOT, 'demo', 'coinstruct-demo.json'), 'utf8')) as { id: string }[];
    const recs: object[] = [];
    for (let k = 0; recs.length * 700 < 2 * BACKGROUND_MIN_BYTES; k++) for (const r of demo) recs.push({ ...r, id: `${r.id}-${k}` });
    const file = path.join(dir, 'many.json');
    fs.writeFileSync(file, JSON.stringify(recs, null, 1));
    assert.ok(fs.statSync(file).size >= BACKGROUND_MIN_BYTES, 'indexed in a worker');
    const curation = path.join(dir, '.curator');
    const planOpts = { name: 'hunt-20', planDir: path.join(curation, 'spotchecks', 'hunt-20'), size: 20, createdBy: 'ana', now: new Date(0) };
    const cache = new DatasetCache();
    try {
      const ds = await cache.acquireAsync(file);
      const done: number[] = [];
      const r = await ticking(() => cache.hunt(ds, { curationFolder: curation }, planOpts, (d) => done.push(d)));
      assert.ok(r.ticks >= MIN_TICKS, `this thread ticked ${r.ticks} times while the worker audited ${recs.length} records`);
      assert.equal(r.value.cancelled, false);
      assert.ok(r.value.plan.items.length > 0, 'the demo has labels its cues contradict');
      assert.ok(done.length > 0, 'progress came');
      const sync = Dataset.open(file, { cache: false });
      try {
        const audit = await auditDataset(sync, { curationFolder: curation });
        assert.deepEqual(r.value.plan, buildHuntPlan(sync, audit.items, planOpts));
      } finally {
        sync.close();
      }
      cache.release(ds);
    } finally {
      cache.dispose();
    }
  });

  describe('with a plan', () => {
    let dir: string;
    before(() => {
      dir = path.join(tmp, '.curator', 'spotchecks', 'p');
      const sync = Dataset.open(big, { cache: false });
      try {
        writePlan(dir, drawSample(sync, { name: 'p', seed: 1, size: 30, strata: parseStrata('groupSize'), planDir: dir, createdBy: 'ana' }));
      } finally {
        sync.close();
      }
    });

    it('a review (SpotCheckSession.open) waits for the worker while this thread ticks, and holds the cache’s dataset until disposed', async () => {
      cold(big);
      const cache = new DatasetCache();
      try {
        const r = await ticking(() => SpotCheckSession.open(dir, 'ana', cache));
        const s = r.value;
        assert.ok(r.ticks >= MIN_TICKS, `this thread ticked ${r.ticks} times while the review's dataset was indexed`);
        assert.equal(s.ds.count, RECORDS, 'the whole dataset');
        const sync = Dataset.open(big, { cache: false });
        try {
          for (let pos = 0; pos < s.plan.items.length; pos++) assert.deepEqual(s.ds.item(s.datasetIndex(pos)), sync.item(s.plan.items[pos].index));
        } finally {
          sync.close();
        }
        const shared = await cache.acquireAsync(big);
        assert.equal(shared, s.ds);
        cache.release(shared);
        s.dispose();
        assert.equal(cache.isQuick(big), false, 'released: the next open indexes again');
      } finally {
        cache.dispose();
      }
    });

    it('the report: prepareDrift opens the dataset in the worker while this thread ticks; the report equals the synchronous one', async () => {
      cold(big);
      const cache = new DatasetCache();
      try {
        const drift: DriftCache = new Map();
        const r = await ticking(() => prepareDrift([dir], drift, cache));
        assert.ok(r.ticks >= MIN_TICKS, `this thread ticked ${r.ticks} times while the report's dataset was indexed`);
        assert.equal(drift.size, 1);
        const now = new Date(0);
        const withCache = buildReport([dir], { driftCache: drift, now });
        assert.equal(withCache.spotchecks[0].drift.checked, true);
        assert.deepEqual(withCache, buildReport([dir], { now }));
        assert.equal(cache.isQuick(big), false, 'prepareDrift released what it opened');
      } finally {
        cache.dispose();
      }
    });
  });
});
