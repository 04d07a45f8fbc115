/**
 * "Curator: Export Curated Dataset" inside the real extension host (issue #17): a spot check of the
 * demo with two items judged incorrect (one corrected) exports as a JSON array in which every other
 * record is byte-identical to the demo, with its manifest; the dataset itself is refused as output.
 * On a cold many-MB dataset (issue #15), the export runs in its worker thread: a 1 ms interval in
 * this same thread keeps ticking meanwhile (on the host thread it could not tick until the export
 * ended), and the files equal core applyCuration's. Tick counts are printed ("figure:"), never timed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseArgs } from '../../../src/cli/args';
import { sample } from '../../../src/cli/commands/sample';
import { applyCuration, type ApplyResult } from '../../../src/core/curate/apply';
import { Dataset } from '../../../src/core/dataset';
import { VerdictJournal } from '../../../src/core/verdicts';
import { countTicks } from '../../support/eventLoopStall';
import { writeLargeArrayDataset } from '../../support/largeArrayDataset';

const LARGE_RECORDS = 120_000;
/**
 * Fewest ticks of the 1 ms interval while the export works on the cold dataset. Indexing and
 * copying ~40 MB on the host thread lets none through while it runs (a few come from the command's
 * own awaits); in the worker the host is idle for hundreds of milliseconds.
 */
const MIN_TICKS = 25;

describe('Export Curated Dataset in the extension host', () => {
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;

  before(async () => {
    const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'co-instruct-curator')!;
    await ext.activate();
  });

  it('drops, corrects and keeps every other record byte for byte; refuses the dataset as output', async () => {
    const data = path.join(root, 'coinstruct-demo.json');
    const code = await sample.run(parseArgs([data, '--size', '6', '--seed', '4', '--name', 'export-e2e', '--out', path.join(root, '.curator')], sample.flags), {
      out: () => undefined,
      err: () => undefined,
    });
    assert.equal(code, 0);
    const dir = path.join(root, '.curator', 'spotchecks', 'export-e2e');
    const plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as { items: { key: string; hash: string; index: number }[] };
    const [fix, drop] = plan.items;
    const j = new VerdictJournal(path.join(dir, 'verdicts-e2e.jsonl'));
    j.append({ key: fix.key, hash: fix.hash, verdict: 'incorrect', correction: 'The second image is clearer.', reasons: ['wrong ranking'], reviewer: 'e2e' });
    j.append({ key: drop.key, hash: drop.hash, verdict: 'incorrect', reasons: ['vague'], reviewer: 'e2e' });
    j.close();

    const before = fs.readFileSync(data);
    const refused = await vscode.commands.executeCommand<ApplyResult | undefined>('curator.exportCuratedDataset', {
      dir,
      out: data,
      drop: true,
      corrections: true,
      decisions: false,
    });
    assert.equal(refused, undefined);
    assert.deepEqual(fs.readFileSync(data), before);

    const out = path.join(root, 'curated.json');
    const r = await vscode.commands.executeCommand<ApplyResult>('curator.exportCuratedDataset', { dir, out, drop: true, corrections: true, decisions: false });
    assert.deepEqual([r.records, r.kept, r.dropped, r.corrected], [33, 32, 1, 1]);
    const src = Dataset.open(data);
    const cur = Dataset.open(out);
    try {
      assert.equal(cur.count, 32);
      let j2 = 0;
      for (let i = 0; i < src.count; i++) {
        if (i === drop.index) continue;
        const a = src.rawBytes(i);
        const b = cur.rawBytes(j2++);
        if (i === fix.index) assert.equal(cur.item(j2 - 1).label, 'The second image is clearer.');
        else assert.ok(Buffer.from(a).equals(Buffer.from(b)), `record ${i} changed`);
      }
    } finally {
      src.close();
      cur.close();
    }
    const m = JSON.parse(fs.readFileSync(`${out}.manifest.json`, 'utf8')) as { changes: { key: string; action: string }[] };
    assert.deepEqual(m.changes.map((c) => c.action).sort(), ['corrected', 'dropped']);
  });

  it('on a cold many-MB dataset, exports in a worker thread while the host keeps ticking; the same files as core applyCuration', async function () {
    this.timeout(240_000);
    const data = path.join(root, 'export-large-e2e.json');
    const cacheFile = path.join(root, '.curator', 'index', `${path.basename(data)}.cidx`);
    const out = path.join(root, 'export-large-e2e.curated.json');
    const twin = path.join(root, 'export-large-e2e.core.json');
    writeLargeArrayDataset(data, LARGE_RECORDS, 'exp');
    try {
      assert.ok(fs.statSync(data).size > 20e6);
      const code = await sample.run(
        parseArgs(
          [data, '--size', '40', '--seed', '5', '--strata', 'field:subset', '--name', 'export-large-e2e', '--out', path.join(root, '.curator')],
          sample.flags,
        ),
        { out: () => undefined, err: () => undefined },
      );
      assert.equal(code, 0);
      const dir = path.join(root, '.curator', 'spotchecks', 'export-large-e2e');
      const plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as { items: { key: string; hash: string }[] };
      const j = new VerdictJournal(path.join(dir, 'verdicts-e2e.jsonl'));
      j.append({ key: plan.items[0].key, hash: plan.items[0].hash, verdict: 'incorrect', correction: 'The first image is sharper.', reviewer: 'e2e' });
      j.append({ key: plan.items[1].key, hash: plan.items[1].hash, verdict: 'incorrect', reviewer: 'e2e' });
      j.close();
      fs.rmSync(cacheFile, { force: true }); // cold: the export indexes the file

      const ticks = countTicks();
      const t0 = performance.now();
      const r = await vscode.commands.executeCommand<ApplyResult>('curator.exportCuratedDataset', {
        dir,
        out,
        drop: true,
        corrections: true,
        decisions: false,
      });
      const ms = performance.now() - t0;
      const n = ticks.stop();
      console.log(`      figure: Export Curated Dataset on ${(fs.statSync(data).size / 1e6).toFixed(0)} MB (cold): ${n} host ticks in ${ms.toFixed(0)} ms`);
      assert.ok(r, 'the export ran');
      assert.deepEqual([r.records, r.kept, r.dropped, r.corrected], [LARGE_RECORDS, LARGE_RECORDS - 1, 1, 1]);
      assert.ok(n >= MIN_TICKS, `the host ticked ${n} times while the export ran (at least ${MIN_TICKS} expected)`);

      // The same bytes as the synchronous core path (the manifest names its own output and time).
      const core = applyCuration([dir], twin, { dropIncorrect: true, corrections: true });
      assert.deepEqual({ ...core, output: r.output, manifest: r.manifest }, r);
      assert.ok(fs.readFileSync(out).equals(fs.readFileSync(twin)), 'the curated dataset differs from core applyCuration’s');
    } finally {
      for (const f of [data, out, `${out}.manifest.json`, twin, `${twin}.manifest.json`, cacheFile]) fs.rmSync(f, { force: true });
    }
  });
});
