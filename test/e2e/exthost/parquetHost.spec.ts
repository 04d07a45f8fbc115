/**
 * A large parquet dataset in code-server's real extension host (issue #15): it opens in the curator
 * editor with its format, group sizes and filters worked out in the index worker (the host opens
 * its footer only), and New Spot Check draws a sample whose strata read every record in that worker
 * while a 1 ms interval in this same thread keeps ticking (on the host thread, decoding every row
 * group let it tick none while it ran). The plan equals core drawSample's. Tick counts and the
 * longest host stall are printed ("figure:"), never timed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Dataset } from '../../../src/core/dataset';
import { readPlan } from '../../../src/core/plan';
import { drawSample } from '../../../src/core/sampling';
import { parseStrata } from '../../../src/core/strata';
import { countTicks, watchEventLoop } from '../../support/eventLoopStall';
import { writeMcqParquet } from '../../support/parquetWriter';
import { until } from './until';
import { activeView } from './activeView';

const ROWS = 120_000;
const GROUP = 20_000;
/** Fewest ticks while New Spot Check samples by a field: decoding six row groups takes seconds; on the host it lets none through. */
const MIN_TICKS = 25;

describe('a large parquet dataset off the extension host', function () {
  this.timeout(240_000);
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const file = path.join(root, 'parquet-host-e2e.parquet');

  before(async () => {
    const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'co-instruct-curator')!;
    await ext.activate();
    writeMcqParquet(file, ROWS, GROUP, 'pq');
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(file, { force: true });
    fs.rmSync(path.join(root, '.curator', 'spotchecks', 'parquet-host-e2e'), { recursive: true, force: true });
  });

  it('opens in the curator editor: the whole dataset, read in the index worker', async () => {
    const stop = watchEventLoop();
    const t0 = performance.now();
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), 'curator.dataset');
    const view = await until(
      'the parquet in the curator',
      async () => {
        const v = await activeView();
        return v?.mode === 'browse' && v.ready && v.dataset === file && !v.indexing ? v : undefined;
      },
      120_000,
    );
    const ms = performance.now() - t0;
    const loop = stop();
    console.log(
      `      figure: parquet ${(fs.statSync(file).size / 1e6).toFixed(0)} MB in the curator editor after ${ms.toFixed(0)} ms; longest extension-host stall ${loop.stallMs.toFixed(0)} ms`,
    );
    assert.equal(view.count, ROWS);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await until('no curator view', async () => !(await activeView()));
  });

  it('New Spot Check by a field: sampled in the worker while the host ticks; the same plan as core drawSample', async () => {
    const ticks = countTicks();
    const t0 = performance.now();
    const dir = await vscode.commands.executeCommand<string>('curator.newSpotCheck', {
      dataset: file,
      size: 40,
      seed: 'pq',
      strata: 'field:subset',
      name: 'parquet-host-e2e',
      open: false,
    });
    const ms = performance.now() - t0;
    const n = ticks.stop();
    console.log(`      figure: New Spot Check on parquet ${(fs.statSync(file).size / 1e6).toFixed(0)} MB: ${n} host ticks in ${ms.toFixed(0)} ms`);
    assert.ok(dir, 'the command wrote a plan');
    assert.ok(n >= MIN_TICKS, `the host ticked ${n} times while New Spot Check sampled the parquet (at least ${MIN_TICKS} expected)`);
    const plan = readPlan(dir);
    const ds = Dataset.open(file);
    try {
      const same = drawSample(ds, { name: plan.name, seed: 'pq', size: 40, strata: parseStrata('field:subset'), planDir: dir });
      assert.deepEqual(plan.items, same.items);
      assert.deepEqual(plan.population, same.population);
    } finally {
      ds.close();
    }
  });
});
