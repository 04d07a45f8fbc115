/**
 * MCQ and 2AFC evaluations collect their records without holding the thread (issue #15: the
 * extension host runs them): on a 50,000-record dataset a 1 ms interval in this thread keeps ticking
 * while mcqJobs / readItems read every record (a plain loop lets it tick 0 times), and the jobs and
 * items are those of a plain loop over `ds.item(i)`, in the same order, with the same skipped count
 * and `limit`; an aborted signal stops reading.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../../src/core/dataset';
import type { Item } from '../../../src/core/item';
import { mcqRowFor, type McqRow } from '../../../src/core/eval/mcq';
import { mcqJobs } from '../../../src/core/eval/mcqRun';
import { readItems } from '../../../src/core/eval/twoafcRun';
import { countTicks } from '../../support/eventLoopStall';
import { isolateCacheEnv } from '../../support/cacheEnv';

const RECORDS = 50_000;
/** Fewest ticks while 50,000 records are read: reading takes hundreds of ms, in slices of 8 ms. */
const MIN_TICKS = 5;

/** What the collection did before (a plain loop): the multiple-choice rows and how many records are not. */
function plainMcq(ds: Dataset, limit?: number): { rows: McqRow[]; keys: string[]; skipped: number } {
  const rows: McqRow[] = [];
  const keys: string[] = [];
  let skipped = 0;
  for (let i = 0; i < ds.count && (limit === undefined || rows.length < limit); i++) {
    let item: Item;
    try {
      item = ds.item(i);
    } catch {
      skipped++;
      continue;
    }
    const row = mcqRowFor(item);
    if (row) {
      rows.push(row);
      keys.push(item.key);
    } else skipped++;
  }
  return { rows, keys, skipped };
}

describe('evaluations read their records in slices (issue #15)', function () {
  this.timeout(240_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-collect-'));
  let restoreEnv: () => void = () => {};
  const mcqFile = path.join(tmp, 'mcq.jsonl');
  const iqaFile = path.join(tmp, 'iqa.jsonl');

  before(() => {
    restoreEnv = isolateCacheEnv(tmp);
    const mcq: string[] = [];
    const iqa: string[] = [];
    for (let i = 0; i < RECORDS; i++) {
      // Every 10th record has no candidates (skipped); every 997th is broken JSON.
      if (i % 997 === 500) mcq.push(`{"id": "q${i}", "question": "broken`);
      else
        mcq.push(
          JSON.stringify({
            id: `q${i}`,
            question: `How is the sharpness of image ${i}?`,
            ...(i % 10 === 3 ? {} : { candidates: ['High', 'Medium', 'Low'], answer: ['High', 'Medium', 'Low'][i % 3] }),
            image: `img/${i}.jpg`,
            type: 'yes-or-no',
            concern: 'distortion',
          }),
        );
      iqa.push(JSON.stringify({ id: `s${i}`, img_path: `img/${i}.jpg`, gt_score: (i * 37) % 100, subset: ['a', 'b', 'c'][i % 3] }));
    }
    fs.writeFileSync(mcqFile, mcq.join('\n') + '\n');
    fs.writeFileSync(iqaFile, iqa.join('\n') + '\n');
  });
  after(() => {
    restoreEnv();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('mcqJobs: the host ticks while it reads 50,000 records; the same rows, items and skipped count as a plain loop', async () => {
    const ds = Dataset.open(mcqFile);
    try {
      assert.equal(ds.format, 'mcq');
      const ticks = countTicks();
      const t0 = performance.now();
      const { jobs, skipped } = await mcqJobs(ds);
      const ms = performance.now() - t0;
      const n = ticks.stop();
      console.log(`      figure: mcqJobs on ${RECORDS} records: ${n} ticks in ${ms.toFixed(0)} ms (load ${os.loadavg()[0].toFixed(1)})`);
      const plain = plainMcq(ds);
      assert.deepEqual(
        jobs.map((j) => j.row),
        plain.rows,
      );
      assert.deepEqual(
        jobs.map((j) => j.item.key),
        plain.keys,
      );
      assert.equal(skipped, plain.skipped);
      assert.ok(skipped > 5000, `${skipped} skipped`);
      assert.ok(n >= MIN_TICKS, `the interval ticked ${n} times while mcqJobs read ${RECORDS} records (at least ${MIN_TICKS} expected)`);
    } finally {
      ds.close();
    }
  });

  it('mcqJobs with a limit stops where the plain loop stops; an aborted signal reads nothing', async () => {
    const ds = Dataset.open(mcqFile);
    try {
      for (const limit of [0, 1, 7, 1234]) {
        const { jobs, skipped } = await mcqJobs(ds, limit);
        const plain = plainMcq(ds, limit);
        assert.deepEqual(
          jobs.map((j) => j.row),
          plain.rows,
          `limit ${limit}`,
        );
        assert.equal(skipped, plain.skipped, `limit ${limit}`);
      }
      const ctrl = new AbortController();
      ctrl.abort();
      assert.deepEqual(await mcqJobs(ds, undefined, ctrl.signal), { jobs: [], skipped: 0 });
    } finally {
      ds.close();
    }
  });

  it('readItems (2AFC): the host ticks while it reads 50,000 records; the same items in the same order as a plain loop', async () => {
    const ds = Dataset.open(iqaFile);
    try {
      assert.equal(ds.format, 'iqa');
      const ticks = countTicks();
      const t0 = performance.now();
      const items = await readItems(ds);
      const ms = performance.now() - t0;
      const n = ticks.stop();
      console.log(`      figure: readItems on ${RECORDS} records: ${n} ticks in ${ms.toFixed(0)} ms (load ${os.loadavg()[0].toFixed(1)})`);
      const plain: Item[] = [];
      for (let i = 0; i < ds.count; i++) plain.push(ds.item(i));
      assert.equal(items.length, RECORDS);
      assert.deepEqual(items, plain);
      assert.ok(n >= MIN_TICKS, `the interval ticked ${n} times while readItems read ${RECORDS} records (at least ${MIN_TICKS} expected)`);
    } finally {
      ds.close();
    }
  });
});
