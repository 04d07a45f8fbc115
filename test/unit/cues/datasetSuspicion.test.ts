/**
 * Browse's sort and filter by suspicion (issue #16) on the real demo and its real images: the host's
 * order (core datasetSuspicion + orderBySuspicion) equals the order of `cocurate cues --json`
 * suspicions, and the per-record file under the curation folder is read back on the next open
 * (no image measured, not even from the cue cache) until the dataset changes.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { datasetSuspicion, orderBySuspicion, suspicionFile } from '../../../src/core/claims/datasetSuspicion';
import { Dataset } from '../../../src/core/dataset';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const demo = path.join(root, 'demo', 'coinstruct-demo.json');

describe('dataset suspicion for browse (demo, real images)', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'suspicion-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('orders records as cocurate cues --json does, and reuses the cached file on the next open', async () => {
    if (!fs.existsSync(path.join(root, 'dist', 'cli.js')) || !fs.existsSync(path.join(root, 'dist', 'cueWorker.js')))
      throw new Error('dist/ is missing: run npm run build');
    const cur = path.join(dir, 'cur');
    const ds = Dataset.open(demo);
    let first;
    try {
      first = await datasetSuspicion(ds, { curationFolder: cur, workers: 2 });
    } finally {
      ds.close();
    }
    assert.equal(first.fromCache, false);
    assert.ok(first.stats.measured > 0, 'a fresh cue cache measures the demo images');
    assert.equal(first.file, suspicionFile(cur));
    assert.ok(fs.existsSync(first.file));

    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'cocurate.js'), 'cues', demo, '--json', '--curator', path.join(dir, 'cli')], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const cli = (JSON.parse(r.stdout) as { items: { index: number; suspicion: number }[] }).items;
    assert.equal(cli.length, ds.count);
    const expected = [...cli].sort((a, b) => b.suspicion - a.suspicion || a.index - b.index).map((it) => it.index);
    const order = Array.from(orderBySuspicion(first.scores, null, { sort: true }));
    assert.deepEqual(order, expected);
    for (const it of cli) assert.equal(Number(first.scores[it.index].toPrecision(5)), it.suspicion, `record ${it.index}`);

    // Next open: the file answers; with the cue cache gone, any audit would have to measure every image.
    fs.rmSync(path.join(cur, 'cues'), { recursive: true, force: true });
    const ds2 = Dataset.open(demo);
    try {
      const second = await datasetSuspicion(ds2, { curationFolder: cur, workers: 2 });
      assert.equal(second.fromCache, true);
      assert.equal(second.stats.measured, 0);
      assert.equal(fs.existsSync(path.join(cur, 'cues')), false, 'no image was measured');
      assert.deepEqual(Array.from(second.scores), Array.from(first.scores));
    } finally {
      ds2.close();
    }
  });

  it('on the demo with the images of its comparisons swapped: suspicious items first, as cocurate cues --json ranks them; the ≥ filter', async () => {
    // The demo's own labels agree with their images (0 contradicted claims); reversing each group's
    // images makes the claims that agree contradict, so the order is not record order.
    const swapped = path.join(dir, 'swapped.json');
    const records = JSON.parse(fs.readFileSync(demo, 'utf8')) as { image: string | string[] }[];
    fs.writeFileSync(swapped, JSON.stringify(records.map((r) => (Array.isArray(r.image) ? { ...r, image: [...r.image].reverse() } : r))));
    const imageRoot = path.dirname(demo);
    const r = spawnSync(
      process.execPath,
      [path.join(root, 'bin', 'cocurate.js'), 'cues', swapped, '--json', '--images', imageRoot, '--curator', path.join(dir, 'cli-sw')],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const cli = (JSON.parse(r.stdout) as { items: { index: number; suspicion: number }[] }).items;
    const suspicious = cli.filter((it) => it.suspicion > 0);
    assert.ok(suspicious.length >= 3, `swapped images make some labels suspicious (${suspicious.length})`);
    const expected = [...cli].sort((a, b) => b.suspicion - a.suspicion || a.index - b.index).map((it) => it.index);
    assert.notDeepEqual(
      expected,
      cli.map((it) => it.index),
    );
    const ds = Dataset.open(swapped);
    try {
      const { scores } = await datasetSuspicion(ds, { curationFolder: path.join(dir, 'cur-sw'), imageRoot, workers: 2 });
      assert.deepEqual(Array.from(orderBySuspicion(scores, null, { sort: true })), expected);
      // "suspicion ≥ X" alone keeps record order; within another filter's matches it keeps only those.
      const min = Math.min(...suspicious.map((it) => it.suspicion));
      const atLeast = cli.filter((it) => it.suspicion >= min).map((it) => it.index);
      assert.deepEqual(Array.from(orderBySuspicion(scores, null, { min })), atLeast);
      const within = Int32Array.from(atLeast.slice(0, 2));
      assert.deepEqual(
        Array.from(orderBySuspicion(scores, within, { min: 0, sort: true })),
        expected.filter((i) => within.includes(i)),
      );
    } finally {
      ds.close();
    }
  });

  it('measures again when the dataset changes (another fingerprint) or the image root does', async () => {
    const copy = path.join(dir, 'copy.json');
    const records = JSON.parse(fs.readFileSync(demo, 'utf8')) as unknown[];
    fs.writeFileSync(copy, JSON.stringify(records));
    const cur = path.join(dir, 'cur2');
    const imageRoot = path.dirname(demo);
    const run = async () => {
      const ds = Dataset.open(copy);
      try {
        return await datasetSuspicion(ds, { curationFolder: cur, imageRoot, workers: 2 });
      } finally {
        ds.close();
      }
    };
    const a = await run();
    assert.equal(a.fromCache, false);
    assert.equal((await run()).fromCache, true);
    fs.writeFileSync(copy, JSON.stringify(records.slice(0, -1)));
    const b = await run();
    assert.equal(b.fromCache, false, 'a changed dataset is audited again');
    assert.equal(b.scores.length, records.length - 1);
    assert.equal(b.stats.measured, 0, 'its images come from the cue cache');
    assert.deepEqual(Array.from(b.scores), Array.from(a.scores).slice(0, -1));
    const ds = Dataset.open(copy);
    try {
      assert.equal((await datasetSuspicion(ds, { curationFolder: cur, imageRoot: path.join(imageRoot, 'images'), workers: 2 })).fromCache, false);
    } finally {
      ds.close();
    }
  });
});
